/**
 * POSIX suite section: statfs.
 * @module
 */
import type { PosixSection } from '../types.js';

export const statfs: PosixSection = {
  title: 'statfs',
  needs: ['python3', 'writable', 'tool:df'],
  tests: {
    'statvfs reports consistent sizes and df works': async ({ expect, fresh }) => {
      const t = await fresh('statfs');
      const r = await t.py`
        import subprocess
        v = os.statvfs(D)
        df = subprocess.run(['df', '-P', D], capture_output=True, text=True, timeout=10)
        out({'f_bsize > 0': v.f_bsize > 0, 'f_frsize > 0': v.f_frsize > 0, 'f_blocks > 0': v.f_blocks > 0,
             'f_blocks >= f_bfree >= f_bavail': v.f_blocks >= v.f_bfree >= v.f_bavail,
             'f_files >= f_ffree': v.f_files >= v.f_ffree, 'f_namemax >= 255': v.f_namemax >= 255,
             'fstatvfs = statvfs': tuple(os.fstatvfs(os.open(D, os.O_RDONLY)))[:2] == tuple(v)[:2],
             'df exit code': df.returncode})`;
      expect(r, `${t}`).toEqual({
        'f_bsize > 0': true,
        'f_frsize > 0': true,
        'f_blocks > 0': true,
        'f_blocks >= f_bfree >= f_bavail': true,
        'f_files >= f_ffree': true,
        'f_namemax >= 255': true,
        'fstatvfs = statvfs': true,
        'df exit code': 0,
      });
    },
  },
};
