/**
 * Wall-clock time in nanoseconds, and the atime rule.
 * @module
 */

const NS_PER_MS = 1_000_000n;
/** A day in nanoseconds. */
const DAY = 86_400n * 1_000_000_000n;

// Date.now() has millisecond resolution; anchor the monotonic nanosecond clock to it once.
const EPOCH_OFFSET = BigInt(Date.now()) * NS_PER_MS - process.hrtime.bigint();

/** Nanoseconds since the epoch, with nanosecond resolution. */
export function now(): bigint {
  return EPOCH_OFFSET + process.hrtime.bigint();
}

/**
 * Linux's relatime rule: a read updates atime only if atime is not newer than
 * mtime or ctime, or is more than a day old. This keeps `atime > mtime`
 * checks (mail readers, tmp cleaners) working without a write per read.
 */
export function atimeNeedsUpdate(times: { atime: bigint; mtime: bigint; ctime: bigint }, at: bigint): boolean {
  return times.atime <= times.mtime || times.atime <= times.ctime || at - times.atime >= DAY;
}
