/**
 * POSIX suite section: set-group-ID directories.
 * @module
 */
import type { PosixSection } from '../types.js';

export const setgid: PosixSection = {
  title: 'set-group-ID directories',
  needs: ['python3', 'writable', 'root'],
  tests: {
    'entries take the directory group; subdirectories keep the bit': async ({ expect, fresh }) => {
      const t = await fresh('setgid');
      const r = await t.py`
        os.mkdir(p('g'))
        os.chown(p('g'), 0, 65534)
        os.chmod(p('g'), 0o2775)
        touch(p('g', 'f'))
        os.mkdir(p('g', 'sub'))
        f, sub = os.stat(p('g', 'f')), os.stat(p('g', 'sub'))
        out({'file gid': f.st_gid, 'subdir gid': sub.st_gid, 'subdir has S_ISGID': bool(sub.st_mode & stat.S_ISGID),
             'file has no S_ISGID': not f.st_mode & stat.S_ISGID})`;
      expect(r, `${t}`).toEqual({
        'file gid': 65534,
        'subdir gid': 65534,
        'subdir has S_ISGID': true,
        'file has no S_ISGID': true,
      });
    },
  },
};
