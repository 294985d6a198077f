/**
 * POSIX suite section: stat.
 * @module
 */
import type { PosixSection } from '../types.js';

export const stat: PosixSection = {
  title: 'stat',
  needs: ['python3', 'writable'],
  tests: {
    'files, directories and symlinks report type, size and nlink': async ({ expect, features, fresh }) => {
      const t = await fresh('stat');
      const r = await t.py`
        write_file(p('f'), 'abc')
        os.mkdir(p('d'))
        if ${features.symlinks ? 'True' : 'False'}:
            os.symlink('f', p('l'))
        f, d = os.lstat(p('f')), os.lstat(p('d'))
        res = {'file': [stat.S_ISREG(f.st_mode), f.st_size, f.st_nlink],
               'dir': [stat.S_ISDIR(d.st_mode), d.st_nlink],
               'blksize positive': f.st_blksize > 0,
               'fstat equals stat': tuple(os.fstat(os.open(p('f'), os.O_RDONLY)))[:7] == tuple(os.stat(p('f')))[:7]}
        if os.path.lexists(p('l')):
            l = os.lstat(p('l'))
            res['symlink'] = [stat.S_ISLNK(l.st_mode), l.st_size]
        out(res)`;
      expect(r, `${t}`).toEqual({
        file: [true, 3, 1],
        dir: [true, 2],
        'blksize positive': true,
        'fstat equals stat': true,
        ...(features.symlinks ? { symlink: [true, 1] } : {}),
      });
    },
    'inode numbers are unique and stable; st_dev is the same across the filesystem': async ({ expect, fresh }) => {
      const t = await fresh('stat-ino');
      const r = await t.py`
        paths = []
        for i in range(30):
            touch(p(f'f{i}')); paths.append(p(f'f{i}'))
            os.mkdir(p(f'd{i}')); paths.append(p(f'd{i}'))
        first = [os.stat(x).st_ino for x in paths]
        second = [os.stat(x).st_ino for x in paths]
        devs = {os.stat(x).st_dev for x in paths + [D]}
        out({'unique': len(set(first)) == len(paths), 'stable': first == second, 'one st_dev': len(devs) == 1})`;
      expect(r, `${t}`).toEqual({ unique: true, stable: true, 'one st_dev': true });
    },
    'st_blocks accounts for written data (st_blocks * 512 >= size)': async ({ expect, fresh }) => {
      const t = await fresh('stat-blocks');
      const r = await t.py`
        write_file(p('f'), pattern(65537, 6))
        os.fsync(os.open(p('f'), os.O_RDONLY))
        s = os.stat(p('f'))
        out({'blocks cover size': s.st_blocks * 512 >= s.st_size, 'blocks': s.st_blocks})`;
      expect(r['blocks cover size'], `${t}: st_blocks=${r.blocks} for 65537 bytes`).toBe(true);
    },
    "a new file and directory belong to the creator's uid and gid": async ({ expect, fresh }) => {
      const t = await fresh('stat-owner');
      const r = await t.py`
        touch(p('f'))
        os.mkdir(p('d'))
        out({n: [os.stat(p(n)).st_uid == os.geteuid(), os.stat(p(n)).st_gid == os.getegid()] for n in 'fd'})`;
      expect(r, `${t}`).toEqual({ f: [true, true], d: [true, true] });
    },
  },
};
