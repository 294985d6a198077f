/**
 * POSIX suite section: client: stress-ng filesystem stressors.
 * @module
 */
import type { PosixSection } from '../types.js';

export const clientStressNg: PosixSection = {
  title: 'client: stress-ng filesystem stressors',
  needs: ['writable', 'tool:stress-ng'],
  tests: ({ features }) => {
    const stressors = [
      '--dir 1',
      '--dentry 1',
      '--rename 1',
      '--hdd 1 --hdd-bytes 8m',
      '--chmod 1',
      '--utime 1',
      '--seek 1 --seek-size 4m',
      '--open 1',
      features.hardlinks ? '--link 1' : '',
      features.symlinks ? '--symlink 1' : '',
      features.xattrs ? '--xattr 1' : '',
      features.posixLocks ? '--lockf 1' : '',
      features.flock ? '--flock 1' : '',
      features.fallocate ? '--fallocate 1 --fallocate-bytes 16m' : '',
    ].filter(Boolean);
    return {
      [`runs ${stressors.map((s) => s.split(' ')[0]?.slice(2)).join(', ')} for 8 s with --verify and no failure`]: {
        timeout: 90_000,
        run: async ({ expect, fresh }) => {
          const t = await fresh('stress-ng');
          const r = await t.sh(
            `stress-ng --temp-path . --timeout 8 --verify --metrics-brief --log-brief ${stressors.join(' ')} 2>&1`,
            { timeoutMs: 60_000 },
          );
          expect(r.stdout, `${t}`).toMatch(/^successful run completed/m);
          expect(r.stdout, `${t}`).not.toMatch(/failed: [1-9]|fail:|error:/i);
        },
      },
    };
  },
};
