/**
 * POSIX suite section: unlink.
 * @module
 */
import type { PosixSection } from '../types.js';

export const unlink: PosixSection = {
  title: 'unlink',
  needs: ['python3', 'writable'],
  tests: {
    'an open file stays readable and writable after unlink; the name can be reused': async ({ expect, fresh }) => {
      const t = await fresh('unlink-open');
      const r = await t.py`
        write_file(p('f'), 'still here')
        fd = os.open(p('f'), os.O_RDWR)
        os.unlink(p('f'))
        gone = err(os.lstat, p('f'))
        os.pwrite(fd, b'!', 10)
        write_file(p('f'), 'new file')
        res = {'stat after unlink': gone, 'read through fd': os.pread(fd, 100, 0).decode(),
               'fstat nlink': os.fstat(fd).st_nlink, 'new file': read_file(p('f')).decode(),
               'listed': sorted(os.listdir(D))}
        os.close(fd)
        out(res)`;
      expect(r, `${t}`).toEqual({
        'stat after unlink': 'ENOENT',
        'read through fd': 'still here!',
        'fstat nlink': 0,
        'new file': 'new file',
        listed: ['f'],
      });
    },
    'unlink fails with ENOENT when missing, EISDIR on a directory, ENOTDIR through a file': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('unlink-errors');
      const r = await t.py`
        os.mkdir(p('d'))
        touch(p('f'))
        out({'missing': err(os.unlink, p('missing')), 'directory': err(os.unlink, p('d')),
             'through a file': err(os.unlink, p('f', 'x'))})`;
      expect(r, `${t}`).toEqual({ missing: 'ENOENT', directory: 'EISDIR', 'through a file': 'ENOTDIR' });
    },
  },
};
