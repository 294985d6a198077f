/**
 * A regular file's bytes, stored in chunks of 128 KiB with a bitmap of the
 * 4 KiB pages each holds. A page that was never written is a hole: it reads as
 * zeros, and a chunk with no pages takes no memory. Writes at any offset only
 * ever grow the file; only truncate shrinks it.
 *
 * Reads answer with views of the stored bytes (no copy, no garbage), which is
 * why `readv` and `read` return memory that must not be modified.
 * @module
 */

/** The page size in bytes: the unit of allocation, of holes, and of `st_blocks`. */
export const PAGE_SIZE = 4096;
/** Pages per chunk: one bit each in a chunk's 32-bit page map. */
const CHUNK_PAGES = 32;
/** The chunk size in bytes: the unit of storage. */
export const CHUNK_SIZE = PAGE_SIZE * CHUNK_PAGES;

/** Read-only zeros that hole reads answer with (never handed out for writing). */
const ZEROS = Buffer.alloc(CHUNK_SIZE);
const EMPTY = Buffer.alloc(0);

/**
 * Shared accounting of allocated pages against a capacity, so statfs can tell
 * the truth and a full filesystem answers ENOSPC.
 */
export class Space {
  /** The most pages all files together may hold. */
  readonly capacityPages: number;
  /** Pages allocated now. */
  usedPages = 0;
  /** @param capacityBytes the filesystem's size in bytes. */
  constructor(capacityBytes: number) {
    this.capacityPages = Math.max(1, Math.floor(capacityBytes / PAGE_SIZE));
  }
  /** Pages still free. */
  get freePages(): number {
    return Math.max(0, this.capacityPages - this.usedPages);
  }
}

/** Thrown when an allocation would exceed the capacity (the handlers answer ENOSPC). */
export class NoSpaceError extends Error {
  /** The errno name, so the library maps this error to ENOSPC. */
  readonly code = 'ENOSPC';
}

/**
 * One chunk: `bytes` covers at least its allocated pages (it grows in powers
 * of two up to CHUNK_SIZE, so small files stay small). Every byte outside an
 * allocated page, and every byte at or past the file's size, is zero.
 */
interface Chunk {
  bytes: Buffer;
  /** Bit i set: page i of the chunk is allocated. */
  pages: number;
}

/** The number of set bits in a 32-bit value. */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** The index of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** The page bits of a chunk from page `first` up to, not including, page `end` (0 ≤ first < end ≤ 32). */
function pageBits(first: number, end: number): number {
  return (end >= CHUNK_PAGES ? -1 : (1 << end) - 1) & ~((1 << first) - 1);
}

/** The page bits touched by bytes [from, to) of a chunk (from < to). */
function touchedPages(from: number, to: number): number {
  return pageBits(Math.floor(from / PAGE_SIZE), Math.ceil(to / PAGE_SIZE));
}

/** A sparse file body: `size` bytes, of which only the written pages are stored. */
export class SparseData {
  /** Chunks by index (offset / CHUNK_SIZE). A missing index is a hole. */
  readonly #chunks = new Map<number, Chunk>();
  readonly #space: Space;
  #pages = 0;
  /** The file size in bytes (may extend past the last page: a trailing hole). */
  size = 0;

  /** @param space the filesystem's page accounting. */
  constructor(space: Space) {
    this.#space = space;
  }

  /** Pages allocated, for `st_blocks`. */
  get allocatedPages(): number {
    return this.#pages;
  }

  /**
   * Up to `length` bytes at `offset` (fewer at end of file; holes read as
   * zeros), as views of the stored bytes and of shared zeros, one or two per
   * chunk: valid until the next change, never to be modified.
   */
  readv(offset: number, length: number): Buffer[] {
    const end = Math.min(this.size, offset + length);
    const parts: Buffer[] = [];
    for (let pos = offset; pos < end; ) {
      const index = Math.floor(pos / CHUNK_SIZE);
      const start = index * CHUNK_SIZE;
      const from = pos - start;
      const to = Math.min(CHUNK_SIZE, end - start);
      const bytes = this.#chunks.get(index)?.bytes;
      // A chunk's bytes may stop short of it: the rest is a hole.
      const stored = bytes === undefined ? from : Math.max(from, Math.min(to, bytes.length));
      if (bytes !== undefined && stored > from) parts.push(bytes.subarray(from, stored));
      if (to > stored) parts.push(ZEROS.subarray(0, to - stored));
      pos = start + to;
    }
    return parts;
  }

  /**
   * Up to `length` bytes at `offset`, as one Buffer: a view (see
   * {@link readv}) when the range lies in one chunk, else a copy.
   */
  read(offset: number, length: number): Buffer {
    const parts = this.readv(offset, length);
    if (parts.length === 0) return EMPTY;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /**
   * Writes `data` at `offset`, allocating pages as needed and growing the size
   * if the write ends past it. Never shrinks the file. All or nothing: throws
   * {@link NoSpaceError} before changing anything if the pages do not fit.
   */
  write(offset: number, data: Uint8Array): void {
    if (data.length === 0) return;
    const end = offset + data.length;
    this.#reserve(offset, end);
    for (let pos = offset; pos < end; ) {
      const index = Math.floor(pos / CHUNK_SIZE);
      const from = pos - index * CHUNK_SIZE;
      const to = Math.min(CHUNK_SIZE, end - index * CHUNK_SIZE);
      const chunk = this.#chunk(index, to);
      chunk.bytes.set(
        pos === offset && end - pos === to - from ? data : data.subarray(pos - offset, pos - offset + to - from),
        from,
      );
      this.#mark(chunk, touchedPages(from, to));
      pos += to - from;
    }
    this.size = Math.max(this.size, end);
  }

  /** Allocates (zeroed) pages over [offset, offset + length) without changing bytes or size. */
  allocate(offset: number, length: number): void {
    if (length <= 0) return;
    this.#reserve(offset, offset + length);
    this.#eachChunk(offset, offset + length, (index, from, to) => {
      this.#mark(this.#chunk(index, Math.ceil(to / PAGE_SIZE) * PAGE_SIZE), touchedPages(from, to));
    });
  }

  /**
   * Makes [offset, offset + length) read as zeros: whole pages become holes,
   * partial pages are zero-filled. The size does not change.
   */
  punchHole(offset: number, length: number): void {
    if (length <= 0) return;
    this.#eachChunk(offset, offset + length, (index, from, to) => {
      const chunk = this.#chunks.get(index);
      if (chunk === undefined) return;
      chunk.bytes.fill(0, Math.min(from, chunk.bytes.length), Math.min(to, chunk.bytes.length));
      const whole = Math.ceil(from / PAGE_SIZE) < Math.floor(to / PAGE_SIZE);
      if (whole) this.#unmark(index, chunk, pageBits(Math.ceil(from / PAGE_SIZE), Math.floor(to / PAGE_SIZE)));
    });
  }

  /** Makes [offset, offset + length) read as zeros with its pages allocated (FALLOC_FL_ZERO_RANGE). */
  zero(offset: number, length: number): void {
    if (length <= 0) return;
    this.#reserve(offset, offset + length);
    this.#eachChunk(offset, offset + length, (index, from, to) => {
      const chunk = this.#chunk(index, Math.ceil(to / PAGE_SIZE) * PAGE_SIZE);
      chunk.bytes.fill(0, from, to);
      this.#mark(chunk, touchedPages(from, to));
    });
  }

  /** Sets the size: shrinking drops the bytes past it, growing adds a hole. */
  truncate(size: number): void {
    if (size < this.size) {
      for (const [index, chunk] of [...this.#chunks]) {
        const start = index * CHUNK_SIZE;
        if (start >= size) {
          this.#unmark(index, chunk, -1);
        } else if (size < start + CHUNK_SIZE) {
          // The bytes past the new size must read as zeros if the file grows again.
          const within = size - start;
          if (within < chunk.bytes.length) chunk.bytes.fill(0, within);
          const keep = Math.ceil(within / PAGE_SIZE);
          if (keep < CHUNK_PAGES) this.#unmark(index, chunk, pageBits(keep, CHUNK_PAGES));
        }
      }
    }
    this.size = size;
  }

  /**
   * SEEK_DATA: the first offset at or after `offset` inside an allocated page
   * (and below the size), or undefined (ENXIO) if there is none.
   */
  seekData(offset: number): number | undefined {
    if (offset >= this.size) return undefined;
    const page = Math.floor(offset / PAGE_SIZE);
    const first = Math.floor(page / CHUNK_PAGES);
    const last = Math.floor((this.size - 1) / CHUNK_SIZE);
    // The first allocated page at or after `page` in chunk `index`, or -1.
    const firstIn = (index: number, chunk: Chunk): number => {
      const bits = index === first ? chunk.pages & (-1 << (page - first * CHUNK_PAGES)) : chunk.pages;
      return bits === 0 ? -1 : index * CHUNK_PAGES + lowestBit(bits);
    };
    let best = -1;
    if (last - first < this.#chunks.size) {
      // Fewer chunks to walk than chunks stored: step through the indexes.
      for (let index = first; index <= last && best < 0; index++) {
        const chunk = this.#chunks.get(index);
        if (chunk !== undefined) best = firstIn(index, chunk);
      }
    } else {
      for (const [index, chunk] of this.#chunks) {
        if (index < first) continue;
        const found = firstIn(index, chunk);
        if (found >= 0 && (best < 0 || found < best)) best = found;
      }
    }
    if (best < 0) return undefined;
    const at = Math.max(offset, best * PAGE_SIZE);
    return at < this.size ? at : undefined;
  }

  /**
   * SEEK_HOLE: the first offset at or after `offset` inside a hole; the end of
   * the file counts as a hole. Undefined (ENXIO) if `offset` is past the end.
   */
  seekHole(offset: number): number | undefined {
    if (offset >= this.size) return undefined;
    let page = Math.floor(offset / PAGE_SIZE);
    for (;;) {
      const index = Math.floor(page / CHUNK_PAGES);
      const chunk = this.#chunks.get(index);
      if (chunk === undefined) break;
      const holes = ~chunk.pages & (-1 << (page - index * CHUNK_PAGES));
      if (holes !== 0) {
        page = index * CHUNK_PAGES + lowestBit(holes);
        break;
      }
      page = (index + 1) * CHUNK_PAGES;
      if (page * PAGE_SIZE >= this.size) break;
    }
    return Math.min(this.size, Math.max(offset, page * PAGE_SIZE));
  }

  /**
   * Copies `length` bytes (fewer at the source's end of file) from `source`
   * at `from` to this file at `to`, keeping holes as holes. Returns the count.
   */
  copyFrom(source: SparseData, from: number, to: number, length: number): number {
    const count = Math.max(0, Math.min(length, source.size - from));
    if (count === 0) return 0;
    // Copy the bytes and map the holes first: the ranges may be in the same file.
    const bytes = Buffer.concat(source.readv(from, count)); // always a copy
    const end = from + count;
    const holes: [start: number, end: number][] = [];
    for (let pos = from; pos < end; ) {
      const hole = Math.min(source.seekHole(pos) ?? end, end);
      if (hole >= end) break;
      pos = Math.min(source.seekData(hole) ?? end, end);
      holes.push([hole, pos]);
    }
    let pos = from;
    for (const [hole, data] of [...holes, [end, end] as const]) {
      if (hole > pos) this.write(to + pos - from, bytes.subarray(pos - from, hole - from));
      if (data > hole) {
        this.punchHole(to + hole - from, data - hole);
        this.size = Math.max(this.size, to + data - from);
      }
      pos = data;
    }
    return count;
  }

  /** Frees every page (the file is being deleted). */
  clear(): void {
    this.#space.usedPages -= this.#pages;
    this.#pages = 0;
    this.#chunks.clear();
    this.size = 0;
  }

  /** Calls `fn` for each chunk [offset, end) touches, with the range inside it. */
  #eachChunk(offset: number, end: number, fn: (index: number, from: number, to: number) => void): void {
    for (let pos = offset; pos < end; ) {
      const index = Math.floor(pos / CHUNK_SIZE);
      const start = index * CHUNK_SIZE;
      const to = Math.min(CHUNK_SIZE, end - start);
      fn(index, pos - start, to);
      pos = start + to;
    }
  }

  /** Checks that the pages missing in [start, end) fit in the free space. */
  #reserve(start: number, end: number): void {
    let missing = 0;
    this.#eachChunk(start, end, (index, from, to) => {
      const wanted = touchedPages(from, to);
      missing += popcount(wanted & ~(this.#chunks.get(index)?.pages ?? 0));
    });
    if (missing > this.#space.freePages) throw new NoSpaceError('no space left on the memfs');
  }

  /** Chunk `index`, its bytes grown (zero-filled) to at least `length`. */
  #chunk(index: number, length: number): Chunk {
    let chunk = this.#chunks.get(index);
    if (chunk !== undefined && chunk.bytes.length >= length) return chunk;
    let grown = PAGE_SIZE;
    while (grown < length) grown *= 2;
    const bytes = Buffer.alloc(Math.min(grown, CHUNK_SIZE));
    if (chunk === undefined) {
      chunk = { bytes, pages: 0 };
      this.#chunks.set(index, chunk);
    } else {
      chunk.bytes.copy(bytes);
      chunk.bytes = bytes;
    }
    return chunk;
  }

  /** Marks pages of `chunk` allocated (the caller reserved them). */
  #mark(chunk: Chunk, bits: number): void {
    const added = popcount(bits & ~chunk.pages);
    chunk.pages |= bits;
    this.#pages += added;
    this.#space.usedPages += added;
  }

  /** Frees pages of chunk `index` (their bytes are zero already, or past the size); drops it once empty. */
  #unmark(index: number, chunk: Chunk, bits: number): void {
    const removed = popcount(bits & chunk.pages);
    chunk.pages &= ~bits;
    this.#pages -= removed;
    this.#space.usedPages -= removed;
    if (chunk.pages === 0) this.#chunks.delete(index);
  }
}
