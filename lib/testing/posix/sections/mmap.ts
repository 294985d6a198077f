/**
 * POSIX suite section: mmap.
 * @module
 */
import type { PosixSection } from '../types.js';

export const mmap: PosixSection = {
  title: 'mmap',
  needs: ['python3', 'writable'],
  tests: {
    'a shared mapping reads the file and its writes reach read()': async ({ expect, fresh }) => {
      const t = await fresh('mmap');
      const r = await t.py`
        import mmap
        data = pattern(3 * 4096, 5)
        write_file(p('f'), data)
        fd = os.open(p('f'), os.O_RDWR)
        m = mmap.mmap(fd, len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        seen = m[:] == data
        m[5000:5005] = b'HELLO'
        m.flush()
        m.close()
        os.close(fd)
        after = read_file(p('f'))
        out({'mapping sees the file': seen, 'write through the mapping': after[5000:5005].decode(),
             'rest unchanged': after[:5000] == data[:5000] and after[5005:] == data[5005:]})`;
      expect(r, `${t}`).toEqual({
        'mapping sees the file': true,
        'write through the mapping': 'HELLO',
        'rest unchanged': true,
      });
    },
  },
};
