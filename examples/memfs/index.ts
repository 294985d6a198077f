/**
 * memfs: a complete POSIX filesystem in memory, and a template for your own.
 *
 *     fuse-lowlevel memfs /mnt/mem
 *     cp -r /usr/include/linux /mnt/mem && ls -la /mnt/mem/linux | head
 *
 * To start your own filesystem from it, copy this directory into your project
 * and import the library as `'fuse-lowlevel'` where these files say
 * `'../../lib/index.js'`:
 *
 * ```ts
 * import { mount } from 'fuse-lowlevel';
 * import { memfsOperations } from './memfs/index.js';
 * const session = await mount('/mnt/mem', memfsOperations({ timeout: 1 }), { fsName: 'memfs' });
 * ```
 *
 * How it is built, one file per job:
 *
 * - `inodes.ts` — the inode table, which knows nothing of FUSE. Inode numbers
 *   (root = 1) are reused with a new generation once an inode is freed, and an
 *   inode is freed only when it has no names (nlink 0), the kernel holds no
 *   references (every entry reply counts one lookup, `forget` gives them back)
 *   and no handle is open. That is why an unlinked file stays readable while
 *   open. Directory nlink is 2 + subdirectories, so `find` can trust it.
 * - `data.ts` — file bytes as sparse 4 KiB pages, stored in 128 KiB chunks:
 *   holes read as zeros and cost nothing, writes at any offset never truncate,
 *   SEEK_DATA/SEEK_HOLE report the pages, a shared page count backs statfs and
 *   ENOSPC, and a read inside one chunk replies with a view of it (no copy).
 *   Files grow to the kernel's largest size, 2^63 - 1 bytes, as on tmpfs:
 *   positions are numbers, bigints only past 2^53 - 1 (read the `…Big`
 *   request fields there); beyond the largest size, EFBIG.
 * - `directory.ts` — names (strings that keep every byte: see the library's
 *   names module) in insertion order, each with a cookie that is its
 *   readdir offset, so a listing survives concurrent unlinks and renames.
 * - `locks.ts` — POSIX record locks (per lock owner, byte ranges) and flock
 *   locks (per open file), with a queue for blocking requests. A blocked
 *   F_SETLKW waits in memory, not in a thread; an interrupt answers EINTR.
 * - `permissions.ts` — Linux's permission rules. Without the
 *   `defaultPermissions` mount option the kernel leaves nearly all checks to
 *   the filesystem, and memfs makes them; with it (pass
 *   `defaultPermissions: true` here too) the kernel checks and memfs does not.
 *   Either way other users get in only with `allowOther` (the CLI's
 *   `--allow-other`), which memfs's own checks make safe to use.
 * - `time.ts` — nanosecond timestamps (bigint) and the relatime rule.
 * - `handlers.ts` — the FUSE operations: check, change the table, reply.
 *
 * Timestamps follow POSIX: a write updates mtime and ctime; chmod, chown,
 * link, unlink, rename and xattr changes update ctime; adding or removing a
 * name updates the directory's mtime and ctime; reads update atime by the
 * relatime rule (reads the page cache serves never reach memfs).
 *
 * Caching and permissions: the kernel caches names and attributes for
 * `timeout` seconds. A path walk through a cached name sends no lookup, so
 * when memfs checks permissions itself it lets the kernel cache names only in
 * directories everyone may search (x for owner, group and other); elsewhere
 * every walk asks memfs, which checks the caller. After a chmod takes x away
 * from a directory, names cached before stay usable for up to `timeout`
 * seconds. With `defaultPermissions` the kernel checks each walk itself.
 * @module
 */
import { totalmem } from 'node:os';
import type { Operations } from '../../lib/index.js';
import { memfsHandlers } from './handlers.js';
import { InodeTable } from './inodes.js';
import { Permissions } from './permissions.js';

export { memfsHandlers } from './handlers.js';
export type { DirInode, FileInode, Inode, InodeTable } from './inodes.js';

/** How to make a memfs. */
export interface MemfsOptions {
  /** Entry, attribute and negative-entry cache timeout in seconds (default 1). */
  timeout?: number;
  /** Owner of the root directory (default: this process' uid). */
  uid?: number;
  /** Group of the root directory (default: this process' gid). */
  gid?: number;
  /** Permission bits of the root directory (default 0o755). */
  mode?: number;
  /**
   * Set this when mounting with the `defaultPermissions` option: the kernel
   * then checks permissions, and memfs does not repeat the checks.
   */
  defaultPermissions?: boolean;
  /** The most bytes of file data (default: half the machine's memory, like tmpfs). */
  size?: number;
  /** The most inodes (default: one per 4 KiB of `size`). */
  inodes?: number;
}

/** A memfs: its handlers, and its inode table for inspection. */
export interface Memfs {
  /** The handlers to pass to `mount()`. */
  operations: Operations;
  /** The inodes (for tests and tools: count, get, space). */
  inodes: InodeTable;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`memfs: options.${name} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

/** Makes a memfs, returning its handlers and its inode table. */
export function createMemfs(options: MemfsOptions = {}): Memfs {
  const size = Math.floor(nonNegative('size', options.size, totalmem() / 2));
  const inodes = new InodeTable({
    capacity: size,
    maxInodes: Math.floor(nonNegative('inodes', options.inodes, Math.max(1024, size / 4096))),
    uid: nonNegative('uid', options.uid, process.getuid?.() ?? 0),
    gid: nonNegative('gid', options.gid, process.getgid?.() ?? 0),
    rootMode: nonNegative('mode', options.mode, 0o755),
  });
  const operations = memfsHandlers(inodes, {
    timeout: nonNegative('timeout', options.timeout, 1),
    permissions: new Permissions(options.defaultPermissions !== true),
  });
  return { operations, inodes };
}

/** The handlers of a new, empty memfs (see {@link createMemfs} to inspect its inodes too). */
export function memfsOperations(options?: MemfsOptions): Operations {
  return createMemfs(options).operations;
}
