/**
 * A directory's entries, in insertion order, each with a cookie: a readdir
 * offset that stays valid while other entries come and go, so a listing that
 * runs concurrently with unlinks never skips or repeats a surviving entry.
 * @module
 */

/** Readdir offset after '.'. */
export const DOT_COOKIE = 1;
/** Readdir offset after '..'; entries' cookies are larger. */
export const DOTDOT_COOKIE = 2;

/** One name in a directory. */
export interface DirEntry {
  /** The name (no '/' or NUL, never '.' or '..'). */
  readonly name: string;
  /** The inode the name refers to (RENAME_EXCHANGE swaps it in place). */
  ino: number;
  /** The readdir offset just after this entry; unique and increasing in the directory. */
  readonly cookie: number;
  /** Set once the entry is removed, so a listing in progress skips it. */
  removed: boolean;
}

/** The names of one directory. */
export class Directory {
  readonly #byName = new Map<string, DirEntry>();
  /** Every entry by increasing cookie, removed ones included until compaction. */
  #order: DirEntry[] = [];
  #removed = 0;
  #nextCookie = DOTDOT_COOKIE + 1;

  /** How many names the directory holds. */
  get size(): number {
    return this.#byName.size;
  }

  /** The entry for `name`, if any. */
  get(name: string): DirEntry | undefined {
    return this.#byName.get(name);
  }

  /** Adds `name` → `ino` (the caller checked that `name` is free) with a fresh cookie. */
  add(name: string, ino: number): DirEntry {
    const entry: DirEntry = { name, ino, cookie: this.#nextCookie++, removed: false };
    this.#byName.set(name, entry);
    this.#order.push(entry);
    return entry;
  }

  /** Removes `name`; returns its entry, or undefined if there was none. */
  remove(name: string): DirEntry | undefined {
    const entry = this.#byName.get(name);
    if (entry === undefined) return undefined;
    this.#byName.delete(name);
    entry.removed = true;
    if (++this.#removed > 32 && this.#removed * 2 > this.#order.length) {
      this.#order = this.#order.filter((e) => !e.removed);
      this.#removed = 0;
    }
    return entry;
  }

  /**
   * Calls `visit` with each entry whose cookie is larger than `offset`, in
   * cookie order, until it returns false. Finding the start is a binary
   * search over the cookies, so each readdir call costs O(log n) plus its
   * entries.
   */
  forEachAfter(offset: number, visit: (entry: DirEntry) => boolean): void {
    const order = this.#order;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((order[mid] as DirEntry).cookie <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < order.length; i++) {
      const entry = order[i] as DirEntry;
      if (!entry.removed && !visit(entry)) return;
    }
  }

  /** Every entry, in insertion order. */
  values(): IterableIterator<DirEntry> {
    return this.#byName.values();
  }
}
