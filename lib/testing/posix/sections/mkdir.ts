/**
 * POSIX suite section: mkdir and rmdir.
 * @module
 */
import type { PosixSection } from '../types.js';

export const mkdir: PosixSection = {
  title: 'mkdir and rmdir',
  needs: ['python3', 'writable'],
  tests: {
    "a new directory has nlink 2 and adds 1 to its parent's; files do not count": async ({ expect, fresh }) => {
      const t = await fresh('mkdir-nlink');
      const r = await t.py`
        os.mkdir(p('P'))
        n = lambda *x: os.stat(p(*x)).st_nlink
        steps = {'empty': n('P')}
        os.mkdir(p('P', 'a'))
        steps['after mkdir a'] = [n('P'), n('P', 'a')]
        os.mkdir(p('P', 'a', 'b'))
        touch(p('P', 'file'))
        steps['after mkdir a/b and a file'] = [n('P'), n('P', 'a'), n('P', 'a', 'b')]
        os.rmdir(p('P', 'a', 'b'))
        steps['after rmdir a/b'] = [n('P'), n('P', 'a')]
        os.rmdir(p('P', 'a'))
        steps['after rmdir a'] = n('P')
        out(steps)`;
      expect(r, `${t}`).toEqual({
        empty: 2,
        'after mkdir a': [3, 2],
        'after mkdir a/b and a file': [3, 3, 2],
        'after rmdir a/b': [3, 2],
        'after rmdir a': 2,
      });
    },
    'mkdir applies the mode, the umask and the sticky bit': async ({ expect, fresh }) => {
      const t = await fresh('mkdir-mode');
      const r = await t.py`
        os.umask(0o027)
        os.mkdir(p('a'), 0o777)
        os.umask(0)
        os.mkdir(p('b'), 0o1777)
        os.mkdir(p('c'), 0o500)
        out({n: oct(stat.S_IMODE(os.stat(p(n)).st_mode)) for n in 'abc'})`;
      expect(r, `${t}`).toEqual({ a: '0o750', b: '0o1777', c: '0o500' });
    },
    'mkdir and rmdir fail where POSIX says': async ({ expect, fresh }) => {
      const t = await fresh('mkdir-errors');
      const r = await t.py`
        os.makedirs(p('full', 'x'))
        touch(p('f'))
        out({'mkdir existing dir': err(os.mkdir, p('full')), 'mkdir over file': err(os.mkdir, p('f')),
             'mkdir in missing parent': err(os.mkdir, p('no', 'x')),
             'rmdir non-empty': err(os.rmdir, p('full')), 'rmdir a file': err(os.rmdir, p('f')),
             'rmdir missing': err(os.rmdir, p('missing')), 'rmdir dot': err(os.rmdir, p('full', 'x', '.'))})`;
      expect(r, `${t}`).toEqual({
        'mkdir existing dir': 'EEXIST',
        'mkdir over file': 'EEXIST',
        'mkdir in missing parent': 'ENOENT',
        'rmdir non-empty': 'ENOTEMPTY',
        'rmdir a file': 'ENOTDIR',
        'rmdir missing': 'ENOENT',
        'rmdir dot': 'EINVAL',
      });
    },
    'a removed directory is gone and its name can be reused': async ({ expect, fresh }) => {
      const t = await fresh('rmdir');
      const r = await t.py`
        os.mkdir(p('d'))
        os.rmdir(p('d'))
        gone = err(os.stat, p('d'))
        write_file(p('d'), 'now a file')
        out({'stat after rmdir': gone, 'reused as a file': read_file(p('d')).decode()})`;
      expect(r, `${t}`).toEqual({ 'stat after rmdir': 'ENOENT', 'reused as a file': 'now a file' });
    },
  },
};
