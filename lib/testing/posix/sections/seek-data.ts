/**
 * POSIX suite section: lseek SEEK_DATA and SEEK_HOLE.
 * @module
 */
import type { PosixSection } from '../types.js';

export const seekData: PosixSection = {
  title: 'lseek SEEK_DATA and SEEK_HOLE',
  needs: ['python3', 'writable'],
  tests: {
    'a dense file is data up to EOF, with the implicit hole at EOF; ENXIO past it': async ({ expect, fresh }) => {
      const t = await fresh('seek-dense');
      const r = await t.py`
        write_file(p('f'), pattern(10000, 11))
        fd = os.open(p('f'), os.O_RDONLY)
        out({'SEEK_DATA 0': os.lseek(fd, 0, os.SEEK_DATA), 'SEEK_HOLE 0': os.lseek(fd, 0, os.SEEK_HOLE),
             'SEEK_DATA 5000': os.lseek(fd, 5000, os.SEEK_DATA), 'SEEK_DATA at EOF': err(os.lseek, fd, 10000, os.SEEK_DATA),
             'SEEK_HOLE past EOF': err(os.lseek, fd, 20000, os.SEEK_HOLE), 'SEEK_END': os.lseek(fd, -10, os.SEEK_END),
             'SEEK_CUR': os.lseek(fd, 5, os.SEEK_CUR)})`;
      expect(r, `${t}`).toEqual({
        'SEEK_DATA 0': 0,
        'SEEK_HOLE 0': 10000,
        'SEEK_DATA 5000': 5000,
        'SEEK_DATA at EOF': 'ENXIO',
        'SEEK_HOLE past EOF': 'ENXIO',
        SEEK_END: 9990,
        SEEK_CUR: 9995,
      });
    },
    'SEEK_HOLE and SEEK_DATA find the hole in a sparse file': {
      needs: ['seekData'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('seek-sparse');
        const r = await t.py`
          M = 1 << 20
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.pwrite(fd, pattern(4096, 12), 0)
          os.pwrite(fd, pattern(4096, 13), 4 * M)
          os.fsync(fd)
          hole = os.lseek(fd, 0, os.SEEK_HOLE)
          data = os.lseek(fd, hole, os.SEEK_DATA)
          out({'first hole starts after the first data, before the second': 4096 <= hole < 4 * M,
               'next data starts in the hole, at the latest at the second write': hole < data <= 4 * M,
               'hole at EOF': os.lseek(fd, 4 * M, os.SEEK_HOLE) == 4 * M + 4096, 'hole': hole, 'data': data})`;
        expect({ ...r, hole: undefined, data: undefined }, `${t}: SEEK_HOLE ${r.hole}, SEEK_DATA ${r.data}`).toEqual({
          'first hole starts after the first data, before the second': true,
          'next data starts in the hole, at the latest at the second write': true,
          'hole at EOF': true,
          hole: undefined,
          data: undefined,
        });
      },
    },
  },
};
