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

/** A struct field's kind: every field takes two 32-bit words (see native/layout.h). */
export type FieldKind = 'U64' | 'I64' | 'U32' | 'F64';

/** The fields of the structs replies pack, in order, as [name, kind] (native/layout.h). */
export interface Layouts {
  readonly attr: readonly (readonly [string, FieldKind])[];
  readonly entry: readonly (readonly [string, FieldKind])[];
  readonly statfs: readonly (readonly [string, FieldKind])[];
  readonly open: readonly (readonly [string, FieldKind])[];
  readonly lock: readonly (readonly [string, FieldKind])[];
  /** The connection info crosses as a Float64Array of its own. */
  readonly conn: readonly (readonly [string, FieldKind])[];
}

/** What the loop threads deliver to JavaScript, in batches, on the JS thread. */
export interface SessionCallbacks {
  /**
   * `count` requests are staged in the session's request slab (`requestSlab()`):
   * record i is at words[i * RECORD_WORDS …] (its layout is generated from
   * scripts/codegen/operations.mjs: lib/generated/operations.ts reads it), its
   * names and data at objects[i * OBJECT_SLOTS …]. The slab is reused after the call.
   */
  requests(count: number): void;
  /** Forgets, already answered: per forget ino and nlookup, each as low then high word. */
  forget(words: Uint32Array): void;
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
  notify(
    kind: number,
    id: number,
    ino: number,
    a: number,
    b: number,
    name?: string | Uint8Array,
    data?: Uint8Array,
  ): boolean;
  /** The request slab: the words the addon stages requests in, and their names and data. */
  requestSlab(): [words: Uint32Array, objects: unknown[]];
}

export interface NativeAddon {
  readonly Session: typeof Session;
  readonly OP: OperationNumbers;
  readonly LAYOUT: Layouts;
  /** FUSE_CAP_* flags by name without the prefix. */
  readonly CAP: Readonly<Record<string, number>>;
  readonly NOTIFY: NotifyKinds;
  /** The libfuse version the addon runs against, e.g. 314. */
  readonly libfuseVersion: number;
  /** The hash of the native sources it was built from (scripts/source-hash.mjs). */
  readonly sourceHash: string;

  replyErr(id: number, errno: number): ReplyResult;
  /** words: LAYOUT.entry then LAYOUT.attr. */
  replyEntry(id: number, words: Uint32Array): ReplyResult;
  replyAttr(id: number, words: Uint32Array, timeout: number): ReplyResult;
  /** The target's bytes, or a string read as lib/names.ts describes. */
  replyReadlink(id: number, target: string | Uint8Array): ReplyResult;
  /** words: LAYOUT.open (fh; flags bit 0 direct_io, 1 keep_cache, 2 nonseekable, 3 cache_readdir, 4 noflush). */
  replyOpen(id: number, words: Uint32Array): ReplyResult;
  replyBuf(id: number, data?: Uint8Array): ReplyResult;
  /** The parts in order, in one writev (fuse_reply_iov); at most 256 of them. */
  replyBufs(id: number, parts: readonly Uint8Array[]): ReplyResult;
  /** position: one 64-bit field (two words). */
  replyFd(id: number, fd: number, size: number, position: Uint32Array): ReplyResult;
  replyStatfs(id: number, words: Uint32Array): ReplyResult;
  replyXattr(id: number, size: number): ReplyResult;
  /** names: the entry names separated by NUL (escaped bytes as lib/names.ts describes). words: per name,
   * the next offset then LAYOUT.entry then LAYOUT.attr when `plus`, else the next offset, the ino and the
   * mode (3 fields); two words per field. Returns how many entries fit in `size` bytes and were sent, or -1. */
  replyDirents(id: number, plus: boolean, size: number, names: string, words: Uint32Array): number;

  /** count: bytes written (write, copyFileRange). */
  replyWrite(id: number, count: number): ReplyResult;
  /** words: LAYOUT.entry, LAYOUT.attr, then LAYOUT.open. */
  replyCreate(id: number, words: Uint32Array): ReplyResult;
  /** words: LAYOUT.lock. */
  replyLock(id: number, words: Uint32Array): ReplyResult;
  /** words: the index (one 64-bit field). */
  replyBmap(id: number, words: Uint32Array): ReplyResult;
  replyIoctl(id: number, result: number, data?: Uint8Array): ReplyResult;
  /** input, output: pairs of (address, length) in the caller's memory. */
  replyIoctlRetry(id: number, input: Float64Array, output: Float64Array): ReplyResult;
  replyPoll(id: number, revents: number): ReplyResult;
  /** words: the offset (one 64-bit field). */
  replyLseek(id: number, words: Uint32Array): ReplyResult;

  /** Wakes the poller behind a handle: 0, or a positive errno. The handle's session must be mounted. */
  notifyPoll(handle: NativePollHandle): number;

  /** Supplementary groups, a positive errno, or undefined when not pending. */
  requestGroups(id: number): number[] | number | undefined;
  watchInterrupt(id: number): boolean;
}
