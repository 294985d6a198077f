/**
 * 64-bit values between the addon and JavaScript. The addon lays numbers out
 * in 32-bit words (a 64-bit value as its low word, then its high word), so no
 * value is ever rounded on the way: a value that fits in a safe integer
 * becomes a `number`, any other a `bigint`.
 * @module
 */
import type { Lock } from './types.js';
import { rangeError, typeError } from './validate.js';

export type { Lock };

const TWO_32 = 4294967296;
/** A high word below this keeps the value a safe integer. */
const SAFE_HIGH = 0x200000;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** The unsigned 64-bit value at `at` (low word first). */
export function u64(words: Uint32Array, at: number): number | bigint {
  const lo = words[at] as number;
  const hi = words[at + 1] as number;
  if (hi < SAFE_HIGH) return hi * TWO_32 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The signed 64-bit value at `at` (low word first, two's complement). */
export function i64(words: Uint32Array, at: number): number | bigint {
  const lo = words[at] as number;
  const hi = words[at + 1] as number;
  if (hi < SAFE_HIGH) return hi * TWO_32 + lo;
  if (hi >= 0xffe00000) return (hi - TWO_32) * TWO_32 + lo; // -2^53 < value < 0
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

/** `value` as a number; throws a RangeError naming `where` when it does not fit one exactly. */
export function safe(value: number | bigint, where: string): number {
  if (typeof value === 'number') return value;
  throw new RangeError(
    `${where} is ${value}, beyond Number.MAX_SAFE_INTEGER: read ${where.slice(where.indexOf('.') + 1)}Big (a bigint) instead`,
  );
}

/** A lock as the addon lays it out: type, whence, start, length, pid. */
export interface RawLock {
  readonly type: number;
  readonly whence: number;
  readonly start: number | bigint;
  readonly length: number | bigint;
  readonly pid: number;
}

/** A POSIX lock with exact 64-bit `start` and `length`. */
export interface BigLock {
  /** F_RDLCK (0), F_WRLCK (1) or F_UNLCK (2). */
  readonly type: number;
  /** SEEK_SET (0) for locks from the kernel. */
  readonly whence: number;
  /** The first byte. */
  readonly start: bigint;
  /** How many bytes; 0 means to the end of the file. */
  readonly length: bigint;
  /** The process holding a conflicting lock. */
  readonly pid: number;
}

/** Reads a lock (7 words: type, whence, start, length, pid). */
export function rawLock(words: Uint32Array, at: number): RawLock {
  return {
    type: words[at] as number,
    whence: words[at + 1] as number,
    start: i64(words, at + 2),
    length: i64(words, at + 4),
    pid: (words[at + 6] as number) | 0,
  };
}

/** The lock with numbers; throws a RangeError when start or length is not a safe integer. */
export function safeLock(raw: RawLock, where: string): Lock {
  return {
    type: raw.type,
    whence: raw.whence,
    start: safe(raw.start, `${where}.start`),
    length: safe(raw.length, `${where}.length`),
    pid: raw.pid,
  };
}

/** The lock with bigints. */
export function bigLock(raw: RawLock): BigLock {
  return { type: raw.type, whence: raw.whence, start: BigInt(raw.start), length: BigInt(raw.length), pid: raw.pid };
}

/** The opaque 64-bit cookie at `at`, as a bigint. */
export function cookie(words: Uint32Array, at: number): bigint {
  return (BigInt(words[at + 1] as number) << 32n) | BigInt(words[at] as number);
}

/**
 * Writes an unsigned 64-bit reply value at word `at` after checking it:
 * a non-negative safe integer, or a bigint up to 2^64 - 1 (or `max`).
 */
export function putU64(
  where: string,
  what: string,
  value: unknown,
  words: Uint32Array,
  at: number,
  max = U64_MAX,
): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0 || (max < Number.MAX_SAFE_INTEGER && value > Number(max))) {
      rangeError(where, what, rule(max), value);
    }
    words[at] = value >>> 0 === value ? value : value % TWO_32;
    words[at + 1] = value < TWO_32 ? 0 : Math.floor(value / TWO_32);
    return;
  }
  if (typeof value !== 'bigint') typeError(where, what, 'a non-negative integer (number or bigint)', value);
  if (value < 0n || value > max) rangeError(where, what, rule(max), value);
  words[at] = Number(value & 0xffffffffn);
  words[at + 1] = Number(value >> 32n);
}

/** Writes a signed 64-bit reply value (a safe integer, or a bigint in int64 range) at word `at`. */
export function putI64(where: string, what: string, value: unknown, words: Uint32Array, at: number): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) rangeError(where, what, 'a safe integer or a bigint', value);
    words[at] = value >>> 0 === value ? value : ((value % TWO_32) + TWO_32) % TWO_32;
    words[at + 1] = Math.floor(value / TWO_32) >>> 0;
    return;
  }
  if (typeof value !== 'bigint') typeError(where, what, 'an integer (number or bigint)', value);
  if (value < I64_MIN || value > I64_MAX) rangeError(where, what, 'a 64-bit signed integer', value);
  const bits = BigInt.asUintN(64, value);
  words[at] = Number(bits & 0xffffffffn);
  words[at + 1] = Number(bits >> 32n);
}

function rule(max: bigint): string {
  return max === U64_MAX ? 'a non-negative integer below 2^64 (number or bigint)' : `an integer from 0 to ${max}`;
}
