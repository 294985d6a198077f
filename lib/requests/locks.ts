/**
 * POSIX record locks (fcntl) and BSD locks (flock). Without these handlers the
 * kernel keeps locks local to this machine, which is right for most filesystems.
 * @module
 */
import { native } from '../addon.js';
import type { Lock } from '../types.js';
import { object, uint } from '../validate.js';
import { HandleRequest } from './base.js';
import { type Args, sendOk } from './reply.js';

const LOCK = new Float64Array(5);

function toLock(values: Float64Array): Lock {
  return {
    type: values[0] ?? 0,
    whence: values[1] ?? 0,
    start: values[2] ?? 0,
    length: values[3] ?? 0,
    pid: values[4] ?? 0,
  };
}

/** A POSIX lock request on an open file. */
abstract class PosixLockRequest extends HandleRequest {
  /** Who holds or wants the lock (the kernel's lock owner cookie). */
  readonly lockOwner: bigint;
  /** The range and type (whence is always SEEK_SET: start is absolute; length 0 means to the end). */
  readonly lock: Lock;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.lockOwner = args[8] ?? 0n;
    this.lock = toLock(args[13] as Float64Array);
  }
}

/** getlk: is there a lock that would conflict with `lock`? */
export class GetlkRequest extends PosixLockRequest {
  /** The operation's name. */
  readonly op = 'getlk';
  /** Answers with the conflicting lock, or `{ ...lock, type: F_UNLCK }` when there is none. */
  replyLock(lock: Lock): void {
    const id = this._take('replyLock');
    try {
      const l = object('getlk.replyLock', 'lock', lock);
      LOCK[0] = uint('getlk.replyLock', 'lock.type (F_RDLCK 0, F_WRLCK 1, F_UNLCK 2)', l.type, 2);
      LOCK[1] = uint('getlk.replyLock', 'lock.whence', l.whence ?? 0, 2);
      LOCK[2] = uint('getlk.replyLock', 'lock.start', l.start);
      LOCK[3] = uint('getlk.replyLock', 'lock.length', l.length);
      LOCK[4] = uint('getlk.replyLock', 'lock.pid', l.pid ?? 0, 0x7fffffff);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyLock(id, LOCK));
  }
}

/**
 * setlk: take or release (F_UNLCK) a POSIX lock. With `wait` (F_SETLKW) the
 * handler may keep the request until the lock is free; `signal` fires if the
 * caller is interrupted (answer EINTR then).
 */
export class SetlkRequest extends PosixLockRequest {
  /** The operation's name. */
  readonly op = 'setlk';
  /** F_SETLKW: wait for a conflicting lock instead of failing with EAGAIN. */
  readonly wait: boolean;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.wait = args[4] !== 0;
  }
  /** Answers that the lock was taken (or released). */
  replyOk(): void {
    sendOk(this);
  }
}

/** flock: take or release a BSD lock (LOCK_SH, LOCK_EX, LOCK_UN, with LOCK_NB). */
export class FlockRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'flock';
  /** Identifies the open file description holding the lock. */
  readonly lockOwner: bigint;
  /** LOCK_SH (1), LOCK_EX (2) or LOCK_UN (8), possibly with LOCK_NB (4). */
  readonly operation: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.lockOwner = args[8] ?? 0n;
    this.operation = args[4];
  }
  /** Answers that the lock was taken (or released). */
  replyOk(): void {
    sendOk(this);
  }
}
