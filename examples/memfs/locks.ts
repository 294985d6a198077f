/**
 * The locks on one inode: POSIX record locks (fcntl F_SETLK/F_GETLK, held by
 * a lock owner over a byte range) and BSD flock locks (held by an open file
 * description), plus the queue of callers waiting for a blocking lock.
 * Nothing here knows about FUSE: a waiter is a callback that retries.
 * @module
 */

/** The last byte a lock can cover (OFFSET_MAX): a lock of length 0 reaches it. Ranges are bigints: locks cover 64-bit offsets. */
export const LOCK_END = 2n ** 63n - 1n;

/** struct flock l_type: a read (shared) lock. */
export const F_RDLCK = 0;
/** struct flock l_type: a write (exclusive) lock. */
export const F_WRLCK = 1;
/** struct flock l_type: unlock (or, from F_GETLK, no conflict). */
export const F_UNLCK = 2;

/** flock(2): a shared lock. */
export const LOCK_SH = 1;
/** flock(2): an exclusive lock. */
export const LOCK_EX = 2;
/** flock(2): fail with EWOULDBLOCK instead of waiting. */
export const LOCK_NB = 4;
/** flock(2): unlock. */
export const LOCK_UN = 8;

/** A POSIX lock held on a byte range. */
export interface RangeLock {
  /** The kernel's lock owner cookie (one per process' file table). */
  readonly owner: bigint;
  /** The holder's pid, reported by F_GETLK. */
  readonly pid: number;
  /** F_RDLCK or F_WRLCK. */
  readonly type: number;
  /** First byte. */
  readonly start: bigint;
  /** Last byte, inclusive; {@link LOCK_END} for "to the end of the file and beyond". */
  readonly end: bigint;
}

/** A blocked caller: `retry` tries again and returns true once it is done (answered). */
type Waiter = { retry(): boolean };

/** The locks of one inode. */
export class InodeLocks {
  /** POSIX locks, unordered; the ranges of one owner never overlap. */
  #posix: RangeLock[] = [];
  /** flock locks by the file handle (open file description) holding them. */
  readonly #flocks = new Map<number, typeof LOCK_SH | typeof LOCK_EX>();
  readonly #waiters = new Set<Waiter>();
  #waking = false;
  #again = false;

  /** Whether nothing is held or awaited (the inode may drop this object). */
  get idle(): boolean {
    return this.#posix.length === 0 && this.#flocks.size === 0 && this.#waiters.size === 0;
  }

  /** The first lock of another owner that conflicts with `type` over [start, end], if any. */
  conflict(owner: bigint, type: number, start: bigint, end: bigint): RangeLock | undefined {
    if (type === F_UNLCK) return undefined;
    return this.#posix.find(
      (l) => l.owner !== owner && l.start <= end && start <= l.end && (type === F_WRLCK || l.type === F_WRLCK),
    );
  }

  /**
   * Sets `owner`'s lock over [start, end] to `type` (F_UNLCK removes it),
   * splitting and merging the owner's existing ranges. The caller checked for
   * conflicts. Wakes waiters when anything may have been released.
   */
  setPosix(owner: bigint, pid: number, type: number, start: bigint, end: bigint): void {
    const kept: RangeLock[] = [];
    let lo = start;
    let hi = end;
    for (const l of this.#posix) {
      if (l.owner !== owner || l.end < start - 1n || l.start > end + 1n) {
        kept.push(l);
      } else if (l.type === type) {
        // Same type, overlapping or adjacent: merge into the new range.
        if (l.start < lo) lo = l.start;
        if (l.end > hi) hi = l.end;
      } else {
        // Another type: keep the parts outside the new range.
        if (l.start < start) kept.push({ ...l, end: start - 1n });
        if (l.end > end) kept.push({ ...l, start: end + 1n });
      }
    }
    if (type !== F_UNLCK) kept.push({ owner, pid, type, start: lo, end: hi });
    this.#posix = kept;
    this.wake();
  }

  /** Drops every POSIX lock of `owner` (a close by that process). */
  releasePosix(owner: bigint): void {
    const before = this.#posix.length;
    this.#posix = this.#posix.filter((l) => l.owner !== owner);
    if (this.#posix.length !== before) this.wake();
  }

  /**
   * Tries flock operation `op` (LOCK_SH, LOCK_EX or LOCK_UN) for handle `fh`.
   * Like Linux, converting a lock first drops the old one. Returns false when
   * another handle's lock is in the way.
   */
  tryFlock(fh: number, op: number): boolean {
    const held = this.#flocks.get(fh);
    if (op === LOCK_UN || (held !== undefined && held !== op)) {
      if (this.#flocks.delete(fh)) this.wake();
      if (op === LOCK_UN) return true;
    }
    if (held === op) return true;
    for (const [other, kind] of this.#flocks) {
      if (other !== fh && (op === LOCK_EX || kind === LOCK_EX)) return false;
    }
    this.#flocks.set(fh, op === LOCK_EX ? LOCK_EX : LOCK_SH);
    return true;
  }

  /** Drops the flock lock of handle `fh` (its last close). */
  releaseFlock(fh: number): void {
    if (this.#flocks.delete(fh)) this.wake();
  }

  /** Queues a blocked caller; returns a function that dequeues it (when interrupted). */
  wait(retry: () => boolean): () => void {
    const waiter: Waiter = { retry };
    this.#waiters.add(waiter);
    return () => this.#waiters.delete(waiter);
  }

  /** Lets the waiters, oldest first, try again (until a round changes nothing). */
  wake(): void {
    if (this.#waking) {
      // A waiter's success changed the locks while we iterate: go round again.
      this.#again = true;
      return;
    }
    this.#waking = true;
    try {
      do {
        this.#again = false;
        for (const waiter of [...this.#waiters]) {
          if (this.#waiters.has(waiter) && waiter.retry()) this.#waiters.delete(waiter);
        }
      } while (this.#again);
    } finally {
      this.#waking = false;
    }
  }
}
