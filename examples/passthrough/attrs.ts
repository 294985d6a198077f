/**
 * Conversions between Node's stat results and the kernel's attributes, and
 * the time values Node's utimes calls take.
 * @module
 */
import { type BigIntStats, constants, type Dirent } from 'node:fs';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * A time for `fs.utimes` & co.: seconds since the epoch, for a libuv that
 * keeps `unit` nanoseconds of it (see {@link utimesUnit}). Node hands libuv a
 * double, and libuv truncates the time towards zero to its unit, so the value
 * is centred on the unit (half a unit away from zero) to land on it despite
 * the double's rounding. To the microsecond that is exact. To the nanosecond
 * it is as close as a double gets: it holds a time of 2004-2038 only to
 * 2^-22 s (238 ns), so the source gets the time within 120 ns (whole seconds
 * and binary fractions like .25 exactly). Node reads a negative number as
 * "now", but a numeric string as it is — so times before 1970 go as strings.
 */
export function utimesArg(ns: bigint, unit: bigint): number | string {
  const floor = ns - (((ns % unit) + unit) % unit); // the unit at or before ns, also before 1970
  // In tenths of a nanosecond, so that half a nanosecond is whole.
  const tenths = floor * 10n + (floor < 0n ? -5n : 5n) * unit;
  const abs = tenths < 0n ? -tenths : tenths;
  const digits = `${abs / 10_000_000_000n}.${String(abs % 10_000_000_000n).padStart(10, '0')}`.replace(/0+$/, '');
  return tenths < 0n ? `-${digits}` : Number(digits);
}

let probed: Promise<bigint> | undefined;

/**
 * The unit, in nanoseconds, to which this process's `fs.utimes` keeps a time:
 * 1000 for libuv before 1.52 (Node 20's), which truncates to whole
 * microseconds, and 1 for later ones (Node 24's), which keep nanoseconds.
 * Found once, by setting a time on a scratch file and reading it back: the
 * behaviour, not a version number, is what {@link utimesArg} depends on (and
 * a Node may run a libuv other than its own). If the scratch file cannot be
 * made, or its filesystem keeps neither, libuv's version decides.
 */
export function utimesUnit(): Promise<bigint> {
  probed ??= probeUtimesUnit();
  return probed;
}

async function probeUtimesUnit(): Promise<bigint> {
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'passthrough-utimes-'));
    const file = join(dir, 'probe');
    await writeFile(file, '');
    await utimes(file, 0.0000015, 0.0000015); // 1500 ns
    const { mtimeNs } = await stat(file, { bigint: true });
    if (mtimeNs === 1000n) return 1000n;
    if (mtimeNs === 1500n) return 1n;
    // Anything else is the scratch filesystem's own coarser granularity.
  } catch {
    // No scratch file (a read-only /tmp).
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
  const [major = 0, minor = 0] = process.versions.uv.split('.').map(Number);
  return major > 1 || minor >= 52 ? 1n : 1000n;
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
