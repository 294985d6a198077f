/**
 * POSIX suite section: open: O_DIRECTORY and O_NOFOLLOW.
 * @module
 */
import type { PosixSection } from '../types.js';

export const openDirectory: PosixSection = {
  title: 'open: O_DIRECTORY and O_NOFOLLOW',
  needs: ['python3', 'writable'],
  tests: {
    'O_DIRECTORY opens a directory and fails with ENOTDIR on a file': async ({ expect, fresh }) => {
      const t = await fresh('odir');
      const r = await t.py`
        touch(p('f'))
        os.mkdir(p('d'))
        out({'directory': err(os.open, p('d'), os.O_RDONLY | os.O_DIRECTORY),
             'file': err(os.open, p('f'), os.O_RDONLY | os.O_DIRECTORY)})`;
      expect(r, `${t}`).toEqual({ directory: 'ok', file: 'ENOTDIR' });
    },
    'O_NOFOLLOW fails with ELOOP on a symlink; O_DIRECTORY follows one': {
      needs: ['symlinks'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('nofollow');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          os.symlink('f', p('lf'))
          os.symlink('d', p('ld'))
          out({'O_NOFOLLOW on symlink': err(os.open, p('lf'), os.O_RDONLY | os.O_NOFOLLOW),
               'O_NOFOLLOW on file': err(os.open, p('f'), os.O_RDONLY | os.O_NOFOLLOW),
               'O_DIRECTORY on symlink to dir': err(os.open, p('ld'), os.O_RDONLY | os.O_DIRECTORY),
               'O_DIRECTORY|O_NOFOLLOW on symlink to dir': err(os.open, p('ld'), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)})`;
        expect(r, `${t}`).toEqual({
          'O_NOFOLLOW on symlink': 'ELOOP',
          'O_NOFOLLOW on file': 'ok',
          'O_DIRECTORY on symlink to dir': 'ok',
          // Linux checks O_DIRECTORY first: ENOTDIR; POSIX's O_NOFOLLOW rule says ELOOP.
          'O_DIRECTORY|O_NOFOLLOW on symlink to dir': expect.stringMatching(/^(ELOOP|ENOTDIR)$/),
        });
      },
    },
  },
};
