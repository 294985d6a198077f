/**
 * passthrough: mirrors a directory of the host, like libfuse's passthrough_ll
 * example, in TypeScript over Node's `fs`.
 *
 *     fuse-lowlevel passthrough /mnt/mirror --source /srv/data
 *
 * ```ts
 * import { mount } from 'fuse-lowlevel';
 * const source = '/srv/data';
 * const session = await mount('/mnt/mirror', passthroughOperations(source), passthroughMountOptions(source));
 * ```
 *
 * ## Design
 * - **Inodes** (inodes.ts). passthrough_ll pins each inode with an O_PATH
 *   descriptor and works with the *at() calls; Node has neither. Here an inode
 *   table maps each source file, by its (st_dev, st_ino), to an inode number of
 *   our own counter (safe integers, never reused, generation 0), with the
 *   kernel's lookup count and the file's names relative to the source root.
 *   Rename, link, unlink and rmdir update the names (a directory's rename moves
 *   every name recorded below it); hard links are one inode with several
 *   names; forget drops an inode when its lookups reach 0. `stat` through the
 *   mount shows our inode numbers, consistent with the kernel's.
 * - **File handles** (handles.ts, files.ts) are real descriptors (plain
 *   fds). `read` replies with `replyFd`: libfuse splices the bytes
 *   from the source file to the kernel, and they never enter JavaScript.
 *   `write` is a pwrite to the descriptor; release closes it; fsync and
 *   fdatasync are the real calls. An unlinked file stays usable while open.
 * - **Directory handles** (directories.ts) hold a snapshot of the listing
 *   taken at opendir (and again on rewinddir), so offsets are stable indices.
 *   readdirplus stats each entry and hands out its inode (a lookup).
 * - **Ownership** (ownership.ts). Unlike passthrough_ll, new files,
 *   directories, symlinks and nodes belong to the caller: the server creates
 *   them, then chowns them to the request's uid/gid (keeping the group of a
 *   set-group-ID directory) and sets exactly the mode the kernel asked for.
 *   This needs a server running as root (or callers that are its own user).
 * - **Permissions**: mount with `defaultPermissions` (see
 *   {@link passthroughMountOptions}): the kernel then checks every access
 *   against the source's owners and modes. Add `allowOther` to let other users
 *   in (root, or `user_allow_other` in /etc/fuse.conf) — never without
 *   `defaultPermissions`, or every user acts with the server's rights.
 *   `access` is implemented from the mode bits, for mounts without it.
 * - **Killing suid/sgid** is left to the kernel (HANDLE_KILLPRIV is turned
 *   off): the server writes as root, so the source would keep the bits.
 * - **Synchronous metadata calls.** Like passthrough_ll, which makes its
 *   syscalls on the loop thread, the handlers make the metadata calls on the
 *   source synchronously, on the JS thread: lstat, fstat, open, close, mkdir,
 *   unlink, rename, link, symlink, readlink, readdir, chmod, chown, utimes,
 *   statfs (`fs.*Sync`). On a local source each takes a few microseconds,
 *   where a trip through libuv's thread pool (`fs.promises`) costs about
 *   100 µs of CPU and wake-ups: the synchronous calls make the metadata
 *   operations 3–4× faster. Data I/O, whose time grows with the data, stays
 *   asynchronous: reads are spliced by libfuse, and write, fsync, fdatasync,
 *   truncate (and open with O_TRUNC), fallocate and copy_file_range go
 *   through the thread pool. The price: while a metadata call waits for the
 *   source's disk (a cold cache on a spinning disk, a network filesystem),
 *   every other request waits too, as they do in a single-threaded
 *   passthrough_ll; unlinking a large file frees its blocks during the call;
 *   a directory is listed whole at opendir (a few ms per 10,000 entries).
 *   For a slow or remote source, serving from a thread pool would overlap
 *   those waits at a far higher CPU cost per request.
 * - Synchronous calls are safe here only because they go to the source, a
 *   host directory, never to our own mount: never let the serving process
 *   itself touch the mount, and never mirror a source inside the mountpoint
 *   (a sync call on the mount from the JS thread waits forever for itself).
 *
 * ## Limits, compared with passthrough_ll
 * - Paths, not O_PATH descriptors: if the source is changed behind the
 *   mount's back, cached inodes may point at stale names. A name found to be
 *   gone (ENOENT on an inode's own path) or to hold another file (getattr
 *   compares st_dev/st_ino) is dropped and answered ESTALE, on which the
 *   kernel looks the name up afresh and retries. Until then, an inode whose
 *   name now holds another file reaches that file. An operation racing with
 *   the rename of one of its ancestor directories may fail with ENOENT.
 *   An unlinked file is reachable only through its open descriptors (reopening
 *   it through /proc/PID/fd answers ESTALE).
 * - Names must be valid UTF-8 (Node's and this library's strings).
 * - rename: RENAME_NOREPLACE and RENAME_EXCHANGE answer EINVAL (as in
 *   passthrough_ll): Node has no renameat2, and emulating them is not atomic.
 * - Times: Node's utimes takes seconds as a double. With Node 20's libuv it
 *   keeps whole microseconds (times are exact to the µs); with Node 24's it
 *   keeps nanoseconds, as far as a double holds them (within 120 ns for
 *   today's times). It also cannot leave one time alone (UTIME_OMIT), so
 *   setting only atime or only mtime rewrites the other with its current
 *   value, to that precision; 'now' is the server's clock, to the ms.
 * - mknod: regular files and unix sockets only (a socket is bound to a
 *   temporary name, hard-linked into place, then closed). FIFOs and device
 *   nodes answer EPERM: Node cannot create them.
 * - No extended attributes (Node has no xattr calls): the handlers are left
 *   out, the kernel learns ENOSYS once and then answers EOPNOTSUPP itself.
 * - fallocate: mode 0 only, by extending the size (no blocks are reserved);
 *   other modes answer EOPNOTSUPP.
 * - copy_file_range copies through a 1 MiB buffer (16 MiB per request).
 * - No lseek (SEEK_DATA/SEEK_HOLE): the kernel falls back to "all data".
 * - No flush: it has nothing to do here (passthrough_ll's close(dup(fd))
 *   needs dup, which Node lacks); writes are already on the source when
 *   acknowledged. Without the handler the kernel stops sending it.
 * - No getlk/setlk/flock: the kernel keeps locks locally, which is right for
 *   a single mount (they do not reach the source's other users).
 * - O_DIRECT is not passed to the source (Node's buffers are not aligned).
 * @module
 */
import { resolve } from 'node:path';
import { CAP, type MountOptions, type Operations } from '../../lib/index.js';
import { attributeOperations } from './attributes.js';
import { directoryOperations } from './directories.js';
import { entryOperations } from './entries.js';
import { fileOperations } from './files.js';
import { Mirror } from './mirror.js';

/** Options of {@link passthroughOperations}. */
export interface PassthroughOptions {
  /** Seconds the kernel may cache entries, attributes and missing names (default 1; 0 turns caching off). */
  timeout?: number;
}

/**
 * The handlers of a filesystem mirroring directory `source`. The source is
 * checked (it must be a directory) when the kernel connects, so `mount()`
 * rejects for a bad one.
 */
export function passthroughOperations(source: string, options: PassthroughOptions = {}): Operations {
  const timeout = options.timeout ?? 1;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    throw new RangeError(`passthroughOperations: options.timeout must be a number of seconds >= 0, got ${timeout}`);
  }
  const mirror = new Mirror(resolve(source), timeout);
  return {
    async init(conn) {
      // The server runs as root: writes and truncates through it would keep
      // suid/sgid bits. Let the kernel clear them with a setattr instead.
      conn.want &= ~CAP.HANDLE_KILLPRIV;
      await mirror.start();
    },
    destroy: () => mirror.handles.closeAll(),
    ...entryOperations(mirror),
    ...attributeOperations(mirror),
    ...fileOperations(mirror),
    ...directoryOperations(mirror),
  };
}

/**
 * The mount options passthrough is meant for: `defaultPermissions` (the kernel
 * checks permissions from the source's owners and modes), and the source as
 * the name in /proc/mounts. Add `allowOther: true` to let other users in.
 */
export function passthroughMountOptions(source: string): MountOptions {
  const fsName = resolve(source);
  return {
    fsName: fsName.includes(',') ? 'passthrough' : fsName,
    subtype: 'passthrough',
    defaultPermissions: true,
  };
}
