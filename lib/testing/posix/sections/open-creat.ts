/**
 * POSIX suite section: open: O_CREAT and O_EXCL.
 * @module
 */
import type { PosixSection } from '../types.js';

export const openCreat: PosixSection = {
  title: 'open: O_CREAT and O_EXCL',
  needs: ['python3', 'writable'],
  tests: {
    'O_CREAT|O_EXCL creates a new file once, then fails with EEXIST': async ({ expect, fresh }) => {
      const t = await fresh('excl');
      const r = await t.py`
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        os.mkdir(p('dir'))
        out({
          'create f': err(os.open, p('f'), flags, 0o644),
          'is a regular file': stat.S_ISREG(os.lstat(p('f')).st_mode),
          'create f again': err(os.open, p('f'), flags, 0o644),
          'create over a directory': err(os.open, p('dir'), flags, 0o644),
        })`;
      expect(r, `${t}`).toEqual({
        'create f': 'ok',
        'is a regular file': true,
        'create f again': 'EEXIST',
        'create over a directory': 'EEXIST',
      });
    },
    'O_CREAT without O_EXCL opens an existing file and keeps its data': async ({ expect, fresh }) => {
      const t = await fresh('creat');
      const r = await t.py`
        write_file(p('f'), 'keep me')
        ino = os.stat(p('f')).st_ino
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o600)
        data = os.read(fd, 100)
        os.close(fd)
        out({'data': data.decode(), 'same inode': os.stat(p('f')).st_ino == ino,
             'mode unchanged': oct(stat.S_IMODE(os.stat(p('f')).st_mode))})`;
      expect(r, `${t}`).toEqual({ data: 'keep me', 'same inode': true, 'mode unchanged': '0o644' });
    },
    'O_CREAT applies the mode and the umask': async ({ expect, fresh }) => {
      const t = await fresh('umask');
      const r = await t.py`
        os.umask(0o027)
        os.close(os.open(p('a'), os.O_WRONLY | os.O_CREAT, 0o777))
        os.umask(0)
        os.close(os.open(p('b'), os.O_WRONLY | os.O_CREAT, 0o640))
        os.close(os.open(p('c'), os.O_WRONLY | os.O_CREAT, 0o000))
        out({n: oct(stat.S_IMODE(os.stat(p(n)).st_mode)) for n in 'abc'})`;
      expect(r, `${t}`).toEqual({ a: '0o750', b: '0o640', c: '0o0' });
    },
  },
};
