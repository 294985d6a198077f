/**
 * POSIX suite section: find without -noleaf.
 * @module
 */
import type { PosixSection } from '../types.js';

export const find: PosixSection = {
  title: 'find without -noleaf',
  needs: ['python3', 'writable', 'tool:find'],
  tests: {
    'lists every entry of a tree, trusting directory nlink': async ({ expect, fresh }) => {
      const t = await fresh('find');
      const r = await t.py`
        import subprocess
        expected = {'tree'}
        for a in range(4):
            for b in range(4):
                d = os.path.join('tree', f'a{a}', f'b{b}')
                os.makedirs(p(d), exist_ok=True)
                expected |= {os.path.join('tree', f'a{a}'), d}
                for c in range(3):
                    touch(p(d, f'f{c}'))
                    expected.add(os.path.join(d, f'f{c}'))
            touch(p('tree', f'a{a}', 'file'))
            expected.add(os.path.join('tree', f'a{a}', 'file'))
        def find(*args):
            r = subprocess.run(['find', 'tree', *args], cwd=D, capture_output=True, text=True, timeout=20)
            return {'exit': r.returncode, 'stderr': r.stderr, 'paths': r.stdout.split('\n')[:-1]}
        plain, noleaf, dirs = find(), find('-noleaf'), find('-type', 'd')
        out({'find exit': plain['exit'], 'stderr': plain['stderr'], 'missing': sorted(expected - set(plain['paths'])),
             'extra': sorted(set(plain['paths']) - expected), 'count': len(plain['paths']),
             'same as -noleaf': sorted(plain['paths']) == sorted(noleaf['paths']), '-type d count': len(dirs['paths'])})`;
      expect(r, `${t}`).toEqual({
        'find exit': 0,
        stderr: '',
        missing: [],
        extra: [],
        count: 1 + 4 + 16 + 48 + 4,
        'same as -noleaf': true,
        '-type d count': 1 + 4 + 16,
      });
    },
  },
};
