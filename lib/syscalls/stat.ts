/**
 * Stat results: the addon writes them as numbers (native/syscalls.h,
 * `stat_slot`); this builds the {@link Stat} object, with one shape for every
 * result (a literal: cheap to make, monomorphic to read).
 * @module
 */
import { native } from '../addon.js';
import type { Stat, Uint64 } from './types.js';

const S = native.sys.STAT_SLOTS;
const NS_PER_S = 1_000_000_000n;

/** Views of the shared buffer synchronous fstatat writes. */
const shared = native.sys.statBuffer;
const sharedInt = new BigInt64Array(shared.buffer, shared.byteOffset, shared.length);
const sharedUint = new BigUint64Array(shared.buffer, shared.byteOffset, shared.length);

/** A result whose mask is 0: every value a safe integer, every time an int64 of nanoseconds. */
function plain(f: Float64Array, b: BigInt64Array): Stat {
  return {
    dev: f[0] as number,
    ino: f[1] as number,
    mode: f[2] as number,
    nlink: f[3] as number,
    uid: f[4] as number,
    gid: f[5] as number,
    rdev: f[6] as number,
    size: f[7] as number,
    blksize: f[8] as number,
    blocks: f[9] as number,
    atime: b[10] as bigint,
    mtime: b[11] as bigint,
    ctime: b[12] as bigint,
  };
}

/** A result with values above 2^53 (bigints) or times beyond the int64 nanosecond range. */
function wide(f: Float64Array, b: BigInt64Array, u: BigUint64Array, mask: number): Stat {
  const value = (i: number): Uint64 => ((mask & (1 << i)) !== 0 ? (u[i] as bigint) : (f[i] as number));
  const time = (k: number): bigint =>
    (mask & (1 << (S.atime + k))) !== 0
      ? BigInt(f[S.atime + k] as number) * NS_PER_S + BigInt(f[S.atimeNsec + k] as number)
      : (b[S.atime + k] as bigint);
  return {
    dev: value(S.dev),
    ino: value(S.ino),
    mode: f[S.mode] as number,
    nlink: value(S.nlink),
    uid: f[S.uid] as number,
    gid: f[S.gid] as number,
    rdev: value(S.rdev),
    size: value(S.size),
    blksize: f[S.blksize] as number,
    blocks: value(S.blocks),
    atime: time(0),
    mtime: time(1),
    ctime: time(2),
  };
}

/** The result a synchronous fstatat left in the shared buffer. */
export function sharedStat(mask: number): Stat {
  return mask === 0 ? plain(shared, sharedInt) : wide(shared, sharedInt, sharedUint, mask);
}

/** The result of an asynchronous fstatat (its own array, the mask in the last slot). */
export function ownStat(f: Float64Array): Stat {
  const b = new BigInt64Array(f.buffer, f.byteOffset, f.length);
  const mask = f[S.mask] as number;
  return mask === 0 ? plain(f, b) : wide(f, b, new BigUint64Array(f.buffer, f.byteOffset, f.length), mask);
}

// plain() reads fixed slots: fail loudly at load if the addon's layout moved.
if (S.dev !== 0 || S.blocks !== 9 || S.atime !== 10 || S.ctime !== 12) {
  throw new Error('fuse-lowlevel: the addon stat layout does not match lib/syscalls/stat.ts (rebuild the addon)');
}
