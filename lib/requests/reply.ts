/**
 * The reply funnel: every reply takes its request once, checks and packs its
 * values, and sends them — here, in {@link reply}. Each kind of reply says
 * only how to check and pack its values and which addon call sends them.
 * @module
 */
import type { ReplyResult } from '../../types/native.js';
import { native } from '../addon.js';
import {
  ENTRY_LENGTH,
  LOCK_FIELDS,
  OPEN_FIELDS,
  Packed,
  packAttr,
  packEntry,
  packStatfs,
  STATFS_FIELDS,
} from '../layout.js';
import { encodeName, type NameInput } from '../names.js';
import { checkBytes, checkSize, type Request } from '../request.js';
import type { Attr, Entry, Lock, OpenOptions, StatfsInfo } from '../types.js';
import { object, rangeError, seconds, typeError, uint } from '../validate.js';
import { type BigLock, putU64 } from '../words.js';

/** How one kind of reply checks, packs and sends its values `a` and `b`. */
export interface ReplyKind<A, B> {
  /** Checks and packs; throws a TypeError or RangeError naming `where` for a bad value. */
  pack(where: string, req: Request, a: A, b: B): void;
  /** Sends what `pack` prepared. */
  send(id: number, req: Request, a: A, b: B): ReplyResult;
}

/**
 * Answers `req` through `kind`: marks it answered (throwing if it already
 * was), checks the values (a bad one answers EIO, so the caller is not left
 * waiting, then throws), and sends.
 */
export function reply<A, B>(req: Request, method: string, kind: ReplyKind<A, B>, a: A, b: B): void {
  const id = req._take(method);
  try {
    kind.pack(`${req.op}.${method}`, req, a, b);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(kind.send(id, req, a, b));
}

/** Answers success (errno 0): the reply of requests that have nothing else to say. */
export function replyOk(req: Request): void {
  reply(req, 'replyOk', OK, undefined, undefined);
}

// Replies are synchronous, so one scratch area serves all.
const OPEN_AT = ENTRY_LENGTH;
const SCRATCH = new Packed(Math.max(ENTRY_LENGTH + OPEN_FIELDS.length, STATFS_FIELDS.length, LOCK_FIELDS.length));
const ONE = new Packed(1);
const ERANGE = 34;
/** The largest file offset (off_t). */
const OFFSET_MAX = (1n << 63n) - 1n;

function packOpen(where: string, fh: unknown, options: OpenOptions | undefined, at: number): void {
  putU64(where, 'fh', fh, SCRATCH.words, 2 * at);
  let bits = 0;
  if (options !== undefined) {
    if (typeof options !== 'object' || options === null) typeError(where, 'options', 'an object', options);
    bits =
      (options.directIo ? 1 : 0) |
      (options.keepCache ? 2 : 0) |
      (options.nonseekable ? 4 : 0) |
      (options.cacheReaddir ? 8 : 0) |
      (options.noflush ? 16 : 0);
  }
  SCRATCH.words[2 * (at + 1)] = bits;
  SCRATCH.words[2 * (at + 1) + 1] = 0;
}

/** Success (errno 0). */
export const OK: ReplyKind<undefined, undefined> = {
  pack() {},
  send: (id) => native.replyErr(id, 0),
};

/** An entry (lookup, mknod, mkdir, symlink, link). */
export const ENTRY: ReplyKind<Entry, undefined> = {
  pack: (where, _req, entry) => packEntry(where, entry, SCRATCH, 0),
  send: (id) => native.replyEntry(id, SCRATCH.words),
};

/** Attributes and their timeout (getattr, setattr); `attr.ino` defaults to the request's. */
export const ATTR: ReplyKind<Attr, number> = {
  pack(where, req, attr, timeout) {
    packAttr(where, attr, SCRATCH, 0, (req as Request & { readonly _ino: number | bigint })._ino);
    seconds(where, 'timeout', timeout, 1);
  },
  send: (id, _req, _attr, timeout) => native.replyAttr(id, SCRATCH.words, timeout),
};

/** A file handle and open options (open, opendir). */
export const OPEN: ReplyKind<number | bigint, OpenOptions | undefined> = {
  pack: (where, _req, fh, options) => packOpen(where, fh, options, 0),
  send: (id) => native.replyOpen(id, SCRATCH.words),
};

/** create: an entry and a file handle (with its options in `b`). */
export const CREATE: ReplyKind<Entry, { fh: number | bigint; options: OpenOptions | undefined }> = {
  pack(where, _req, entry, open) {
    packEntry(where, entry, SCRATCH, 0);
    packOpen(where, open.fh, open.options, OPEN_AT);
  },
  send: (id) => native.replyCreate(id, SCRATCH.words),
};

/** Bytes, at most `max` of them. */
export const BUF: ReplyKind<Uint8Array, number> = {
  pack(where, _req, data, max) {
    checkBytes(where, 'data', data);
    checkSize(where, 'data', data.byteLength, max);
  },
  send: (id, _req, data) => native.replyBuf(id, data),
};

/** A byte count, at most `max` (write, copyFileRange). */
export const WRITE: ReplyKind<number, number> = {
  pack: (where, _req, count, max) => void uint(where, 'count', count, max),
  send: (id, _req, count) => native.replyWrite(id, count),
};

/** A symbolic link's target: any bytes but NUL, at most 4095 of them. */
export const READLINK: ReplyKind<NameInput, undefined> = {
  pack(where, _req, target) {
    const bytes = encodeName(where, 'target', target);
    if (bytes.length === 0 || bytes.length > 4095 || bytes.includes(0)) {
      rangeError(where, 'target', 'a non-empty path of at most 4095 bytes without NUL', target);
    }
  },
  send: (id, _req, target) => native.replyReadlink(id, target),
};

/** Filesystem statistics. */
export const STATFS: ReplyKind<StatfsInfo, undefined> = {
  pack: (where, _req, info) => packStatfs(where, info, SCRATCH),
  send: (id) => native.replyStatfs(id, SCRATCH.words),
};

/** A POSIX lock (getlk). */
export const LOCK: ReplyKind<Lock | BigLock, undefined> = {
  pack(where, _req, lock) {
    const l = object(where, 'lock', lock);
    const w = SCRATCH.words;
    w.fill(0, 0, 2 * LOCK_FIELDS.length);
    w[0] = uint(where, 'lock.type (F_RDLCK 0, F_WRLCK 1, F_UNLCK 2)', l.type, 2);
    w[2] = uint(where, 'lock.whence', l.whence ?? 0, 2);
    putU64(where, 'lock.start', l.start, w, 4, OFFSET_MAX);
    putU64(where, 'lock.length', l.length, w, 6, OFFSET_MAX);
    w[8] = uint(where, 'lock.pid', l.pid ?? 0, 0x7fffffff);
  },
  send: (id) => native.replyLock(id, SCRATCH.words),
};

/** One unsigned 64-bit value: bmap's block index. */
export const BMAP: ReplyKind<number | bigint, undefined> = {
  pack: (where, _req, index) => putU64(where, 'index', index, ONE.words, 0),
  send: (id) => native.replyBmap(id, ONE.words),
};

/** One offset: lseek's answer. */
export const LSEEK: ReplyKind<number | bigint, undefined> = {
  pack: (where, _req, offset) => putU64(where, 'offset', offset, ONE.words, 0, OFFSET_MAX),
  send: (id) => native.replyLseek(id, ONE.words),
};

/** Bytes of a file descriptor, spliced: `fd`, then [position, size]. */
export const FD: ReplyKind<number, { position: number | bigint; size: number; max: number }> = {
  pack(where, _req, fd, range) {
    uint(where, 'fd', fd, 0x7fffffff);
    putU64(where, 'position', range.position, ONE.words, 0, OFFSET_MAX);
    uint(where, 'size', range.size, range.max);
  },
  send: (id, _req, fd, range) => native.replyFd(id, fd, range.size, ONE.words),
};

/** An xattr value or name list, by the protocol: the size for a probe, ERANGE when too small, else the bytes. */
export const XATTR_VALUE: ReplyKind<Uint8Array, number> = {
  pack: (where, _req, data) => void checkBytes(where, 'data', data),
  send(id, _req, data, size) {
    if (size === 0) return native.replyXattr(id, data.byteLength);
    if (data.byteLength > size) return native.replyErr(id, ERANGE);
    return native.replyBuf(id, data);
  },
};

/** The answer to an xattr probe: a size. `b` is the request's size, which must be 0. */
export const XATTR_SIZE: ReplyKind<number, number> = {
  pack(where, _req, size, requestSize) {
    if (requestSize !== 0) {
      throw new RangeError(`${where}: only a size-0 probe takes a size reply; this request has size ${requestSize}`);
    }
    uint(where, 'size', size, 0xffffffff);
  },
  send: (id, _req, size) => native.replyXattr(id, size),
};

/** The readiness of a polled file. */
export const POLL: ReplyKind<number, undefined> = {
  pack: (where, _req, revents) => void uint(where, 'revents', revents, 0xffffffff),
  send: (id, _req, revents) => native.replyPoll(id, revents),
};
