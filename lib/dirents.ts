/**
 * Collects directory entries for a readdir/readdirplus reply, counting bytes the
 * way libfuse packs them (fuse_add_direntry) so `add()` can say when the
 * kernel's buffer is full.
 *
 * A listing checks and packs every entry, so this is a hot path: names are
 * measured in JS (no call per name into C++), plain readdir packs three
 * fields per entry (next offset, ino, mode), and the packed words are reused.
 * @module
 */
import { native } from './addon.js';
import { DIRENT_LENGTH, DIRENT_PLAIN_LENGTH, Packed, packEntry } from './layout.js';
import { type NameInput, nameByteLength, nameFromBytes } from './names.js';
import type { Entry } from './types.js';
import { FILE_NAME_RULE, rangeError, typeError, uint } from './validate.js';
import { putU64 } from './words.js';

/** struct fuse_dirent without its name. */
const DIRENT_HEADER = 24;
/** struct fuse_direntplus (a fuse_entry_out, then a fuse_dirent) without the name. */
const DIRENTPLUS_HEADER = 128 + DIRENT_HEADER;
const UINT32_MAX = 0xffffffff;
/** Offsets are signed 64-bit cookies; 0 means "the start", so an entry's next offset is positive. */
const OFFSET_MAX = (1n << 63n) - 1n;

/** Packed values of sent replies, for the next listings (replies copy them synchronously). */
const spare: Packed[] = [];
const SPARE_MAX = 4;

/** The name as a string (bytes decoded, see lib/names.ts) and its length in bytes, checked. */
function checkedName(where: string, name: NameInput): [string, number] {
  if (typeof name === 'string') {
    const length = nameByteLength(name);
    if (length < 1 || length > 255 || name.includes('/') || name.includes('\0')) {
      rangeError(where, 'name', FILE_NAME_RULE, name);
    }
    return [name, length];
  }
  if (!(name instanceof Uint8Array)) typeError(where, 'name', 'a string or a Buffer', name);
  if (name.length < 1 || name.length > 255 || name.includes(0x2f) || name.includes(0)) {
    rangeError(where, 'name', FILE_NAME_RULE, name);
  }
  return [nameFromBytes(name), name.length];
}

/** A positive offset cookie. */
function nextOffset(where: string, value: number | bigint, out: Packed, field: number): void {
  if (value === 0 || value === 0n) rangeError(where, 'nextOffset', 'a positive integer', value);
  putU64(where, 'nextOffset', value, out.words, 2 * field, OFFSET_MAX);
}

/** @internal */
export class DirentBuffer {
  readonly #size: number;
  readonly #plus: boolean;
  readonly #stride: number;
  readonly #names: string[] = [];
  #values: Packed;
  #used = 0;

  constructor(size: number, plus: boolean) {
    this.#size = size;
    this.#plus = plus;
    this.#stride = plus ? DIRENT_LENGTH : DIRENT_PLAIN_LENGTH;
    // Room for as many one-byte names as fit, within reason; more grows.
    const fit = Math.ceil(size / (((plus ? DIRENTPLUS_HEADER : DIRENT_HEADER) + 8) & ~7));
    const fields = this.#stride * Math.max(16, Math.min(fit, 4096));
    const reused = spare.pop();
    this.#values = reused !== undefined && reused.doubles.length >= fields ? reused : new Packed(fields);
  }

  /** Reserves the bytes of a name of `length` bytes; false (nothing reserved) when the buffer is full. */
  #fits(length: number): boolean {
    const bytes = ((this.#plus ? DIRENTPLUS_HEADER : DIRENT_HEADER) + length + 7) & ~7;
    if (this.#used + bytes > this.#size) return false;
    this.#used += bytes;
    return true;
  }

  /** The field index for the next entry, growing the values if needed. */
  #slot(): number {
    const at = this.#names.length * this.#stride;
    if (at + this.#stride > this.#values.doubles.length) {
      const grown = new Packed(this.#values.doubles.length * 2);
      grown.words.set(this.#values.words);
      this.#values = grown;
    }
    return at;
  }

  /** Adds a readdir entry if it fits; false when the buffer is full. Only the type bits of `mode` matter. */
  addPlain(where: string, name: NameInput, ino: number | bigint, mode: number, next: number | bigint): boolean {
    const [text, length] = checkedName(where, name);
    const at = this.#slot();
    const values = this.#values;
    nextOffset(where, next, values, at);
    if (ino === 0 || ino === 0n)
      rangeError(where, 'ino', 'a positive integer (an entry with inode 0 is not listed)', ino);
    putU64(where, 'ino', ino, values.words, 2 * (at + 1));
    values.words[2 * (at + 2)] = uint(where, 'mode', mode, UINT32_MAX);
    values.words[2 * (at + 2) + 1] = 0;
    if (!this.#fits(length)) return false;
    this.#names.push(text);
    return true;
  }

  /** Adds a readdirplus entry if it fits; false when the buffer is full. */
  add(where: string, name: NameInput, entry: Entry, next: number | bigint): boolean {
    const [text, length] = checkedName(where, name);
    const at = this.#slot();
    nextOffset(where, next, this.#values, at);
    packEntry(where, entry, this.#values, at + 1);
    if (!this.#fits(length)) return false;
    this.#names.push(text);
    return true;
  }

  /** Sends the entries as the reply to request `id`. */
  send(id: number): number {
    const values = this.#values;
    const sent = native.replyDirents(
      id,
      this.#plus,
      this.#size,
      this.#names.join('\0'),
      values.words.subarray(0, 2 * this.#names.length * this.#stride),
    );
    // The reply copied the values: hand them on, and keep none of them here
    // (an add() after the reply must not write into another listing's).
    this.#values = new Packed(this.#stride);
    if (spare.length < SPARE_MAX) spare.push(values);
    return sent;
  }
}
