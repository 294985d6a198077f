/**
 * A regular file's bytes as a sparse set of fixed-size pages. A page that was
 * never written is a hole: it reads as zeros and takes no memory. Writes at
 * any offset only ever grow the file; only truncate shrinks it.
 * @module
 */

/** The page size in bytes: the unit of allocation, of holes, and of `st_blocks`. */
export const PAGE_SIZE = 4096;

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

/** A sparse file body: `size` bytes, of which only the written pages are stored. */
export class SparseData {
  /** Pages by index (offset / PAGE_SIZE). A missing index is a hole. */
  readonly #pages = new Map<number, Buffer>();
  readonly #space: Space;
  /** The file size in bytes (may extend past the last page: a trailing hole). */
  size = 0;

  /** @param space the filesystem's page accounting. */
  constructor(space: Space) {
    this.#space = space;
  }

  /** Pages allocated, for `st_blocks`. */
  get allocatedPages(): number {
    return this.#pages.size;
  }

  /** Copies up to `length` bytes at `offset` (fewer at end of file; holes read as zeros). */
  read(offset: number, length: number): Buffer {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return Buffer.alloc(0);
    const out = Buffer.alloc(end - offset);
    for (let pos = offset; pos < end; ) {
      const index = Math.floor(pos / PAGE_SIZE);
      const within = pos - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - within, end - pos);
      this.#pages.get(index)?.copy(out, pos - offset, within, within + n);
      pos += n;
    }
    return out;
  }

  /**
   * Writes `data` at `offset`, allocating pages as needed and growing the size
   * if the write ends past it. Never shrinks the file. All or nothing: throws
   * {@link NoSpaceError} before changing anything if the pages do not fit.
   */
  write(offset: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.#reserve(offset, offset + data.length);
    for (let pos = offset, from = 0; from < data.length; ) {
      const index = Math.floor(pos / PAGE_SIZE);
      const within = pos - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - within, data.length - from);
      this.#page(index).set(data.subarray(from, from + n), within);
      pos += n;
      from += n;
    }
    this.size = Math.max(this.size, offset + data.length);
  }

  /** Allocates (zeroed) pages over [offset, offset + length) without changing bytes or size. */
  allocate(offset: number, length: number): void {
    if (length <= 0) return;
    this.#reserve(offset, offset + length);
    const last = Math.floor((offset + length - 1) / PAGE_SIZE);
    for (let index = Math.floor(offset / PAGE_SIZE); index <= last; index++) this.#page(index);
  }

  /**
   * Makes [offset, offset + length) read as zeros: whole pages become holes,
   * partial pages are zero-filled. The size does not change.
   */
  punchHole(offset: number, length: number): void {
    const end = offset + length;
    if (length <= 0) return;
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.floor((end - 1) / PAGE_SIZE);
    for (let index = first; index <= last; index++) {
      const page = this.#pages.get(index);
      if (page === undefined) continue;
      const pageStart = index * PAGE_SIZE;
      const from = Math.max(offset, pageStart) - pageStart;
      const to = Math.min(end, pageStart + PAGE_SIZE) - pageStart;
      if (from === 0 && to === PAGE_SIZE) this.#drop(index);
      else page.fill(0, from, to);
    }
  }

  /** Makes [offset, offset + length) read as zeros with its pages allocated (FALLOC_FL_ZERO_RANGE). */
  zero(offset: number, length: number): void {
    if (length <= 0) return;
    this.#reserve(offset, offset + length);
    for (let pos = offset, end = offset + length; pos < end; ) {
      const index = Math.floor(pos / PAGE_SIZE);
      const within = pos - index * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - within, end - pos);
      this.#page(index).fill(0, within, within + n);
      pos += n;
    }
  }

  /** Sets the size: shrinking drops the bytes past it, growing adds a hole. */
  truncate(size: number): void {
    if (size < this.size) {
      const keep = Math.ceil(size / PAGE_SIZE);
      for (const index of [...this.#pages.keys()]) if (index >= keep) this.#drop(index);
      // The tail of the last kept page must read as zeros if the file grows again.
      this.#pages.get(keep - 1)?.fill(0, size - (keep - 1) * PAGE_SIZE);
    }
    this.size = size;
  }

  /**
   * SEEK_DATA: the first offset at or after `offset` inside an allocated page
   * (and below the size), or undefined (ENXIO) if there is none.
   */
  seekData(offset: number): number | undefined {
    if (offset >= this.size) return undefined;
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.floor((this.size - 1) / PAGE_SIZE);
    let best: number | undefined;
    if (last - first < this.#pages.size) {
      // Fewer pages to walk than pages stored: step through the indexes.
      for (let index = first; index <= last && best === undefined; index++) if (this.#pages.has(index)) best = index;
    } else {
      for (const index of this.#pages.keys()) {
        if (index >= first && (best === undefined || index < best)) best = index;
      }
    }
    if (best === undefined) return undefined;
    const at = Math.max(offset, best * PAGE_SIZE);
    return at < this.size ? at : undefined;
  }

  /**
   * SEEK_HOLE: the first offset at or after `offset` inside a hole; the end of
   * the file counts as a hole. Undefined (ENXIO) if `offset` is past the end.
   */
  seekHole(offset: number): number | undefined {
    if (offset >= this.size) return undefined;
    let index = Math.floor(offset / PAGE_SIZE);
    while (this.#pages.has(index)) index++;
    return Math.min(this.size, Math.max(offset, index * PAGE_SIZE));
  }

  /**
   * Copies `length` bytes (fewer at the source's end of file) from `source`
   * at `from` to this file at `to`, keeping holes as holes. Returns the count.
   */
  copyFrom(source: SparseData, from: number, to: number, length: number): number {
    const count = Math.max(0, Math.min(length, source.size - from));
    if (count === 0) return 0;
    // Read the bytes and map the holes first: the ranges may be in the same file.
    const bytes = source.read(from, count);
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
    for (const index of [...this.#pages.keys()]) this.#drop(index);
    this.size = 0;
  }

  /** Checks that the pages missing in [start, end) fit in the free space. */
  #reserve(start: number, end: number): void {
    let missing = 0;
    const last = Math.floor((end - 1) / PAGE_SIZE);
    for (let index = Math.floor(start / PAGE_SIZE); index <= last; index++) {
      if (!this.#pages.has(index)) missing++;
    }
    if (missing > this.#space.freePages) throw new NoSpaceError('no space left on the memfs');
  }

  #page(index: number): Buffer {
    let page = this.#pages.get(index);
    if (page === undefined) {
      page = Buffer.alloc(PAGE_SIZE);
      this.#pages.set(index, page);
      this.#space.usedPages++;
    }
    return page;
  }

  #drop(index: number): void {
    if (this.#pages.delete(index)) this.#space.usedPages--;
  }
}
