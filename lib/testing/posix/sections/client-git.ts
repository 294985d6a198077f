/**
 * POSIX suite section: client: git.
 * @module
 */
import { baseEnv } from '../harness.js';
import type { PosixSection } from '../types.js';

export const clientGit: PosixSection = {
  title: 'client: git',
  needs: ['writable', 'tool:git'],
  tests: {
    'init, add, commit, log, mv, rm, gc, fsck and clone': {
      timeout: 90_000,
      run: async ({ expect, fresh }) => {
        const t = await fresh('git');
        const env = baseEnv({
          HOME: t.p('home'),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_AUTHOR_NAME: 'POSIX Suite',
          GIT_AUTHOR_EMAIL: 'suite@example.com',
          GIT_COMMITTER_NAME: 'POSIX Suite',
          GIT_COMMITTER_EMAIL: 'suite@example.com',
          GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
          GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z',
        });
        const r = await t.sh(
          String.raw`
mkdir home
git init -q -b main repo
cd repo
mkdir -p src/sub docs
for i in $(seq 1 30); do printf 'line %s\n' $(seq 1 $i) > src/file$i.txt; done
for i in $(seq 1 5); do echo "doc $i" > docs/doc$i.md; echo "sub $i" > src/sub/s$i; done
echo readme > README
git add -A
git commit -q -m first
echo more >> README
git rm -q src/file1.txt
git mv src/file2.txt src/renamed.txt
chmod +x src/file3.txt
git add -A
git commit -q -m second
echo "log: $(git log --format=%s | tr '\n' ' ')"
echo "status: [$(git status --porcelain)]"
echo "files: $(git ls-files | wc -l)"
git gc -q
git fsck --strict --no-progress
cd ..
git clone -q repo clone
cd clone
echo "clone log: $(git log --format=%s | tr '\n' ' ')"
echo "clone mode: $(git ls-files -s src/file3.txt | cut -c1-6)"
diff -r -x .git ../repo .
echo "diff: same"
`,
          { env, timeoutMs: 60_000 },
        );
        expect(r.stdout, `${t}`).toBe(
          [
            'log: second first ',
            'status: []',
            'files: 40',
            'clone log: second first ',
            'clone mode: 100755',
            'diff: same',
            '',
          ].join('\n'),
        );
      },
    },
  },
};
