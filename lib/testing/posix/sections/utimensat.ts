/**
 * POSIX suite section: utimensat.
 * @module
 */
import type { PosixSection } from '../types.js';

export const utimensat: PosixSection = {
  title: 'utimensat',
  needs: ['python3', 'writable'],
  tests: ({ features }) => {
    const ns = features.nsTimestamps;
    return {
      [`utime sets atime and mtime ${ns ? 'to the nanosecond' : 'to the second'}`]: async ({ expect, fresh }) => {
        const t = await fresh('utime');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          A, M = 1_600_000_000_123_456_789, 1_500_000_000_987_654_321
          res = {}
          for n in 'fd':
              os.utime(p(n), ns=(A, M))
              s = os.stat(p(n))
              res[n] = [str(s.st_atime_ns), str(s.st_mtime_ns)]
          out(res)`;
        const expected = ns
          ? ['1600000000123456789', '1500000000987654321']
          : [expect.stringMatching(/^1600000000\d{9}$/), expect.stringMatching(/^1500000000\d{9}$/)];
        expect(r, `${t}`).toEqual({ f: expected, d: expected });
      },
      'UTIME_OMIT leaves a time alone; UTIME_NOW sets the current time': async ({ expect, fresh }) => {
        const t = await fresh('utimens');
        const r = await t.py`
          touch(p('f'))
          A, M = 1_600_000_000_000_000_000, 1_500_000_000_000_000_000
          os.utime(p('f'), ns=(A, M))
          get = lambda: os.stat(p('f'))
          near_now = lambda v: abs(v - time.time_ns()) < 60 * 10**9
          utimens(p('f'), UTIME_OMIT, M + 10**9)
          s1 = get()
          utimens(p('f'), UTIME_NOW, UTIME_OMIT)
          s2 = get()
          utimens(p('f'), UTIME_OMIT, UTIME_NOW)
          s3 = get()
          c0 = s3.st_ctime_ns
          tick(c0)
          utimens(p('f'), UTIME_OMIT, UTIME_OMIT)
          out({'omit atime, set mtime': [s1.st_atime_ns == A, s1.st_mtime_ns == M + 10**9],
               'now atime, omit mtime': [near_now(s2.st_atime_ns), s2.st_mtime_ns == M + 10**9],
               'omit atime, now mtime': [near_now(s3.st_atime_ns), near_now(s3.st_mtime_ns)],
               'omit both keeps the times': [get().st_atime_ns == s3.st_atime_ns, get().st_mtime_ns == s3.st_mtime_ns]})`;
        expect(r, `${t}`).toEqual({
          'omit atime, set mtime': [true, true],
          'now atime, omit mtime': [true, true],
          'omit atime, now mtime': [true, true],
          'omit both keeps the times': [true, true],
        });
      },
      'utimensat AT_SYMLINK_NOFOLLOW sets the times of the link itself': {
        needs: ['symlinks'],
        run: async ({ expect, fresh }) => {
          const t = await fresh('lutimes');
          const r = await t.py`
          touch(p('f'))
          os.symlink('f', p('l'))
          os.utime(p('f'), ns=(PAST, PAST))
          utimens(p('l'), 1_200_000_000 * 10**9, 1_300_000_000 * 10**9, follow=False)
          out({'link mtime': str(os.lstat(p('l')).st_mtime_ns // 10**9), 'target untouched': os.stat(p('f')).st_mtime_ns == PAST})`;
          expect(r, `${t}`).toEqual({ 'link mtime': '1300000000', 'target untouched': true });
        },
      },
    };
  },
};
