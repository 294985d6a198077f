/**
 * POSIX suite section: open: O_TRUNC.
 * @module
 */
import type { PosixSection } from '../types.js';

export const openTrunc: PosixSection = {
  title: 'open: O_TRUNC',
  needs: ['python3', 'writable'],
  tests: {
    'O_TRUNC empties an existing file and later writes start at 0': async ({ expect, fresh }) => {
      const t = await fresh('trunc');
      const r = await t.py`
        write_file(p('f'), 'hello world, this is long')
        fd = os.open(p('f'), os.O_WRONLY | os.O_TRUNC)
        size_after_open = os.fstat(fd).st_size
        os.write(fd, b'abc')
        os.close(fd)
        fd = os.open(p('empty'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.close(fd)
        out({'size after open': size_after_open, 'content': read_file(p('f')).decode(),
             'stat size': os.stat(p('f')).st_size, 'empty file': os.stat(p('empty')).st_size})`;
      expect(r, `${t}`).toEqual({ 'size after open': 0, content: 'abc', 'stat size': 3, 'empty file': 0 });
    },
    'O_TRUNC is seen by a descriptor opened before it': async ({ expect, fresh }) => {
      const t = await fresh('trunc-other');
      const r = await t.py`
        write_file(p('f'), 'x' * 10000)
        reader = os.open(p('f'), os.O_RDONLY)
        os.close(os.open(p('f'), os.O_WRONLY | os.O_TRUNC))
        out({'fstat size': os.fstat(reader).st_size, 'read': len(os.pread(reader, 100, 0))})`;
      expect(r, `${t}`).toEqual({ 'fstat size': 0, read: 0 });
    },
  },
};
