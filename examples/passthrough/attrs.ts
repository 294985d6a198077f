/**
 * Conversions between Node's stat results and the kernel's attributes, and
 * the time values Node's utimes calls take.
 * @module
 */
import { type BigIntStats, constants, type Dirent } from 'node:fs';
import { type Attr, FuseError } from '../../lib/index.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const UINT32_MAX = 0xffffffffn;

/** A 64-bit stat field as a safe integer; EOVERFLOW when it is not one (a sparse file of exabytes). */
function safe(value: bigint, what: string): number {
  if (value > MAX_SAFE) throw new FuseError('EOVERFLOW', `${what} ${value} is beyond 2^53`);
  return Number(value);
}

/** The kernel's attributes for source file `st`, known to the kernel as inode `ino`. */
export function toAttr(st: BigIntStats, ino: number): Attr {
  return {
    ino,
    mode: Number(st.mode),
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    // fuse_attr.rdev is 32 bits: the kernel's encoding of major/minor fits for every usual device.
    rdev: st.rdev > UINT32_MAX ? 0 : Number(st.rdev),
    size: safe(st.size, 'size'),
    blksize: Number(st.blksize),
    blocks: safe(st.blocks, 'blocks'),
    atime: st.atimeNs,
    mtime: st.mtimeNs,
    ctime: st.ctimeNs,
  };
}

/**
 * A time for `fs.utimes` & co.: seconds since the epoch. Node hands libuv a
 * double and libuv keeps whole microseconds (it truncates the rest), so the
 * value is centred on the microsecond to land on it exactly despite the
 * double's rounding. Node reads a negative number as "now", but a numeric
 * string as it is — so times before 1970 go as strings.
 */
export function utimesArg(ns: bigint): number | string {
  const us = ns / 1000n - (ns % 1000n < 0n ? 1n : 0n); // floor, also before 1970
  const n = Number(us);
  const seconds = (n + (n < 0 ? -0.5 : 0.5)) / 1e6;
  return seconds < 0 ? String(seconds) : seconds;
}

/** The current time in nanoseconds, for a setattr to 'now' (Node cannot pass UTIME_NOW). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** The file type bits (S_IFMT) of a directory entry, or 0 when unknown. */
export function typeOf(entry: Dirent): number {
  if (entry.isFile()) return constants.S_IFREG;
  if (entry.isDirectory()) return constants.S_IFDIR;
  if (entry.isSymbolicLink()) return constants.S_IFLNK;
  if (entry.isFIFO()) return constants.S_IFIFO;
  if (entry.isSocket()) return constants.S_IFSOCK;
  if (entry.isCharacterDevice()) return constants.S_IFCHR;
  if (entry.isBlockDevice()) return constants.S_IFBLK;
  return 0;
}
