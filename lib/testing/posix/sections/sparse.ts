/**
 * POSIX suite section: sparse files.
 * @module
 */
import type { PosixSection } from '../types.js';

export const sparseFiles: PosixSection = {
  title: 'sparse files',
  needs: ['python3', 'writable'],
  tests: {
    'a write far past EOF leaves a hole that reads as zeros': async ({ expect, fresh }) => {
      const t = await fresh('sparse');
      const r = await t.py`
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(fd, b'end', 1 << 20)
        out({'size': os.fstat(fd).st_size, 'hole': os.pread(fd, 1 << 20, 0) == bytes(1 << 20),
             'tail': os.pread(fd, 10, 1 << 20).decode()})`;
      expect(r, `${t}`).toEqual({ size: (1 << 20) + 3, hole: true, tail: 'end' });
    },
    'offsets past 4 GiB work (64-bit offsets and sizes)': async ({ expect, fresh }) => {
      const t = await fresh('sparse-4g');
      const r = await t.py`
        off = 5 * (1 << 30) + 1
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(fd, b'far away', off)
        res = {'size': str(os.fstat(fd).st_size), 'read back': os.pread(fd, 8, off).decode(),
               'zeros at 4 GiB': os.pread(fd, 4096, 1 << 32) == bytes(4096),
               'SEEK_END': str(os.lseek(fd, 0, os.SEEK_END))}
        os.ftruncate(fd, 0)
        out(res)`;
      const size = String(5 * 2 ** 30 + 1 + 8);
      expect(r, `${t}`).toEqual({ size, 'read back': 'far away', 'zeros at 4 GiB': true, SEEK_END: size });
    },
  },
};
