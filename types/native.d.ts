/**
 * The exact surface exported by the native addon (native/addon.cc). This file is
 * the contract between native/ and lib/: lib/ imports nothing else from the addon.
 *
 * Request ids are safe integers handed to `SessionCallbacks.request`; every reply
 * function takes one first and returns {@link ReplyResult}.
 */

/** 0: sent. > 0: libfuse could not send it (that errno); the request is finished
 * either way. -1: the id is not pending (already answered, or its session closed). */
export type ReplyResult = number;

/** The operations a filesystem may implement, by name. */
export interface OperationNumbers {
  readonly lookup: number;
  readonly forget: number;
  readonly getattr: number;
  readonly readlink: number;
  readonly open: number;
  readonly read: number;
  readonly flush: number;
  readonly release: number;
  readonly opendir: number;
  readonly readdir: number;
  readonly readdirplus: number;
  readonly releasedir: number;
  readonly statfs: number;
  readonly access: number;
  readonly getxattr: number;
  readonly listxattr: number;
  readonly setattr: number;
  readonly mknod: number;
  readonly mkdir: number;
  readonly unlink: number;
  readonly rmdir: number;
  readonly symlink: number;
  readonly rename: number;
  readonly link: number;
  readonly write: number;
  readonly fsync: number;
  readonly fsyncdir: number;
  readonly create: number;
  readonly setxattr: number;
  readonly removexattr: number;
  readonly getlk: number;
  readonly setlk: number;
  readonly flock: number;
  readonly bmap: number;
  readonly ioctl: number;
  readonly poll: number;
  readonly fallocate: number;
  readonly copyFileRange: number;
  readonly lseek: number;
}

/** A libfuse poll handle (an External); freed when garbage-collected. */
export interface NativePollHandle {
  readonly __pollHandle: unique symbol;
}

/** Field order of the Float64Arrays that carry structs (see native/layout.h). */
export interface Layouts {
  readonly attr: readonly string[];
  readonly entry: readonly string[];
  readonly statfs: readonly string[];
  readonly conn: readonly string[];
}

/** What the loop threads deliver to JavaScript, in batches, on the JS thread. */
export interface SessionCallbacks {
  /**
   * A request. Positional arguments, by operation:
   * - lookup: ino = parent, name
   * - getattr: ino, fh (valid when n1 === 1)
   * - readlink, statfs: ino
   * - open, opendir: ino, flags
   * - read, readdir, readdirplus: ino, fh, n1 = offset, n2 = size, flags
   * - flush: ino, fh, lockOwner
   * - release, releasedir: ino, fh, flags, lockOwner, n1 = bit 0 flush, bit 1 flock_release
   * - access: ino, n1 = mask
   * - getxattr: ino, name, n1 = size
   * - listxattr: ino, n1 = size
   * - setattr: ino, fh (valid when n1 === 1), flags = to_set bits, data = attr (LAYOUT.attr)
   * - mknod: ino = parent, name, n1 = mode, n2 = rdev
   * - mkdir: ino = parent, name, n1 = mode
   * - unlink, rmdir: ino = parent, name
   * - symlink: ino = parent, name, name2 = target
   * - rename: ino = parent, name, ino2 = new parent, name2 = new name, flags
   * - link: ino, ino2 = new parent, name2 = new name
   * - write: ino, fh, n1 = offset, n2 = size, flags, lockOwner, n3 = writepage, data = bytes
   * - fsync, fsyncdir: ino, fh, n1 = datasync
   * - create: ino = parent, name, n1 = mode, flags
   * - setxattr: ino, name, flags, data = value bytes
   * - removexattr: ino, name
   * - getlk, setlk: ino, fh, lockOwner, n1 = sleep (setlk), data = lock [type, whence, start, len, pid]
   * - flock: ino, fh, lockOwner, n1 = operation
   * - bmap: ino, n1 = block size, n2 = index
   * - ioctl: ino, fh, n1 = cmd, n2 = output size, flags, n3 = arg pointer, data = input bytes
   * - poll: ino, fh, n1 = events, data = poll handle or undefined
   * - fallocate: ino, fh, n1 = offset, n2 = length, flags = mode
   * - copyFileRange: ino = in, fh = in fh, n1 = in offset, n2 = length, flags, ino2 = out, fh2 = out fh, n3 = out offset
   * - lseek: ino, fh, n1 = offset, flags = whence
   *
   * The last five arguments are passed only for the operations that use them.
   */
  request(
    op: number,
    id: number,
    ino: number,
    fh: number,
    n1: number,
    n2: number,
    flags: number,
    name: string | undefined,
    lockOwner: bigint | undefined,
    ino2?: number,
    fh2?: number,
    n3?: number,
    name2?: string,
    data?: Buffer | Float64Array | NativePollHandle,
  ): void;
  /** Forgets, already answered: pairs of (ino, nlookup). */
  forget(pairs: Float64Array): void;
  /** The kernel's INIT, laid out as `LAYOUT.conn`. Answer with `finishInit`. */
  init(conn: Float64Array): void;
  /** The kernel interrupted a request watched with `watchInterrupt`. */
  interrupt(id: number): void;
  /** The loop ended by itself (unmounted from outside, or a device error errno). */
  ended(errno: number): void;
  /** Notification `id` was written (errno 0) or failed (a positive errno). */
  notified(id: number, errno: number): void;
  /** The kernel's cached bytes for retrieve notification `id`. */
  retrieved(id: number, data: Buffer): void;
  /** A request made by this very process (reported once per session, before the request). */
  selfRequest(op: number): void;
}

/** Notification kinds for `Session.notify`, by name. */
export interface NotifyKinds {
  /** a = offset, b = length (0: to the end; offset < 0 would drop attributes only — not exposed). */
  readonly invalInode: number;
  /** ino = parent, name. */
  readonly invalEntry: number;
  /** ino = parent, name (kernels with EXPIRE_ONLY). */
  readonly expireEntry: number;
  /** ino = parent, a = child, name. */
  readonly delete: number;
  /** a = offset, data. */
  readonly store: number;
  /** a = offset, b = size; the bytes arrive through `retrieved`. */
  readonly retrieve: number;
}

/** A libfuse lowlevel session. */
export declare class Session {
  constructor(ops: readonly number[], callbacks: SessionCallbacks);
  /** Creates the libfuse session from `args` (argv after argv[0]), mounts, and
   * starts `threads` loop threads. `maxRead` repeats the max_read option (0 when
   * unset), which libfuse wants in init too. Throws with libfuse's message on failure. */
  mount(mountpoint: string, args: readonly string[], threads: number, maxRead: number): void;
  /** Answers the waiting INIT with `conn` (LAYOUT.conn order), or rejects it (null). */
  finishInit(conn: Float64Array | null): void;
  /** Stops the loops, answers every pending request EIO, unmounts, and frees
   * the session. Idempotent and synchronous. */
  close(): void;
  /** Whether the mounted session keeps the event loop alive. */
  setRef(ref: boolean): void;
  /** Queues a kernel notification (written from a thread of its own); false when closed. */
  notify(kind: number, id: number, ino: number, a: number, b: number, name?: string, data?: Uint8Array): boolean;
}

/** The caller of a request. */
export interface NativeContext {
  uid: number;
  gid: number;
  pid: number;
  umask: number;
}

export interface NativeAddon {
  readonly Session: typeof Session;
  readonly OP: OperationNumbers;
  readonly LAYOUT: Layouts;
  /** FUSE_CAP_* flags by name without the prefix: the ones the headers it was built with define. */
  readonly CAP: Readonly<Record<string, number>>;
  readonly NOTIFY: NotifyKinds;
  /** The libfuse version the addon runs against, e.g. 314 (fuse_version()). */
  readonly libfuseVersion: number;
  /** The same as a full version string, e.g. "3.17.2" (fuse_pkgversion()). */
  readonly libfusePackageVersion: string;
  /** The libfuse version of the headers it was compiled with (FUSE_VERSION), e.g. 317. */
  readonly libfuseHeadersVersion: number;
  /** The hash of the native sources it was built from (scripts/source-hash.mjs). */
  readonly sourceHash: string;

  replyErr(id: number, errno: number): ReplyResult;
  /** entry: LAYOUT.entry then LAYOUT.attr. */
  replyEntry(id: number, entry: Float64Array): ReplyResult;
  replyAttr(id: number, attr: Float64Array, timeout: number): ReplyResult;
  replyReadlink(id: number, target: string): ReplyResult;
  /** flags: bit 0 direct_io, 1 keep_cache, 2 nonseekable, 3 cache_readdir, 4 noflush. */
  replyOpen(id: number, fh: number, flags: number): ReplyResult;
  replyBuf(id: number, data?: Uint8Array): ReplyResult;
  /** The parts in order, in one writev (fuse_reply_iov); at most 256 of them. */
  replyBufs(id: number, parts: readonly Uint8Array[]): ReplyResult;
  replyFd(id: number, fd: number, position: number, size: number): ReplyResult;
  replyStatfs(id: number, stats: Float64Array): ReplyResult;
  replyXattr(id: number, size: number): ReplyResult;
  /** names: the entry names separated by NUL. values: per name, the next offset then
   * LAYOUT.entry then LAYOUT.attr when `plus`, else the next offset, the ino and the
   * mode (3 numbers). Returns how many entries fit in `size` bytes and were sent, or -1. */
  replyDirents(id: number, plus: boolean, size: number, names: string, values: Float64Array): number;

  /** count: bytes written (write, copyFileRange). */
  replyWrite(id: number, count: number): ReplyResult;
  /** entry as replyEntry; fh and flags as replyOpen. */
  replyCreate(id: number, entry: Float64Array, fh: number, flags: number): ReplyResult;
  /** lock: [type, whence, start, len, pid]. */
  replyLock(id: number, lock: Float64Array): ReplyResult;
  replyBmap(id: number, index: number): ReplyResult;
  replyIoctl(id: number, result: number, data?: Uint8Array): ReplyResult;
  /** input, output: pairs of (address, length) in the caller's memory. */
  replyIoctlRetry(id: number, input: Float64Array, output: Float64Array): ReplyResult;
  replyPoll(id: number, revents: number): ReplyResult;
  replyLseek(id: number, offset: number): ReplyResult;

  /** Wakes the poller behind a handle: 0, or a positive errno. The handle's session must be mounted. */
  notifyPoll(handle: NativePollHandle): number;

  requestContext(id: number): NativeContext | undefined;
  /** Supplementary groups, a positive errno, or undefined when not pending. */
  requestGroups(id: number): number[] | number | undefined;
  watchInterrupt(id: number): boolean;
}
