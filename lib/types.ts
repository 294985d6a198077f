/**
 * The values handlers give to replies and receive from requests.
 * @module
 */

/**
 * A point in time: a `Date`, milliseconds since the epoch as a number
 * (fractions keep sub-millisecond precision), or nanoseconds since the epoch as
 * a bigint (exact, like `fs.Stats.mtimeNs`).
 */
export type Timestamp = Date | number | bigint;

/**
 * A 64-bit unsigned value (inode numbers, sizes, offsets, counts): a number
 * when it is a safe integer, else a bigint. Replies accept either; values the
 * library hands out are numbers whenever they fit one exactly.
 */
export type Uint64 = number | bigint;

/** File attributes, as in `struct stat`. Omitted fields are 0. */
export interface Attr {
  /** Inode number. In a reply to lookup, defaults to the entry's `ino`. */
  ino?: Uint64;
  /** File type and permission bits, e.g. `0o100644` (S_IFREG | 0644). */
  mode: number;
  /** Number of hard links. */
  nlink?: Uint64;
  /** Owner. */
  uid?: number;
  /** Group. */
  gid?: number;
  /** Device number, for device files. */
  rdev?: Uint64;
  /** Size in bytes. */
  size?: Uint64;
  /** Preferred I/O block size. */
  blksize?: number;
  /** Number of 512-byte blocks allocated. */
  blocks?: Uint64;
  /** Last access. */
  atime?: Timestamp;
  /** Last modification of the data. */
  mtime?: Timestamp;
  /** Last change of the inode. */
  ctime?: Timestamp;
}

/**
 * A directory entry for the kernel's cache (reply to lookup, readdirplus …).
 * Each entry replied with a non-zero `ino` counts as one lookup of that inode,
 * to be balanced later by `forget`.
 */
export type Entry = InodeEntry | NegativeEntry;

/** What every entry may say about caching. */
interface EntryCaching {
  /** Seconds the kernel may cache `attr` (default 1). */
  attrTimeout?: number;
  /** Seconds the kernel may cache the name → ino mapping (default 1). */
  entryTimeout?: number;
}

/** An entry for an existing inode. */
export interface InodeEntry extends EntryCaching {
  /** Inode number (not 0). */
  ino: Uint64;
  /** Inode generation: (ino, generation) must be unique over the filesystem's life. */
  generation?: Uint64;
  /** The inode's attributes. */
  attr: Attr;
}

/** A negative entry: the name is cached as missing for `entryTimeout` seconds. */
export interface NegativeEntry extends EntryCaching {
  /** 0: no inode. */
  ino: 0 | 0n;
  /** Unused. */
  generation?: Uint64;
  /** None. */
  attr?: undefined;
}

/** Filesystem statistics, as in `struct statvfs`. Omitted fields are 0. */
export interface StatfsInfo {
  /** Filesystem block size. */
  bsize?: Uint64;
  /** Fragment size (the unit of the block counts). */
  frsize?: Uint64;
  /** Size of the filesystem in `frsize` units. */
  blocks?: Uint64;
  /** Free blocks. */
  bfree?: Uint64;
  /** Free blocks for unprivileged users. */
  bavail?: Uint64;
  /** Inodes. */
  files?: Uint64;
  /** Free inodes. */
  ffree?: Uint64;
  /** Free inodes for unprivileged users. */
  favail?: Uint64;
  /** Filesystem id. */
  fsid?: Uint64;
  /** Mount flags (ST_RDONLY …). */
  flag?: Uint64;
  /** Longest file name (default 255). */
  namemax?: Uint64;
}

/** How the kernel should treat an opened file or directory. */
export interface OpenOptions {
  /** Bypass the page cache for this open file. */
  directIo?: boolean;
  /** Keep cached data from earlier opens (the file did not change). */
  keepCache?: boolean;
  /** The file is not seekable. */
  nonseekable?: boolean;
  /** Let the kernel cache readdir results (opendir only). */
  cacheReaddir?: boolean;
  /** Do not send flush on close. */
  noflush?: boolean;
}

/** Who made a request. */
export interface RequestContext {
  /** The caller's user id. */
  readonly uid: number;
  /** The caller's group id. */
  readonly gid: number;
  /** The caller's process id (0 for requests the kernel makes itself). */
  readonly pid: number;
  /** The caller's umask (for create, mknod, mkdir). */
  readonly umask: number;
}

/** One inode's forget: the kernel dropped `nlookup` references to `ino`. */
export interface ForgetItem {
  /** The inode: a number, or a bigint if the filesystem replied with an inode number past 2^53 - 1. */
  readonly ino: Uint64;
  /** How many lookups the kernel gave back. */
  readonly nlookup: number;
}

/** A POSIX record lock (struct flock). */
export interface Lock {
  /** F_RDLCK (0), F_WRLCK (1) or F_UNLCK (2). */
  type: number;
  /** SEEK_SET (0) for locks from the kernel: `start` is absolute. */
  whence?: number;
  /** The first byte. */
  start: number;
  /** How many bytes; 0 means to the end of the file (and beyond). */
  length: number;
  /** The process holding a conflicting lock (getlk replies). */
  pid?: number;
}
