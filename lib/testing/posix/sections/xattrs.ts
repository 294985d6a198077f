/**
 * POSIX suite section: xattrs.
 * @module
 */
import { EOPNOTSUPP } from '../harness.js';
import type { PosixSection } from '../types.js';

export const xattrs: PosixSection = {
  title: 'xattrs',
  needs: ['python3', 'writable'],
  tests: {
    'set, get, list and remove on files and directories, including binary and empty values': {
      needs: ['xattrs'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('xattr');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          res = {}
          for n in 'fd':
              os.setxattr(p(n), 'user.a', b'1')
              os.setxattr(p(n), 'user.bin', b'\x00bin\xff\x00')
              os.setxattr(p(n), 'user.empty', b'')
              got = [os.getxattr(p(n), 'user.a').hex(), os.getxattr(p(n), 'user.bin').hex(), os.getxattr(p(n), 'user.empty').hex()]
              listed = sorted(x for x in os.listxattr(p(n)) if x.startswith('user.'))
              os.removexattr(p(n), 'user.a')
              res[n] = {'values': got, 'listed': listed, 'get removed': err(os.getxattr, p(n), 'user.a'),
                        'listed after remove': sorted(x for x in os.listxattr(p(n)) if x.startswith('user.'))}
          out(res)`;
        const each = {
          values: ['31', '0062696eff00', ''],
          listed: ['user.a', 'user.bin', 'user.empty'],
          'get removed': 'ENODATA',
          'listed after remove': ['user.bin', 'user.empty'],
        };
        expect(r, `${t}`).toEqual({ f: each, d: each });
      },
    },
    'a size-0 probe returns the size; a buffer too small fails with ERANGE': {
      needs: ['xattrs'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('xattr-probe');
        const r = await t.py`
          touch(p('f'))
          value = pattern(100, 7)
          os.setxattr(p('f'), 'user.big', value)
          big = pattern(3000, 8)
          os.setxattr(p('f'), 'user.huge', big)
          size = raw_getxattr(p('f'), 'user.big', 0)
          list_size = raw_listxattr(p('f'), 0)
          out({'getxattr size 0': size, 'getxattr size 10': err(raw_getxattr, p('f'), 'user.big', 10),
               'getxattr exact size': raw_getxattr(p('f'), 'user.big', 100) == value,
               'listxattr size 0 fits the names': list_size >= len('user.big\0user.huge\0'),
               'listxattr one byte short': err(raw_listxattr, p('f'), list_size - 1),
               'listxattr exact size': sorted(x for x in raw_listxattr(p('f'), list_size) if x.startswith('user.')),
               'os.getxattr of 3000 bytes (retries after ERANGE)': os.getxattr(p('f'), 'user.huge') == big})`;
        expect(r, `${t}`).toEqual({
          'getxattr size 0': 100,
          'getxattr size 10': 'ERANGE',
          'getxattr exact size': true,
          'listxattr size 0 fits the names': true,
          'listxattr one byte short': 'ERANGE',
          'listxattr exact size': ['user.big', 'user.huge'],
          'os.getxattr of 3000 bytes (retries after ERANGE)': true,
        });
      },
    },
    'XATTR_CREATE fails with EEXIST, XATTR_REPLACE with ENODATA; missing names ENODATA': {
      needs: ['xattrs'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('xattr-flags');
        const r = await t.py`
          touch(p('f'))
          os.setxattr(p('f'), 'user.x', b'1')
          res = {'create existing': err(os.setxattr, p('f'), 'user.x', b'2', os.XATTR_CREATE),
                 'replace missing': err(os.setxattr, p('f'), 'user.y', b'2', os.XATTR_REPLACE),
                 'create new': err(os.setxattr, p('f'), 'user.z', b'3', os.XATTR_CREATE),
                 'replace existing': err(os.setxattr, p('f'), 'user.x', b'4', os.XATTR_REPLACE),
                 'get missing': err(os.getxattr, p('f'), 'user.missing'),
                 'remove missing': err(os.removexattr, p('f'), 'user.missing')}
          res['values'] = [os.getxattr(p('f'), 'user.x').decode(), os.getxattr(p('f'), 'user.z').decode()]
          out(res)`;
        expect(r, `${t}`).toEqual({
          'create existing': 'EEXIST',
          'replace missing': 'ENODATA',
          'create new': 'ok',
          'replace existing': 'ok',
          'get missing': 'ENODATA',
          'remove missing': 'ENODATA',
          values: ['4', '3'],
        });
      },
    },
    'without xattr support, xattr calls fail cleanly with EOPNOTSUPP': {
      needs: ['!xattrs'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('xattr-none');
        const r = await t.py`
            touch(p('f'))
            out({'setxattr': err(os.setxattr, p('f'), 'user.a', b'1'), 'getxattr': err(os.getxattr, p('f'), 'user.a'),
                 'listxattr': err(os.listxattr, p('f'))})`;
        expect(r.setxattr, `${t}`).toBe(EOPNOTSUPP);
        expect([EOPNOTSUPP, 'ENODATA'], `${t}: getxattr`).toContain(r.getxattr);
        expect([EOPNOTSUPP, 'ok'], `${t}: listxattr`).toContain(r.listxattr);
      },
    },
  },
};
