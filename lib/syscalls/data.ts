/**
 * File data and filesystems: fallocate (every mode), copy_file_range, lseek
 * (SEEK_DATA, SEEK_HOLE), ftruncate, fsync, fdatasync, pread, pwrite, flock,
 * fstatfs and statfs. Offsets and lengths take numbers or bigints (the full
 * 64-bit range); results are numbers when safe integers, else bigints.
 * @module
 */
import { native } from '../addon.js';
import type { NameInput } from '../names.js';
import { typeError } from '../validate.js';
import * as check from './check.js';
import type { Int64, RecordLock, Statfs, Uint64 } from './types.js';

const sys = native.sys;

function checkFallocate(where: string, fd: number, mode: number, offset: Int64, length: Int64) {
  check.fd(where, fd);
  check.int32(where, 'mode', mode);
  check.int64(where, 'offset', offset, 0n);
  check.int64(where, 'length', length, 0n);
}

/**
 * Allocates or deallocates space (fallocate(2)). `mode` 0 allocates (and
 * extends); FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE),
 * FALLOC_FL_ZERO_RANGE, FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE and
 * FALLOC_FL_UNSHARE_RANGE as the FUSE request gives them; EOPNOTSUPP where
 * the filesystem lacks one.
 */
export function fallocate(fd: number, mode: number, offset: Int64, length: Int64): void {
  checkFallocate('fallocate', fd, mode, offset, length);
  sys.fallocate(fd, mode, offset, length);
}
/** {@link fallocate} on the libuv thread pool (allocation can take long). */
export function fallocateAsync(fd: number, mode: number, offset: Int64, length: Int64): Promise<void> {
  checkFallocate('fallocateAsync', fd, mode, offset, length);
  return sys.fallocateAsync(fd, mode, offset, length);
}

function checkCopy(
  where: string,
  fdIn: number,
  offIn: Int64,
  fdOut: number,
  offOut: Int64,
  length: Int64,
  flags: number,
) {
  check.fd(where, fdIn, 'fdIn');
  check.int64(where, 'offsetIn', offIn, 0n);
  check.fd(where, fdOut, 'fdOut');
  check.int64(where, 'offsetOut', offOut, 0n);
  check.uint64(where, 'length', length);
  check.uint32(where, 'flags', flags);
}

/**
 * Copies up to `length` bytes between files at explicit offsets, in the kernel
 * (copy_file_range(2); reflinks where the filesystem can). Returns the bytes
 * copied: fewer than asked at the end of the input, 0 at or past it. The
 * descriptors' own positions do not move.
 */
export function copyFileRange(
  fdIn: number,
  offsetIn: Int64,
  fdOut: number,
  offsetOut: Int64,
  length: Int64,
  flags = 0,
): number {
  checkCopy('copyFileRange', fdIn, offsetIn, fdOut, offsetOut, length, flags);
  return sys.copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length, flags);
}
/** {@link copyFileRange} on the libuv thread pool (the usual choice: it moves data). */
export function copyFileRangeAsync(
  fdIn: number,
  offsetIn: Int64,
  fdOut: number,
  offsetOut: Int64,
  length: Int64,
  flags = 0,
): Promise<number> {
  checkCopy('copyFileRangeAsync', fdIn, offsetIn, fdOut, offsetOut, length, flags);
  return sys.copyFileRangeAsync(fdIn, offsetIn, fdOut, offsetOut, length, flags);
}

function checkLseek(where: string, fd: number, offset: Int64, whence: number) {
  check.fd(where, fd);
  check.int64(where, 'offset', offset);
  check.int32(where, 'whence', whence);
}

/** Moves the file position (lseek(2)) and returns it; SEEK_DATA and SEEK_HOLE find data and holes (ENXIO past the end). */
export function lseek(fd: number, offset: Int64, whence: number): Uint64 {
  checkLseek('lseek', fd, offset, whence);
  return sys.lseek(fd, offset, whence);
}
/** {@link lseek} on the libuv thread pool (SEEK_DATA/SEEK_HOLE can scan extents). */
export function lseekAsync(fd: number, offset: Int64, whence: number): Promise<Uint64> {
  checkLseek('lseekAsync', fd, offset, whence);
  return sys.lseekAsync(fd, offset, whence);
}

/** Sets the length of an open file (ftruncate(2)), to any 64-bit length the filesystem takes. */
export function ftruncate(fd: number, length: Int64): void {
  check.fd('ftruncate', fd);
  sys.ftruncate(fd, check.int64('ftruncate', 'length', length, 0n));
}
/** {@link ftruncate} on the libuv thread pool (freeing a large file's blocks takes time). */
export function ftruncateAsync(fd: number, length: Int64): Promise<void> {
  check.fd('ftruncateAsync', fd);
  return sys.ftruncateAsync(fd, check.int64('ftruncateAsync', 'length', length, 0n));
}

/** Flushes a file's data and metadata to its device (fsync(2)). Blocks: prefer {@link fsyncAsync}. */
export function fsync(fd: number): void {
  sys.fsync(check.fd('fsync', fd));
}
/** {@link fsync} on the libuv thread pool. */
export function fsyncAsync(fd: number): Promise<void> {
  return sys.fsyncAsync(check.fd('fsyncAsync', fd));
}

/** Flushes a file's data (fdatasync(2)). Blocks: prefer {@link fdatasyncAsync}. */
export function fdatasync(fd: number): void {
  sys.fdatasync(check.fd('fdatasync', fd));
}
/** {@link fdatasync} on the libuv thread pool. */
export function fdatasyncAsync(fd: number): Promise<void> {
  return sys.fdatasyncAsync(check.fd('fdatasyncAsync', fd));
}

function checkIo(where: string, fd: number, buffer: Uint8Array, position: Int64) {
  check.fd(where, fd);
  check.bytes(where, 'buffer', buffer);
  check.int64(where, 'position', position, -1n);
}

/** Reads into `buffer` at `position` (pread(2); -1: at the file position) and returns the bytes read. */
export function pread(fd: number, buffer: Uint8Array, position: Int64 = -1): number {
  checkIo('pread', fd, buffer, position);
  return sys.pread(fd, buffer, position);
}
/** {@link pread} on the libuv thread pool (the buffer must stay untouched until it settles). */
export function preadAsync(fd: number, buffer: Uint8Array, position: Int64 = -1): Promise<number> {
  checkIo('preadAsync', fd, buffer, position);
  return sys.preadAsync(fd, buffer, position);
}

/** Writes `buffer` at `position` (pwrite(2); -1: at the file position) and returns the bytes written. */
export function pwrite(fd: number, buffer: Uint8Array, position: Int64 = -1): number {
  checkIo('pwrite', fd, buffer, position);
  return sys.pwrite(fd, buffer, position);
}
/** {@link pwrite} on the libuv thread pool (the buffer must stay untouched until it settles). */
export function pwriteAsync(fd: number, buffer: Uint8Array, position: Int64 = -1): Promise<number> {
  checkIo('pwriteAsync', fd, buffer, position);
  return sys.pwriteAsync(fd, buffer, position);
}

/**
 * A BSD lock on an open file (flock(2)): LOCK_SH, LOCK_EX or LOCK_UN, with
 * LOCK_NB not to wait (EWOULDBLOCK). Without LOCK_NB it waits: use
 * {@link flockAsync}, never the sync form, for a lock that may be held.
 */
export function flock(fd: number, operation: number): void {
  check.fd('flock', fd);
  sys.flock(fd, check.int32('flock', 'operation', operation));
}
/** {@link flock} on the libuv thread pool (each waiting lock holds a pool thread). */
export function flockAsync(fd: number, operation: number): Promise<void> {
  check.fd('flockAsync', fd);
  return sys.flockAsync(fd, check.int32('flockAsync', 'operation', operation));
}

function checkLock(where: string, fd: number, cmd: number, lock: RecordLock) {
  check.fd(where, fd);
  check.int32(where, 'cmd', cmd);
  if (typeof lock !== 'object' || lock === null)
    typeError(where, 'lock', 'an object { type, whence?, start, length }', lock);
  check.int32(where, 'lock.type', lock.type);
  if (lock.whence !== undefined) check.int32(where, 'lock.whence', lock.whence);
  check.int64(where, 'lock.start', lock.start);
  check.int64(where, 'lock.length', lock.length);
}

/**
 * A POSIX record lock (fcntl(2) with `cmd` F_GETLK, F_SETLK, F_SETLKW or the
 * F_OFD_* forms, which a server should prefer: their owner is the open file,
 * not the whole process). The get commands return the first conflicting lock
 * (type F_UNLCK when there is none); the set commands return undefined and
 * fail with EAGAIN on a conflict. The waiting commands block: use {@link fcntlLockAsync}.
 */
export function fcntlLock(fd: number, cmd: number, lock: RecordLock): RecordLock | undefined {
  checkLock('fcntlLock', fd, cmd, lock);
  return sys.fcntlLock(fd, cmd, lock.type, lock.whence ?? 0, lock.start, lock.length);
}
/** {@link fcntlLock} on the libuv thread pool (each waiting lock holds a pool thread). */
export function fcntlLockAsync(fd: number, cmd: number, lock: RecordLock): Promise<RecordLock | undefined> {
  checkLock('fcntlLockAsync', fd, cmd, lock);
  return sys.fcntlLockAsync(fd, cmd, lock.type, lock.whence ?? 0, lock.start, lock.length);
}

/** Statistics of the filesystem holding `fd` (fstatfs(2); O_PATH descriptors too), in `replyStatfs`'s field names. */
export function fstatfs(fd: number): Statfs {
  return sys.fstatfs(check.fd('fstatfs', fd));
}
/** {@link fstatfs} on the libuv thread pool. */
export function fstatfsAsync(fd: number): Promise<Statfs> {
  return sys.fstatfsAsync(check.fd('fstatfsAsync', fd));
}

/** Statistics of the filesystem holding `path` (statfs(2)). */
export function statfs(path: NameInput): Statfs {
  return sys.statfs(check.name('statfs', 'path', path));
}
/** {@link statfs} on the libuv thread pool. */
export function statfsAsync(path: NameInput): Promise<Statfs> {
  return sys.statfsAsync(check.name('statfsAsync', 'path', path));
}
