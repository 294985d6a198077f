/**
 * POSIX suite section: timestamps.
 * @module
 */
import type { PosixSection } from '../types.js';

export const timestamps: PosixSection = {
  title: 'timestamps',
  needs: ['python3', 'writable'],
  tests: {
    'a new file has atime = mtime = ctime, close to the wall clock': async ({ expect, fresh }) => {
      const t = await fresh('times-new');
      const r = await t.py`
        touch(p('f'))
        s = os.stat(p('f'))
        out({'atime = mtime = ctime': s.st_atime_ns == s.st_mtime_ns == s.st_ctime_ns,
             'within 60 s of time.time()': abs(s.st_mtime_ns - time.time_ns()) < 60 * 10**9,
             'mtime': str(s.st_mtime_ns), 'now': str(time.time_ns())})`;
      expect({ ...r, mtime: undefined, now: undefined }, `${t}: mtime ${r.mtime}, now ${r.now}`).toEqual({
        'atime = mtime = ctime': true,
        'within 60 s of time.time()': true,
        mtime: undefined,
        now: undefined,
      });
    },
    'write updates mtime and ctime; read changes neither': async ({ expect, fresh }) => {
      const t = await fresh('times-write');
      const r = await t.py`
        write_file(p('f'), 'data')
        fd = os.open(p('f'), os.O_RDWR)
        out({'read': stamps(lambda: os.pread(fd, 10, 0), {'file': p('f')}),
             'write': stamps(lambda: os.pwrite(fd, b'x', 2), {'file': p('f')}),
             'write, then mtime near the wall clock': abs(os.stat(p('f')).st_mtime_ns - time.time_ns()) < 60 * 10**9})`;
      expect(r, `${t}`).toEqual({
        read: { file: 'neither' },
        write: { file: 'mtime+ctime' },
        'write, then mtime near the wall clock': true,
      });
    },
    'truncate, ftruncate and O_TRUNC update mtime and ctime': async ({ expect, fresh }) => {
      const t = await fresh('times-trunc');
      const r = await t.py`
        write_file(p('f'), 'data' * 100)
        fd = os.open(p('f'), os.O_RDWR)
        out({'truncate': stamps(lambda: os.truncate(p('f'), 10), {'file': p('f')}),
             'ftruncate': stamps(lambda: os.ftruncate(fd, 5), {'file': p('f')}),
             'open O_TRUNC': stamps(lambda: os.close(os.open(p('f'), os.O_WRONLY | os.O_TRUNC)), {'file': p('f')})})`;
      expect(r, `${t}`).toEqual({
        truncate: { file: 'mtime+ctime' },
        ftruncate: { file: 'mtime+ctime' },
        'open O_TRUNC': { file: 'mtime+ctime' },
      });
    },
    'chmod and chown change ctime only': {
      needs: ['root'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('times-chmod');
        const r = await t.py`
          touch(p('f'))
          out({'chmod': stamps(lambda: os.chmod(p('f'), 0o600), {'file': p('f')}),
               'chown': stamps(lambda: os.chown(p('f'), 65534, 65534), {'file': p('f')}),
               'utime': stamps(lambda: os.utime(p('f'), ns=(5 * 10**17, 5 * 10**17)), {'file': p('f')})})`;
        // utime sets mtime itself (not to PAST), and always changes ctime.
        expect(r, `${t}`).toEqual({
          chmod: { file: 'ctime' },
          chown: { file: 'ctime' },
          utime: { file: 'mtime+ctime' },
        });
      },
    },
    "creating and removing entries update the directory's mtime and ctime": async ({ expect, features, fresh }) => {
      const t = await fresh('times-dir');
      const r = await t.py`
        os.mkdir(p('d'))
        touch(p('d', 'gone'))
        os.mkdir(p('d', 'gonedir'))
        d = {'dir': p('d')}
        res = {'create file': stamps(lambda: touch(p('d', 'f')), d),
               'mkdir': stamps(lambda: os.mkdir(p('d', 'sub')), d),
               'unlink': stamps(lambda: os.unlink(p('d', 'gone')), d),
               'rmdir': stamps(lambda: os.rmdir(p('d', 'gonedir')), d),
               'write to a file in it': stamps(lambda: write_file(p('d', 'f'), 'x', flags=os.O_WRONLY), d)}
        if ${features.symlinks ? 'True' : 'False'}:
            res['symlink'] = stamps(lambda: os.symlink('f', p('d', 'l')), d)
        out(res)`;
      const both = { dir: 'mtime+ctime' };
      expect(r, `${t}`).toEqual({
        'create file': both,
        mkdir: both,
        unlink: both,
        rmdir: both,
        'write to a file in it': { dir: 'neither' },
        ...(features.symlinks ? { symlink: both } : {}),
      });
    },
    "rename changes the file's ctime and both parents' mtime and ctime": async ({ expect, fresh }) => {
      const t = await fresh('times-rename');
      const r = await t.py`
        os.mkdir(p('A'))
        os.mkdir(p('B'))
        touch(p('A', 'f'))
        out({'across directories': stamps(lambda: os.rename(p('A', 'f'), p('B', 'g')),
                 {'file': (p('A', 'f'), p('B', 'g')), 'source dir': p('A'), 'target dir': p('B')}),
             'within a directory': stamps(lambda: os.rename(p('B', 'g'), p('B', 'h')),
                 {'file': (p('B', 'g'), p('B', 'h')), 'dir': p('B'), 'other dir': p('A')})})`;
      expect(r, `${t}`).toEqual({
        'across directories': { file: 'ctime', 'source dir': 'mtime+ctime', 'target dir': 'mtime+ctime' },
        'within a directory': { file: 'ctime', dir: 'mtime+ctime', 'other dir': 'neither' },
      });
    },
    "link and unlink change the file's ctime and the directory's mtime": {
      needs: ['hardlinks'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('times-link');
        const r = await t.py`
          os.mkdir(p('A'))
          os.mkdir(p('B'))
          touch(p('A', 'f'))
          w = {'file': p('A', 'f'), 'dir of the file': p('A'), 'dir of the link': p('B')}
          out({'link': stamps(lambda: os.link(p('A', 'f'), p('B', 'g')), w),
               'unlink the link': stamps(lambda: os.unlink(p('B', 'g')), w)})`;
        const expected = { file: 'ctime', 'dir of the file': 'neither', 'dir of the link': 'mtime+ctime' };
        expect(r, `${t}`).toEqual({ link: expected, 'unlink the link': expected });
      },
    },
    'setxattr changes ctime only': {
      needs: ['xattrs'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('times-xattr');
        const r = await t.py`
          touch(p('f'))
          out({'setxattr': stamps(lambda: os.setxattr(p('f'), 'user.t', b'v'), {'file': p('f')})})`;
        expect(r, `${t}`).toEqual({ setxattr: { file: 'ctime' } });
      },
    },
  },
};
