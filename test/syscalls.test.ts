/**
 * The syscall module (`sys`): every call, its success and error paths, byte
 * names, 64-bit values, O_PATH descriptors and /proc/self/fd, xattrs with the
 * size probe, fallocate modes, getdents64 resumption, credentials, and the
 * async forms. Real files in temp directories: /tmp (the local filesystem)
 * and /dev/shm (tmpfs, for sizes beyond 2^53).
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { native } from '../lib/addon.js';
import { type Attr, type StatfsInfo, sys } from '../lib/index.js';
import { ROOT as PACKAGE_ROOT } from './helpers/dist.js';

const ROOT = process.getuid?.() === 0;
const NS = 1_000_000_000n;

/** Errno error fields, as node:fs makes them. */
function errnoError(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('expected an error');
}

async function rejection(p: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await p;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('expected a rejection');
}

/** A temp directory (under `base`) and an O_PATH descriptor of it, fresh for each test. */
function tempDir(base: () => string = tmpdir) {
  const t = { path: '', fd: -1, fds: [] as number[] };
  beforeEach(() => {
    t.path = fs.mkdtempSync(join(base(), 'fl-sys-'));
    t.fd = sys.openat(sys.AT_FDCWD, t.path, sys.O_PATH | sys.O_DIRECTORY);
    t.fds = [t.fd];
  });
  afterEach(() => {
    for (const fd of t.fds) {
      try {
        sys.close(fd);
      } catch {
        // closed by the test
      }
    }
    fs.rmSync(t.path, { recursive: true, force: true });
  });
  return {
    get path() {
      return t.path;
    },
    get fd() {
      return t.fd;
    },
    /** Opens relative to the temp dir and closes after the test. */
    open(path: string | Uint8Array, flags: number, mode = 0o644): number {
      const fd = sys.openat(t.fd, path, flags, mode);
      t.fds.push(fd);
      return fd;
    },
    track(fd: number): number {
      t.fds.push(fd);
      return fd;
    },
  };
}

describe('constants', () => {
  it('has the values of the C headers, O_PATH and AT_* included', () => {
    expect(sys.AT_FDCWD).toBe(-100);
    expect(sys.O_PATH).toBe(0o10000000);
    expect(sys.AT_EMPTY_PATH).toBe(0x1000);
    expect(sys.AT_SYMLINK_NOFOLLOW).toBe(0x100);
    expect(sys.AT_REMOVEDIR).toBe(0x200);
    expect(sys.RENAME_NOREPLACE).toBe(1);
    expect(sys.RENAME_EXCHANGE).toBe(2);
    expect(sys.RENAME_WHITEOUT).toBe(4);
    expect(sys.FALLOC_FL_PUNCH_HOLE).toBe(2);
    expect(sys.SEEK_DATA).toBe(3);
    expect(sys.SEEK_HOLE).toBe(4);
    // Where node:fs has them, they agree.
    expect(sys.O_NOFOLLOW).toBe(fs.constants.O_NOFOLLOW);
    expect(sys.O_DIRECTORY).toBe(fs.constants.O_DIRECTORY);
    expect(sys.S_IFSOCK).toBe(fs.constants.S_IFSOCK);
    expect(sys.modeToType(sys.S_IFDIR | 0o755)).toBe(sys.DT_DIR);
    expect(sys.modeToType(sys.S_IFREG)).toBe(sys.DT_REG);
  });

  it('the stat layout matches the addon', () => {
    expect(native.sys.STAT_SLOTS).toMatchObject({ dev: 0, ino: 1, blocks: 9, atime: 10, ctime: 12, mask: 16 });
    expect(native.sys.statBuffer.length).toBe(17);
  });
});

describe('errors', () => {
  const dir = tempDir();

  it('are Node errno errors like node:fs makes them', () => {
    const missing = join(dir.path, 'missing');
    const ours = errnoError(() => sys.openat(sys.AT_FDCWD, missing, sys.O_RDONLY));
    const node = errnoError(() => fs.openSync(missing, 'r'));
    expect(ours).toBeInstanceOf(Error);
    expect(ours.code).toBe('ENOENT');
    expect(ours.errno).toBe(node.errno);
    expect(ours.errno).toBe(-2);
    expect(ours.syscall).toBe('openat');
    expect(ours.path).toBe(missing);
    expect(ours.message).toBe(node.message.replace(', open ', ', openat '));
  });

  it('name both paths of two-name calls (path, dest)', () => {
    fs.writeFileSync(join(dir.path, 'a'), '');
    fs.writeFileSync(join(dir.path, 'b'), '');
    const e = errnoError(() => sys.renameat2(dir.fd, 'a', dir.fd, 'b', sys.RENAME_NOREPLACE));
    expect(e).toMatchObject({ code: 'EEXIST', errno: -17, syscall: 'renameat2', path: 'a', dest: 'b' });
    expect(e.message).toBe("EEXIST: file already exists, renameat2 'a' -> 'b'");
  });

  it('leave out the path when the call has none', () => {
    const e = errnoError(() => sys.fsync(999_999));
    expect(e).toMatchObject({ code: 'EBADF', errno: -9, syscall: 'fsync' });
    expect(e.path).toBeUndefined();
    expect(e.message).toBe('EBADF: bad file descriptor, fsync');
  });

  it('keep the bytes of a name in err.path', () => {
    const name = Buffer.from([0x6e, 0xff]);
    const e = errnoError(() => sys.fstatat(dir.fd, name));
    expect(e.path).toBe('n\udcff');
  });

  it('arguments are checked in the library style, in TS and again in C++', () => {
    expect(() => sys.fstatat(-5, 'x')).toThrow(
      new RangeError('fstatat: dirfd must be a file descriptor (an integer >= 0) or AT_FDCWD, got -5'),
    );
    expect(() => sys.fstatat(dir.fd, 5 as unknown as string)).toThrow(
      new TypeError('fstatat: path must be a string or a Uint8Array, got 5'),
    );
    expect(() => sys.fallocate(0, 0, -1, 1)).toThrow(RangeError);
    expect(() => sys.lseek(0, 2n ** 63n, sys.SEEK_SET)).toThrow(RangeError);
    expect(() => sys.openat(dir.fd, 'x', sys.O_RDONLY, 0, { uid: -1, gid: 0 })).toThrow(
      new RangeError('openat: cred.uid must be an id from 0 to 2^32-2, got -1'),
    );
    expect(() => sys.fstatat(dir.fd, 'a\0b')).toThrow(new RangeError('fstatat: path must be free of NUL bytes'));
    expect(() => sys.fstatat(dir.fd, 'a\ud800')).toThrow(RangeError);
    // The addon's own guards, bypassing lib/.
    expect(() => native.sys.fstatat('x' as unknown as number, '', 0)).toThrow(TypeError);
    expect(() => native.sys.fstatat(-7, '', 0)).toThrow(RangeError);
    expect(() => native.sys.lseek(0, 1.5, 0)).toThrow(RangeError);
    expect(() => native.sys.pread(0, 'x' as unknown as Uint8Array, 0)).toThrow(TypeError);
    expect(() => native.sys.getdents64(0, null, 10)).toThrow(RangeError);
  });
});

describe('openat, fstatat, close, dup', () => {
  const dir = tempDir();

  it('fstatat agrees with lstat, to the nanosecond', () => {
    fs.writeFileSync(join(dir.path, 'f'), 'hello');
    const ours = sys.fstatat(dir.fd, 'f', sys.AT_SYMLINK_NOFOLLOW);
    const node = fs.lstatSync(join(dir.path, 'f'), { bigint: true });
    expect(ours).toEqual({
      dev: Number(node.dev),
      ino: Number(node.ino),
      mode: Number(node.mode),
      nlink: Number(node.nlink),
      uid: Number(node.uid),
      gid: Number(node.gid),
      rdev: Number(node.rdev),
      size: 5,
      blksize: Number(node.blksize),
      blocks: Number(node.blocks),
      atime: node.atimeNs,
      mtime: node.mtimeNs,
      ctime: node.ctimeNs,
    });
  });

  it('O_PATH | O_NOFOLLOW gives a handle of a symlink itself; AT_EMPTY_PATH stats it', () => {
    fs.symlinkSync('target-of-link', join(dir.path, 'l'));
    const fd = dir.open('l', sys.O_PATH | sys.O_NOFOLLOW);
    const st = sys.fstatat(fd, '', sys.AT_EMPTY_PATH | sys.AT_SYMLINK_NOFOLLOW);
    expect(st.mode & sys.S_IFMT).toBe(sys.S_IFLNK);
    expect(st.size).toBe('target-of-link'.length);
    expect(sys.fstat(fd)).toEqual(st);
    expect(sys.readlinkat(fd, '')).toBe('target-of-link');
    // No I/O on an O_PATH descriptor.
    expect(errnoError(() => sys.pread(fd, Buffer.alloc(1), 0)).code).toBe('EBADF');
  });

  it('O_CREAT creates with the mode given; O_EXCL, O_DIRECTORY and O_NOFOLLOW fail as they should', () => {
    const fd = dir.open('new', sys.O_CREAT | sys.O_EXCL | sys.O_WRONLY, 0o600);
    expect(sys.pwrite(fd, Buffer.from('abc'), 0)).toBe(3);
    expect(fs.statSync(join(dir.path, 'new')).mode & 0o777).toBe(0o600 & ~process.umask());
    expect(errnoError(() => sys.openat(dir.fd, 'new', sys.O_CREAT | sys.O_EXCL | sys.O_WRONLY)).code).toBe('EEXIST');
    expect(errnoError(() => sys.openat(dir.fd, 'new', sys.O_RDONLY | sys.O_DIRECTORY)).code).toBe('ENOTDIR');
    fs.symlinkSync('new', join(dir.path, 'l'));
    expect(errnoError(() => sys.openat(dir.fd, 'l', sys.O_RDONLY | sys.O_NOFOLLOW)).code).toBe('ELOOP');
  });

  it('opens a regular file through /proc/self/fd of its O_PATH handle, as passthrough_ll does', () => {
    fs.writeFileSync(join(dir.path, 'f'), 'data');
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    expect(sys.fdPath(handle)).toBe(`/proc/self/fd/${handle}`);
    const fd = dir.track(sys.openat(sys.AT_FDCWD, sys.fdPath(handle), sys.O_RDONLY));
    const buf = Buffer.alloc(10);
    expect(sys.pread(fd, buf, 0)).toBe(4);
    expect(buf.subarray(0, 4).toString()).toBe('data');
    expect(fs.readFileSync(sys.fdPath(dir.fd, 'f'), 'utf8')).toBe('data');
  });

  it('dup gives a second descriptor of the same file; close closes once', () => {
    const fd = dir.open('f', sys.O_CREAT | sys.O_RDWR);
    const copy = sys.dup(fd);
    expect(copy).not.toBe(fd);
    expect(sys.fstat(copy).ino).toBe(sys.fstat(fd).ino);
    sys.close(copy);
    expect(errnoError(() => sys.close(copy)).code).toBe('EBADF');
  });

  it('async forms resolve and reject like the sync ones', async () => {
    fs.writeFileSync(join(dir.path, 'f'), 'x');
    const fd = dir.track(await sys.openatAsync(dir.fd, 'f', sys.O_PATH));
    expect(await sys.fstatatAsync(fd, '', sys.AT_EMPTY_PATH)).toEqual(sys.fstat(fd));
    const e = await rejection(sys.fstatatAsync(dir.fd, 'missing'));
    expect(e).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'fstatat', path: 'missing' });
    const copy = await sys.dupAsync(fd);
    await sys.closeAsync(copy);
    expect((await rejection(sys.closeAsync(copy))).code).toBe('EBADF');
  });
});

describe('creating and removing names', () => {
  const dir = tempDir();

  it('mkdirat, symlinkat, linkat, unlinkat (AT_REMOVEDIR)', () => {
    sys.mkdirat(dir.fd, 'd', 0o750);
    expect(fs.statSync(join(dir.path, 'd')).isDirectory()).toBe(true);
    expect(errnoError(() => sys.mkdirat(dir.fd, 'd')).code).toBe('EEXIST');

    sys.symlinkat('d', dir.fd, 'l');
    expect(fs.readlinkSync(join(dir.path, 'l'))).toBe('d');
    const e = errnoError(() => sys.symlinkat('elsewhere', dir.fd, 'l'));
    expect(e).toMatchObject({ code: 'EEXIST', syscall: 'symlinkat', path: 'elsewhere', dest: 'l' });

    fs.writeFileSync(join(dir.path, 'f'), 'x');
    sys.linkat(dir.fd, 'f', dir.fd, 'g');
    expect(fs.statSync(join(dir.path, 'g')).nlink).toBe(2);

    expect(errnoError(() => sys.unlinkat(dir.fd, 'd')).code).toBe('EISDIR');
    sys.unlinkat(dir.fd, 'd', sys.AT_REMOVEDIR);
    sys.unlinkat(dir.fd, 'g');
    expect(fs.readdirSync(dir.path).sort()).toEqual(['f', 'l']);
  });

  it('linkat links the file behind an O_PATH handle through /proc/self/fd (AT_SYMLINK_FOLLOW)', () => {
    fs.writeFileSync(join(dir.path, 'f'), 'x');
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    sys.linkat(sys.AT_FDCWD, sys.fdPath(handle), dir.fd, 'via-proc', sys.AT_SYMLINK_FOLLOW);
    expect(fs.statSync(join(dir.path, 'via-proc')).ino).toBe(fs.statSync(join(dir.path, 'f')).ino);
    if (ROOT) {
      // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH.
      sys.linkat(handle, '', dir.fd, 'via-empty-path', sys.AT_EMPTY_PATH);
      expect(fs.statSync(join(dir.path, 'via-empty-path')).nlink).toBe(3);
    }
  });

  it('renameat2: plain, RENAME_NOREPLACE, RENAME_EXCHANGE', () => {
    fs.writeFileSync(join(dir.path, 'a'), 'A');
    fs.writeFileSync(join(dir.path, 'b'), 'B');
    expect(errnoError(() => sys.renameat2(dir.fd, 'a', dir.fd, 'b', sys.RENAME_NOREPLACE)).code).toBe('EEXIST');
    sys.renameat2(dir.fd, 'a', dir.fd, 'b', sys.RENAME_EXCHANGE);
    expect(fs.readFileSync(join(dir.path, 'a'), 'utf8')).toBe('B');
    expect(fs.readFileSync(join(dir.path, 'b'), 'utf8')).toBe('A');
    expect(errnoError(() => sys.renameat2(dir.fd, 'a', dir.fd, 'c', sys.RENAME_EXCHANGE)).code).toBe('ENOENT');
    sys.renameat2(dir.fd, 'a', dir.fd, 'c');
    expect(fs.readdirSync(dir.path).sort()).toEqual(['b', 'c']);
  });

  it.runIf(ROOT)('renameat2 RENAME_WHITEOUT leaves a 0:0 character device', (ctx) => {
    fs.writeFileSync(join(dir.path, 'a'), 'A');
    try {
      sys.renameat2(dir.fd, 'a', dir.fd, 'b', sys.RENAME_WHITEOUT);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EINVAL') ctx.skip('the filesystem has no whiteouts');
      throw error;
    }
    const st = sys.fstatat(dir.fd, 'a', sys.AT_SYMLINK_NOFOLLOW);
    expect(st.mode & sys.S_IFMT).toBe(sys.S_IFCHR);
    expect(st.rdev).toBe(0);
  });

  it.runIf(ROOT)('mknodat makes FIFOs, sockets, character and block devices', () => {
    sys.mknodat(dir.fd, 'fifo', sys.S_IFIFO | 0o644);
    sys.mknodat(dir.fd, 'sock', sys.S_IFSOCK | 0o644);
    sys.mknodat(dir.fd, 'null', sys.S_IFCHR | 0o666, sys.makedev(1, 3));
    sys.mknodat(dir.fd, 'loop', sys.S_IFBLK | 0o660, sys.makedev(7, 300));
    sys.mknodat(dir.fd, 'reg', sys.S_IFREG | 0o600);
    expect(fs.lstatSync(join(dir.path, 'fifo')).isFIFO()).toBe(true);
    expect(fs.lstatSync(join(dir.path, 'sock')).isSocket()).toBe(true);
    const chr = fs.lstatSync(join(dir.path, 'null'));
    expect(chr.isCharacterDevice()).toBe(true);
    expect(sys.fstatat(dir.fd, 'null').rdev).toBe(chr.rdev);
    const blk = sys.fstatat(dir.fd, 'loop');
    expect(blk.mode & sys.S_IFMT).toBe(sys.S_IFBLK);
    expect(sys.major(blk.rdev)).toBe(7);
    expect(sys.minor(blk.rdev)).toBe(300);
    expect(fs.lstatSync(join(dir.path, 'reg')).isFile()).toBe(true);
    // A device reached through it works.
    const fd = dir.open('null', sys.O_WRONLY);
    expect(sys.pwrite(fd, Buffer.from('gone'), -1)).toBe(4);
    expect(errnoError(() => sys.mknodat(dir.fd, 'fifo', sys.S_IFIFO)).code).toBe('EEXIST');
  });

  it('makedev, major and minor follow glibc', () => {
    expect(sys.makedev(1, 3)).toBe(0x103);
    expect(sys.major(sys.makedev(259, 65537))).toBe(259);
    expect(sys.minor(sys.makedev(259, 65537))).toBe(65537);
    expect(sys.major(sys.makedev(0xfffff, 0))).toBe(0xfffff);
  });

  it('a name with 0xff bytes round-trips through mknodat, getdents64, renameat2 and unlinkat', () => {
    const raw = Buffer.from([0x61, 0xff, 0x62, 0xfe]);
    sys.mknodat(dir.fd, raw, sys.S_IFREG | 0o644);
    expect(fs.readdirSync(dir.path, { encoding: 'buffer' })).toEqual([raw]);
    const d = dir.open('.', sys.O_RDONLY | sys.O_DIRECTORY);
    const listed = sys.getdents64(d, 0).names.filter((n) => n !== '.' && n !== '..');
    expect(listed).toEqual(['a\udcffb\udcfe']);
    expect(sys.getdents64(d, 0, { encoding: 'buffer' }).names).toContainEqual(raw);
    // The string names the same file; rename to another non-UTF-8 name given as a string.
    sys.renameat2(dir.fd, 'a\udcffb\udcfe', dir.fd, 'c\udc80');
    expect(fs.readdirSync(dir.path, { encoding: 'buffer' })).toEqual([Buffer.from([0x63, 0x80])]);
    sys.unlinkat(dir.fd, Buffer.from([0x63, 0x80]));
    expect(fs.readdirSync(dir.path)).toEqual([]);
  });

  it('readlinkat gives a target with any bytes, as a string or a Buffer', () => {
    const target = Buffer.from([0x74, 0xc3, 0x28, 0x2f, 0x78]); // invalid UTF-8
    sys.symlinkat(target, dir.fd, 'l');
    expect(sys.readlinkat(dir.fd, 'l')).toBe('t\udcc3(/x');
    expect(sys.readlinkat(dir.fd, 'l', { encoding: 'buffer' })).toEqual(target);
    const long = 'x/'.repeat(1500);
    sys.symlinkat(long, dir.fd, 'long');
    expect(sys.readlinkat(dir.fd, 'long')).toBe(long);
    expect(errnoError(() => sys.readlinkat(dir.fd, 'missing')).code).toBe('ENOENT');
  });

  it('async creating calls', async () => {
    await sys.mkdiratAsync(dir.fd, 'd', 0o700);
    await sys.symlinkatAsync('d', dir.fd, 'l');
    expect(await sys.readlinkatAsync(dir.fd, 'l')).toBe('d');
    await sys.mknodatAsync(dir.fd, 'f', sys.S_IFREG | 0o600);
    await sys.linkatAsync(dir.fd, 'f', dir.fd, 'g');
    await sys.renameat2Async(dir.fd, 'g', dir.fd, 'h', sys.RENAME_NOREPLACE);
    await sys.unlinkatAsync(dir.fd, 'h');
    await sys.unlinkatAsync(dir.fd, 'l');
    await sys.unlinkatAsync(dir.fd, 'd', sys.AT_REMOVEDIR);
    expect(fs.readdirSync(dir.path)).toEqual(['f']);
    expect((await rejection(sys.mkdiratAsync(dir.fd, 'f'))).code).toBe('EEXIST');
  });
});

describe('attributes: fchownat, fchmodat, utimensat, truncateat', () => {
  const dir = tempDir();

  it('fchmodat by name and on an O_PATH handle (AT_EMPTY_PATH through /proc/self/fd)', () => {
    fs.writeFileSync(join(dir.path, 'f'), '');
    sys.fchmodat(dir.fd, 'f', 0o604);
    expect(fs.statSync(join(dir.path, 'f')).mode & 0o7777).toBe(0o604);
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    sys.fchmodat(handle, '', 0o4710, sys.AT_EMPTY_PATH);
    expect(fs.statSync(join(dir.path, 'f')).mode & 0o7777).toBe(0o4710);
    expect(errnoError(() => sys.fchmodat(dir.fd, 'missing', 0o600)).code).toBe('ENOENT');
  });

  it.runIf(ROOT)('fchownat on an O_PATH handle and on a symlink itself; -1 leaves a field', async () => {
    fs.writeFileSync(join(dir.path, 'f'), '');
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    sys.fchownat(handle, '', 1234, 5678, sys.AT_EMPTY_PATH);
    expect(fs.statSync(join(dir.path, 'f'))).toMatchObject({ uid: 1234, gid: 5678 });
    sys.fchownat(dir.fd, 'f', -1, 42);
    expect(fs.statSync(join(dir.path, 'f'))).toMatchObject({ uid: 1234, gid: 42 });
    fs.symlinkSync('f', join(dir.path, 'l'));
    await sys.fchownatAsync(dir.fd, 'l', 7, 8, sys.AT_SYMLINK_NOFOLLOW);
    expect(fs.lstatSync(join(dir.path, 'l'))).toMatchObject({ uid: 7, gid: 8 });
    expect(fs.statSync(join(dir.path, 'f'))).toMatchObject({ uid: 1234, gid: 42 });
  });

  it('utimensat keeps nanoseconds; UTIME_OMIT, UTIME_NOW; Date and ms; O_PATH handles; symlinks', async () => {
    fs.writeFileSync(join(dir.path, 'f'), '');
    const at = 1_600_000_000_123_456_789n;
    const mt = -1_000_000_001n; // before the epoch
    sys.utimensat(dir.fd, 'f', at, mt);
    let st = sys.fstatat(dir.fd, 'f');
    expect(st.atime).toBe(at);
    expect(st.mtime).toBe(mt);
    sys.utimensat(dir.fd, 'f', sys.UTIME_OMIT, new Date(1_500_000_000_000));
    st = sys.fstatat(dir.fd, 'f');
    expect(st.atime).toBe(at);
    expect(st.mtime).toBe(1_500_000_000n * NS);
    const before = BigInt(Date.now() - 5000) * 1_000_000n;
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    sys.utimensat(handle, '', sys.UTIME_NOW, 1_400_000_000_500.25, sys.AT_EMPTY_PATH);
    st = sys.fstat(handle);
    expect(st.atime > before).toBe(true);
    expect(st.mtime).toBe(1_400_000_000_500_250_000n);
    fs.symlinkSync('f', join(dir.path, 'l'));
    await sys.utimensatAsync(dir.fd, 'l', 5n * NS, 6n * NS, sys.AT_SYMLINK_NOFOLLOW);
    expect(sys.fstatat(dir.fd, 'l', sys.AT_SYMLINK_NOFOLLOW).mtime).toBe(6n * NS);
    expect(sys.fstatat(dir.fd, 'l').mtime).toBe(1_400_000_000_500_250_000n);
    expect(() => sys.utimensat(dir.fd, 'f', Number.NaN, 0)).toThrow(
      new RangeError('utimensat: atime must be a finite time, got NaN'),
    );
  });

  it('truncateat by name and on an O_PATH handle', async () => {
    fs.writeFileSync(join(dir.path, 'f'), 'hello world');
    sys.truncateat(dir.fd, 'f', 5);
    expect(fs.readFileSync(join(dir.path, 'f'), 'utf8')).toBe('hello');
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    await sys.truncateatAsync(handle, '', 2, sys.AT_EMPTY_PATH);
    expect(fs.readFileSync(join(dir.path, 'f'), 'utf8')).toBe('he');
    sys.truncateat(sys.AT_FDCWD, join(dir.path, 'f'), 1);
    expect(fs.statSync(join(dir.path, 'f')).size).toBe(1);
  });
});

describe('xattrs', () => {
  const dir = tempDir();

  it('set, get, list and remove on an open descriptor', async () => {
    const fd = dir.open('f', sys.O_CREAT | sys.O_RDWR);
    sys.fsetxattr(fd, 'user.a', Buffer.from('1'));
    sys.fsetxattr(fd, 'user.b', Buffer.from(''));
    expect(sys.fgetxattr(fd, 'user.a')).toEqual(Buffer.from('1'));
    expect(sys.fgetxattr(fd, 'user.b')).toEqual(Buffer.alloc(0));
    expect(sys.flistxattr(fd).sort()).toEqual(['user.a', 'user.b']);
    expect(errnoError(() => sys.fsetxattr(fd, 'user.a', Buffer.from('2'), sys.XATTR_CREATE)).code).toBe('EEXIST');
    expect(errnoError(() => sys.fsetxattr(fd, 'user.c', Buffer.from('2'), sys.XATTR_REPLACE)).code).toBe('ENODATA');
    sys.fremovexattr(fd, 'user.a');
    const e = errnoError(() => sys.fgetxattr(fd, 'user.a'));
    expect(e).toMatchObject({ code: 'ENODATA', errno: -61, syscall: 'fgetxattr' });
    await sys.fsetxattrAsync(fd, 'user.c', Buffer.from('three'));
    expect(await sys.fgetxattrAsync(fd, 'user.c')).toEqual(Buffer.from('three'));
    expect((await sys.flistxattrAsync(fd)).sort()).toEqual(['user.b', 'user.c']);
    await sys.fremovexattrAsync(fd, 'user.c');
    expect((await rejection(sys.fremovexattrAsync(fd, 'user.c'))).code).toBe('ENODATA');
  });

  it('values and lists larger than the first buffer come whole (size probe and ERANGE)', () => {
    // On tmpfs: ext4 keeps a file's xattrs in one block (unless ea_inode is on).
    // A list longer than 4 KiB: names on a tmpfs file (no block limit on the count).
    const shm = fs.mkdtempSync('/dev/shm/fl-sys-');
    try {
      const tfd = sys.openat(sys.AT_FDCWD, join(shm, 'f'), sys.O_CREAT | sys.O_RDWR, 0o644);
      try {
        const names = Array.from({ length: 300 }, (_, i) => `user.attribute-number-${i}`);
        for (const n of names) sys.fsetxattr(tfd, n, Buffer.from('v'));
        expect(sys.flistxattr(tfd).sort()).toEqual(names.sort());
        const big2 = Buffer.alloc(20_000, 7);
        sys.fsetxattr(tfd, 'user.big', big2);
        expect(sys.fgetxattr(tfd, 'user.big')).toEqual(big2);
      } finally {
        sys.close(tfd);
      }
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  });

  it('an O_PATH handle: f…xattr refuse it (EBADF), …xattrat with AT_EMPTY_PATH reach it', async () => {
    fs.writeFileSync(join(dir.path, 'f'), '');
    const handle = dir.open('f', sys.O_PATH | sys.O_NOFOLLOW);
    expect(errnoError(() => sys.fgetxattr(handle, 'user.a')).code).toBe('EBADF');
    sys.setxattrat(handle, '', 'user.a', Buffer.from('A'), 0, sys.AT_EMPTY_PATH);
    expect(sys.getxattrat(handle, '', 'user.a', sys.AT_EMPTY_PATH)).toEqual(Buffer.from('A'));
    expect(sys.listxattrat(handle, '', sys.AT_EMPTY_PATH)).toEqual(['user.a']);
    expect(sys.getxattrat(dir.fd, 'f', 'user.a')).toEqual(Buffer.from('A'));
    expect(sys.getxattrat(sys.AT_FDCWD, join(dir.path, 'f'), 'user.a')).toEqual(Buffer.from('A'));
    expect(await sys.getxattratAsync(handle, '', 'user.a', sys.AT_EMPTY_PATH)).toEqual(Buffer.from('A'));
    await sys.setxattratAsync(dir.fd, 'f', 'user.b', Buffer.from('B'));
    expect((await sys.listxattratAsync(dir.fd, 'f')).sort()).toEqual(['user.a', 'user.b']);
    sys.removexattrat(handle, '', 'user.a', sys.AT_EMPTY_PATH);
    await sys.removexattratAsync(dir.fd, 'f', 'user.b');
    expect(sys.listxattrat(dir.fd, 'f')).toEqual([]);
    const e = errnoError(() => sys.getxattrat(dir.fd, 'f', 'user.a'));
    expect(e).toMatchObject({ code: 'ENODATA', syscall: 'getxattr', path: 'f' });
  });

  it('xattr names are bytes', () => {
    const fd = dir.open('f', sys.O_CREAT | sys.O_RDWR);
    const name = Buffer.concat([Buffer.from('user.'), Buffer.from([0xff, 0x41])]);
    sys.fsetxattr(fd, name, Buffer.from('v'));
    expect(sys.flistxattr(fd)).toEqual(['user.\udcffA']);
    expect(sys.flistxattr(fd, { encoding: 'buffer' })).toEqual([name]);
    expect(sys.fgetxattr(fd, 'user.\udcffA')).toEqual(Buffer.from('v'));
  });

  it.runIf(ROOT)('AT_SYMLINK_NOFOLLOW acts on a symlink itself (trusted.* as root)', () => {
    fs.writeFileSync(join(dir.path, 'f'), '');
    fs.symlinkSync('f', join(dir.path, 'l'));
    sys.setxattrat(dir.fd, 'l', 'trusted.t', Buffer.from('on-link'), 0, sys.AT_SYMLINK_NOFOLLOW);
    expect(sys.getxattrat(dir.fd, 'l', 'trusted.t', sys.AT_SYMLINK_NOFOLLOW)).toEqual(Buffer.from('on-link'));
    expect(errnoError(() => sys.getxattrat(dir.fd, 'l', 'trusted.t')).code).toBe('ENODATA');
    // And through the symlink's own O_PATH handle.
    const handle = dir.open('l', sys.O_PATH | sys.O_NOFOLLOW);
    expect(sys.getxattrat(handle, '', 'trusted.t', sys.AT_EMPTY_PATH)).toEqual(Buffer.from('on-link'));
    expect(sys.listxattrat(dir.fd, 'l', sys.AT_SYMLINK_NOFOLLOW)).toContain('trusted.t');
  });
});

describe('file data: fallocate, lseek, copyFileRange, ftruncate, pread, pwrite, fsync, flock', () => {
  const dir = tempDir();
  const BLOCK = 4096;

  function file(): number {
    const fd = dir.open('f', sys.O_CREAT | sys.O_RDWR);
    sys.pwrite(fd, Buffer.alloc(BLOCK * 8, 0x61), 0);
    return fd;
  }

  /** Runs one fallocate mode, skipping with a reason where the filesystem lacks it. */
  function fallocateOrSkip(
    ctx: { skip: (note?: string) => never },
    fd: number,
    mode: number,
    offset: number,
    len: number,
  ) {
    try {
      sys.fallocate(fd, mode, offset, len);
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOTSUP' ||
        (error as NodeJS.ErrnoException).code === 'EOPNOTSUPP'
      ) {
        ctx.skip(`${sys.fstatfs(fd).type.toString(16)} does not support mode ${mode}`);
      }
      throw error;
    }
  }

  it('mode 0 allocates and extends', () => {
    const fd = file();
    sys.fallocate(fd, 0, BLOCK * 8, BLOCK * 2);
    expect(sys.fstat(fd).size).toBe(BLOCK * 10);
  });

  it('KEEP_SIZE allocates past the end without extending', () => {
    const fd = file();
    const blocks = sys.fstat(fd).blocks as number;
    sys.fallocate(fd, sys.FALLOC_FL_KEEP_SIZE, BLOCK * 8, BLOCK * 4);
    const st = sys.fstat(fd);
    expect(st.size).toBe(BLOCK * 8);
    expect(st.blocks as number).toBeGreaterThan(blocks);
  });

  it('PUNCH_HOLE (with KEEP_SIZE) makes a hole lseek finds', (ctx) => {
    const fd = file();
    fallocateOrSkip(ctx, fd, sys.FALLOC_FL_PUNCH_HOLE | sys.FALLOC_FL_KEEP_SIZE, BLOCK * 2, BLOCK * 2);
    expect(sys.fstat(fd).size).toBe(BLOCK * 8);
    expect(sys.lseek(fd, 0, sys.SEEK_HOLE)).toBe(BLOCK * 2);
    expect(sys.lseek(fd, BLOCK * 2, sys.SEEK_DATA)).toBe(BLOCK * 4);
    const buf = Buffer.alloc(BLOCK);
    sys.pread(fd, buf, BLOCK * 2);
    expect(buf.every((b) => b === 0)).toBe(true);
    expect(errnoError(() => sys.lseek(fd, BLOCK * 8, sys.SEEK_DATA)).code).toBe('ENXIO');
  });

  it('ZERO_RANGE zeroes', (ctx) => {
    const fd = file();
    fallocateOrSkip(ctx, fd, sys.FALLOC_FL_ZERO_RANGE, 100, 200);
    const buf = Buffer.alloc(400);
    sys.pread(fd, buf, 0);
    expect(buf.subarray(0, 100).every((b) => b === 0x61)).toBe(true);
    expect(buf.subarray(100, 300).every((b) => b === 0)).toBe(true);
    expect(buf.subarray(300).every((b) => b === 0x61)).toBe(true);
  });

  it('COLLAPSE_RANGE removes blocks, INSERT_RANGE inserts them', (ctx) => {
    const fd = file();
    sys.pwrite(fd, Buffer.alloc(BLOCK, 0x62), BLOCK * 3);
    fallocateOrSkip(ctx, fd, sys.FALLOC_FL_COLLAPSE_RANGE, BLOCK, BLOCK * 2);
    expect(sys.fstat(fd).size).toBe(BLOCK * 6);
    const buf = Buffer.alloc(1);
    sys.pread(fd, buf, BLOCK);
    expect(buf[0]).toBe(0x62);
    fallocateOrSkip(ctx, fd, sys.FALLOC_FL_INSERT_RANGE, BLOCK, BLOCK);
    expect(sys.fstat(fd).size).toBe(BLOCK * 7);
    sys.pread(fd, buf, BLOCK * 2);
    expect(buf[0]).toBe(0x62);
  });

  it('UNSHARE_RANGE', (ctx) => {
    const fd = file();
    fallocateOrSkip(ctx, fd, sys.FALLOC_FL_UNSHARE_RANGE, 0, BLOCK);
    expect(sys.fstat(fd).size).toBe(BLOCK * 8);
  });

  it('fallocate errors and the async form', async () => {
    const fd = file();
    // PUNCH_HOLE needs KEEP_SIZE: EOPNOTSUPP, which libuv (and so node:fs) names ENOTSUP.
    expect(errnoError(() => sys.fallocate(fd, sys.FALLOC_FL_PUNCH_HOLE, 0, BLOCK))).toMatchObject({
      code: 'ENOTSUP',
      errno: -95,
      syscall: 'fallocate',
    });
    await sys.fallocateAsync(fd, 0, 0, BLOCK * 9);
    expect(sys.fstat(fd).size).toBe(BLOCK * 9);
    const ro = dir.track(sys.openat(dir.fd, 'f', sys.O_RDONLY));
    expect((await rejection(sys.fallocateAsync(ro, 0, 0, 1))).code).toBe('EBADF');
  });

  it('copyFileRange copies at explicit offsets and leaves the positions', async () => {
    const src = dir.open('src', sys.O_CREAT | sys.O_RDWR);
    const dst = dir.open('dst', sys.O_CREAT | sys.O_RDWR);
    sys.pwrite(src, Buffer.from('0123456789'), 0);
    expect(sys.copyFileRange(src, 2, dst, 5, 4)).toBe(4);
    expect(await sys.copyFileRangeAsync(src, 8, dst, 0, 100)).toBe(2);
    expect(sys.copyFileRange(src, 10, dst, 0, 100)).toBe(0);
    const out = Buffer.alloc(9);
    sys.pread(dst, out, 0);
    expect(out.toString('latin1')).toBe('89\0\0\x002345');
    expect(sys.lseek(src, 0, sys.SEEK_CUR)).toBe(0);
    expect(sys.lseek(dst, 0, sys.SEEK_CUR)).toBe(0);
    expect(errnoError(() => sys.copyFileRange(src, 0, 999_999, 0, 1)).code).toBe('EBADF');
  });

  it('ftruncate, pread/pwrite at the file position, fsync, fdatasync, and async forms', async () => {
    const fd = dir.open('f', sys.O_CREAT | sys.O_RDWR);
    expect(sys.pwrite(fd, Buffer.from('abc'), -1)).toBe(3);
    expect(sys.pwrite(fd, Buffer.from('def'), -1)).toBe(3);
    expect(sys.lseek(fd, 0, sys.SEEK_SET)).toBe(0);
    const buf = Buffer.alloc(6);
    expect(sys.pread(fd, buf)).toBe(6);
    expect(buf.toString()).toBe('abcdef');
    sys.ftruncate(fd, 2);
    await sys.ftruncateAsync(fd, 3);
    expect(await sys.pwriteAsync(fd, Buffer.from('Z'), 3)).toBe(1);
    const four = Buffer.alloc(4);
    expect(await sys.preadAsync(fd, four, 0)).toBe(4);
    expect(four).toEqual(Buffer.from('ab\0Z'));
    sys.fsync(fd);
    sys.fdatasync(fd);
    await sys.fsyncAsync(fd);
    await sys.fdatasyncAsync(fd);
    expect(await sys.lseekAsync(fd, 0, sys.SEEK_END)).toBe(4);
    expect((await rejection(sys.fsyncAsync(999_999))).code).toBe('EBADF');
  });

  it('flock: LOCK_NB conflicts, LOCK_UN releases, flockAsync waits', async () => {
    fs.writeFileSync(join(dir.path, 'f'), '');
    const a = dir.open('f', sys.O_RDONLY);
    const b = dir.open('f', sys.O_RDONLY);
    sys.flock(a, sys.LOCK_EX);
    const e = errnoError(() => sys.flock(b, sys.LOCK_EX | sys.LOCK_NB));
    expect(e).toMatchObject({ code: 'EAGAIN', syscall: 'flock' });
    const waiting = sys.flockAsync(b, sys.LOCK_SH);
    sys.flock(a, sys.LOCK_UN);
    await waiting;
    expect(errnoError(() => sys.flock(a, sys.LOCK_EX | sys.LOCK_NB)).code).toBe('EAGAIN');
  });
});

describe('record locks (fcntlLock)', () => {
  const dir = tempDir();

  it('OFD locks conflict between open files of one process; F_OFD_GETLK reports the holder', async () => {
    fs.writeFileSync(join(dir.path, 'f'), '0123456789');
    const a = dir.open('f', sys.O_RDWR);
    const b = dir.open('f', sys.O_RDWR);
    expect(sys.fcntlLock(a, sys.F_OFD_SETLK, { type: sys.F_WRLCK, start: 0, length: 5 })).toBeUndefined();
    expect(sys.fcntlLock(b, sys.F_OFD_GETLK, { type: sys.F_WRLCK, start: 2, length: 1 })).toEqual({
      type: sys.F_WRLCK,
      whence: sys.SEEK_SET,
      start: 0,
      length: 5,
      pid: -1,
    });
    expect(sys.fcntlLock(b, sys.F_OFD_GETLK, { type: sys.F_WRLCK, start: 5, length: 0 })?.type).toBe(sys.F_UNLCK);
    const e = errnoError(() => sys.fcntlLock(b, sys.F_OFD_SETLK, { type: sys.F_RDLCK, start: 4, length: 2 }));
    expect(e).toMatchObject({ code: 'EAGAIN', syscall: 'fcntl' });
    const waiting = sys.fcntlLockAsync(b, sys.F_OFD_SETLKW, { type: sys.F_RDLCK, start: 4, length: 2 });
    sys.fcntlLock(a, sys.F_OFD_SETLK, { type: sys.F_UNLCK, start: 0, length: 0 });
    expect(await waiting).toBeUndefined();
    // Offsets beyond 2^53.
    sys.fcntlLock(a, sys.F_OFD_SETLK, { type: sys.F_WRLCK, start: 2n ** 60n, length: 2n ** 58n });
    expect(sys.fcntlLock(b, sys.F_OFD_GETLK, { type: sys.F_RDLCK, start: 2n ** 60n + 5n, length: 0 })).toMatchObject({
      start: 2n ** 60n,
      length: 2n ** 58n,
    });
    expect(() => sys.fcntlLock(a, 12345, { type: sys.F_RDLCK, start: 0, length: 0 })).toThrow(RangeError);
  });
});

describe('64-bit values (tmpfs: files up to 2^63-1 bytes)', () => {
  const dir = tempDir(() => '/dev/shm');
  const BIG = 2n ** 60n;

  it('sizes, offsets and positions beyond 2^53 are bigints, exact both ways', async () => {
    const fd = dir.open('sparse', sys.O_CREAT | sys.O_RDWR);
    sys.ftruncate(fd, BIG);
    let st = sys.fstat(fd);
    expect(st.size).toBe(BIG);
    expect(fs.fstatSync(fd, { bigint: true }).size).toBe(BIG);
    expect(st.blocks).toBe(0);
    // Numbers stay numbers where they fit.
    expect(typeof st.ino).toBe('number');
    const at = 2n ** 55n + 3n;
    expect(sys.pwrite(fd, Buffer.from('Z'), at)).toBe(1);
    expect(sys.lseek(fd, 0, sys.SEEK_DATA)).toBe(2n ** 55n); // the page holding the byte
    expect(sys.lseek(fd, at, sys.SEEK_HOLE)).toBe(2n ** 55n + 4096n);
    const one = Buffer.alloc(1);
    expect(await sys.preadAsync(fd, one, at)).toBe(1);
    expect(one.toString()).toBe('Z');
    sys.fallocate(fd, sys.FALLOC_FL_KEEP_SIZE, BIG + 4096n, 4096);
    sys.fallocate(fd, sys.FALLOC_FL_PUNCH_HOLE | sys.FALLOC_FL_KEEP_SIZE, at - 3n, 4096);
    expect(errnoError(() => sys.lseek(fd, 0, sys.SEEK_DATA)).code).toBe('ENXIO');
    sys.fallocate(fd, 0, BIG, 4096);
    st = await sys.fstatatAsync(fd, '', sys.AT_EMPTY_PATH);
    expect(st.size).toBe(BIG + 4096n);
    const other = dir.open('copy', sys.O_CREAT | sys.O_RDWR);
    sys.pwrite(fd, Buffer.from('hi'), BIG);
    expect(sys.copyFileRange(fd, BIG, other, 2n ** 54n, 2)).toBe(2);
    expect(sys.fstat(other).size).toBe(2n ** 54n + 2n);
    expect(sys.lseek(other, 0, sys.SEEK_END)).toBe(2n ** 54n + 2n);
    sys.ftruncate(fd, 2n ** 63n - 1n); // tmpfs takes the largest size there is
    expect(sys.fstat(fd).size).toBe(2n ** 63n - 1n);
    expect(errnoError(() => sys.pwrite(fd, Buffer.from('x'), 2n ** 63n - 1n)).code).toMatch(/^(EFBIG|EINVAL)$/);
  });

  it('times beyond the int64 nanosecond range (year 2262) stay exact', () => {
    const fd = dir.open('f', sys.O_CREAT | sys.O_RDWR);
    const far = 20_000_000_000n * NS + 5n; // year ~2600
    sys.utimensat(fd, '', far, -far, sys.AT_EMPTY_PATH);
    const st = sys.fstat(fd);
    const node = fs.fstatSync(fd, { bigint: true });
    expect(st.atime).toBe(node.atimeNs);
    expect(st.mtime).toBe(node.mtimeNs);
  });

  it('statfs of tmpfs', async () => {
    const s = sys.statfs(dir.path);
    expect(s.type).toBe(0x01021994);
    const n = fs.statfsSync(dir.path);
    expect(s).toMatchObject({ bsize: n.bsize, blocks: n.blocks, files: n.files });
    expect(await sys.fstatfsAsync(dir.fd)).toMatchObject({ type: 0x01021994, bsize: n.bsize });
    expect(sys.fstatfs(dir.fd).namemax).toBe(255);
    expect(sys.fstatfs(dir.fd)).toEqual(sys.statfs(dir.path));
    expect((await rejection(sys.statfsAsync(join(dir.path, 'missing')))).code).toBe('ENOENT');
  });
});

describe('getdents64', () => {
  const dir = tempDir();

  function names(count: number): string[] {
    return Array.from({ length: count }, (_, i) => `entry-with-a-longish-name-${String(i).padStart(4, '0')}`);
  }

  it('lists every entry with its inode, type and next offset, in small batches', () => {
    const want = names(150);
    for (const n of want) fs.writeFileSync(join(dir.path, n), '');
    fs.mkdirSync(join(dir.path, 'sub'));
    const d = dir.open('.', sys.O_RDONLY | sys.O_DIRECTORY);
    const all: { name: string; ino: number | bigint; type: number; off: number | bigint }[] = [];
    let batches = 0;
    for (
      let b = sys.getdents64(d, 0, { size: 1024 });
      b.names.length > 0;
      b = sys.getdents64(d, null, { size: 1024 })
    ) {
      batches++;
      b.names.forEach((name, i) => {
        all.push({ name, ino: b.inos[i] as number, type: b.types[i] as number, off: b.offsets[i] as number });
      });
    }
    expect(batches).toBeGreaterThan(3);
    expect(all.map((e) => e.name).sort()).toEqual(['.', '..', ...want, 'sub'].sort());
    for (const e of all) {
      if (e.name === '..') continue;
      const st = fs.lstatSync(join(dir.path, e.name), { bigint: true });
      expect(BigInt(e.ino)).toBe(st.ino);
      expect(e.type).toBe(e.name === 'sub' || e.name === '.' ? sys.DT_DIR : sys.DT_REG);
    }
    expect(new Set(all.map((e) => e.off)).size).toBe(all.length);
  });

  it('resumes at any entry’s next offset, as a FUSE readdir does', async () => {
    for (const n of names(60)) fs.writeFileSync(join(dir.path, n), '');
    const d = dir.open('.', sys.O_RDONLY | sys.O_DIRECTORY);
    const first = sys.getdents64(d, 0, { size: 64 * 1024 });
    expect(first.names.length).toBe(62);
    for (const k of [0, 1, 17, 40, 61]) {
      const rest = sys.getdents64(d, first.offsets[k] as number | bigint, { size: 64 * 1024 });
      expect(rest.names).toEqual(first.names.slice(k + 1));
    }
    const again = await sys.getdents64Async(d, 0, { size: 64 * 1024 });
    expect(again.names).toEqual(first.names);
    expect(again.offsets).toEqual(first.offsets);
    const raw = await sys.getdents64Async(d, first.offsets[30] as number | bigint, { encoding: 'buffer' });
    expect(raw.names.map((b) => b.toString())).toEqual(first.names.slice(31));
  });

  it('fails on O_PATH and non-directory descriptors', async () => {
    expect(errnoError(() => sys.getdents64(dir.fd)).code).toBe('EBADF');
    fs.writeFileSync(join(dir.path, 'f'), '');
    const f = dir.open('f', sys.O_RDONLY);
    expect((await rejection(sys.getdents64Async(f, 0))).code).toBe('ENOTDIR');
  });
});

describe.runIf(ROOT)('credentials', () => {
  const dir = tempDir();
  beforeEach(() => {
    fs.chmodSync(dir.path, 0o777);
  });

  it('creating calls create as the caller and restore the thread afterwards', async () => {
    const cred = { uid: 1234, gid: 5678 };
    sys.mkdirat(dir.fd, 'd', 0o755, cred);
    dir.track(sys.openat(dir.fd, 'f', sys.O_CREAT | sys.O_WRONLY, 0o644, cred));
    sys.mknodat(dir.fd, 'p', sys.S_IFIFO | 0o644, 0, cred);
    sys.symlinkat('f', dir.fd, 'l', cred);
    await sys.mkdiratAsync(dir.fd, 'ad', 0o755, cred);
    await sys.mknodatAsync(dir.fd, 'ap', sys.S_IFIFO | 0o644, 0, cred);
    dir.track(await sys.openatAsync(dir.fd, 'af', sys.O_CREAT | sys.O_WRONLY, 0o644, cred));
    for (const n of ['d', 'f', 'p', 'l', 'ad', 'ap', 'af']) {
      expect(fs.lstatSync(join(dir.path, n)), n).toMatchObject({ uid: 1234, gid: 5678 });
    }
    sys.mkdirat(dir.fd, 'mine');
    expect(fs.statSync(join(dir.path, 'mine'))).toMatchObject({ uid: 0, gid: 0 });
  });

  it('permission checks are the caller’s, supplementary groups included', async () => {
    fs.mkdirSync(join(dir.path, 'group-only'), 0o770);
    fs.chownSync(join(dir.path, 'group-only'), 0, 4321);
    fs.chmodSync(join(dir.path, 'group-only'), 0o770);
    const g = dir.open('group-only', sys.O_PATH | sys.O_DIRECTORY);
    const e = errnoError(() => sys.mkdirat(g, 'x', 0o755, { uid: 1234, gid: 1234, groups: [] }));
    expect(e).toMatchObject({ code: 'EACCES', syscall: 'mkdirat' });
    sys.mkdirat(g, 'x', 0o755, { uid: 1234, gid: 1234, groups: [4321] });
    await sys.mkdiratAsync(g, 'y', 0o755, { uid: 1234, gid: 1234, groups: [4321] });
    expect((await rejection(sys.mkdiratAsync(g, 'z', 0o755, { uid: 1234, gid: 1234, groups: [] }))).code).toBe(
      'EACCES',
    );
    expect(fs.statSync(join(dir.path, 'group-only', 'x'))).toMatchObject({ uid: 1234, gid: 1234 });
    // The thread's own groups are back.
    sys.mkdirat(g, 'root-again');
  });

  it('setfsuid, setfsgid and setgroups change the calling thread only, and return the previous ids', () => {
    const groups = sys.getgroups();
    expect(sys.setfsgid(5678)).toBe(0);
    expect(sys.setfsuid(1234)).toBe(0);
    try {
      sys.mkdirat(dir.fd, 'as-1234');
    } finally {
      expect(sys.setfsuid(0)).toBe(1234);
      expect(sys.setfsgid(0)).toBe(5678);
    }
    expect(fs.statSync(join(dir.path, 'as-1234'))).toMatchObject({ uid: 1234, gid: 5678 });
    sys.setgroups([4321, 99]);
    try {
      expect(sys.getgroups().sort((a, b) => a - b)).toEqual([99, 4321]);
    } finally {
      sys.setgroups(groups);
    }
    expect(sys.getgroups()).toEqual(groups);
    expect(() => sys.setfsuid(-1)).toThrow(new RangeError('setfsuid: uid must be an id from 0 to 2^32-2, got -1'));
  });
});

describe('the module itself', () => {
  const dir = tempDir();

  it('a getter run while a call reads its arguments may make calls of its own', () => {
    fs.writeFileSync(join(dir.path, 'other'), 'xyz');
    let inner: sys.Stat | undefined;
    const cred = {
      get uid() {
        inner = sys.fstatat(dir.fd, 'other');
        return 0;
      },
      gid: 0,
    };
    const fd = dir.track(sys.openat(dir.fd, 'made', sys.O_CREAT | sys.O_WRONLY, 0o600, cred));
    expect(inner?.size).toBe(3);
    expect(sys.fstat(fd).size).toBe(0);
  });

  it('works in worker threads, each with its own state', async () => {
    fs.writeFileSync(join(dir.path, 'f'), 'four');
    const entry = join(PACKAGE_ROOT, 'dist', 'lib', 'index.js');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.entry).then(({ sys }) => {
        const st = sys.fstatat(sys.AT_FDCWD, workerData.file);
        parentPort.postMessage({ size: st.size, names: sys.getdents64(sys.openat(sys.AT_FDCWD, workerData.dir, sys.O_RDONLY | sys.O_DIRECTORY), 0).names.length });
      });`;
    const worker = new Worker(code, { eval: true, workerData: { entry, file: join(dir.path, 'f'), dir: dir.path } });
    const message = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message).toEqual({ size: 4, names: 3 });
    expect(sys.fstatat(dir.fd, 'f').size).toBe(4);
  });

  it('types follow the options', () => {
    // Checked by the compiler (npm run typecheck); never called.
    const typeChecks = () => {
      expectTypeOf(sys.readlinkat(0, 'l')).toEqualTypeOf<string>();
      expectTypeOf(sys.readlinkat(0, 'l', { encoding: 'buffer' })).toEqualTypeOf<Buffer>();
      expectTypeOf(sys.getdents64(0).names).toEqualTypeOf<string[]>();
      expectTypeOf(sys.getdents64(0, 0, { encoding: 'buffer' }).names).toEqualTypeOf<Buffer[]>();
      expectTypeOf(sys.flistxattr(0)).toEqualTypeOf<string[]>();
      expectTypeOf(sys.fstatat(0, '').ino).toEqualTypeOf<number | bigint>();
      expectTypeOf(sys.fstatat(0, '').mtime).toEqualTypeOf<bigint>();
      expectTypeOf(sys.fstatatAsync(0, '')).resolves.toEqualTypeOf<sys.Stat>();
      // A stat result is a reply's attr, a statfs result a statfs reply, as they are.
      expectTypeOf<sys.Stat>().toExtend<Attr>();
      expectTypeOf<sys.Statfs>().toExtend<StatfsInfo>();
    };
    expect(typeof typeChecks).toBe('function');
  });
});
