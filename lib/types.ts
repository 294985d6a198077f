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

/** File attributes, as in `struct stat`. Omitted fields are 0. */
export interface Attr {
  /** Inode number. In a reply to lookup, defaults to the entry's `ino`. */
  ino?: number;
  /** File type and permission bits, e.g. `0o100644` (S_IFREG | 0644). */
  mode: number;
  /** Number of hard links. */
  nlink?: number;
  uid?: number;
  gid?: number;
  /** Device number, for device files. */
  rdev?: number;
  /** Size in bytes. */
  size?: number;
  /** Preferred I/O block size. */
  blksize?: number;
  /** Number of 512-byte blocks allocated. */
  blocks?: number;
  atime?: Timestamp;
  mtime?: Timestamp;
  ctime?: Timestamp;
}

/**
 * A directory entry for the kernel's cache (reply to lookup, readdirplus …).
 * Each entry replied with a non-zero `ino` counts as one lookup of that inode,
 * to be balanced later by `forget`.
 */
export interface Entry {
  /** Inode number; 0 makes a negative entry (the name is cached as missing). */
  ino: number;
  /** Inode generation: (ino, generation) must be unique over the filesystem's life. */
  generation?: number;
  attr: Attr;
  /** Seconds the kernel may cache `attr` (default 1). */
  attrTimeout?: number;
  /** Seconds the kernel may cache the name → ino mapping (default 1). */
  entryTimeout?: number;
}

/** Filesystem statistics, as in `struct statvfs`. Omitted fields are 0. */
export interface StatfsInfo {
  bsize?: number;
  frsize?: number;
  blocks?: number;
  bfree?: number;
  bavail?: number;
  files?: number;
  ffree?: number;
  favail?: number;
  fsid?: number;
  flag?: number;
  /** Longest file name (default 255). */
  namemax?: number;
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
  readonly uid: number;
  readonly gid: number;
  readonly pid: number;
  /** The caller's umask (for create, mknod, mkdir). */
  readonly umask: number;
}

/** One inode's forget: the kernel dropped `nlookup` references to `ino`. */
export interface ForgetItem {
  readonly ino: number;
  readonly nlookup: number;
}
