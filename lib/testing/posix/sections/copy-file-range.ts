/**
 * POSIX suite section: copy_file_range.
 * @module
 */
import type { PosixSection } from '../types.js';

export const copyFileRange: PosixSection = {
  title: 'copy_file_range',
  needs: ['python3', 'writable'],
  tests: {
    'copies ranges between files and within one file, at offsets': async ({ expect, fresh }) => {
      const t = await fresh('copy-file-range');
      const r = await t.py`
        src = pattern(300 * 1024 + 5, 10)
        write_file(p('src'), src)
        write_file(p('dst'), b'X' * 10)
        s = os.open(p('src'), os.O_RDONLY)
        d = os.open(p('dst'), os.O_RDWR)
        want, done = len(src) - 1000, 0
        while done < want:
            n = os.copy_file_range(s, d, want - done, 1000 + done, 5 + done)
            if n == 0:
                break
            done += n
        dst = read_file(p('dst'))
        past_eof = os.copy_file_range(s, d, 100, len(src) + 10, 0)
        w = os.open(p('self'), os.O_RDWR | os.O_CREAT, 0o644)
        os.write(w, b'0123456789' + bytes(10))
        same = os.copy_file_range(w, w, 10, 0, 10)
        out({'copied': done, 'dst size': len(dst), 'head kept': dst[:5].decode(), 'copied bytes match': dst[5:] == src[1000:],
             'from past EOF': past_eof, 'within one file': [same, os.pread(w, 20, 0).decode()]})`;
      expect(r, `${t}`).toEqual({
        copied: 300 * 1024 + 5 - 1000,
        'dst size': 300 * 1024 + 10 - 1000,
        'head kept': 'XXXXX',
        'copied bytes match': true,
        'from past EOF': 0,
        'within one file': [10, '01234567890123456789'],
      });
    },
  },
};
