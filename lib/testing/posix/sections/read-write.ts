/**
 * POSIX suite section: read and write at offsets.
 * @module
 */
import type { PosixSection } from '../types.js';

export const readWrite: PosixSection = {
  title: 'read and write at offsets',
  needs: ['python3', 'writable'],
  tests: {
    'pwrite then pread at offsets returns what was written, zeros between, short reads at EOF': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('rw');
      const r = await t.py`
        a, b = pattern(1000, 1), pattern(777, 2)
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        pwrite_all(fd, a, 0)
        pwrite_all(fd, b, 5000)
        out({'size': os.fstat(fd).st_size,
             'first': os.pread(fd, 1000, 0) == a,
             'gap is zeros': os.pread(fd, 4000, 1000) == bytes(4000),
             'second': os.pread(fd, 777, 5000) == b,
             'read across EOF is short': len(os.pread(fd, 1000, 5500)),
             'read at EOF': len(os.pread(fd, 10, 5777)),
             'read past EOF': len(os.pread(fd, 10, 100000))})`;
      expect(r, `${t}`).toEqual({
        size: 5777,
        first: true,
        'gap is zeros': true,
        second: true,
        'read across EOF is short': 277,
        'read at EOF': 0,
        'read past EOF': 0,
      });
    },
    'writes never truncate: a write at 0 after writes further in keeps them': async ({ expect, fresh }) => {
      const t = await fresh('no-truncate');
      const r = await t.py`
        far = pattern(4096, 3)
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        pwrite_all(fd, far, 8192)
        pwrite_all(fd, b'head', 0)
        os.close(fd)
        fd = os.open(p('f'), os.O_WRONLY)
        os.write(fd, b'H')
        os.lseek(fd, 9000, os.SEEK_SET)
        os.write(fd, b'mid')
        os.close(fd)
        data = read_file(p('f'))
        expect_far = far[:9000 - 8192] + b'mid' + far[9000 - 8192 + 3:]
        out({'size': os.stat(p('f')).st_size, 'head': data[:4].decode(), 'far data kept': data[8192:] == expect_far,
             'zeros between': data[4:8192] == bytes(8188)})`;
      expect(r, `${t}`).toEqual({ size: 12288, head: 'Head', 'far data kept': true, 'zeros between': true });
    },
    'large writes and reads spanning many requests keep every byte': async ({ expect, fresh }) => {
      const t = await fresh('large');
      const r = await t.py`
        import hashlib
        data = pattern(3 * 1024 * 1024 + 7, 4)
        write_file(p('big'), data)
        fd = os.open(p('big'), os.O_RDONLY)
        pieces, off = [], 0
        while True:
            chunk = os.pread(fd, 4093, off)
            if not chunk:
                break
            pieces.append(chunk)
            off += len(chunk)
        os.close(fd)
        out({'size': os.stat(p('big')).st_size, 'whole read matches': read_file(p('big')) == data,
             'odd-sized reads match': b''.join(pieces) == data})`;
      expect(r, `${t}`).toEqual({
        size: 3 * 1024 * 1024 + 7,
        'whole read matches': true,
        'odd-sized reads match': true,
      });
    },
    'what one descriptor writes another reads at once': async ({ expect, fresh }) => {
      const t = await fresh('coherent');
      const r = await t.py`
        w = os.open(p('f'), os.O_WRONLY | os.O_CREAT, 0o644)
        rd = os.open(p('f'), os.O_RDONLY)
        os.write(w, b'first')
        a = os.pread(rd, 100, 0)
        os.pwrite(w, b'SECOND', 2)
        b = os.pread(rd, 100, 0)
        out({'after first write': a.decode(), 'after second write': b.decode(), 'stat size': os.stat(p('f')).st_size})`;
      expect(r, `${t}`).toEqual({ 'after first write': 'first', 'after second write': 'fiSECOND', 'stat size': 8 });
    },
    'reading a directory fails with EISDIR': async ({ expect, fresh }) => {
      const t = await fresh('read-dir');
      const r = await t.py`
        fd = os.open(D, os.O_RDONLY | os.O_DIRECTORY)
        out({'read': err(os.read, fd, 10)})`;
      expect(r, `${t}`).toEqual({ read: 'EISDIR' });
    },
  },
};
