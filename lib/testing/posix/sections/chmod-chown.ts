/**
 * POSIX suite section: chmod and chown.
 * @module
 */
import type { PosixSection } from '../types.js';

export const chmodChown: PosixSection = {
  title: 'chmod and chown',
  needs: ['python3', 'writable'],
  tests: {
    'chmod sets all twelve permission bits and keeps the file type': async ({ expect, fresh }) => {
      const t = await fresh('chmod');
      const r = await t.py`
        touch(p('f'))
        os.mkdir(p('d'))
        res = {}
        for mode in (0o7777, 0o640, 0o000, 0o4755):
            os.chmod(p('f'), mode)
            s = os.stat(p('f'))
            res[oct(mode)] = [oct(stat.S_IMODE(s.st_mode)), stat.S_ISREG(s.st_mode)]
        fd = os.open(p('f'), os.O_RDONLY)
        os.fchmod(fd, 0o600)
        res['fchmod 0o600'] = oct(stat.S_IMODE(os.fstat(fd).st_mode))
        os.chmod(p('d'), 0o1777)
        res['dir 0o1777'] = [oct(stat.S_IMODE(os.stat(p('d')).st_mode)), stat.S_ISDIR(os.stat(p('d')).st_mode)]
        out(res)`;
      expect(r, `${t}`).toEqual({
        '0o7777': ['0o7777', true],
        '0o640': ['0o640', true],
        '0o0': ['0o0', true],
        '0o4755': ['0o4755', true],
        'fchmod 0o600': '0o600',
        'dir 0o1777': ['0o1777', true],
      });
    },
    'chmod through a symlink changes the target': {
      needs: ['symlinks'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('chmod-link');
        const r = await t.py`
          touch(p('f'))
          os.symlink('f', p('l'))
          os.chmod(p('l'), 0o600)
          out({'target mode': oct(stat.S_IMODE(os.stat(p('f')).st_mode)), 'link is a link': stat.S_ISLNK(os.lstat(p('l')).st_mode)})`;
        expect(r, `${t}`).toEqual({ 'target mode': '0o600', 'link is a link': true });
      },
    },
    'chown changes owner and group; -1 keeps one; lchown changes a link itself': {
      needs: ['root'],
      run: async ({ expect, features, fresh }) => {
        const t = await fresh('chown');
        const links = features.symlinks;
        const r = await t.py`
          touch(p('f'))
          owner = lambda x, follow=True: [os.stat(x, follow_symlinks=follow).st_uid, os.stat(x, follow_symlinks=follow).st_gid]
          res = {}
          os.chown(p('f'), 65534, 65534); res['chown 65534:65534'] = owner(p('f'))
          os.chown(p('f'), -1, 0); res['chown -1:0'] = owner(p('f'))
          fd = os.open(p('f'), os.O_RDONLY)
          os.fchown(fd, 0, -1); res['fchown 0:-1'] = owner(p('f'))
          if ${links ? 'True' : 'False'}:
              os.symlink('f', p('l'))
              os.lchown(p('l'), 65534, 65534)
              res['lchown: link, target'] = [owner(p('l'), False), owner(p('f'))]
          out(res)`;
        expect(r, `${t}`).toEqual({
          'chown 65534:65534': [65534, 65534],
          'chown -1:0': [65534, 0],
          'fchown 0:-1': [0, 0],
          ...(links
            ? {
                'lchown: link, target': [
                  [65534, 65534],
                  [0, 0],
                ],
              }
            : {}),
        });
      },
    },
  },
};
