/**
 * POSIX suite section: truncate and ftruncate.
 * @module
 */
import type { PosixSection } from '../types.js';

export const truncate: PosixSection = {
  title: 'truncate and ftruncate',
  needs: ['python3', 'writable'],
  tests: {
    'shrinking discards data; extending again reads zeros, not the old bytes': async ({ expect, fresh }) => {
      const t = await fresh('truncate');
      const r = await t.py`
        write_file(p('f'), 'abcdefgh')
        os.truncate(p('f'), 4)
        a = read_file(p('f'))
        os.truncate(p('f'), 10)
        b = read_file(p('f'))
        fd = os.open(p('f'), os.O_RDWR)
        os.ftruncate(fd, 2)
        c = os.pread(fd, 100, 0)
        os.ftruncate(fd, 100000)
        d = os.pread(fd, 200000, 0)
        os.close(fd)
        out({'after truncate 4': a.decode(), 'after truncate 10': b.hex(), 'after ftruncate 2': c.decode(),
             'ftruncate 100000 size': os.stat(p('f')).st_size, 'zero filled': d == b'ab' + bytes(99998)})`;
      expect(r, `${t}`).toEqual({
        'after truncate 4': 'abcd',
        'after truncate 10': '61626364000000000000',
        'after ftruncate 2': 'ab',
        'ftruncate 100000 size': 100000,
        'zero filled': true,
      });
    },
    'truncate fails with EISDIR on a directory, ENOENT when missing, EINVAL when negative': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('truncate-errors');
      const r = await t.py`
        os.mkdir(p('d'))
        touch(p('f'))
        out({'directory': err(os.truncate, p('d'), 0), 'missing': err(os.truncate, p('missing'), 0),
             'negative': err(os.truncate, p('f'), -1)})`;
      expect(r, `${t}`).toEqual({ directory: 'EISDIR', missing: 'ENOENT', negative: 'EINVAL' });
    },
  },
};
