/**
 * A regular file's bytes, stored in chunks of 128 KiB with a bitmap of the
 * 4 KiB pages each holds. A page that was never written is a hole: it reads as
 * zeros, and a chunk with no pages takes no memory. Writes at any offset only
 * ever grow the file; only truncate shrinks it.
 *
 * Files reach the kernel's largest size, 2^63 - 1 bytes. A byte position is
 * a {@link Position}: a number up to 2^53 - 1 (every position of every file
 * of ordinary size, so the read and write path stays on numbers), a bigint
 * past it. Inside, a position is a chunk index and an offset within the
 * chunk, both small numbers, so storage never does bigint arithmetic.
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

/**
 * A byte position or size: a number up to Number.MAX_SAFE_INTEGER, a bigint
 * past it (a value never appears as both, so `===` compares positions).
 */
export type Position = number | bigint;

/** The largest file size: the kernel's MAX_LFS_FILESIZE (2^63 - 1), the limit FUSE sets. */
export const MAX_FILE_SIZE: Position = 2n ** 63n - 1n;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);
/** Chunk indexes below this start at a safe position (index * CHUNK_SIZE + CHUNK_SIZE <= 2^53 - 1). */
const SAFE_CHUNKS = 2 ** 36 - 1;
const CHUNK_SHIFT = 17n;
const CHUNK_MASK = 0x1ffffn;

/** `value` as a Position: a number when it is a safe integer. */
export function position(value: bigint): Position {
  return value <= MAX_SAFE_BIG ? Number(value) : value;
}

/** a + b. */
export function plus(a: Position, b: Position): Position {
  if (typeof a === 'number' && typeof b === 'number' && a + b <= MAX_SAFE) return a + b;
  return position(BigInt(a) + BigInt(b));
}

/** a - b (a >= b). */
export function minus(a: Position, b: Position): Position {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return position(BigInt(a) - BigInt(b));
}

/** The larger of two positions. */
export function maxPosition(a: Position, b: Position): Position {
  return a < b ? b : a;
}

/** The smaller of two positions. */
export function minPosition(a: Position, b: Position): Position {
  return a < b ? a : b;
}

/** The index of the chunk holding byte `p`. */
function chunkOf(p: Position): number {
  return typeof p === 'number' ? Math.floor(p / CHUNK_SIZE) : Number(p >> CHUNK_SHIFT);
}

/** The offset of byte `p` within its chunk. */
function withinOf(p: Position): number {
  return typeof p === 'number' ? p % CHUNK_SIZE : Number(p & CHUNK_MASK);
}

/** The position of byte `within` (0 ≤ within ≤ CHUNK_SIZE) of chunk `index`. */
function positionOf(index: number, within: number): Position {
  if (index < SAFE_CHUNKS) return index * CHUNK_SIZE + within;
  return position((BigInt(index) << CHUNK_SHIFT) + BigInt(within));
}

/** The position where page `page` (counted from the file's start) begins. */
function pageStart(page: number): Position {
  return positionOf(Math.floor(page / CHUNK_PAGES), (page % CHUNK_PAGES) * PAGE_SIZE);
}

/** The page holding byte `p` (a safe number: files have fewer than 2^51 pages). */
function pageOf(p: Position): number {
  return chunkOf(p) * CHUNK_PAGES + Math.floor(withinOf(p) / PAGE_SIZE);
}

/** Thrown when a change would make a file larger than {@link MAX_FILE_SIZE} (the handlers answer EFBIG). */
export class FileTooLargeError extends Error {
  /** The errno name, so the library maps this error to EFBIG. */
  readonly code = 'EFBIG';
}

/** Throws {@link FileTooLargeError} if `end` is past the largest file size. */
export function checkFileSize(end: Position): void {
  if (end > MAX_FILE_SIZE) throw new FileTooLargeError('file too large for the memfs');
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
  /** Chunks by index (position / CHUNK_SIZE). A missing index is a hole. */
  readonly #chunks = new Map<number, Chunk>();
  readonly #space: Space;
  #pages = 0;
  /** The file size in bytes (may extend past the last page: a trailing hole). */
  size: Position = 0;

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
  readv(offset: Position, length: number): Buffer[] {
    const parts: Buffer[] = [];
    if (!(offset < this.size)) return parts;
    const rest = minus(this.size, offset);
    const count = typeof rest === 'number' && rest < length ? rest : length;
    let index = chunkOf(offset);
    let from = withinOf(offset);
    for (let done = 0; done < count; index++, from = 0) {
      const to = Math.min(CHUNK_SIZE, from + count - done);
      const bytes = this.#chunks.get(index)?.bytes;
      // A chunk's bytes may stop short of it: the rest is a hole.
      const stored = bytes === undefined ? from : Math.max(from, Math.min(to, bytes.length));
      if (bytes !== undefined && stored > from) parts.push(bytes.subarray(from, stored));
      if (to > stored) parts.push(ZEROS.subarray(0, to - stored));
      done += to - from;
    }
    return parts;
  }

  /**
   * Up to `length` bytes at `offset`, as one Buffer: a view (see
   * {@link readv}) when the range lies in one chunk, else a copy.
   */
  read(offset: Position, length: number): Buffer {
    const parts = this.readv(offset, length);
    if (parts.length === 0) return EMPTY;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /**
   * Writes `data` at `offset`, allocating pages as needed and growing the size
   * if the write ends past it. Never shrinks the file. All or nothing: throws
   * {@link NoSpaceError} or {@link FileTooLargeError} before changing anything.
   */
  write(offset: Position, data: Uint8Array): void {
    if (data.length === 0) return;
    const end = plus(offset, data.length);
    checkFileSize(end);
    this.#reserve(offset, end);
    let index = chunkOf(offset);
    let from = withinOf(offset);
    for (let done = 0; done < data.length; index++, from = 0) {
      const to = Math.min(CHUNK_SIZE, from + data.length - done);
      const chunk = this.#chunk(index, to);
      chunk.bytes.set(to - from === data.length ? data : data.subarray(done, done + to - from), from);
      this.#mark(chunk, touchedPages(from, to));
      done += to - from;
    }
    if (end > this.size) this.size = end;
  }

  /** Allocates (zeroed) pages over [offset, offset + length) without changing bytes or size. */
  allocate(offset: Position, length: Position): void {
    if (length <= 0) return;
    const end = plus(offset, length);
    this.#reserve(offset, end);
    this.#eachChunk(offset, end, (index, from, to) => {
      this.#mark(this.#chunk(index, Math.ceil(to / PAGE_SIZE) * PAGE_SIZE), touchedPages(from, to));
    });
  }

  /**
   * Makes [offset, offset + length) read as zeros: whole pages become holes,
   * partial pages are zero-filled. The size does not change.
   */
  punchHole(offset: Position, length: Position): void {
    if (length <= 0) return;
    const end = plus(offset, length);
    const first = chunkOf(offset);
    const last = chunkOf(minus(end, 1));
    // Only stored chunks can change: a hole punched across 2^40 chunks visits the few there are.
    const indexes =
      last - first < this.#chunks.size
        ? Array.from({ length: last - first + 1 }, (_, i) => first + i)
        : [...this.#chunks.keys()].filter((index) => index >= first && index <= last);
    for (const index of indexes) {
      const chunk = this.#chunks.get(index);
      if (chunk === undefined) continue;
      const from = index === first ? withinOf(offset) : 0;
      const to = index === last ? withinOf(minus(end, 1)) + 1 : CHUNK_SIZE;
      chunk.bytes.fill(0, Math.min(from, chunk.bytes.length), Math.min(to, chunk.bytes.length));
      const whole = Math.ceil(from / PAGE_SIZE) < Math.floor(to / PAGE_SIZE);
      if (whole) this.#unmark(index, chunk, pageBits(Math.ceil(from / PAGE_SIZE), Math.floor(to / PAGE_SIZE)));
    }
  }

  /** Makes [offset, offset + length) read as zeros with its pages allocated (FALLOC_FL_ZERO_RANGE). */
  zero(offset: Position, length: Position): void {
    if (length <= 0) return;
    const end = plus(offset, length);
    this.#reserve(offset, end);
    this.#eachChunk(offset, end, (index, from, to) => {
      const chunk = this.#chunk(index, Math.ceil(to / PAGE_SIZE) * PAGE_SIZE);
      chunk.bytes.fill(0, from, to);
      this.#mark(chunk, touchedPages(from, to));
    });
  }

  /** Sets the size: shrinking drops the bytes past it, growing adds a hole. */
  truncate(size: Position): void {
    if (size < this.size) {
      const last = chunkOf(size);
      const within = withinOf(size);
      for (const [index, chunk] of [...this.#chunks]) {
        if (index > last || (index === last && within === 0)) {
          this.#unmark(index, chunk, -1);
        } else if (index === last) {
          // The bytes past the new size must read as zeros if the file grows again.
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
  seekData(offset: Position): Position | undefined {
    if (!(offset < this.size)) return undefined;
    const page = pageOf(offset);
    const first = chunkOf(offset);
    const last = chunkOf(minus(this.size, 1));
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
    const at = maxPosition(offset, pageStart(best));
    return at < this.size ? at : undefined;
  }

  /**
   * SEEK_HOLE: the first offset at or after `offset` inside a hole; the end of
   * the file counts as a hole. Undefined (ENXIO) if `offset` is past the end.
   */
  seekHole(offset: Position): Position | undefined {
    if (!(offset < this.size)) return undefined;
    let page = pageOf(offset);
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
      if (!(pageStart(page) < this.size)) break;
    }
    return minPosition(this.size, maxPosition(offset, pageStart(page)));
  }

  /**
   * Copies `length` bytes (fewer at the source's end of file) from `source`
   * at `from` to this file at `to`, keeping holes as holes. Returns the count.
   * Throws {@link FileTooLargeError} if the copy would end past the largest size.
   */
  copyFrom(source: SparseData, from: Position, to: Position, length: number): number {
    if (!(from < source.size)) return 0;
    const rest = minus(source.size, from);
    const count = typeof rest === 'number' && rest < length ? rest : length;
    if (count === 0) return 0;
    checkFileSize(plus(to, count));
    // Copy the bytes and map the holes first: the ranges may be in the same file.
    const bytes = Buffer.concat(source.readv(from, count)); // always a copy
    const end = plus(from, count);
    /** A position of the source, relative to `from` (at most `count`). */
    const rel = (p: Position | undefined): number =>
      p === undefined ? count : Math.min(count, Number(minus(p, from)));
    const holes: [start: number, end: number][] = [];
    for (let pos = 0; pos < count; ) {
      const hole = rel(source.seekHole(plus(from, pos)));
      if (hole >= count) break;
      pos = rel(source.seekData(plus(from, hole)) ?? end);
      holes.push([hole, pos]);
    }
    let pos = 0;
    for (const [hole, data] of [...holes, [count, count] as const]) {
      if (hole > pos) this.write(plus(to, pos), bytes.subarray(pos, hole));
      if (data > hole) {
        this.punchHole(plus(to, hole), data - hole);
        this.size = maxPosition(this.size, plus(to, data));
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

  /** Calls `fn` for each chunk [start, end) touches (start < end), with the range inside it. */
  #eachChunk(start: Position, end: Position, fn: (index: number, from: number, to: number) => void): void {
    const first = chunkOf(start);
    const last = chunkOf(minus(end, 1));
    const stop = withinOf(minus(end, 1)) + 1;
    for (let index = first; index <= last; index++) {
      fn(index, index === first ? withinOf(start) : 0, index === last ? stop : CHUNK_SIZE);
    }
  }

  /** Checks that the pages missing in [start, end) fit in the free space. */
  #reserve(start: Position, end: Position): void {
    // A range with more pages than this file holds plus the free ones cannot fit: say so before walking it.
    const pages = pageOf(minus(end, 1)) - pageOf(start) + 1;
    if (pages - this.#pages > this.#space.freePages) throw new NoSpaceError('no space left on the memfs');
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
