/**
 * Native system calls for filesystems that mirror or overlay real files —
 * what `node:fs` lacks to write a passthrough correctly: descriptor-relative
 * calls on O_PATH handles (`openat`, `fstatat`, `mknodat`, `renameat2` …),
 * extended attributes on descriptors, every `fallocate` mode, `copy_file_range`,
 * `lseek` with SEEK_DATA/SEEK_HOLE, `getdents64` with offset cookies, and the
 * caller's credentials for creating files. Import it as a namespace:
 *
 * ```ts
 * import { sys } from 'fuse-lowlevel';
 * const root = sys.openat(sys.AT_FDCWD, '/srv/data', sys.O_PATH | sys.O_DIRECTORY);
 * const st = sys.fstatat(root, 'notes.txt', sys.AT_SYMLINK_NOFOLLOW); // { ino, mode, size, mtime: 1733…n, … }
 * sys.mknodat(root, 'fifo', sys.S_IFIFO | 0o644, 0, { uid: 1000, gid: 1000 });
 * ```
 *
 * **Sync and async.** Every call has a synchronous form (runs on the calling
 * thread, throws) and an `…Async` form (runs on the libuv thread pool, returns
 * a promise). Use the synchronous form for cheap metadata on a local
 * filesystem — what libfuse's passthrough_ll does on its loop thread:
 * `openat` with O_PATH, `fstatat`, `mknodat`, `mkdirat`, `symlinkat`, `linkat`,
 * `renameat2`, `unlinkat`, `readlinkat`, `fchownat`, `fchmodat`, `utimensat`,
 * `close`, `dup`, small `getdents64` batches and xattrs on local filesystems.
 * Use the `…Async` form for anything that may block: `fsync`, `fdatasync`,
 * `fallocate`, `copyFileRange`, `ftruncate`/`truncateat` of large files,
 * `pread`/`pwrite`, `flock` without LOCK_NB, `openat` with O_TRUNC, large
 * directories, and every call on a network filesystem. A FUSE handler's
 * synchronous call stalls every other request for its duration.
 *
 * **Errors** are Node errno errors, as node:fs makes them: `err.code`
 * (`'ENOENT'`), `err.errno` (negative: -2), `err.syscall` (`'fstatat'`),
 * `err.path` and `err.dest` when the call names a path, and a message like
 * `ENOENT: no such file or directory, fstatat 'notes.txt'`. A handler may
 * rethrow them: fuse-lowlevel answers the request with that errno. Wrong
 * argument types or ranges throw TypeError/RangeError synchronously, also
 * from the `…Async` forms.
 *
 * **Names are bytes** (see `nameFromBytes`): every name, path, symlink target and
 * xattr name is a string or a Uint8Array; names the calls return are strings
 * that keep non-UTF-8 bytes as escapes, or Buffers with `{ encoding: 'buffer' }`.
 *
 * **64-bit values** (inode and device numbers, sizes, offsets, block counts)
 * are numbers when safe integers, else bigints ({@link Uint64}); offsets and
 * lengths given may be either. Times are bigint nanoseconds since the epoch.
 * A {@link Stat} has the field names of `Attr`; a {@link Statfs} those of
 * `StatfsInfo`.
 *
 * **O_PATH descriptors** cannot be read or written, and some calls refuse them
 * (EBADF): the `…at` forms with AT_EMPTY_PATH and `''` reach the file behind
 * one anyway (`fchmodat`, `utimensat`, `truncateat`, `…xattrat` go through
 * `/proc/self/fd/N`, see {@link fdPath}; `fstatat`, `fchownat`, `readlinkat`
 * take it natively).
 *
 * **Credentials**: a passthrough creates files as the caller of the request.
 * The creating calls take `cred` ({@link Credentials}): the fsuid/fsgid (and
 * groups) are set around the call on the thread that runs it and restored.
 * `setfsuid`, `setfsgid` and `setgroups` change the calling thread only.
 *
 * **Modes** of new files are masked by the process umask, which is shared by
 * all threads. A passthrough calls `process.umask(0)` at start, as
 * passthrough_ll does (the kernel, or `req.ctx.umask` with DONT_MASK, already
 * applied the caller's umask), and passes the request's mode as it is.
 * @module
 */

export * from './constants.js';
export * from './credentials.js';
export * from './data.js';
export * from './directories.js';
export * from './files.js';
export type { Credentials, DirentBatch, EncodingOption, Int64, RecordLock, Stat, Statfs, Uint64 } from './types.js';
export * from './xattrs.js';
