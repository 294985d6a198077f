/**
 * Packs reply values into the Float64Arrays the addon reads (native/layout.h),
 * validating every field on the way. A test checks these orders against the
 * addon's `LAYOUT`.
 * @module
 */
import type { Attr, Entry, InodeEntry, StatfsInfo, Timestamp } from './types.js';
import { object, optionalUint, rangeError, seconds, typeError, uint } from './validate.js';

/** Field order of an attr. */
export const ATTR_FIELDS = [
  'ino',
  'mode',
  'nlink',
  'uid',
  'gid',
  'rdev',
  'size',
  'blksize',
  'blocks',
  'atimeSec',
  'atimeNsec',
  'mtimeSec',
  'mtimeNsec',
  'ctimeSec',
  'ctimeNsec',
] as const;
/** Field order of an entry (its attr follows). */
export const ENTRY_FIELDS = ['ino', 'generation', 'attrTimeout', 'entryTimeout'] as const;
/** Field order of statfs. */
export const STATFS_FIELDS = [
  'bsize',
  'frsize',
  'blocks',
  'bfree',
  'bavail',
  'files',
  'ffree',
  'favail',
  'fsid',
  'flag',
  'namemax',
] as const;
/** Field order of the connection info in init. */
export const CONN_FIELDS = [
  'protoMajor',
  'protoMinor',
  'maxWrite',
  'maxRead',
  'maxReadahead',
  'capable',
  'want',
  'maxBackground',
  'congestionThreshold',
  'timeGran',
] as const;

export const ATTR_LENGTH = ATTR_FIELDS.length;
export const ENTRY_LENGTH = ENTRY_FIELDS.length + ATTR_LENGTH;
/** A readdirplus value record: next offset, then an entry. */
export const DIRENT_LENGTH = 1 + ENTRY_LENGTH;
/** A readdir value record: next offset, ino, mode. */
export const DIRENT_PLAIN_LENGTH = 3;

const UINT32_MAX = 0xffffffff;
const NS_PER_S = 1_000_000_000n;

/** Writes a timestamp as (seconds, nanoseconds) at `at`. */
function packTime(where: string, what: string, value: Timestamp | undefined, out: Float64Array, at: number): void {
  let sec = 0;
  let nsec = 0;
  if (value === undefined) {
    // the epoch
  } else if (typeof value === 'bigint') {
    let s = value / NS_PER_S;
    let ns = value % NS_PER_S;
    if (ns < 0n) {
      ns += NS_PER_S;
      s -= 1n;
    }
    if (s > BigInt(Number.MAX_SAFE_INTEGER) || s < BigInt(Number.MIN_SAFE_INTEGER)) {
      rangeError(where, what, 'a time within ±2^53 seconds of the epoch', value);
    }
    sec = Number(s);
    nsec = Number(ns);
  } else {
    const ms = value instanceof Date ? value.getTime() : value;
    if (typeof ms !== 'number') typeError(where, what, 'a Date, milliseconds (number) or nanoseconds (bigint)', value);
    if (!Number.isFinite(ms)) rangeError(where, what, 'a finite time', value);
    sec = Math.floor(ms / 1000);
    nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
  }
  out[at] = sec;
  out[at + 1] = nsec;
}

/** Validates `attr` and writes it at `at`; `ino` is used when attr.ino is omitted. */
export function packAttr(where: string, attr: Attr, out: Float64Array, at: number, ino = 0): void {
  const a = object(where, 'attr', attr) as Partial<Attr>;
  out[at] = optionalUint(where, 'attr.ino', a.ino, ino);
  out[at + 1] = uint(where, 'attr.mode', a.mode, UINT32_MAX);
  out[at + 2] = optionalUint(where, 'attr.nlink', a.nlink, 0, UINT32_MAX);
  out[at + 3] = optionalUint(where, 'attr.uid', a.uid, 0, UINT32_MAX);
  out[at + 4] = optionalUint(where, 'attr.gid', a.gid, 0, UINT32_MAX);
  out[at + 5] = optionalUint(where, 'attr.rdev', a.rdev, 0, UINT32_MAX);
  out[at + 6] = optionalUint(where, 'attr.size', a.size, 0);
  out[at + 7] = optionalUint(where, 'attr.blksize', a.blksize, 0, UINT32_MAX);
  out[at + 8] = optionalUint(where, 'attr.blocks', a.blocks, 0);
  packTime(where, 'attr.atime', a.atime, out, at + 9);
  packTime(where, 'attr.mtime', a.mtime, out, at + 11);
  packTime(where, 'attr.ctime', a.ctime, out, at + 13);
}

/** Validates `entry` and writes it (then its attr) at `at`. */
export function packEntry(where: string, entry: Entry, out: Float64Array, at: number): void {
  const e = object(where, 'entry', entry) as Partial<InodeEntry>;
  const ino = uint(where, 'entry.ino', e.ino);
  out[at] = ino;
  out[at + 1] = optionalUint(where, 'entry.generation', e.generation, 0);
  out[at + 2] = seconds(where, 'entry.attrTimeout', e.attrTimeout, 1);
  out[at + 3] = seconds(where, 'entry.entryTimeout', e.entryTimeout, 1);
  if (ino === 0 && e.attr === undefined) {
    out.fill(0, at + 4, at + ENTRY_LENGTH);
    return;
  }
  packAttr(where, e.attr as Attr, out, at + 4, ino);
}

/** Validates `info` and writes it at 0. */
export function packStatfs(where: string, info: StatfsInfo, out: Float64Array): void {
  const s = object(where, 'stats', info) as StatfsInfo;
  STATFS_FIELDS.forEach((field, i) => {
    out[i] = optionalUint(where, `stats.${field}`, s[field], field === 'namemax' ? 255 : 0);
  });
}
