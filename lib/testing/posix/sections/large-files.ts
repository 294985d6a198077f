/**
 * POSIX suite section: 64-bit offsets. The kernel lets a FUSE file grow to
 * MAX_LFS_FILESIZE (2^63 - 1), as tmpfs does; every offset and size past
 * 2^53 must arrive and come back exact (a JavaScript number would round it).
 * @module
 */
import type { PosixSection } from '../types.js';

export const largeFiles: PosixSection = {
  title: '64-bit offsets: files up to 2^63 - 1 bytes',
  needs: ['python3', 'writable', 'largeFiles'],
  tests: {
    'pwrite at 2^62 - 2 and posix_fallocate at 2^54 set the size exactly, as on tmpfs': async ({ expect, fresh }) => {
      const t = await fresh('large-size');
      const r = await t.py`
        fd = os.open(p('w'), os.O_RDWR | os.O_CREAT, 0o644)
        n = os.pwrite(fd, b'Z', 2**62 - 2)
        res = {'pwrite': n, 'fstat': str(os.fstat(fd).st_size), 'stat': str(os.stat(p('w')).st_size),
               'read back': os.pread(fd, 4, 2**62 - 3).hex()}
        fd2 = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        os.posix_fallocate(fd2, 2**54, 1)
        res['after posix_fallocate'] = str(os.fstat(fd2).st_size)
        res['the largest byte'] = os.pwrite(fd2, b'L', 2**63 - 2)
        res['largest size'] = str(os.fstat(fd2).st_size)
        out(res)`;
      expect(r, `${t}`).toEqual({
        pwrite: 1,
        fstat: String(2n ** 62n - 1n),
        stat: String(2n ** 62n - 1n),
        'read back': '005a',
        'after posix_fallocate': String(2n ** 54n + 1n),
        'the largest byte': 1,
        'largest size': String(2n ** 63n - 1n),
      });
    },
    'holes past 2^53 read as zeros, data reads back where it was written, EOF past the size': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('large-read');
      const r = await t.py`
        fd = os.open(p('s'), os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(fd, b'abc', 2**60 + 1)
        os.ftruncate(fd, 2**61)
        out({'size': str(os.fstat(fd).st_size), 'hole at 2^53 + 1': os.pread(fd, 8, 2**53 + 1).hex(),
             'around the data': os.pread(fd, 6, 2**60 - 1).hex(), 'at the end': os.pread(fd, 16, 2**61 - 4).hex(),
             'past the end': os.pread(fd, 16, 2**61 + 5).hex(),
             'truncated to 2^60 + 2': [os.ftruncate(fd, 2**60 + 2), os.pread(fd, 8, 2**60).hex()][1],
             'grown again': [os.ftruncate(fd, 2**60 + 5), os.pread(fd, 8, 2**60).hex()][1]})`;
      expect(r, `${t}`).toEqual({
        size: String(2n ** 61n),
        'hole at 2^53 + 1': '0000000000000000',
        'around the data': '000061626300',
        'at the end': '00000000',
        'past the end': '',
        'truncated to 2^60 + 2': '0061',
        'grown again': '0061000000',
      });
    },
    'SEEK_DATA and SEEK_HOLE past 2^53 find the data and the hole after it': {
      needs: ['seekData'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('large-seek');
        const r = await t.py`
          P = 2**55
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.pwrite(fd, pattern(8192, 3), P)
          os.ftruncate(fd, 2**58)
          out({'SEEK_DATA 0': str(os.lseek(fd, 0, os.SEEK_DATA)), 'SEEK_HOLE at the data': str(os.lseek(fd, P, os.SEEK_HOLE)),
               'SEEK_DATA after the data': err(os.lseek, fd, P + 8192, os.SEEK_DATA),
               'SEEK_HOLE at 2^53 + 1': str(os.lseek(fd, 2**53 + 1, os.SEEK_HOLE))})`;
        expect(r, `${t}`).toEqual({
          'SEEK_DATA 0': String(2n ** 55n),
          'SEEK_HOLE at the data': String(2n ** 55n + 8192n),
          'SEEK_DATA after the data': 'ENXIO',
          'SEEK_HOLE at 2^53 + 1': String(2n ** 53n + 1n),
        });
      },
    },
    'copy_file_range between offsets past 2^53 copies the bytes and sets the size': async ({ expect, fresh }) => {
      const t = await fresh('large-copy');
      const r = await t.py`
        src = os.open(p('a'), os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(src, b'hello', 2**56 + 3)
        dst = os.open(p('b'), os.O_RDWR | os.O_CREAT, 0o644)
        n = os.copy_file_range(src, dst, 5, 2**56 + 3, 2**57 + 1)
        out({'copied': n, 'bytes': os.pread(dst, 7, 2**57).decode('latin1'), 'size': str(os.fstat(dst).st_size)})`;
      expect(r, `${t}`).toEqual({ copied: 5, bytes: '\0hello', size: String(2n ** 57n + 6n) });
    },
    'fallocate past 2^53: KEEP_SIZE allocates without growing; beyond 2^63 - 1 fails with EFBIG': {
      needs: ['fallocate'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('large-fallocate');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.pwrite(fd, b'x', 2**54)
          fallocate(fd, FALLOC_FL_KEEP_SIZE, 2**58, 4096)
          res = {'size after KEEP_SIZE': str(os.fstat(fd).st_size), 'blocks': os.fstat(fd).st_blocks > 0}
          fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 2**54, 1)
          res['after punch'] = os.pread(fd, 1, 2**54).hex()
          res['past the largest size'] = err(fallocate, fd, 0, 2**63 - 2, 2)
          out(res)`;
        expect(r, `${t}`).toEqual({
          'size after KEEP_SIZE': String(2n ** 54n + 1n),
          blocks: true,
          'after punch': '00',
          'past the largest size': 'EFBIG',
        });
      },
    },
  },
};
