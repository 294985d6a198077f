/**
 * memfs at the edges: files up to the kernel's largest size (2^63 - 1) with
 * offsets past 2^53 exact everywhere, and names that are bytes, not text —
 * checked through real mounts from python3 children, against what tmpfs does.
 */
import { expect, it } from 'vitest';
import { createMemfs } from '../examples/memfs/index.js';
import { describeMount, python, withSession } from './helpers/fuse.js';

const py = python(`
def stat_of(path):
    s = os.stat(path)
    return {'size': str(s.st_size), 'blocks': s.st_blocks}
def lib():
    libc = ctypes.CDLL('libc.so.6', use_errno=True)
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    libc.lseek.restype = ctypes.c_long
    libc.lseek.argtypes = [ctypes.c_int, ctypes.c_long, ctypes.c_int]
    return libc
def fallocate(fd, mode, offset, length):
    if lib().fallocate(fd, mode, offset, length) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
`);

/** 2^n as a decimal string (JSON carries the exact values as strings). */
const two = (n: number, minus = 0n): string => String(2n ** BigInt(n) - minus);

describeMount('memfs: files up to 2^63 - 1 bytes', () => {
  it('pwrite at 2^62 - 2 and posix_fallocate at 2^54 grow the size exactly, as on tmpfs', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py<Record<string, unknown>>(
        `
d = sys.argv[1]
fd = os.open(d + '/w', os.O_RDWR | os.O_CREAT, 0o644)
n = os.pwrite(fd, b'Z', 2**62 - 2)
after_write = stat_of(d + '/w')
back = os.pread(fd, 4, 2**62 - 3).hex()
fd2 = os.open(d + '/f', os.O_RDWR | os.O_CREAT, 0o644)
os.posix_fallocate(fd2, 2**54, 1)
after_fallocate = stat_of(d + '/f')
print(json.dumps({'written': n, 'write': after_write, 'read back': back, 'fallocate': after_fallocate,
                  'fstat': str(os.fstat(fd).st_size)}))`,
        mnt,
      );
      expect(r).toEqual({
        written: 1,
        write: { size: two(62, 1n), blocks: 8 },
        'read back': '005a',
        fallocate: { size: two(54, -1n), blocks: 8 },
        fstat: two(62, 1n),
      });
    });
  }, 60_000);

  it('reads anywhere in a huge sparse file return zeros, and EOF past the size', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py<Record<string, unknown>>(
        `
d = sys.argv[1]
fd = os.open(d + '/s', os.O_RDWR | os.O_CREAT, 0o644)
os.pwrite(fd, b'abc', 2**60)
os.ftruncate(fd, 2**61)
print(json.dumps({'size': str(os.fstat(fd).st_size),
  'hole at 2^59': os.pread(fd, 8, 2**59).hex(), 'hole at 2^53 + 1': os.pread(fd, 8, 2**53 + 1).hex(),
  'data at 2^60 - 1': os.pread(fd, 5, 2**60 - 1).hex(),
  'last bytes': os.pread(fd, 16, 2**61 - 4).hex(), 'past the end': os.pread(fd, 16, 2**61 + 5).hex(),
  'truncate to 2^60 + 1': [os.ftruncate(fd, 2**60 + 1), os.pread(fd, 8, 2**60).hex()][1],
  'grow again': [os.ftruncate(fd, 2**60 + 8), os.pread(fd, 8, 2**60).hex()][1]}))`,
        mnt,
      );
      expect(r).toEqual({
        size: two(61),
        'hole at 2^59': '0000000000000000',
        'hole at 2^53 + 1': '0000000000000000',
        'data at 2^60 - 1': '0061626300',
        'last bytes': '00000000',
        'past the end': '',
        'truncate to 2^60 + 1': '61',
        'grow again': '6100000000000000',
      });
    });
  }, 60_000);

  it('lseek SEEK_DATA/SEEK_HOLE, fallocate modes and copy_file_range are exact past 2^53', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py<Record<string, unknown>>(
        `
d = sys.argv[1]
P = 2**55 + 12345
fd = os.open(d + '/a', os.O_RDWR | os.O_CREAT, 0o644)
os.pwrite(fd, b'x' * 8192, P)
res = {'SEEK_DATA 0': str(os.lseek(fd, 0, os.SEEK_DATA)), 'SEEK_HOLE P': str(os.lseek(fd, P, os.SEEK_HOLE)),
       'SEEK_HOLE 0': str(os.lseek(fd, 0, os.SEEK_HOLE)),
       'SEEK_DATA past': attempt(lambda: os.lseek(fd, P + 9000, os.SEEK_DATA))}
# the data covers pages 3, 4 and 5 after 2^55: punch page 4; KEEP_SIZE allocation past the end
fallocate(fd, 3, P - 12345 + 4 * 4096, 4096)
res['after punch'] = os.pread(fd, 4, P - 12345 + 4 * 4096).hex()
fallocate(fd, 1, 2**58, 4096)
res['size after KEEP_SIZE'] = str(os.fstat(fd).st_size)
res['blocks'] = os.fstat(fd).st_blocks
fallocate(fd, 0x10, P, 2)
res['after zero range'] = os.pread(fd, 3, P).hex()
out = os.open(d + '/b', os.O_RDWR | os.O_CREAT, 0o644)
n = os.copy_file_range(fd, out, 100, P + 2, 2**57)
res['copied'] = n
res['copy'] = os.pread(out, 4, 2**57 - 1).hex()
res['copy size'] = str(os.fstat(out).st_size)
res['write of the last byte'] = os.pwrite(fd, b'Z', 2**63 - 2)
res['EFBIG fallocate'] = attempt(lambda: fallocate(fd, 0, 2**63 - 2, 2))
res['max size'] = str(os.fstat(fd).st_size)
print(json.dumps(res))`,
        mnt,
      );
      const P = 2n ** 55n + 12345n;
      expect(r).toEqual({
        'SEEK_DATA 0': String(2n ** 55n + 3n * 4096n),
        'SEEK_HOLE P': String(P + 8192n),
        'SEEK_HOLE 0': '0',
        'SEEK_DATA past': { error: 'ENXIO' },
        'after punch': '00000000',
        'size after KEEP_SIZE': String(P + 8192n),
        blocks: 3 * 8,
        'after zero range': '000078',
        copied: 100,
        copy: '00787878',
        'copy size': String(2n ** 57n + 100n),
        'EFBIG fallocate': { error: 'EFBIG' },
        'write of the last byte': 1,
        'max size': two(63, 1n),
      });
    });
  }, 60_000);

  it("POSIX lock ranges past 2^53 are exact: F_GETLK reports the holder's range, an adjacent range is free", async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py<Record<string, unknown>>(
        `
FL = 'hhqqi'
d = sys.argv[1]
fd = os.open(d + '/l', os.O_RDWR | os.O_CREAT, 0o644)
fcntl.fcntl(fd, fcntl.F_SETLK, struct.pack(FL, fcntl.F_WRLCK, 0, 2**60 + 1, 10, 0))
fcntl.fcntl(fd, fcntl.F_SETLK, struct.pack(FL, fcntl.F_RDLCK, 0, 2**62, 0, 0))
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    fd2 = os.open(d + '/l', os.O_RDWR)
    t, _, start, length, _ = struct.unpack(FL, fcntl.fcntl(fd2, fcntl.F_GETLK, struct.pack(FL, fcntl.F_WRLCK, 0, 2**60 + 10, 1, 0)))
    t2, _, start2, length2, _ = struct.unpack(FL, fcntl.fcntl(fd2, fcntl.F_GETLK, struct.pack(FL, fcntl.F_WRLCK, 0, 2**63 - 2, 1, 0)))
    free = attempt(lambda: fcntl.fcntl(fd2, fcntl.F_SETLK, struct.pack(FL, fcntl.F_WRLCK, 0, 2**60 + 11, 5, 0)) and 'ok')
    os.write(w, json.dumps({'held': [t, str(start), str(length)], 'to the end': [t2, str(start2), str(length2)],
                            'adjacent': free}).encode())
    os._exit(0)
os.waitpid(pid, 0)
os.close(w)
print(os.read(r, 4096).decode())`,
        mnt,
      );
      expect(r).toEqual({
        held: [1, String(2n ** 60n + 1n), '10'],
        'to the end': [0, two(62), '0'],
        adjacent: 'ok',
      });
    });
  }, 60_000);

  it('a directory lseek to 2^60 lists nothing (no EIO); back at 0 it lists everything', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py<Record<string, unknown>>(
        `
d = sys.argv[1]
for n in 'abc':
    os.close(os.open(d + '/' + n, os.O_CREAT | os.O_WRONLY, 0o644))
libc = ctypes.CDLL('libc.so.6', use_errno=True)
def getdents(fd):
    buf = ctypes.create_string_buffer(8192)
    n = libc.syscall(217, fd, buf, 8192)  # SYS_getdents64
    if n < 0:
        return errno.errorcode[ctypes.get_errno()]
    names, at = [], 0
    while at < n:
        reclen = struct.unpack_from('H', buf.raw, at + 16)[0]
        names.append(buf.raw[at + 19:at + reclen].split(b'\\0')[0].decode())
        at += reclen
    return sorted(names)
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
os.lseek(fd, 2**60, os.SEEK_SET)
far = getdents(fd)
os.lseek(fd, 0, os.SEEK_SET)
print(json.dumps({'at 2^60': far, 'at 0': getdents(fd)}))`,
        mnt,
      );
      expect(r).toEqual({ 'at 2^60': [], 'at 0': ['.', '..', 'a', 'b', 'c'] });
    });
  }, 60_000);
});
