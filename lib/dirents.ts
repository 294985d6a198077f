/**
 * Collects directory entries for a readdir/readdirplus reply, counting bytes the
 * way libfuse packs them (fuse_add_direntry) so `add()` can say when the
 * kernel's buffer is full.
 * @module
 */
import { native } from './addon.js';
import { DIRENT_LENGTH, packEntry } from './layout.js';
import type { Entry } from './types.js';
import { fileName, rangeError, uint } from './validate.js';

/** struct fuse_dirent without its name. */
const DIRENT_HEADER = 24;
/** struct fuse_direntplus (a fuse_entry_out, then a fuse_dirent) without the name. */
const DIRENTPLUS_HEADER = 128 + DIRENT_HEADER;

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** @internal */
export class DirentBuffer {
  readonly #size: number;
  readonly #plus: boolean;
  readonly #names: string[] = [];
  #values = new Float64Array(DIRENT_LENGTH * 16);
  #used = 0;

  constructor(size: number, plus: boolean) {
    this.#size = size;
    this.#plus = plus;
  }

  /** Adds an entry if it fits; false when the buffer is full. */
  add(where: string, name: string, entry: Entry, nextOffset: number): boolean {
    fileName(where, 'name', name);
    const bytes = align8((this.#plus ? DIRENTPLUS_HEADER : DIRENT_HEADER) + Buffer.byteLength(name));
    if (this.#used + bytes > this.#size) return false;
    if (uint(where, 'nextOffset', nextOffset) === 0)
      rangeError(where, 'nextOffset', 'a positive safe integer', nextOffset);
    const n = this.#names.length;
    if ((n + 1) * DIRENT_LENGTH > this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    const at = n * DIRENT_LENGTH;
    packEntry(where, entry, this.#values, at + 1);
    this.#values[at] = nextOffset;
    this.#names.push(name);
    this.#used += bytes;
    return true;
  }

  /** Sends the entries as the reply to request `id`. */
  send(id: number): number {
    return native.replyDirents(
      id,
      this.#plus,
      this.#size,
      this.#names.join('\0'),
      this.#values.subarray(0, this.#names.length * DIRENT_LENGTH),
    );
  }
}
