/**
 * POSIX suite section: readdir.
 * @module
 */
import type { PosixSection } from '../types.js';

export const readdir: PosixSection = {
  title: 'readdir',
  needs: ['python3', 'writable'],
  tests: {
    'lists every entry once, with . and .., right d_type and d_ino': async ({ expect, features, fresh }) => {
      const t = await fresh('readdir');
      const links = features.symlinks;
      const r = await t.py`
        import subprocess
        os.mkdir(p('d'))
        expected = {}
        for i in range(20):
            touch(p('d', f'file{i}')); expected[f'file{i}'] = 'file'
        for i in range(5):
            os.mkdir(p('d', f'dir{i}')); expected[f'dir{i}'] = 'dir'
        if ${links ? 'True' : 'False'}:
            for i in range(3):
                os.symlink('file0', p('d', f'link{i}')); expected[f'link{i}'] = 'symlink'
        got, inos_ok = {}, True
        with os.scandir(p('d')) as it:
            for e in it:
                kind = 'symlink' if e.is_symlink() else 'dir' if e.is_dir(follow_symlinks=False) else 'file' if e.is_file(follow_symlinks=False) else '?'
                got[e.name] = kind
                inos_ok = inos_ok and e.inode() == os.lstat(e.path).st_ino
        ls = subprocess.run(['ls', '-1a', p('d')], capture_output=True, text=True, timeout=10).stdout.split('\n')[:-1]
        out({'types match': got == expected, 'missing': sorted(set(expected) - set(got)),
             'extra': sorted(set(got) - set(expected)), 'd_ino matches st_ino': inos_ok,
             'ls -a count': len(ls), 'ls -a has . and .. once': [ls.count('.'), ls.count('..')],
             'empty dir': subprocess.run(['ls', '-1a', p('d', 'dir0')], capture_output=True, text=True, timeout=10).stdout.split()})`;
      expect(r, `${t}`).toEqual({
        'types match': true,
        missing: [],
        extra: [],
        'd_ino matches st_ino': true,
        'ls -a count': (links ? 28 : 25) + 2,
        'ls -a has . and .. once': [1, 1],
        'empty dir': ['.', '..'],
      });
    },
    'lists 3000 entries, each exactly once': {
      timeout: 60_000,
      run: async ({ expect, fresh }) => {
        const t = await fresh('readdir-3000');
        const r = await t.py`
          names = [f'{i:05d}-' + 'x' * (i % 60) for i in range(3000)]
          for n in names:
              touch(p(n))
          listed = os.listdir(D)
          out({'count': len(listed), 'distinct': len(set(listed)), 'missing': sorted(set(names) - set(listed))[:10],
               'extra': sorted(set(listed) - set(names))[:10]})`;
        expect(r, `${t}`).toEqual({ count: 3000, distinct: 3000, missing: [], extra: [] });
      },
    },
    'entries added and removed during iteration do not duplicate or skip the others': {
      timeout: 60_000,
      run: async ({ expect, fresh }) => {
        const t = await fresh('readdir-mutate');
        const r = await t.py`
          from collections import Counter
          names = [f'entry-{i:05d}' for i in range(2000)]
          for n in names:
              touch(p(n))
          seen, removed, added = [], set(), set()
          with os.scandir(D) as it:
              for k, e in enumerate(it):
                  seen.append(e.name)
                  if k in (700, 1400):
                      seen_set = set(seen)
                      old = [n for n in seen if n.startswith('entry-') and n not in removed][:100]
                      unseen = [n for n in names if n not in seen_set and n not in removed][-100:]
                      for n in old + unseen:
                          os.unlink(p(n))
                          removed.add(n)
                      for j in range(100):
                          n = f'added-{k}-{j:03d}'
                          touch(p(n))
                          added.add(n)
          counts = Counter(seen)
          final = set(os.listdir(D))
          out({'listed twice': sorted(n for n, c in counts.items() if c > 1)[:10],
               'untouched but skipped': sorted(set(names) - removed - set(seen))[:10],
               'never created': sorted(set(seen) - set(names) - added)[:10],
               'final listing is exact': final == (set(names) - removed) | added})`;
        expect(r, `${t}`).toEqual({
          'listed twice': [],
          'untouched but skipped': [],
          'never created': [],
          'final listing is exact': true,
        });
      },
    },
  },
};
