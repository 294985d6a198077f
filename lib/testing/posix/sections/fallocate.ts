/**
 * POSIX suite section: fallocate.
 * @module
 */
import type { PosixSection } from '../types.js';

export const fallocate: PosixSection = {
  title: 'fallocate',
  needs: ['python3', 'writable'],
  tests: ({ features }) => {
    const claim = features.fallocate ? 'supported' : 'not claimed, so they may fail with EOPNOTSUPP';
    return {
      'posix_fallocate extends with zeros and keeps existing data': async ({ expect, fresh }) => {
        const t = await fresh('posix-fallocate');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.write(fd, b'abc')
          os.posix_fallocate(fd, 0, 1 << 20)
          size1 = os.fstat(fd).st_size
          os.posix_fallocate(fd, 0, 10)
          out({'size after 1 MiB': size1, 'size after a smaller range': os.fstat(fd).st_size,
               'data kept': os.pread(fd, 3, 0).decode(), 'zeros after': os.pread(fd, (1 << 20) - 3, 3) == bytes((1 << 20) - 3)})`;
        expect(r, `${t}`).toEqual({
          'size after 1 MiB': 1 << 20,
          'size after a smaller range': 1 << 20,
          'data kept': 'abc',
          'zeros after': true,
        });
      },
      [`FALLOC_FL_KEEP_SIZE keeps the size; FALLOC_FL_PUNCH_HOLE zeroes a range (${claim})`]: async ({
        expect,
        features,
        fresh,
      }) => {
        const t = await fresh('fallocate');
        const r = await t.py`
          data = pattern(65536, 9)
          write_file(p('f'), data)
          fd = os.open(p('f'), os.O_RDWR)
          keep = err(fallocate, fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20)
          size = os.fstat(fd).st_size
          punch = err(fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 8192)
          now = os.pread(fd, 1 << 20, 0)
          out({'keep size': keep, 'size after keep size': size, 'punch hole': punch, 'size after punch': len(now),
               'punched range': 'zeros' if now[4096:12288] == bytes(8192) else 'old data' if now[4096:12288] == data[4096:12288] else 'garbage',
               'outside the hole unchanged': now[:4096] == data[:4096] and now[12288:] == data[12288:]})`;
        const supported = features.fallocate || (r['keep size'] === 'ok' && r['punch hole'] === 'ok');
        expect(r, `${t}`).toEqual({
          'keep size': supported ? 'ok' : expect.stringMatching(/^(ok|EOPNOTSUPP)$/),
          'size after keep size': 65536,
          'punch hole': supported ? 'ok' : expect.stringMatching(/^(ok|EOPNOTSUPP)$/),
          'size after punch': 65536,
          'punched range': r['punch hole'] === 'ok' ? 'zeros' : 'old data',
          'outside the hole unchanged': true,
        });
      },
    };
  },
};
