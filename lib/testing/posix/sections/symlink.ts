/**
 * POSIX suite section: symlink and readlink.
 * @module
 */
import type { PosixSection } from '../types.js';

export const symlink: PosixSection = {
  title: 'symlink and readlink',
  needs: ['python3', 'writable', 'symlinks'],
  tests: {
    'readlink returns the target exactly; lstat reports a link of that size': async ({ expect, fresh }) => {
      const t = await fresh('symlink');
      const r = await t.py`
        targets = ['rel/x', '/absolute/path', 'dangling', '../up', 'ü/日本語', 'a' * 1000]
        res = []
        for i, target in enumerate(targets):
            os.symlink(target, p(f'l{i}'))
            s = os.lstat(p(f'l{i}'))
            res.append({'target ok': os.readlink(p(f'l{i}')) == target, 'is link': stat.S_ISLNK(s.st_mode),
                        'size': s.st_size == len(target.encode()), 'nlink': s.st_nlink})
        out({'links': res})`;
      expect(r.links, `${t}`).toEqual(
        Array.from({ length: 6 }, () => ({ 'target ok': true, 'is link': true, size: true, nlink: 1 })),
      );
    },
    'stat, open and path walks follow symlinks; lstat does not': async ({ expect, fresh }) => {
      const t = await fresh('symlink-follow');
      const r = await t.py`
        write_file(p('f'), 'through the link')
        os.makedirs(p('d', 'e'))
        write_file(p('d', 'e', 'g'), 'deep')
        os.symlink('f', p('lf'))
        os.symlink('d', p('ld'))
        os.symlink('ld/e', p('le'))
        out({'stat follows': os.stat(p('lf')).st_ino == os.stat(p('f')).st_ino,
             'lstat does not': os.lstat(p('lf')).st_ino != os.stat(p('f')).st_ino,
             'read through link': read_file(p('lf')).decode(),
             'walk through two links': read_file(p('le', 'g')).decode(),
             'listdir through link': os.listdir(p('ld'))})`;
      expect(r, `${t}`).toEqual({
        'stat follows': true,
        'lstat does not': true,
        'read through link': 'through the link',
        'walk through two links': 'deep',
        'listdir through link': ['e'],
      });
    },
    'O_CREAT through a dangling symlink creates its target; O_CREAT|O_EXCL fails with EEXIST': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('symlink-creat');
      const r = await t.py`
        os.symlink('target', p('link'))
        excl = err(os.open, p('link'), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        fd = os.open(p('link'), os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, b'made')
        os.close(fd)
        out({'O_EXCL': excl, 'target content': read_file(p('target')).decode(),
             'link is still a link': os.path.islink(p('link'))})`;
      expect(r, `${t}`).toEqual({ O_EXCL: 'EEXIST', 'target content': 'made', 'link is still a link': true });
    },
    'readlink of a non-link fails with EINVAL; symlink onto a name EEXIST; a loop ELOOP': async ({ expect, fresh }) => {
      const t = await fresh('symlink-errors');
      const r = await t.py`
        touch(p('f'))
        os.symlink('b', p('a'))
        os.symlink('a', p('b'))
        out({'readlink of a file': err(os.readlink, p('f')), 'readlink of missing': err(os.readlink, p('m')),
             'symlink onto existing': err(os.symlink, 'x', p('f')), 'open a loop': err(os.open, p('a'), os.O_RDONLY)})`;
      expect(r, `${t}`).toEqual({
        'readlink of a file': 'EINVAL',
        'readlink of missing': 'ENOENT',
        'symlink onto existing': 'EEXIST',
        'open a loop': 'ELOOP',
      });
    },
  },
};
