/**
 * Packs reply values into the words the addon reads (native/layout.h), checking
 * every field on the way. Each field takes two 32-bit words: integers as their
 * low then high word (so 64-bit values cross exactly, as numbers or bigints),
 * timeouts as a double. A test checks these orders against the addon's `LAYOUT`.
 * @module
 */
import type { Attr, Entry, InodeEntry, StatfsInfo, Timestamp } from './types.js';
import { object, rangeError, seconds, typeError, uint } from './validate.js';
import { putI64, putU64 } from './words.js';

/** A field's kind, as the addon names it. */
export type FieldKind = 'U64' | 'I64' | 'U32' | 'F64';

/** Fields of an attr, in order. */
export const ATTR_FIELDS = [
  ['ino', 'U64'],
  ['mode', 'U32'],
  ['nlink', 'U64'],
  ['uid', 'U32'],
  ['gid', 'U32'],
  ['rdev', 'U64'],
  ['size', 'I64'],
  ['blksize', 'U32'],
  ['blocks', 'U64'],
  ['atimeSec', 'I64'],
  ['atimeNsec', 'U32'],
  ['mtimeSec', 'I64'],
  ['mtimeNsec', 'U32'],
  ['ctimeSec', 'I64'],
  ['ctimeNsec', 'U32'],
] as const satisfies readonly (readonly [string, FieldKind])[];
/** Fields of an entry (its attr follows). */
export const ENTRY_FIELDS = [
  ['ino', 'U64'],
  ['generation', 'U64'],
  ['attrTimeout', 'F64'],
  ['entryTimeout', 'F64'],
] as const satisfies readonly (readonly [string, FieldKind])[];
/** Fields of statfs. */
export const STATFS_FIELDS = (
  ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax'] as const
).map((name) => [name, 'U64'] as const);
/** Fields of an open reply: the handle, then the option bits. */
export const OPEN_FIELDS = [
  ['fh', 'U64'],
  ['flags', 'U32'],
] as const satisfies readonly (readonly [string, FieldKind])[];
/** Fields of a lock. */
export const LOCK_FIELDS = [
  ['type', 'U32'],
  ['whence', 'U32'],
  ['start', 'I64'],
  ['length', 'I64'],
  ['pid', 'U32'],
] as const satisfies readonly (readonly [string, FieldKind])[];
/** Fields of the connection info in init (a Float64Array of its own). */
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
/** An entry and its attr. */
export const ENTRY_LENGTH = ENTRY_FIELDS.length + ATTR_LENGTH;
/** A readdirplus record: next offset, then an entry. */
export const DIRENT_LENGTH = 1 + ENTRY_LENGTH;
/** A readdir record: next offset, ino, mode. */
export const DIRENT_PLAIN_LENGTH = 3;

const index = (fields: readonly (readonly [string, FieldKind])[], name: string): number =>
  fields.findIndex(([n]) => n === name);
const A = Object.fromEntries(ATTR_FIELDS.map(([name], i) => [name, i])) as Record<
  (typeof ATTR_FIELDS)[number][0],
  number
>;
const E_TIMEOUTS = index(ENTRY_FIELDS, 'attrTimeout');

/** Fields as the addon reads them: two words each, the same memory seen as doubles for F64 fields. */
export class Packed {
  readonly words: Uint32Array;
  readonly doubles: Float64Array;
  constructor(fields: number) {
    const buffer = new ArrayBuffer(fields * 8);
    this.words = new Uint32Array(buffer);
    this.doubles = new Float64Array(buffer);
  }
  /** Field `i` read back (for tests and for the record readers): number when exact, else bigint. */
  field(i: number, kind: FieldKind): number | bigint {
    if (kind === 'F64') return this.doubles[i] as number;
    const lo = this.words[2 * i] as number;
    const hi = this.words[2 * i + 1] as number;
    const value = (BigInt(hi) << 32n) | BigInt(lo);
    const v = kind === 'I64' ? BigInt.asIntN(64, value) : value;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
}

const UINT32_MAX = 0xffffffff;
const NS_PER_S = 1_000_000_000n;
/** S_IFMT and the file types a mode may carry. */
const S_IFMT = 0o170000;
const FILE_TYPES = new Set([0o140000, 0o120000, 0o100000, 0o060000, 0o040000, 0o020000, 0o010000]);

/** A 32-bit field (two words). */
function put32(words: Uint32Array, field: number, value: number): void {
  words[2 * field] = value;
  words[2 * field + 1] = 0;
}

/** Writes a timestamp as (seconds, nanoseconds) at fields `field`, `field + 1`. */
function packTime(where: string, what: string, value: Timestamp | undefined, out: Packed, field: number): void {
  if (typeof value === 'bigint') {
    let s = value / NS_PER_S;
    let ns = value % NS_PER_S;
    if (ns < 0n) {
      ns += NS_PER_S;
      s -= 1n;
    }
    putI64(where, what, s, out.words, 2 * field);
    put32(out.words, field + 1, Number(ns));
    return;
  }
  let sec = 0;
  let nsec = 0;
  if (value !== undefined) {
    const ms = value instanceof Date ? value.getTime() : value;
    if (typeof ms !== 'number') typeError(where, what, 'a Date, milliseconds (number) or nanoseconds (bigint)', value);
    if (!Number.isFinite(ms)) rangeError(where, what, 'a finite time', value);
    sec = Math.floor(ms / 1000);
    nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
  }
  putI64(where, what, sec, out.words, 2 * field);
  put32(out.words, field + 1, nsec);
}

/** A mode with a valid file type (S_IFREG, S_IFDIR …) and permission bits. */
export function fileMode(where: string, what: string, value: unknown): number {
  const mode = uint(where, what, value, 0o177777);
  if (!FILE_TYPES.has(mode & S_IFMT)) {
    rangeError(where, what, 'a file type (S_IFREG, S_IFDIR, S_IFLNK …) with permission bits, e.g. 0o100644', value);
  }
  return mode;
}

/** Validates `attr` and writes it at field `at`; `ino` is used when attr.ino is omitted. */
export function packAttr(where: string, attr: Attr, out: Packed, at: number, ino: number | bigint = 0): void {
  const a = object(where, 'attr', attr) as Partial<Attr>;
  const w = out.words;
  putU64(where, 'attr.ino', a.ino ?? ino, w, 2 * (at + A.ino));
  put32(w, at + A.mode, fileMode(where, 'attr.mode', a.mode));
  putU64(where, 'attr.nlink', a.nlink ?? 0, w, 2 * (at + A.nlink), 0xffffffffn);
  put32(w, at + A.uid, a.uid === undefined ? 0 : uint(where, 'attr.uid', a.uid, UINT32_MAX));
  put32(w, at + A.gid, a.gid === undefined ? 0 : uint(where, 'attr.gid', a.gid, UINT32_MAX));
  putU64(where, 'attr.rdev', a.rdev ?? 0, w, 2 * (at + A.rdev), 0xffffffffn);
  putU64(where, 'attr.size', a.size ?? 0, w, 2 * (at + A.size), (1n << 63n) - 1n);
  put32(w, at + A.blksize, a.blksize === undefined ? 0 : uint(where, 'attr.blksize', a.blksize, UINT32_MAX));
  putU64(where, 'attr.blocks', a.blocks ?? 0, w, 2 * (at + A.blocks), (1n << 63n) - 1n);
  packTime(where, 'attr.atime', a.atime, out, at + A.atimeSec);
  packTime(where, 'attr.mtime', a.mtime, out, at + A.mtimeSec);
  packTime(where, 'attr.ctime', a.ctime, out, at + A.ctimeSec);
}

/** Validates `entry` and writes it (then its attr) at field `at`. */
export function packEntry(where: string, entry: Entry, out: Packed, at: number): void {
  const e = object(where, 'entry', entry) as Partial<InodeEntry>;
  const ino = e.ino;
  putU64(where, 'entry.ino', ino, out.words, 2 * at);
  putU64(where, 'entry.generation', e.generation ?? 0, out.words, 2 * (at + 1));
  out.doubles[at + E_TIMEOUTS] = seconds(where, 'entry.attrTimeout', e.attrTimeout, 1);
  out.doubles[at + E_TIMEOUTS + 1] = seconds(where, 'entry.entryTimeout', e.entryTimeout, 1);
  const attrAt = at + ENTRY_FIELDS.length;
  if (ino === 0 || ino === 0n) {
    // A negative entry: the kernel reads no attributes.
    out.words.fill(0, 2 * attrAt, 2 * (attrAt + ATTR_LENGTH));
    return;
  }
  packAttr(where, e.attr as Attr, out, attrAt, ino as number | bigint);
}

/** Validates `info` and writes it at field 0. */
export function packStatfs(where: string, info: StatfsInfo, out: Packed): void {
  const s = object(where, 'stats', info) as StatfsInfo;
  STATFS_FIELDS.forEach(([field], i) => {
    putU64(where, `stats.${field}`, s[field] ?? (field === 'namemax' ? 255 : 0), out.words, 2 * i);
  });
}
