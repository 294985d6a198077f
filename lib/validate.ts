/**
 * Checks for values that come from users, with one message style:
 * `replyEntry: attr.size must be a non-negative safe integer, got -1`.
 * Wrong types throw TypeError, values out of range throw RangeError.
 * @module
 */
import { fileNameLength, type NameInput } from './names.js';

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** Throws a TypeError in the library's message style. */
export function typeError(where: string, what: string, expected: string, got: unknown): never {
  throw new TypeError(`${where}: ${what} must be ${expected}, got ${show(got)}`);
}

/** Throws a RangeError in the library's message style. */
export function rangeError(where: string, what: string, expected: string, got: unknown): never {
  throw new RangeError(`${where}: ${what} must be ${expected}, got ${show(got)}`);
}

/** A non-negative safe integer no larger than `max`. */
export function uint(where: string, what: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number') typeError(where, what, 'a non-negative safe integer', value);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    rangeError(
      where,
      what,
      max === Number.MAX_SAFE_INTEGER ? 'a non-negative safe integer' : `an integer from 0 to ${max}`,
      value,
    );
  }
  return value;
}

/** A positive safe integer (an inode number, a readdir offset). */
export function positiveUint(where: string, what: string, value: unknown): number {
  const n = uint(where, what, value);
  if (n === 0) rangeError(where, what, 'a positive safe integer', n);
  return n;
}

/** Like {@link uint}, with a default for `undefined`. */
export function optionalUint(where: string, what: string, value: unknown, fallback: number, max?: number): number {
  return value === undefined ? fallback : uint(where, what, value, max);
}

/** A finite, non-negative number of seconds (a cache timeout). */
export function seconds(where: string, what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') typeError(where, what, 'a non-negative number of seconds', value);
  if (!Number.isFinite(value) || value < 0) rangeError(where, what, 'a finite, non-negative number of seconds', value);
  return value;
}

/** A plain object (not null, not an array). */
export function object(where: string, what: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(where, what, 'an object', value);
  return value as Record<string, unknown>;
}

/** What {@link fileName} asks for. */
export const FILE_NAME_RULE = "a non-empty name of at most 255 bytes without '/' or NUL";

/** A file name: non-empty, at most 255 bytes, no '/' and no NUL; a string (see lib/names.ts) or its bytes. */
export function fileName(where: string, what: string, value: unknown): NameInput {
  if (value instanceof Uint8Array) {
    if (value.length === 0 || value.length > 255 || value.includes(0x2f) || value.includes(0)) {
      rangeError(where, what, FILE_NAME_RULE, value);
    }
    return value;
  }
  if (typeof value !== 'string') typeError(where, what, 'a string or a Buffer', value);
  if (fileNameLength(value) < 0) rangeError(where, what, FILE_NAME_RULE, value);
  return value;
}

/** A string without NUL bytes, at most `maxBytes` long. */
export function cString(where: string, what: string, value: unknown, maxBytes: number): string {
  if (typeof value !== 'string') typeError(where, what, 'a string', value);
  if (value.includes('\0') || Buffer.byteLength(value) > maxBytes) {
    rangeError(where, what, `a string of at most ${maxBytes} bytes without NUL`, value);
  }
  return value;
}
