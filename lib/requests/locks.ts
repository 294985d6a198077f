/**
 * POSIX record locks (fcntl) and BSD locks (flock). Without these handlers the
 * kernel keeps locks local to this machine, which is right for most filesystems.
 * @module
 */
import { FlockFields, GetlkFields, SetlkFields } from '../generated/operations.js';
import type { Lock } from '../types.js';
import type { BigLock } from '../words.js';
import { LOCK, reply, replyOk } from './reply.js';

/** getlk: is there a lock that would conflict with `lock`? */
export class GetlkRequest extends GetlkFields {
  /** Answers with the conflicting lock, or `{ ...lock, type: F_UNLCK }` when there is none. */
  replyLock(lock: Lock | BigLock): void {
    reply(this, 'replyLock', LOCK, lock, undefined);
  }
}

/**
 * setlk: take or release (F_UNLCK) a POSIX lock. With `wait` (F_SETLKW) the
 * handler may keep the request until the lock is free; `signal` fires if the
 * caller is interrupted (answer EINTR then).
 */
export class SetlkRequest extends SetlkFields {
  /** Answers that the lock was taken (or released). */
  replyOk(): void {
    replyOk(this);
  }
}

/** flock: take or release a BSD lock (LOCK_SH, LOCK_EX or LOCK_UN, possibly with LOCK_NB). */
export class FlockRequest extends FlockFields {
  /** Answers that the lock was taken (or released). */
  replyOk(): void {
    replyOk(this);
  }
}
