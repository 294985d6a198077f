/**
 * POSIX suite section: names are bytes. Linux names are any bytes but `/`
 * and NUL, up to 255 of them; symlink targets and xattr names likewise. A
 * filesystem that decodes them as text merges names (every invalid byte
 * becomes U+FFFD) and counts characters instead of bytes.
 * @module
 */
import type { PosixSection } from '../types.js';

export const byteNames: PosixSection = {
  title: 'names are bytes',
  needs: ['python3', 'writable', 'byteNames'],
  tests: {
    'a\\xff and a\\xfe are two files, listed with their own bytes; a\\xef\\xbf\\xbd is neither': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('bytes-distinct');
      const r = await t.py`
        d = os.fsencode(D)
        write_file(d + b'/a\xff', b'ff')
        first = sorted(n.hex() for n in os.listdir(d))
        fd = os.open(d + b'/a\xfe', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b'fe')
        os.close(fd)
        out({'listed after a\\xff': first, 'listed after a\\xfe': sorted(n.hex() for n in os.listdir(d)),
             'a\\xff holds': read_file(d + b'/a\xff').decode(), 'a\\xfe holds': read_file(d + b'/a\xfe').decode(),
             'a U+FFFD': err(os.stat, d + b'/a\xef\xbf\xbd')})`;
      expect(r, `${t}`).toEqual({
        'listed after a\\xff': ['61ff'],
        'listed after a\\xfe': ['61fe', '61ff'],
        'a\\xff holds': 'ff',
        'a\\xfe holds': 'fe',
        'a U+FFFD': 'ENOENT',
      });
    },
    'the limit is 255 bytes, whatever they are: 200 and 255 bytes of 0x80 make names, 256 fail with ENAMETOOLONG':
      async ({ expect, fresh }) => {
        const t = await fresh('bytes-long');
        const r = await t.py`
          d = os.fsencode(D)
          res = {}
          for n in (200, 255, 256):
              res[f'create {n}'] = err(os.open, d + b'/' + b'\x80' * n, os.O_WRONLY | os.O_CREAT, 0o644)
          res['mkdir 255 x 0xc3'] = err(os.mkdir, d + b'/' + b'\xc3' * 255)
          res['listed lengths'] = sorted(len(n) for n in os.listdir(d))
          out(res)`;
        expect(r, `${t}`).toEqual({
          'create 200': 'ok',
          'create 255': 'ok',
          'create 256': 'ENAMETOOLONG',
          'mkdir 255 x 0xc3': 'ok',
          'listed lengths': [200, 255, 255],
        });
      },
    'rename, link and unlink with names that are not UTF-8 (both names)': {
      needs: ['hardlinks'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('bytes-rename');
        const r = await t.py`
          d = os.fsencode(D)
          write_file(d + b'/f\xfa', b'data')
          os.mkdir(d + b'/d\xf0')
          os.rename(d + b'/f\xfa', d + b'/d\xf0/g\xfb')
          os.link(d + b'/d\xf0/g\xfb', d + b'/h\x81')
          res = {'in d\\xf0': sorted(n.hex() for n in os.listdir(d + b'/d\xf0')),
                 'nlink': os.stat(d + b'/h\x81').st_nlink, 'via the link': read_file(d + b'/h\x81').decode()}
          os.rename(d + b'/d\xf0', d + b'/e\xf1')
          os.unlink(d + b'/e\xf1/g\xfb')
          os.rmdir(d + b'/e\xf1')
          res['left'] = sorted(n.hex() for n in os.listdir(d))
          out(res)`;
        expect(r, `${t}`).toEqual({ 'in d\\xf0': ['67fb'], nlink: 2, 'via the link': 'data', left: ['6881'] });
      },
    },
    'symlink targets that are not UTF-8 come back from readlink byte for byte': {
      needs: ['symlinks'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('bytes-symlink');
        const r = await t.py`
          d = os.fsencode(D)
          target = b'../t\xff\x80/\xc3(\xed\xa0\x80'
          os.symlink(target, d + b'/l\xfe')
          out({'readlink': os.readlink(d + b'/l\xfe') == target, 'st_size': os.lstat(d + b'/l\xfe').st_size,
               'listed': [n.hex() for n in os.listdir(d)]})`;
        expect(r, `${t}`).toEqual({ readlink: true, st_size: 12, listed: ['6cfe'] });
      },
    },
    'xattr names that are not UTF-8 are listed, read and removed by their bytes': {
      needs: ['xattrs'],
      run: async ({ expect, fresh }) => {
        const t = await fresh('bytes-xattr');
        const r = await t.py`
          d = os.fsencode(D)
          write_file(d + b'/f', b'')
          os.setxattr(d + b'/f', b'user.\xff\xfe', b'one')
          os.setxattr(d + b'/f', b'user.\xef\xbf\xbd', b'two')
          names = lambda: sorted(os.fsencode(n).hex() for n in os.listxattr(d + b'/f') if n.startswith('user.'))
          res = {'listed': names(), 'user.\\xff\\xfe': os.getxattr(d + b'/f', b'user.\xff\xfe').decode(),
                 'user.U+FFFD': os.getxattr(d + b'/f', b'user.\xef\xbf\xbd').decode()}
          os.removexattr(d + b'/f', b'user.\xff\xfe')
          res['after removexattr'] = names()
          out(res)`;
        expect(r, `${t}`).toEqual({
          listed: ['757365722eefbfbd', '757365722efffe'],
          'user.\\xff\\xfe': 'one',
          'user.U+FFFD': 'two',
          'after removexattr': ['757365722eefbfbd'],
        });
      },
    },
  },
};
