/**
 * Directories: getdents64(2) on a directory descriptor, from the kernel's
 * offset cookies, so that a FUSE readdir resumes where the kernel asks.
 * @module
 */

import type { NativeDirents } from '../../types/native.js';
import { native } from '../addon.js';
import { rangeError } from '../validate.js';
import * as check from './check.js';
import type { DirentBatch, EncodingOption, Int64, Uint64 } from './types.js';

const sys = native.sys;
const BUFFER = { encoding: 'buffer' } as const;

/** Options of {@link getdents64}. */
export interface GetdentsOptions<E extends 'utf8' | 'buffer' = 'utf8' | 'buffer'> extends EncodingOption<E> {
  /** The kernel buffer in bytes, 1024 to 16 MiB (default 32 KiB): about 24 bytes + the name per record. */
  size?: number;
}

const DEFAULT_SIZE = 32 * 1024;

/** Buffer views of the NUL-separated names. */
function splitBuffer(joined: Buffer, count: number): Buffer[] {
  const names: Buffer[] = new Array(count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = i === count - 1 ? joined.length : joined.indexOf(0, start);
    names[i] = joined.subarray(start, end);
    start = end + 1;
  }
  return names;
}

/** The parallel arrays of a packed batch (see NativeDirents). */
function unpack(packed: NativeDirents): DirentBatch<string> | DirentBatch<Buffer> {
  const { count, values, wide } = packed;
  const inos: Uint64[] = new Array(count);
  const offsets: Int64[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const ino = values[2 * i] as number;
    const off = values[2 * i + 1] as number;
    inos[i] = !Number.isNaN(ino) ? ino : BigInt.asUintN(64, (wide as BigInt64Array)[2 * i] as bigint);
    offsets[i] = !Number.isNaN(off) ? off : ((wide as BigInt64Array)[2 * i + 1] as bigint);
  }
  const types = packed.types;
  if (typeof packed.names === 'string') {
    return { names: count === 0 ? [] : packed.names.split('\0'), inos, types, offsets };
  }
  return { names: splitBuffer(packed.names, count), inos, types, offsets };
}

function checkGetdents(where: string, fd: number, offset: Int64 | null, options: GetdentsOptions | undefined): number {
  check.fd(where, fd);
  if (offset !== null) check.int64(where, 'offset', offset);
  const size = options?.size ?? DEFAULT_SIZE;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1024 || size > 16 * 1024 * 1024) {
    rangeError(where, 'options.size', 'an integer from 1024 to 16 MiB', size);
  }
  return size;
}

/**
 * Reads the next batch of records of an open directory (opened with
 * `openat(…, O_RDONLY | O_DIRECTORY)`, not O_PATH). With an `offset` (0, or
 * any `offsets[i]` of an earlier batch) it first seeks there — what a FUSE
 * readdir does with its request's offset; with `null` it reads on from the
 * descriptor's position. An empty batch: the end of the directory.
 *
 * ```ts
 * const dir = sys.openat(parentFd, name, sys.O_RDONLY | sys.O_DIRECTORY);
 * for (let b = sys.getdents64(dir, 0); b.names.length > 0; b = sys.getdents64(dir, null)) {
 *   b.names.forEach((n, i) => console.log(n, b.inos[i], b.types[i], b.offsets[i]));
 * }
 * ```
 */
export function getdents64(fd: number, offset?: Int64 | null, options?: GetdentsOptions<'utf8'>): DirentBatch<string>;
export function getdents64(fd: number, offset: Int64 | null, options: GetdentsOptions<'buffer'>): DirentBatch<Buffer>;
export function getdents64(
  fd: number,
  offset: Int64 | null = null,
  options?: GetdentsOptions,
): DirentBatch<string> | DirentBatch<Buffer> {
  const size = checkGetdents('getdents64', fd, offset, options);
  return unpack(sys.getdents64(fd, offset, size, check.rawNames('getdents64', options) ? BUFFER : undefined));
}
/** {@link getdents64} on the libuv thread pool (large directories, network filesystems). */
export function getdents64Async(
  fd: number,
  offset?: Int64 | null,
  options?: GetdentsOptions<'utf8'>,
): Promise<DirentBatch<string>>;
export function getdents64Async(
  fd: number,
  offset: Int64 | null,
  options: GetdentsOptions<'buffer'>,
): Promise<DirentBatch<Buffer>>;
export function getdents64Async(
  fd: number,
  offset: Int64 | null = null,
  options?: GetdentsOptions,
): Promise<DirentBatch<string> | DirentBatch<Buffer>> {
  const size = checkGetdents('getdents64Async', fd, offset, options);
  const raw = check.rawNames('getdents64Async', options) ? BUFFER : undefined;
  return sys.getdents64Async(fd, offset, size, raw).then(unpack);
}
