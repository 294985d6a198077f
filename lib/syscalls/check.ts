/**
 * Argument checks of the syscall module, in the library's message style
 * (`fstatat: dirfd must be a file descriptor …, got -5`). Cheap: they run on
 * every call, before the addon's own guards.
 * @module
 */
import type { NameInput } from '../names.js';
import { rangeError, typeError } from '../validate.js';
import { AT_FDCWD } from './constants.js';
import type { Credentials, Int64 } from './types.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const ID_MAX = 0xfffffffe;

/** A file descriptor: an integer from 0 to 2^31-1. */
export function fd(where: string, value: unknown, what = 'fd'): number {
  if (typeof value !== 'number') typeError(where, what, 'a file descriptor (an integer >= 0)', value);
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    rangeError(where, what, 'a file descriptor (an integer >= 0)', value);
  }
  return value;
}

/** A directory descriptor: a file descriptor or AT_FDCWD. */
export function dirfd(where: string, value: unknown, what = 'dirfd'): number {
  if (value === AT_FDCWD) return value;
  if (typeof value !== 'number') typeError(where, what, 'a file descriptor (an integer >= 0) or AT_FDCWD', value);
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    rangeError(where, what, 'a file descriptor (an integer >= 0) or AT_FDCWD', value);
  }
  return value;
}

/** A name or path: a string or a Uint8Array (the addon checks its bytes: no NUL, no stray surrogate). */
export function name(where: string, what: string, value: unknown): NameInput {
  if (typeof value !== 'string' && !(value instanceof Uint8Array))
    typeError(where, what, 'a string or a Uint8Array', value);
  return value;
}

/** A 32-bit signed integer (flags). */
export function int32(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') typeError(where, what, 'an integer', value);
  if ((value | 0) !== value) rangeError(where, what, 'a 32-bit integer', value);
  return value;
}

/** A 32-bit unsigned integer (modes). */
export function uint32(where: string, what: string, value: unknown): number {
  if (typeof value !== 'number') typeError(where, what, 'an integer', value);
  if (value >>> 0 !== value) rangeError(where, what, 'an integer from 0 to 2^32-1', value);
  return value;
}

/** A user or group id, or -1 (leave it) when `keep`. */
export function id(where: string, what: string, value: unknown, keep = false): number {
  if (typeof value !== 'number') typeError(where, what, 'an integer', value);
  if (!Number.isInteger(value) || value > ID_MAX || value < (keep ? -1 : 0)) {
    rangeError(where, what, keep ? 'an id from 0 to 2^32-2, or -1' : 'an id from 0 to 2^32-2', value);
  }
  return value;
}

/** A signed 64-bit integer: a safe-integer number or a bigint; at least `min`. */
export function int64(where: string, what: string, value: unknown, min: bigint = INT64_MIN): Int64 {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < min) {
      rangeError(
        where,
        what,
        min === 0n ? 'a non-negative safe integer or a bigint' : 'a safe integer or a bigint',
        value,
      );
    }
    return value;
  }
  if (typeof value !== 'bigint') typeError(where, what, 'a number or a bigint', value);
  if (value < min || value > INT64_MAX) {
    rangeError(where, what, `an integer from ${min} to 2^63-1`, value);
  }
  return value;
}

/** An unsigned 64-bit integer: a non-negative safe-integer number or a bigint. */
export function uint64(where: string, what: string, value: unknown): Int64 {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      rangeError(where, what, 'a non-negative safe integer or a bigint', value);
    return value;
  }
  if (typeof value !== 'bigint') typeError(where, what, 'a number or a bigint', value);
  if (value < 0n || value > UINT64_MAX) rangeError(where, what, 'an integer from 0 to 2^64-1', value);
  return value;
}

/** Optional credentials. */
export function credentials(where: string, value: unknown): Credentials | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    typeError(where, 'cred', 'an object { uid, gid, groups? }', value);
  }
  const c = value as Partial<Credentials>;
  id(where, 'cred.uid', c.uid);
  id(where, 'cred.gid', c.gid);
  if (c.groups !== undefined) {
    if (!Array.isArray(c.groups)) typeError(where, 'cred.groups', 'an array of group ids', c.groups);
    for (const g of c.groups) id(where, 'cred.groups[]', g);
  }
  return value as Credentials;
}

/** A Uint8Array (a value or an I/O buffer). */
export function bytes(where: string, what: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) typeError(where, what, 'a Uint8Array', value);
  return value;
}

/** `{ encoding }`: 'utf8' or 'buffer'; whether names come as Buffers. */
export function rawNames(where: string, options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) typeError(where, 'options', 'an object', options);
  const encoding = (options as { encoding?: unknown }).encoding;
  if (encoding === undefined || encoding === 'utf8') return false;
  if (encoding !== 'buffer') rangeError(where, 'options.encoding', "'utf8' or 'buffer'", encoding);
  return true;
}
