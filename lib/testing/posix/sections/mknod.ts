/**
 * POSIX suite section: mknod: regular files, FIFOs and device nodes.
 * @module
 */
import type { PosixSection } from '../types.js';

export const mknod: PosixSection = {
  title: 'mknod: regular files, FIFOs and device nodes',
  needs: ['python3', 'writable'],
  tests: {
    'mknod S_IFREG creates an empty regular file': async ({ expect, fresh }) => {
      const t = await fresh('mknod-reg');
      const r = await t.py`
        os.mknod(p('f'), stat.S_IFREG | 0o640)
        s = os.lstat(p('f'))
        out({'regular': stat.S_ISREG(s.st_mode), 'mode': oct(stat.S_IMODE(s.st_mode)), 'size': s.st_size,
             'again': err(os.mknod, p('f'), stat.S_IFREG | 0o640)})`;
      expect(r, `${t}`).toEqual({ regular: true, mode: '0o640', size: 0, again: 'EEXIST' });
    },
    'mkfifo creates a FIFO that carries data between a writer and a reader': {
      needs: ['fifo'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('fifo');
        const r = await t.py`
          os.mkfifo(p('q'), 0o600)
          s = os.lstat(p('q'))
          rd = os.open(p('q'), os.O_RDONLY | os.O_NONBLOCK)
          wr = os.open(p('q'), os.O_WRONLY | os.O_NONBLOCK)
          os.write(wr, b'through the fifo')
          out({'is a fifo': stat.S_ISFIFO(s.st_mode), 'mode': oct(stat.S_IMODE(s.st_mode)), 'size': s.st_size,
               'read': os.read(rd, 100).decode(), 'listed': os.listdir(D)})`;
        expect(r, `${t}`).toEqual({
          'is a fifo': true,
          mode: '0o600',
          size: 0,
          read: 'through the fifo',
          listed: expect.arrayContaining(['q']),
        });
      },
    },
    'mknod creates character and block devices with st_rdev': {
      needs: ['deviceNodes', 'root'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('mknod-dev');
        const r = await t.py`
          os.mknod(p('null'), stat.S_IFCHR | 0o600, os.makedev(1, 3))
          os.mknod(p('loop'), stat.S_IFBLK | 0o600, os.makedev(7, 200))
          c, b = os.lstat(p('null')), os.lstat(p('loop'))
          out({'char': [stat.S_ISCHR(c.st_mode), os.major(c.st_rdev), os.minor(c.st_rdev)],
               'block': [stat.S_ISBLK(b.st_mode), os.major(b.st_rdev), os.minor(b.st_rdev)]})`;
        expect(r, `${t}`).toEqual({ char: [true, 1, 3], block: [true, 7, 200] });
      },
    },
  },
};
