/**
 * POSIX suite section: rename.
 * @module
 */
import type { PosixSection } from '../types.js';

export const rename: PosixSection = {
  title: 'rename',
  needs: ['python3', 'writable'],
  tests: {
    'renames a file, keeping its inode and data': async ({ expect, fresh }) => {
      const t = await fresh('rename');
      const r = await t.py`
        write_file(p('a'), 'data')
        ino = os.stat(p('a')).st_ino
        os.mkdir(p('sub'))
        os.rename(p('a'), p('b'))
        step1 = {'old name': err(os.lstat, p('a')), 'same inode': os.stat(p('b')).st_ino == ino}
        os.rename(p('b'), p('sub', 'c'))
        out({**step1, 'moved to subdir': read_file(p('sub', 'c')).decode(), 'listing': sorted(os.listdir(D)),
             'same inode after move': os.stat(p('sub', 'c')).st_ino == ino})`;
      expect(r, `${t}`).toEqual({
        'old name': 'ENOENT',
        'same inode': true,
        'moved to subdir': 'data',
        listing: ['sub'],
        'same inode after move': true,
      });
    },
    'replaces an existing file; the replaced file stays readable through an open fd': async ({ expect, fresh }) => {
      const t = await fresh('rename-replace');
      const r = await t.py`
        write_file(p('a'), 'new')
        write_file(p('b'), 'old')
        fd = os.open(p('b'), os.O_RDONLY)
        os.rename(p('a'), p('b'))
        out({'b': read_file(p('b')).decode(), 'a': err(os.lstat, p('a')), 'old through fd': os.pread(fd, 10, 0).decode(),
             'old nlink': os.fstat(fd).st_nlink, 'listing': sorted(os.listdir(D))})`;
      expect(r, `${t}`).toEqual({ b: 'new', a: 'ENOENT', 'old through fd': 'old', 'old nlink': 0, listing: ['b'] });
    },
    'a directory replaces an empty directory but not a non-empty one (ENOTEMPTY)': async ({ expect, fresh }) => {
      const t = await fresh('rename-dirs');
      const r = await t.py`
        os.makedirs(p('src', 'inner'))
        os.mkdir(p('empty'))
        os.makedirs(p('full', 'x'))
        res = {'over non-empty': err(os.rename, p('src'), p('full')),
               'over empty': err(os.rename, p('src'), p('empty'))}
        res['moved content'] = os.listdir(p('empty'))
        res['listing'] = sorted(os.listdir(D))
        out(res)`;
      expect(r, `${t}`).toEqual({
        'over non-empty': 'ENOTEMPTY',
        'over empty': 'ok',
        'moved content': ['inner'],
        listing: ['empty', 'full'],
      });
    },
    'type mismatches fail: file over directory EISDIR, directory over file ENOTDIR; into its own subtree EINVAL':
      async ({ expect, fresh }) => {
        const t = await fresh('rename-errors');
        const r = await t.py`
        touch(p('f'))
        os.makedirs(p('d', 'sub'))
        out({'file over directory': err(os.rename, p('f'), p('d')),
             'directory over file': err(os.rename, p('d'), p('f')),
             'into own subtree': err(os.rename, p('d'), p('d', 'sub', 'x')),
             'missing source': err(os.rename, p('missing'), p('y')),
             'listing': sorted(os.listdir(D))})`;
        expect(r, `${t}`).toEqual({
          'file over directory': 'EISDIR',
          'directory over file': 'ENOTDIR',
          'into own subtree': 'EINVAL',
          'missing source': 'ENOENT',
          listing: ['d', 'f'],
        });
      },
    "moving a directory updates both parents' nlink and its ..": async ({ expect, fresh }) => {
      const t = await fresh('rename-nlink');
      const r = await t.py`
        os.makedirs(p('p1', 'child'))
        os.mkdir(p('p2'))
        before = (os.stat(p('p1')).st_nlink, os.stat(p('p2')).st_nlink)
        os.rename(p('p1', 'child'), p('p2', 'child'))
        out({'nlink before': before, 'nlink after': (os.stat(p('p1')).st_nlink, os.stat(p('p2')).st_nlink),
             '.. is the new parent': os.stat(p('p2', 'child', '..')).st_ino == os.stat(p('p2')).st_ino})`;
      expect(r, `${t}`).toEqual({ 'nlink before': [3, 2], 'nlink after': [2, 3], '.. is the new parent': true });
    },
    'renaming onto another link of the same file does nothing': {
      needs: ['hardlinks'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('rename-same');
        const r = await t.py`
          write_file(p('a'), 'x')
          os.link(p('a'), p('b'))
          os.rename(p('a'), p('b'))
          out({'listing': sorted(os.listdir(D)), 'nlink': os.stat(p('b')).st_nlink})`;
        expect(r, `${t}`).toEqual({ listing: ['a', 'b'], nlink: 2 });
      },
    },
  },
};
