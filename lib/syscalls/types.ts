/**
 * The values the syscall module takes and gives.
 * @module
 */

/**
 * An unsigned 64-bit value (inode and device numbers, sizes, block counts,
 * offsets): a `number` when it is a safe integer, else a `bigint`. Never rounded.
 */
export type Uint64 = number | bigint;

/** A signed 64-bit value (offsets a call takes): a safe-integer `number` or a `bigint`. */
export type Int64 = number | bigint;

/**
 * A file's status, as `fstatat` gives it. The field names and types are those
 * of fuse-lowlevel's `Attr`, so a result can be handed to `replyAttr` or
 * `replyEntry` as it is; times are nanoseconds since the epoch (exact).
 */
export interface Stat {
  /** The device holding the file (st_dev). */
  dev: Uint64;
  /** Inode number. */
  ino: Uint64;
  /** File type and permission bits (S_IFMT and 07777). */
  mode: number;
  /** Hard links. */
  nlink: Uint64;
  /** Owner. */
  uid: number;
  /** Group. */
  gid: number;
  /** Device number, for character and block devices. */
  rdev: Uint64;
  /** Size in bytes (the target's length for a symlink). */
  size: Uint64;
  /** Preferred I/O block size. */
  blksize: number;
  /** 512-byte blocks allocated. */
  blocks: Uint64;
  /** Last access, in nanoseconds since the epoch. */
  atime: bigint;
  /** Last data modification, in nanoseconds since the epoch. */
  mtime: bigint;
  /** Last status change, in nanoseconds since the epoch. */
  ctime: bigint;
}

/**
 * A filesystem's statistics (`fstatfs`, `statfs`), in the field names of
 * fuse-lowlevel's `StatfsInfo` (struct statvfs) so that a result can be
 * handed to `replyStatfs`, plus the filesystem's magic number.
 */
export interface Statfs {
  /** Block size. */
  bsize: Uint64;
  /** Fragment size: the unit of the block counts. */
  frsize: Uint64;
  /** Size of the filesystem in `frsize` units. */
  blocks: Uint64;
  /** Free blocks. */
  bfree: Uint64;
  /** Free blocks for unprivileged users. */
  bavail: Uint64;
  /** Inodes. */
  files: Uint64;
  /** Free inodes. */
  ffree: Uint64;
  /** Free inodes for unprivileged users (Linux: the same as ffree). */
  favail: Uint64;
  /** Filesystem id. */
  fsid: Uint64;
  /** Mount flags (ST_RDONLY, ST_NOSUID …). */
  flag: Uint64;
  /** Longest file name. */
  namemax: Uint64;
  /** The filesystem's magic number (f_type: 0xef53 ext4, 0x01021994 tmpfs …). */
  type: number;
}

/**
 * A batch of directory records from `getdents64`: parallel arrays, one element
 * per record, in the kernel's order ("." and ".." included). An empty batch
 * means the end of the directory. `offsets[i]` is the kernel's cookie for the
 * position after record `i`: pass it back to `getdents64` to resume there
 * (and use it as the FUSE readdir `nextOffset`).
 */
export interface DirentBatch<Name extends string | Buffer = string> {
  /** The names (strings as in `nameFromBytes`, or Buffers with `{ encoding: 'buffer' }`). */
  names: Name[];
  /** Inode numbers. */
  inos: Uint64[];
  /** File types (DT_REG, DT_DIR … DT_UNKNOWN when the filesystem does not say). */
  types: Uint8Array;
  /** The offset to resume after each record. */
  offsets: Int64[];
}

/**
 * The credentials a creating call runs with: the caller of a FUSE request, so
 * that the new file belongs to it and permission checks are the caller's. The
 * call sets them (filesystem uid and gid, and the supplementary groups when
 * given) on the thread that makes it and restores them after, even on errors.
 * Setting them needs CAP_SETUID/CAP_SETGID (root).
 */
export interface Credentials {
  /** Filesystem user id. */
  uid: number;
  /** Filesystem group id. */
  gid: number;
  /** Supplementary groups (omitted: the thread's own stay). */
  groups?: readonly number[];
}

/** How a call returns names: `'utf8'` (strings, the default) or `'buffer'` (raw bytes). */
export interface EncodingOption<E extends 'utf8' | 'buffer' = 'utf8' | 'buffer'> {
  /** `'buffer'` for Buffers of the raw bytes. */
  encoding?: E;
}

/** A POSIX record lock (struct flock) for `fcntlLock`. */
export interface RecordLock {
  /** F_RDLCK, F_WRLCK or F_UNLCK. */
  type: number;
  /** SEEK_SET (default), SEEK_CUR or SEEK_END: what `start` counts from. */
  whence?: number;
  /** The first byte. */
  start: Int64;
  /** How many bytes; 0: to the end of the file, however far it grows. */
  length: Int64;
  /** In a get command's answer: the process holding the conflicting lock (-1 for an OFD lock). */
  pid?: number;
}
