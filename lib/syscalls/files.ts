/**
 * Descriptor-relative calls on names, and descriptors themselves.
 * @module
 */
import { native } from '../addon.js';
import { type NameInput, nameFromBytes } from '../names.js';
import type { Timestamp } from '../types.js';
import { rangeError, typeError } from '../validate.js';
import * as check from './check.js';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, UTIME_NOW, UTIME_OMIT } from './constants.js';
import { ownStat, sharedStat } from './stat.js';
import type { Credentials, EncodingOption, Int64, Stat } from './types.js';

const sys = native.sys;
const BUFFER = { encoding: 'buffer' } as const;
/** The nanoseconds the kernel reads as UTIME_NOW and UTIME_OMIT. */
const UTIME_NSEC = { now: sys.constants.UTIME_NOW as number, omit: sys.constants.UTIME_OMIT as number };

/**
 * `/proc/self/fd/N`, or `/proc/self/fd/N/path`: a path that reaches the file
 * (or, for a directory, a name in it) behind descriptor `fd`, O_PATH ones
 * included. For the calls that have no descriptor-relative form: passthrough_ll
 * uses it for chmod, truncate, utimes, xattrs, `open` of an inode (open a
 * regular file through it with real flags) and `linkat` with AT_SYMLINK_FOLLOW.
 */
export function fdPath(fd: number, path?: NameInput): string {
  check.fd('fdPath', fd);
  if (path === undefined) return `/proc/self/fd/${fd}`;
  check.name('fdPath', 'path', path);
  return `/proc/self/fd/${fd}/${typeof path === 'string' ? path : nameFromBytes(path)}`;
}

function checkOpenat(where: string, dirfd: number, path: NameInput, flags: number, mode: number, cred?: Credentials) {
  check.dirfd(where, dirfd);
  check.name(where, 'path', path);
  check.int32(where, 'flags', flags);
  check.uint32(where, 'mode', mode);
  check.credentials(where, cred);
}

/**
 * Opens `path` relative to `dirfd` (openat(2)) and returns the new descriptor,
 * always close-on-exec. `O_PATH | O_NOFOLLOW` gives a passthrough's inode
 * handle; `O_CREAT` creates with `mode` (less the process umask) and `cred`'s
 * ownership. Close it with {@link close}, or node's `fs.closeSync`.
 */
export function openat(dirfd: number, path: NameInput, flags: number, mode = 0, cred?: Credentials): number {
  checkOpenat('openat', dirfd, path, flags, mode, cred);
  return sys.openat(dirfd, path, flags, mode, cred);
}
/** {@link openat} on the libuv thread pool. */
export function openatAsync(
  dirfd: number,
  path: NameInput,
  flags: number,
  mode = 0,
  cred?: Credentials,
): Promise<number> {
  checkOpenat('openatAsync', dirfd, path, flags, mode, cred);
  return sys.openatAsync(dirfd, path, flags, mode, cred);
}

/** Closes a descriptor. */
export function close(fd: number): void {
  sys.close(check.fd('close', fd));
}
/** {@link close} on the libuv thread pool (a close can flush, e.g. on NFS). */
export function closeAsync(fd: number): Promise<void> {
  return sys.closeAsync(check.fd('closeAsync', fd));
}

/** A new descriptor for the same open file (close-on-exec). */
export function dup(fd: number): number {
  return sys.dup(check.fd('dup', fd));
}
/** {@link dup} on the libuv thread pool. */
export function dupAsync(fd: number): Promise<number> {
  return sys.dupAsync(check.fd('dupAsync', fd));
}

/**
 * The status of `path` relative to `dirfd` (fstatat(2)). Flags:
 * AT_SYMLINK_NOFOLLOW (the link itself), AT_EMPTY_PATH with `''` (the
 * descriptor itself, O_PATH ones included). The result fits `replyAttr`.
 */
export function fstatat(dirfd: number, path: NameInput, flags = 0): Stat {
  check.dirfd('fstatat', dirfd);
  check.name('fstatat', 'path', path);
  check.int32('fstatat', 'flags', flags);
  return sharedStat(sys.fstatat(dirfd, path, flags));
}
/** {@link fstatat} on the libuv thread pool. */
export async function fstatatAsync(dirfd: number, path: NameInput, flags = 0): Promise<Stat> {
  check.dirfd('fstatatAsync', dirfd);
  check.name('fstatatAsync', 'path', path);
  check.int32('fstatatAsync', 'flags', flags);
  return ownStat(await sys.fstatatAsync(dirfd, path, flags));
}

/** The status of the file behind `fd`, without following it if it is a symlink (O_PATH): `fstatat(fd, '', AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)`. */
export function fstat(fd: number): Stat {
  check.fd('fstat', fd);
  return sharedStat(sys.fstatat(fd, '', AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW));
}

function checkMknodat(where: string, dirfd: number, path: NameInput, mode: number, dev: Int64, cred?: Credentials) {
  check.dirfd(where, dirfd);
  check.name(where, 'path', path);
  check.uint32(where, 'mode', mode);
  check.uint64(where, 'dev', dev);
  check.credentials(where, cred);
}

/**
 * Creates a filesystem node (mknodat(2)): `mode` holds the type — S_IFREG,
 * S_IFIFO, S_IFSOCK, S_IFCHR or S_IFBLK (devices need CAP_MKNOD) — and the
 * permission bits; `dev` is the device number for devices (see {@link makedev}).
 */
export function mknodat(dirfd: number, path: NameInput, mode: number, dev: Int64 = 0, cred?: Credentials): void {
  checkMknodat('mknodat', dirfd, path, mode, dev, cred);
  sys.mknodat(dirfd, path, mode, dev, cred);
}
/** {@link mknodat} on the libuv thread pool. */
export function mknodatAsync(
  dirfd: number,
  path: NameInput,
  mode: number,
  dev: Int64 = 0,
  cred?: Credentials,
): Promise<void> {
  checkMknodat('mknodatAsync', dirfd, path, mode, dev, cred);
  return sys.mknodatAsync(dirfd, path, mode, dev, cred);
}

/** A device number from its major and minor numbers (glibc's makedev encoding). */
export function makedev(major: number, minor: number): Int64 {
  check.uint32('makedev', 'major', major);
  check.uint32('makedev', 'minor', minor);
  const dev =
    ((BigInt(major) & 0xfffff000n) << 32n) |
    ((BigInt(major) & 0xfffn) << 8n) |
    ((BigInt(minor) & 0xffffff00n) << 12n) |
    (BigInt(minor) & 0xffn);
  return dev <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(dev) : dev;
}

/** The major number of a device number. */
export function major(dev: Int64): number {
  const d = BigInt(check.uint64('major', 'dev', dev));
  return Number(((d >> 32n) & 0xfffff000n) | ((d >> 8n) & 0xfffn));
}

/** The minor number of a device number. */
export function minor(dev: Int64): number {
  const d = BigInt(check.uint64('minor', 'dev', dev));
  return Number(((d >> 12n) & 0xffffff00n) | (d & 0xffn));
}

/** Creates a directory (mkdirat(2)) with `mode` (less the umask) and `cred`'s ownership. */
export function mkdirat(dirfd: number, path: NameInput, mode = 0o777, cred?: Credentials): void {
  checkMknodat('mkdirat', dirfd, path, mode, 0, cred);
  sys.mkdirat(dirfd, path, mode, cred);
}
/** {@link mkdirat} on the libuv thread pool. */
export function mkdiratAsync(dirfd: number, path: NameInput, mode = 0o777, cred?: Credentials): Promise<void> {
  checkMknodat('mkdiratAsync', dirfd, path, mode, 0, cred);
  return sys.mkdiratAsync(dirfd, path, mode, cred);
}

function checkSymlinkat(where: string, target: NameInput, dirfd: number, path: NameInput, cred?: Credentials) {
  check.name(where, 'target', target);
  check.dirfd(where, dirfd);
  check.name(where, 'path', path);
  check.credentials(where, cred);
}

/** Creates a symlink `path` (relative to `dirfd`) holding `target` (symlinkat(2)); errors name both, as node:fs does. */
export function symlinkat(target: NameInput, dirfd: number, path: NameInput, cred?: Credentials): void {
  checkSymlinkat('symlinkat', target, dirfd, path, cred);
  sys.symlinkat(target, dirfd, path, cred);
}
/** {@link symlinkat} on the libuv thread pool. */
export function symlinkatAsync(target: NameInput, dirfd: number, path: NameInput, cred?: Credentials): Promise<void> {
  checkSymlinkat('symlinkatAsync', target, dirfd, path, cred);
  return sys.symlinkatAsync(target, dirfd, path, cred);
}

function checkTwo(
  where: string,
  olddirfd: number,
  oldpath: NameInput,
  newdirfd: number,
  newpath: NameInput,
  flags: number,
) {
  check.dirfd(where, olddirfd, 'olddirfd');
  check.name(where, 'oldpath', oldpath);
  check.dirfd(where, newdirfd, 'newdirfd');
  check.name(where, 'newpath', newpath);
  check.int32(where, 'flags', flags);
}

/**
 * A new name for a file (linkat(2)). Flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH
 * (needs CAP_DAC_READ_SEARCH). For an O_PATH handle without that capability:
 * `linkat(AT_FDCWD, fdPath(fd), newdirfd, newpath, AT_SYMLINK_FOLLOW)`, as passthrough_ll does.
 */
export function linkat(olddirfd: number, oldpath: NameInput, newdirfd: number, newpath: NameInput, flags = 0): void {
  checkTwo('linkat', olddirfd, oldpath, newdirfd, newpath, flags);
  sys.linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}
/** {@link linkat} on the libuv thread pool. */
export function linkatAsync(
  olddirfd: number,
  oldpath: NameInput,
  newdirfd: number,
  newpath: NameInput,
  flags = 0,
): Promise<void> {
  checkTwo('linkatAsync', olddirfd, oldpath, newdirfd, newpath, flags);
  return sys.linkatAsync(olddirfd, oldpath, newdirfd, newpath, flags);
}

/** Renames (renameat2(2)). Flags: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT — FUSE's rename flags as they come. */
export function renameat2(olddirfd: number, oldpath: NameInput, newdirfd: number, newpath: NameInput, flags = 0): void {
  checkTwo('renameat2', olddirfd, oldpath, newdirfd, newpath, flags);
  sys.renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}
/** {@link renameat2} on the libuv thread pool. */
export function renameat2Async(
  olddirfd: number,
  oldpath: NameInput,
  newdirfd: number,
  newpath: NameInput,
  flags = 0,
): Promise<void> {
  checkTwo('renameat2Async', olddirfd, oldpath, newdirfd, newpath, flags);
  return sys.renameat2Async(olddirfd, oldpath, newdirfd, newpath, flags);
}

function checkPathFlags(where: string, dirfd: number, path: NameInput, flags: number) {
  check.dirfd(where, dirfd);
  check.name(where, 'path', path);
  check.int32(where, 'flags', flags);
}

/** Removes a name (unlinkat(2)); with AT_REMOVEDIR, an empty directory. */
export function unlinkat(dirfd: number, path: NameInput, flags = 0): void {
  checkPathFlags('unlinkat', dirfd, path, flags);
  sys.unlinkat(dirfd, path, flags);
}
/** {@link unlinkat} on the libuv thread pool. */
export function unlinkatAsync(dirfd: number, path: NameInput, flags = 0): Promise<void> {
  checkPathFlags('unlinkatAsync', dirfd, path, flags);
  return sys.unlinkatAsync(dirfd, path, flags);
}

/**
 * A symlink's target (readlinkat(2)), whole; with `''`, the symlink an O_PATH
 * descriptor (opened with O_NOFOLLOW) stands for. A string (bytes that are not
 * UTF-8 escaped as in `nameFromBytes`), or with `{ encoding: 'buffer' }` a Buffer.
 */
export function readlinkat(dirfd: number, path: NameInput, options?: EncodingOption<'utf8'>): string;
export function readlinkat(dirfd: number, path: NameInput, options: EncodingOption<'buffer'>): Buffer;
export function readlinkat(dirfd: number, path: NameInput, options?: EncodingOption): string | Buffer {
  check.dirfd('readlinkat', dirfd);
  check.name('readlinkat', 'path', path);
  return sys.readlinkat(dirfd, path, check.rawNames('readlinkat', options) ? BUFFER : undefined);
}
/** {@link readlinkat} on the libuv thread pool. */
export function readlinkatAsync(dirfd: number, path: NameInput, options?: EncodingOption<'utf8'>): Promise<string>;
export function readlinkatAsync(dirfd: number, path: NameInput, options: EncodingOption<'buffer'>): Promise<Buffer>;
export function readlinkatAsync(dirfd: number, path: NameInput, options?: EncodingOption): Promise<string | Buffer> {
  check.dirfd('readlinkatAsync', dirfd);
  check.name('readlinkatAsync', 'path', path);
  return sys.readlinkatAsync(dirfd, path, check.rawNames('readlinkatAsync', options) ? BUFFER : undefined);
}

function checkFchownat(where: string, dirfd: number, path: NameInput, uid: number, gid: number, flags: number) {
  checkPathFlags(where, dirfd, path, flags);
  check.id(where, 'uid', uid, true);
  check.id(where, 'gid', gid, true);
}

/** Changes owner and group (fchownat(2)); -1 leaves one as it is. AT_EMPTY_PATH with `''` works on O_PATH descriptors. */
export function fchownat(dirfd: number, path: NameInput, uid: number, gid: number, flags = 0): void {
  checkFchownat('fchownat', dirfd, path, uid, gid, flags);
  sys.fchownat(dirfd, path, uid, gid, flags);
}
/** {@link fchownat} on the libuv thread pool. */
export function fchownatAsync(dirfd: number, path: NameInput, uid: number, gid: number, flags = 0): Promise<void> {
  checkFchownat('fchownatAsync', dirfd, path, uid, gid, flags);
  return sys.fchownatAsync(dirfd, path, uid, gid, flags);
}

function checkFchmodat(where: string, dirfd: number, path: NameInput, mode: number, flags: number) {
  checkPathFlags(where, dirfd, path, flags);
  check.uint32(where, 'mode', mode);
}

/**
 * Changes the permission bits (fchmodat(2)). AT_EMPTY_PATH with `''` changes
 * the file behind `dirfd` — O_PATH descriptors too, through {@link fdPath}
 * (the kernel's fchmodat takes no AT_EMPTY_PATH before Linux 6.6).
 */
export function fchmodat(dirfd: number, path: NameInput, mode: number, flags = 0): void {
  checkFchmodat('fchmodat', dirfd, path, mode, flags);
  sys.fchmodat(dirfd, path, mode, flags);
}
/** {@link fchmodat} on the libuv thread pool. */
export function fchmodatAsync(dirfd: number, path: NameInput, mode: number, flags = 0): Promise<void> {
  checkFchmodat('fchmodatAsync', dirfd, path, mode, flags);
  return sys.fchmodatAsync(dirfd, path, mode, flags);
}

/** A time for {@link utimensat}: a `Timestamp` (bigint nanoseconds are exact), {@link UTIME_NOW} or {@link UTIME_OMIT}. */
export type TimeSpec = Timestamp | typeof UTIME_NOW | typeof UTIME_OMIT;

const NS_PER_S = 1_000_000_000n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** (seconds, nanoseconds) for a TimeSpec. */
function timespec(where: string, what: string, t: TimeSpec): [number | bigint, number] {
  if (t === UTIME_NOW) return [0, UTIME_NSEC.now];
  if (t === UTIME_OMIT) return [0, UTIME_NSEC.omit];
  if (typeof t === 'bigint') {
    let s = t / NS_PER_S;
    let ns = t % NS_PER_S;
    if (ns < 0n) {
      ns += NS_PER_S;
      s -= 1n;
    }
    return [s >= -SAFE && s <= SAFE ? Number(s) : s, Number(ns)];
  }
  const ms = t instanceof Date ? t.getTime() : t;
  if (typeof ms !== 'number')
    typeError(where, what, 'a Date, milliseconds, bigint nanoseconds, UTIME_NOW or UTIME_OMIT', t);
  if (!Number.isFinite(ms)) rangeError(where, what, 'a finite time', t);
  const sec = Math.floor(ms / 1000);
  return [sec, Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6))];
}

function checkUtimensat(where: string, dirfd: number, path: NameInput, flags: number) {
  checkPathFlags(where, dirfd, path, flags);
}

/**
 * Sets access and modification times (utimensat(2)), to the nanosecond with
 * bigint times. AT_EMPTY_PATH with `''`: the file behind `dirfd`, O_PATH
 * descriptors included (through {@link fdPath}); AT_SYMLINK_NOFOLLOW: a link itself.
 */
export function utimensat(dirfd: number, path: NameInput, atime: TimeSpec, mtime: TimeSpec, flags = 0): void {
  checkUtimensat('utimensat', dirfd, path, flags);
  const [as, ans] = timespec('utimensat', 'atime', atime);
  const [ms, mns] = timespec('utimensat', 'mtime', mtime);
  sys.utimensat(dirfd, path, as, ans, ms, mns, flags);
}
/** {@link utimensat} on the libuv thread pool. */
export function utimensatAsync(
  dirfd: number,
  path: NameInput,
  atime: TimeSpec,
  mtime: TimeSpec,
  flags = 0,
): Promise<void> {
  checkUtimensat('utimensatAsync', dirfd, path, flags);
  const [as, ans] = timespec('utimensatAsync', 'atime', atime);
  const [ms, mns] = timespec('utimensatAsync', 'mtime', mtime);
  return sys.utimensatAsync(dirfd, path, as, ans, ms, mns, flags);
}

function checkTruncateat(where: string, dirfd: number, path: NameInput, length: Int64, flags: number) {
  checkPathFlags(where, dirfd, path, flags);
  check.int64(where, 'length', length, 0n);
}

/**
 * Sets a file's length by name (truncate(2) relative to `dirfd`, through
 * {@link fdPath}); AT_EMPTY_PATH with `''`: the file behind an O_PATH
 * descriptor. With an open descriptor use {@link ftruncate}.
 */
export function truncateat(dirfd: number, path: NameInput, length: Int64, flags = 0): void {
  checkTruncateat('truncateat', dirfd, path, length, flags);
  sys.truncateat(dirfd, path, length, flags);
}
/** {@link truncateat} on the libuv thread pool. */
export function truncateatAsync(dirfd: number, path: NameInput, length: Int64, flags = 0): Promise<void> {
  checkTruncateat('truncateatAsync', dirfd, path, length, flags);
  return sys.truncateatAsync(dirfd, path, length, flags);
}
