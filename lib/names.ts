/**
 * Names are bytes. Linux file names, symlink targets and xattr names are byte
 * strings (anything but NUL, and `/` for file names); they need not be UTF-8.
 * This library gives them to JavaScript as strings that keep those bytes
 * exactly:
 *
 * - valid UTF-8 decodes as usual (the common case costs nothing extra);
 * - each byte that is not part of a valid UTF-8 sequence becomes the lone
 *   surrogate `U+DC00 + byte` (U+DC80 to U+DCFF), as Python's
 *   "surrogateescape" does (PEP 383).
 *
 * Everywhere the API takes a name it accepts such a string (escapes turn back
 * into their bytes) or a `Uint8Array` of the raw bytes. A string with any
 * other lone surrogate is not a name, and is refused with a RangeError. Two
 * names the kernel gives are equal exactly when their strings are equal, so
 * a filesystem may key its directories by the strings.
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { typeError } from './validate.js';

/** A name given to the API: a string (escapes as described above) or its raw bytes. */
export type NameInput = string | Uint8Array;

/** Whether a UTF-16 unit is a surrogate (D800-DFFF). */
function isSurrogate(unit: number): boolean {
  return (unit & 0xf800) === 0xd800;
}

/**
 * The number of bytes `name` stands for, or -1 if it holds a lone surrogate
 * that is not an escaped byte. One pass, no allocation: replies check every
 * name they send.
 */
export function nameByteLength(name: string): number {
  const n = name.length;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (!isSurrogate(c)) {
      bytes += 3;
    } else if (c < 0xdc00 && i + 1 < n && (name.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      bytes += 1; // an escaped byte
    } else {
      return -1;
    }
  }
  return bytes;
}

/** The length of the valid UTF-8 sequence at `at`, or 0. */
function sequenceLength(b: Uint8Array, at: number): number {
  const c = b[at] as number;
  if (c < 0x80) return 1;
  const cont = (i: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[at + i];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** The string for a name's bytes (see the module description). */
export function nameFromBytes(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let start = 0;
  for (let i = 0; i < buf.length; ) {
    const n = sequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', start, i) + String.fromCharCode(0xdc00 + (buf[i] as number));
    start = ++i;
  }
  return out + buf.toString('utf8', start);
}

/** The bytes a name stands for (a Uint8Array as it is); throws a RangeError for a string that is not a name. */
export function nameToBytes(name: NameInput): Buffer {
  return encodeName('nameToBytes', 'name', name);
}

/** @internal {@link nameToBytes}, with the caller's place in the error message (`where: what …`). */
export function encodeName(where: string, what: string, name: NameInput): Buffer {
  if (typeof name !== 'string') {
    if (!(name instanceof Uint8Array)) typeError(where, what, 'a string or a Buffer', name);
    return Buffer.isBuffer(name) ? name : Buffer.from(name.buffer, name.byteOffset, name.byteLength);
  }
  let plain = true;
  for (let i = 0; i < name.length && plain; i++) plain = !isSurrogate(name.charCodeAt(i));
  if (plain) return Buffer.from(name, 'utf8');
  const length = nameByteLength(name);
  if (length < 0) {
    throw new RangeError(`${where}: ${what} has a lone surrogate that is not an escaped byte (U+DC80-U+DCFF)`);
  }
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff) {
      out[at++] = c - 0xdc00;
    } else if (isSurrogate(c)) {
      at += out.write(name.slice(i, i + 2), at, 'utf8');
      i++;
    } else {
      at += out.write(name[i] as string, at, 'utf8');
    }
  }
  return out;
}
