/**
 * POSIX suite section: rename flags: RENAME_NOREPLACE and RENAME_EXCHANGE.
 * @module
 */
import type { PosixSection } from '../types.js';

export const renameFlags: PosixSection = {
  title: 'rename flags: RENAME_NOREPLACE and RENAME_EXCHANGE',
  needs: ['python3', 'writable'],
  tests: ({ features }) => {
    const support = features.renameFlags
      ? 'supported'
      : 'not claimed, so they may fail with EINVAL but never misbehave';
    return {
      [`RENAME_NOREPLACE never replaces an existing name (${support})`]: async ({ expect, features, fresh }) => {
        const t = await fresh('noreplace');
        const r = await t.py`
          write_file(p('a'), 'A')
          write_file(p('b'), 'B')
          res = {'onto existing': err(renameat2, p('a'), p('b'), RENAME_NOREPLACE)}
          res['contents'] = [read_file(p('a')).decode(), read_file(p('b')).decode()]
          res['onto new name'] = err(renameat2, p('a'), p('c'), RENAME_NOREPLACE)
          res['listing'] = sorted(os.listdir(D))
          out(res)`;
        if (features.renameFlags) {
          expect(r, `${t}`).toEqual({
            'onto existing': 'EEXIST',
            contents: ['A', 'B'],
            'onto new name': 'ok',
            listing: ['b', 'c'],
          });
        } else {
          expect(['EEXIST', 'EINVAL'], `${t}: RENAME_NOREPLACE onto an existing name`).toContain(r['onto existing']);
          expect(r.contents, `${t}`).toEqual(['A', 'B']);
          expect(r.listing, `${t}`).toEqual(r['onto new name'] === 'ok' ? ['b', 'c'] : ['a', 'b']);
        }
      },
      [`RENAME_EXCHANGE swaps two names atomically (${support})`]: async ({ expect, features, fresh }) => {
        const t = await fresh('exchange');
        const r = await t.py`
          write_file(p('a'), 'A')
          os.mkdir(p('d'))
          ia, id_ = os.stat(p('a')).st_ino, os.stat(p('d')).st_ino
          res = {'exchange file and directory': err(renameat2, p('a'), p('d'), RENAME_EXCHANGE)}
          res['a is now the directory'] = os.stat(p('a')).st_ino == id_ and stat.S_ISDIR(os.stat(p('a')).st_mode)
          res['d is now the file'] = os.stat(p('d')).st_ino == ia and read_file(p('d')) == b'A'
          res['with a missing name'] = err(renameat2, p('a'), p('missing'), RENAME_EXCHANGE)
          out(res)`;
        if (features.renameFlags || r['exchange file and directory'] === 'ok') {
          expect(r, `${t}`).toEqual({
            'exchange file and directory': 'ok',
            'a is now the directory': true,
            'd is now the file': true,
            'with a missing name': 'ENOENT',
          });
        } else {
          expect(r, `${t}`).toEqual({
            'exchange file and directory': 'EINVAL',
            'a is now the directory': false,
            'd is now the file': false,
            'with a missing name': expect.stringMatching(/^(EINVAL|ENOENT)$/),
          });
        }
      },
    };
  },
};
