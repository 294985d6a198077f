/**
 * The base of every request: reply-once bookkeeping, the caller's context,
 * interrupts as an AbortSignal, and the error reply every operation has.
 * @module
 */
import { native } from './addon.js';
import { EIO, type ErrnoName, errnoOf, MAX_ERRNO } from './errors.js';
import type { RequestContext } from './types.js';
import { rangeError, typeError } from './validate.js';

/** What a request needs from the session that delivered it. */
export interface RequestOwner {
  /** The request got its reply (or was abandoned): stop tracking it. */
  settled(request: Request): void;
  /** The request wants interrupts delivered to its AbortSignal. */
  watchInterrupts(request: Request, controller: AbortController): void;
}

/** Request ids: a slot index (21 bits) and the slot's generation (native/request_table.h). */
const ID_INDEX_SLOTS = 0x200000;

/** @internal The id of the request staged at word `at` of the request slab (its header's index and generation). */
export function recordId(words: Uint32Array, at: number): number {
  return (words[at + 2] as number) * ID_INDEX_SLOTS + (words[at + 1] as number);
}

/** A request from the kernel. Every request but forget must be answered exactly once. */
export abstract class Request {
  /** The operation's name, e.g. `'lookup'`. */
  abstract readonly op: string;
  /** @internal */
  readonly _owner: RequestOwner;
  /** @internal The addon's id for the pending kernel request. */
  readonly _id: number;
  /** @internal The caller's uid, gid, pid and umask. */
  readonly _uid: number;
  /** @internal */
  readonly _gid: number;
  /** @internal */
  readonly _pid: number;
  /** @internal */
  readonly _umask: number;
  /** @internal Watched for garbage collection without a reply (the handler returned before answering). */
  _watched = false;
  #answered = false;
  #ctx: RequestContext | undefined;
  #abort: AbortController | undefined;

  /** @internal From the record header: op, id index, id generation, uid, gid, pid, umask. */
  constructor(owner: RequestOwner, words: Uint32Array, at: number) {
    this._owner = owner;
    this._id = recordId(words, at);
    this._uid = words[at + 3] as number;
    this._gid = words[at + 4] as number;
    this._pid = (words[at + 5] as number) | 0;
    this._umask = words[at + 6] as number;
  }

  /** Whether the request has been answered. */
  get answered(): boolean {
    return this.#answered;
  }

  /** The caller's uid, gid, pid and umask. */
  get ctx(): RequestContext {
    this.#ctx ??= Object.freeze({ uid: this._uid, gid: this._gid, pid: this._pid, umask: this._umask });
    return this.#ctx;
  }

  /**
   * The caller's supplementary groups (read from /proc, so call it only when
   * needed, and before replying).
   */
  groups(): number[] {
    const groups = native.requestGroups(this._id);
    if (groups === undefined) throw new Error(`${this.op}: groups() must be called before the request is answered`);
    if (typeof groups === 'number') throw new Error(`${this.op}: cannot read the caller's groups (errno ${groups})`);
    return groups;
  }

  /**
   * Aborted when the kernel interrupts the request (the caller got a signal).
   * A handler that sees it should stop and `replyError('EINTR')`.
   */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (!this.#answered) this._owner.watchInterrupts(this, this.#abort);
    }
    return this.#abort.signal;
  }

  /** Answers with an errno: a name like `'ENOENT'` or a positive number. */
  replyError(errno: ErrnoName | number): void {
    const id = this._take('replyError');
    const n = typeof errno === 'number' ? errno : errnoOf(errno);
    if (n === undefined || !Number.isInteger(n) || n <= 0 || n > MAX_ERRNO) {
      this._sendInvalid(
        id,
        new RangeError(
          `${this.op}.replyError: errno must be a known errno name or an integer 1..${MAX_ERRNO}, got ${String(errno)}`,
        ),
      );
    }
    this._sent(native.replyErr(id, n));
  }

  /** @internal Marks the request answered and returns its id; throws if it already was. */
  _take(method: string): number {
    if (this.#answered) {
      throw new Error(`${this.op}.${method}: the request was already answered`);
    }
    this.#answered = true;
    this._owner.settled(this);
    return this._id;
  }

  /** @internal A reply's values were invalid: answer EIO so the caller is not left waiting, then throw. */
  _sendInvalid(id: number, error: unknown): never {
    native.replyErr(id, EIO);
    throw error;
  }

  /** @internal Checks the addon's answer to a reply. */
  _sent(result: number): void {
    if (result === -1) throw new Error(`${this.op}: the request is no longer pending (its session was closed)`);
  }

  /** @internal Answers EIO if still pending (used for handler failures). Returns whether it did. */
  _fail(errno: number): boolean {
    if (this.#answered) return false;
    this.#answered = true;
    this._owner.settled(this);
    native.replyErr(this._id, errno > 0 && errno <= MAX_ERRNO ? errno : EIO);
    return true;
  }
}

/** @internal Checks a byte count against the size the kernel asked for. */
export function checkSize(where: string, what: string, length: number, max: number): void {
  if (length > max) rangeError(where, what, `at most ${max} bytes (the size the kernel asked for)`, length);
}

/** @internal Checks that a value is a Uint8Array (Buffer included). */
export function checkBytes(where: string, what: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) typeError(where, what, 'a Buffer or Uint8Array', value);
  return value;
}
