/**
 * Collects directory entries for a readdir/readdirplus reply, counting bytes the
 * way libfuse packs them (fuse_add_direntry) so `add()` can say when the
 * kernel's buffer is full.
 *
 * A listing checks and packs every entry, so this is a hot path: names are
 * measured in JS (no call per name into C++), plain readdir packs three
 * numbers per entry (next offset, ino, mode), and the value arrays are reused.
 * @module
 */
import { native } from './addon.js';
import { DIRENT_LENGTH, DIRENT_PLAIN_LENGTH, packEntry } from './layout.js';
import type { Entry } from './types.js';
import { FILE_NAME_RULE, fileNameBytes, positiveUint, rangeError, typeError, uint } from './validate.js';

/** struct fuse_dirent without its name. */
const DIRENT_HEADER = 24;
/** struct fuse_direntplus (a fuse_entry_out, then a fuse_dirent) without the name. */
const DIRENTPLUS_HEADER = 128 + DIRENT_HEADER;
const UINT32_MAX = 0xffffffff;

/** Value arrays of sent replies, for the next listings (replies copy them synchronously). */
const spare: Float64Array[] = [];
const SPARE_MAX = 4;

/** @internal */
export class DirentBuffer {
  readonly #size: number;
  readonly #plus: boolean;
  readonly #stride: number;
  readonly #names: string[] = [];
  #values: Float64Array;
  #used = 0;

  constructor(size: number, plus: boolean) {
    this.#size = size;
    this.#plus = plus;
    this.#stride = plus ? DIRENT_LENGTH : DIRENT_PLAIN_LENGTH;
    // Room for as many one-byte names as fit, within reason; more grows.
    const fit = Math.ceil(size / (((plus ? DIRENTPLUS_HEADER : DIRENT_HEADER) + 8) & ~7));
    const length = this.#stride * Math.max(16, Math.min(fit, 4096));
    const reused = spare.pop();
    this.#values = reused !== undefined && reused.length >= length ? reused : new Float64Array(length);
  }

  /** Checks `name` and reserves its bytes; false (nothing reserved) when the buffer is full. */
  #fits(where: string, name: string): boolean {
    if (typeof name !== 'string') typeError(where, 'name', 'a string', name);
    const length = fileNameBytes(name);
    if (length < 0) rangeError(where, 'name', FILE_NAME_RULE, name);
    const bytes = ((this.#plus ? DIRENTPLUS_HEADER : DIRENT_HEADER) + length + 7) & ~7;
    if (this.#used + bytes > this.#size) return false;
    this.#used += bytes;
    return true;
  }

  /** The index in the values for the next entry, growing them if needed. */
  #slot(): number {
    const at = this.#names.length * this.#stride;
    if (at + this.#stride > this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    return at;
  }

  /** Adds a readdir entry if it fits; false when the buffer is full. Only the type bits of `mode` matter. */
  addPlain(where: string, name: string, ino: number, mode: number, nextOffset: number): boolean {
    const before = this.#used;
    if (!this.#fits(where, name)) return false;
    try {
      positiveUint(where, 'nextOffset', nextOffset);
      uint(where, 'entry.ino', ino);
      uint(where, 'attr.mode', mode, UINT32_MAX);
    } catch (error) {
      this.#used = before;
      throw error;
    }
    const at = this.#slot();
    const values = this.#values;
    values[at] = nextOffset;
    values[at + 1] = ino;
    values[at + 2] = mode;
    this.#names.push(name);
    return true;
  }

  /** Adds a readdirplus entry if it fits; false when the buffer is full. */
  add(where: string, name: string, entry: Entry, nextOffset: number): boolean {
    const before = this.#used;
    if (!this.#fits(where, name)) return false;
    try {
      positiveUint(where, 'nextOffset', nextOffset);
      const at = this.#slot();
      packEntry(where, entry, this.#values, at + 1);
      this.#values[at] = nextOffset;
    } catch (error) {
      this.#used = before;
      throw error;
    }
    this.#names.push(name);
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
      values.subarray(0, this.#names.length * this.#stride),
    );
    // The reply copied the values: hand them on, and keep none of them here
    // (an add() after the reply must not write into another listing's).
    this.#values = new Float64Array(this.#stride);
    if (spare.length < SPARE_MAX) spare.push(values);
    return sent;
  }
}
