/**
 * The flags and values of the calls, from the C headers the addon was built
 * with (node:fs has some of them, not O_PATH, AT_*, RENAME_*, FALLOC_FL_* …).
 * @module
 */
import { native } from '../addon.js';

const c = native.sys.constants;

function get(name: string): number {
  const value = c[name];
  if (value === undefined) throw new Error(`fuse-lowlevel: the addon does not export the constant ${name}`);
  return value;
}

/** The current directory, as a `dirfd`: the path is resolved as by the path-based call. */
export const AT_FDCWD: number = get('AT_FDCWD');
/** With an empty path: act on `dirfd` itself (any descriptor, O_PATH ones included). */
export const AT_EMPTY_PATH: number = get('AT_EMPTY_PATH');
/** Do not follow a final symlink: act on the link. */
export const AT_SYMLINK_NOFOLLOW: number = get('AT_SYMLINK_NOFOLLOW');
/** linkat: follow a final symlink (how `linkat(AT_FDCWD, fdPath(fd), …)` links an O_PATH descriptor's file). */
export const AT_SYMLINK_FOLLOW: number = get('AT_SYMLINK_FOLLOW');
/** unlinkat: remove a directory (rmdir). */
export const AT_REMOVEDIR: number = get('AT_REMOVEDIR');
/** Do not trigger an automount at the final component. */
export const AT_NO_AUTOMOUNT: number = get('AT_NO_AUTOMOUNT');

/** Open for reading. */
export const O_RDONLY: number = get('O_RDONLY');
/** Open for writing. */
export const O_WRONLY: number = get('O_WRONLY');
/** Open for reading and writing. */
export const O_RDWR: number = get('O_RDWR');
/** The access mode bits of the flags. */
export const O_ACCMODE: number = get('O_ACCMODE');
/** Create the file if it does not exist (mode applies, umask too). */
export const O_CREAT: number = get('O_CREAT');
/** With O_CREAT: fail with EEXIST if the name exists. */
export const O_EXCL: number = get('O_EXCL');
/** Do not make a terminal the controlling terminal. */
export const O_NOCTTY: number = get('O_NOCTTY');
/** Truncate to length 0. */
export const O_TRUNC: number = get('O_TRUNC');
/** Every write appends. */
export const O_APPEND: number = get('O_APPEND');
/** Non-blocking I/O (a FIFO opens without waiting for the other end). */
export const O_NONBLOCK: number = get('O_NONBLOCK');
/** Writes wait for the data to be on disk. */
export const O_DSYNC: number = get('O_DSYNC');
/** Writes wait for the data and metadata to be on disk. */
export const O_SYNC: number = get('O_SYNC');
/** Fail with ENOTDIR unless the path is a directory. */
export const O_DIRECTORY: number = get('O_DIRECTORY');
/** Fail with ELOOP if the final component is a symlink (with O_PATH: open the link itself). */
export const O_NOFOLLOW: number = get('O_NOFOLLOW');
/** Close on exec. `openat` always adds it. */
export const O_CLOEXEC: number = get('O_CLOEXEC');
/**
 * A descriptor that only names a file: no I/O, but usable as a `dirfd`, with
 * AT_EMPTY_PATH, and through {@link fdPath}. Cheap, needs no permission on
 * the file, and keeps it reachable whatever happens to its names — a
 * passthrough's inode handle.
 */
export const O_PATH: number = get('O_PATH');
/** Do not update the access time. */
export const O_NOATIME: number = get('O_NOATIME');
/** Bypass the page cache. */
export const O_DIRECT: number = get('O_DIRECT');
/** An unnamed file in the directory given (link it later with linkat). */
export const O_TMPFILE: number = get('O_TMPFILE');

/** renameat2: fail with EEXIST if the new name exists. */
export const RENAME_NOREPLACE: number = get('RENAME_NOREPLACE');
/** renameat2: swap the two names atomically (both must exist). */
export const RENAME_EXCHANGE: number = get('RENAME_EXCHANGE');
/** renameat2: leave a whiteout (a 0:0 character device) at the old name (overlay filesystems). */
export const RENAME_WHITEOUT: number = get('RENAME_WHITEOUT');

/** fallocate: allocate without changing the size. */
export const FALLOC_FL_KEEP_SIZE: number = get('FALLOC_FL_KEEP_SIZE');
/** fallocate: deallocate the range (must be combined with KEEP_SIZE); reads give zeros. */
export const FALLOC_FL_PUNCH_HOLE: number = get('FALLOC_FL_PUNCH_HOLE');
/** fallocate: remove the range and shift the rest down (block-aligned). */
export const FALLOC_FL_COLLAPSE_RANGE: number = get('FALLOC_FL_COLLAPSE_RANGE');
/** fallocate: zero the range, allocating it. */
export const FALLOC_FL_ZERO_RANGE: number = get('FALLOC_FL_ZERO_RANGE');
/** fallocate: insert a hole at the offset and shift the rest up (block-aligned). */
export const FALLOC_FL_INSERT_RANGE: number = get('FALLOC_FL_INSERT_RANGE');
/** fallocate: unshare blocks shared with other files (reflinks). */
export const FALLOC_FL_UNSHARE_RANGE: number = get('FALLOC_FL_UNSHARE_RANGE');

/** lseek: from the start. */
export const SEEK_SET: number = get('SEEK_SET');
/** lseek: from the current position. */
export const SEEK_CUR: number = get('SEEK_CUR');
/** lseek: from the end. */
export const SEEK_END: number = get('SEEK_END');
/** lseek: the next offset at or after `offset` that holds data. */
export const SEEK_DATA: number = get('SEEK_DATA');
/** lseek: the next hole at or after `offset` (the end of the file counts as one). */
export const SEEK_HOLE: number = get('SEEK_HOLE');

/** setxattr: fail with EEXIST if the attribute exists. */
export const XATTR_CREATE: number = get('XATTR_CREATE');
/** setxattr: fail with ENODATA unless the attribute exists. */
export const XATTR_REPLACE: number = get('XATTR_REPLACE');

/** flock: a shared lock. */
export const LOCK_SH: number = get('LOCK_SH');
/** flock: an exclusive lock. */
export const LOCK_EX: number = get('LOCK_EX');
/** flock: unlock. */
export const LOCK_UN: number = get('LOCK_UN');
/** flock: fail with EWOULDBLOCK instead of waiting. */
export const LOCK_NB: number = get('LOCK_NB');

/** fcntlLock: the first lock that would conflict (per process; F_OFD_GETLK for open file descriptions). */
export const F_GETLK: number = get('F_GETLK');
/** fcntlLock: take or release a process-owned record lock, failing with EAGAIN on a conflict. */
export const F_SETLK: number = get('F_SETLK');
/** fcntlLock: as F_SETLK, waiting for a conflicting lock to go. */
export const F_SETLKW: number = get('F_SETLKW');
/** fcntlLock: F_GETLK for locks owned by open file descriptions. */
export const F_OFD_GETLK: number = get('F_OFD_GETLK');
/** fcntlLock: a lock owned by the open file description (not the process): what a server holding files for many clients wants. */
export const F_OFD_SETLK: number = get('F_OFD_SETLK');
/** fcntlLock: as F_OFD_SETLK, waiting. */
export const F_OFD_SETLKW: number = get('F_OFD_SETLKW');
/** A read (shared) record lock. */
export const F_RDLCK: number = get('F_RDLCK');
/** A write (exclusive) record lock. */
export const F_WRLCK: number = get('F_WRLCK');
/** Unlock; from a get command: no conflicting lock. */
export const F_UNLCK: number = get('F_UNLCK');

/** The file type bits of a mode. */
export const S_IFMT: number = get('S_IFMT');
/** Regular file. */
export const S_IFREG: number = get('S_IFREG');
/** Directory. */
export const S_IFDIR: number = get('S_IFDIR');
/** Symbolic link. */
export const S_IFLNK: number = get('S_IFLNK');
/** FIFO (named pipe). */
export const S_IFIFO: number = get('S_IFIFO');
/** Unix domain socket. */
export const S_IFSOCK: number = get('S_IFSOCK');
/** Character device. */
export const S_IFCHR: number = get('S_IFCHR');
/** Block device. */
export const S_IFBLK: number = get('S_IFBLK');

/** getdents64 type: unknown (call fstatat). */
export const DT_UNKNOWN: number = get('DT_UNKNOWN');
/** getdents64 type: FIFO. */
export const DT_FIFO: number = get('DT_FIFO');
/** getdents64 type: character device. */
export const DT_CHR: number = get('DT_CHR');
/** getdents64 type: directory. */
export const DT_DIR: number = get('DT_DIR');
/** getdents64 type: block device. */
export const DT_BLK: number = get('DT_BLK');
/** getdents64 type: regular file. */
export const DT_REG: number = get('DT_REG');
/** getdents64 type: symbolic link. */
export const DT_LNK: number = get('DT_LNK');
/** getdents64 type: socket. */
export const DT_SOCK: number = get('DT_SOCK');
/** getdents64 type: whiteout. */
export const DT_WHT: number = get('DT_WHT');

/** utimensat: set this time to now. */
export const UTIME_NOW: unique symbol = Symbol('UTIME_NOW');
/** utimensat: leave this time as it is. */
export const UTIME_OMIT: unique symbol = Symbol('UTIME_OMIT');

/** Converts a mode's file type (S_IFMT bits) to the matching DT_* type. */
export function modeToType(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}
