/**
 * memfs's file bodies (examples/memfs/data.ts), no mounts: random operations
 * checked against a plain model (one byte array, one set of allocated pages),
 * across chunk boundaries, so views, holes and page accounting stay exact.
 */
import { describe, expect, it } from 'vitest';
import {
  CHUNK_SIZE,
  FileTooLargeError,
  MAX_FILE_SIZE,
  NoSpaceError,
  PAGE_SIZE,
  type Position,
  plus,
  position,
  Space,
  SparseData,
} from '../examples/memfs/data.js';

/** The obvious implementation: every byte, and the set of allocated pages. */
class Model {
  bytes = new Uint8Array(0);
  readonly pages = new Set<number>();
  size = 0;
  constructor(readonly space: { used: number; capacity: number }) {}
  #grow(end: number): void {
    if (end <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(end, this.bytes.length * 2));
    grown.set(this.bytes);
    this.bytes = grown;
  }
  #reserve(offset: number, end: number): void {
    let missing = 0;
    for (let p = Math.floor(offset / PAGE_SIZE); p * PAGE_SIZE < end; p++) if (!this.pages.has(p)) missing++;
    if (missing > this.space.capacity - this.space.used) throw new NoSpaceError('full');
  }
  #mark(offset: number, end: number): void {
    for (let p = Math.floor(offset / PAGE_SIZE); p * PAGE_SIZE < end; p++) {
      if (!this.pages.has(p)) this.space.used++;
      this.pages.add(p);
    }
  }
  #unmark(page: number): void {
    if (this.pages.delete(page)) this.space.used--;
  }
  read(offset: number, length: number): Buffer {
    const end = Math.min(this.size, offset + length);
    const out = Buffer.alloc(Math.max(0, end - offset));
    this.#grow(end);
    out.set(this.bytes.subarray(offset, Math.max(offset, end)));
    return out;
  }
  write(offset: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.#reserve(offset, offset + data.length);
    this.#grow(offset + data.length);
    this.bytes.set(data, offset);
    this.#mark(offset, offset + data.length);
    this.size = Math.max(this.size, offset + data.length);
  }
  allocate(offset: number, length: number): void {
    if (length <= 0) return;
    this.#reserve(offset, offset + length);
    this.#mark(offset, offset + length);
  }
  punchHole(offset: number, length: number): void {
    if (length <= 0) return;
    this.#grow(offset + length);
    this.bytes.fill(0, offset, offset + length);
    for (let p = Math.ceil(offset / PAGE_SIZE); (p + 1) * PAGE_SIZE <= offset + length; p++) this.#unmark(p);
  }
  zero(offset: number, length: number): void {
    if (length <= 0) return;
    this.#reserve(offset, offset + length);
    this.#grow(offset + length);
    this.bytes.fill(0, offset, offset + length);
    this.#mark(offset, offset + length);
  }
  truncate(size: number): void {
    if (size < this.size) {
      this.bytes.fill(0, size);
      for (const p of [...this.pages]) if (p >= Math.ceil(size / PAGE_SIZE)) this.#unmark(p);
    }
    this.size = size;
  }
  seekData(offset: number): number | undefined {
    if (offset >= this.size) return undefined;
    const first = Math.min(...[...this.pages].filter((p) => p >= Math.floor(offset / PAGE_SIZE)));
    const at = Math.max(offset, first * PAGE_SIZE);
    return Number.isFinite(at) && at < this.size ? at : undefined;
  }
  seekHole(offset: number): number | undefined {
    if (offset >= this.size) return undefined;
    let p = Math.floor(offset / PAGE_SIZE);
    while (this.pages.has(p)) p++;
    return Math.min(this.size, Math.max(offset, p * PAGE_SIZE));
  }
}

/** A small deterministic generator (tests must repeat). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

describe('memfs SparseData', () => {
  it('matches a byte-array model over random writes, holes, zeroing, truncation and seeks', () => {
    const rnd = random(7);
    const limit = 6 * CHUNK_SIZE;
    const offset = (): number =>
      [rnd(300), rnd(3 * PAGE_SIZE), rnd(limit), Math.max(0, CHUNK_SIZE * rnd(6) - rnd(2) * 100)][rnd(4)] ?? 0;
    for (let round = 0; round < 40; round++) {
      const capacity = 16 + rnd(200);
      const space = new Space(capacity * PAGE_SIZE);
      const model = new Model({ used: 0, capacity });
      const data = new SparseData(space);
      for (let step = 0; step < 80; step++) {
        const at = offset();
        const length = rnd(4) === 0 ? rnd(2 * CHUNK_SIZE) : rnd(3 * PAGE_SIZE);
        const where = `round ${round} step ${step}`;
        const both = (real: () => void, expected: () => void): void => {
          let failed: unknown;
          try {
            expected();
          } catch (error) {
            failed = error;
          }
          if (failed === undefined) real();
          else expect(real, where).toThrow(NoSpaceError);
        };
        switch (rnd(6)) {
          case 0: {
            const bytes = Buffer.alloc(length);
            for (let i = 0; i < length; i += 61) bytes[i] = 1 + rnd(255);
            both(
              () => data.write(at, bytes),
              () => model.write(at, bytes),
            );
            break;
          }
          case 1:
            both(
              () => data.allocate(at, length),
              () => model.allocate(at, length),
            );
            break;
          case 2:
            data.punchHole(at, length);
            model.punchHole(at, length);
            break;
          case 3:
            both(
              () => data.zero(at, length),
              () => model.zero(at, length),
            );
            break;
          case 4:
            data.truncate(at);
            model.truncate(at);
            break;
          default: {
            const read = data.read(at, length);
            expect(read.equals(model.read(at, length)), where).toBe(true);
            const parts = data.readv(at, length);
            expect(Buffer.concat(parts).equals(read), where).toBe(true);
            expect(parts.length, where).toBeLessThanOrEqual(2 * Math.ceil(length / CHUNK_SIZE + 1));
          }
        }
        expect(data.size, where).toBe(model.size);
        expect(data.allocatedPages, where).toBe(model.pages.size);
        expect(space.usedPages, where).toBe(model.space.used);
        expect(data.read(0, Number(data.size)).equals(model.read(0, model.size)), where).toBe(true);
        for (const probe of [0, at, offset(), offset()]) {
          expect(data.seekData(probe), `${where} SEEK_DATA ${probe}`).toBe(model.seekData(probe));
          expect(data.seekHole(probe), `${where} SEEK_HOLE ${probe}`).toBe(model.seekHole(probe));
        }
      }
      data.clear();
      expect(space.usedPages).toBe(0);
    }
  });

  it('answers a read inside one chunk with a view of the stored bytes, a read across chunks with a copy', () => {
    const data = new SparseData(new Space(64 * CHUNK_SIZE));
    const bytes = Buffer.alloc(2 * CHUNK_SIZE, 7);
    data.write(0, bytes);
    const inside = data.read(PAGE_SIZE, PAGE_SIZE);
    const across = data.read(CHUNK_SIZE - PAGE_SIZE, 2 * PAGE_SIZE);
    data.write(PAGE_SIZE, Buffer.alloc(2 * CHUNK_SIZE, 9));
    expect(inside[0]).toBe(9);
    expect(across[0]).toBe(7);
  });

  it('copyFrom copies overlapping ranges of one file as if through a buffer, holes included', () => {
    const data = new SparseData(new Space(64 * CHUNK_SIZE));
    const bytes = Buffer.alloc(CHUNK_SIZE + 3 * PAGE_SIZE);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
    data.write(0, bytes);
    data.punchHole(PAGE_SIZE, PAGE_SIZE);
    const before = Buffer.from(data.read(0, Number(data.size)));
    expect(data.copyFrom(data, 0, 2 * PAGE_SIZE, bytes.length)).toBe(bytes.length);
    expect(data.read(2 * PAGE_SIZE, bytes.length).equals(before)).toBe(true);
    expect(data.seekHole(2 * PAGE_SIZE)).toBe(3 * PAGE_SIZE);
  });
});

describe('SparseData past 2^53: bigint positions, the same storage', () => {
  const P = 2n ** 60n + 5n;
  it('normalizes positions: a number while safe, a bigint past it', () => {
    expect(position(2n ** 53n - 1n)).toBe(Number.MAX_SAFE_INTEGER);
    expect(position(2n ** 53n)).toBe(2n ** 53n);
    expect(plus(Number.MAX_SAFE_INTEGER, 1)).toBe(2n ** 53n);
    expect(plus(2n ** 53n, -1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('writes, reads, seeks and truncates at 2^60 with a few pages of memory', () => {
    const space = new Space(64 * CHUNK_SIZE);
    const data = new SparseData(space);
    data.write(P, Buffer.from('hello'));
    expect(data.size).toBe(P + 5n);
    expect(data.allocatedPages).toBe(1);
    expect(data.read(P - 2n, 10).toString('latin1')).toBe('\0\0hello');
    expect(data.read(2n ** 59n, 4)).toEqual(Buffer.alloc(4));
    expect(data.read(P + 5n, 4).length).toBe(0);
    expect(data.seekData(0)).toBe(P - 5n); // the page start: 2^60 is page-aligned
    expect(data.seekHole(P)).toBe(P + 5n);
    expect(data.seekHole(0)).toBe(0);
    data.truncate(P + 2n);
    expect(data.read(P, 8).toString()).toBe('he');
    data.truncate(P + 4n);
    expect(data.read(P, 8).toString('latin1')).toBe('he\0\0');
    data.truncate(2n ** 59n);
    expect(data.allocatedPages).toBe(0);
    expect(space.usedPages).toBe(0);
  });

  it('allocate, zero and punch ranges of 2^40 bytes far out visit only what is stored', () => {
    const data = new SparseData(new Space(64 * CHUNK_SIZE));
    data.write(P, Buffer.alloc(3 * PAGE_SIZE, 1));
    expect(() => data.allocate(P, 2n ** 40n)).toThrow(NoSpaceError);
    expect(() => data.zero(0, 2n ** 40n)).toThrow(NoSpaceError);
    data.punchHole(0, 2n ** 62n);
    expect(data.allocatedPages).toBe(0);
    expect(data.read(P, 4)).toEqual(Buffer.alloc(4));
    expect(data.size).toBe(P + BigInt(3 * PAGE_SIZE));
  });

  it('copies between offsets past 2^53, holes kept; refuses to grow past 2^63 - 1', () => {
    const data = new SparseData(new Space(64 * CHUNK_SIZE));
    data.write(P, Buffer.from('abc'));
    const copy = new SparseData(new Space(64 * CHUNK_SIZE));
    expect(copy.copyFrom(data, P - 1n, 2n ** 57n, 100)).toBe(4);
    expect(copy.read(2n ** 57n, 8).toString('latin1')).toBe('\0abc');
    expect(copy.size).toBe(2n ** 57n + 4n);
    const last: Position = (MAX_FILE_SIZE as bigint) - 1n;
    data.write(last, Buffer.from('Z'));
    expect(data.size).toBe(MAX_FILE_SIZE);
    expect(() => data.write(last, Buffer.from('ZZ'))).toThrow(FileTooLargeError);
    expect(() => copy.copyFrom(data, P, last, 3)).toThrow(FileTooLargeError);
  });
});
