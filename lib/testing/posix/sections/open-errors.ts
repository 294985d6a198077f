/**
 * POSIX suite section: open: errors on paths.
 * @module
 */
import type { PosixSection } from '../types.js';

export const openErrors: PosixSection = {
  title: 'open: errors on paths',
  needs: ['python3', 'writable'],
  tests: {
    'ENOENT, ENOTDIR and EISDIR where POSIX says': async ({ expect, fresh }) => {
      const t = await fresh('open-errors');
      const r = await t.py`
        touch(p('f'))
        os.mkdir(p('d'))
        out({'open missing': err(os.open, p('missing'), os.O_RDONLY),
             'create in missing dir': err(os.open, p('nodir', 'x'), os.O_WRONLY | os.O_CREAT, 0o644),
             'file as a directory': err(os.open, p('f', 'x'), os.O_RDONLY),
             'create under a file': err(os.open, p('f', 'x'), os.O_WRONLY | os.O_CREAT, 0o644),
             'directory for writing': err(os.open, p('d'), os.O_WRONLY),
             'directory for reading': err(os.open, p('d'), os.O_RDONLY)})`;
      expect(r, `${t}`).toEqual({
        'open missing': 'ENOENT',
        'create in missing dir': 'ENOENT',
        'file as a directory': 'ENOTDIR',
        'create under a file': 'ENOTDIR',
        'directory for writing': 'EISDIR',
        'directory for reading': 'ok',
      });
    },
    'names up to statvfs f_namemax work; longer ones fail with ENAMETOOLONG': async ({ expect, fresh }) => {
      const t = await fresh('namemax');
      const r = await t.py`
        m = os.statvfs(D).f_namemax
        flags = os.O_WRONLY | os.O_CREAT
        out({'f_namemax at least 255': m >= 255,
             'create f_namemax bytes': err(os.open, p('n' * m), flags, 0o644),
             'listed': ('n' * m) in os.listdir(D),
             'create f_namemax + 1 bytes': err(os.open, p('n' * (m + 1)), flags, 0o644),
             'mkdir f_namemax + 1 bytes': err(os.mkdir, p('d' * (m + 1))),
             'lookup f_namemax + 1 bytes': err(os.stat, p('s' * (m + 1)))})`;
      expect(r, `${t}`).toEqual({
        'f_namemax at least 255': true,
        'create f_namemax bytes': 'ok',
        listed: true,
        'create f_namemax + 1 bytes': 'ENAMETOOLONG',
        'mkdir f_namemax + 1 bytes': 'ENAMETOOLONG',
        'lookup f_namemax + 1 bytes': 'ENAMETOOLONG',
      });
    },
  },
};
