/**
 * Requests on regular files: open, read, write, flush, release, fsync,
 * fallocate, copy_file_range, lseek, bmap.
 * @module
 */
import { native } from '../addon.js';
import {
  BmapFields,
  CopyFileRangeFields,
  FallocateFields,
  FlushFields,
  FsyncFields,
  LseekFields,
  OpenFields,
  ReadFields,
  ReleaseFields,
  WriteFields,
} from '../generated/operations.js';
import { checkBytes, checkSize, type RequestOwner } from '../request.js';
import type { OpenOptions } from '../types.js';
import { rangeError, typeError } from '../validate.js';
import { BMAP, BUF, FD, LSEEK, OPEN, type ReplyKind, reply, replyOk, WRITE } from './reply.js';

/** The most parts `replyBufs` takes (the addon's limit). */
const MAX_REPLY_PARTS = 256;

/** open: open a file. */
export class OpenRequest extends OpenFields {
  /** Answers with a file handle (any number or bigint below 2^64 the filesystem chooses) and cache options. */
  replyOpen(fh: number | bigint = 0, options?: OpenOptions): void {
    reply(this, 'replyOpen', OPEN, fh, options);
  }
}

/** replyBufs: the parts, checked and copied into an array of their own (a getter cannot swap one later). */
const BUFS: ReplyKind<readonly Uint8Array[], { max: number; list: Uint8Array[] }> = {
  pack(where, _req, parts, out) {
    if (!Array.isArray(parts)) typeError(where, 'parts', 'an array of Buffers or Uint8Arrays', parts);
    if (parts.length > MAX_REPLY_PARTS) {
      rangeError(where, 'parts', `at most ${MAX_REPLY_PARTS} Buffers or Uint8Arrays`, parts.length);
    }
    let total = 0;
    for (let i = 0; i < parts.length; i++) {
      const part = checkBytes(where, `parts[${i}]`, parts[i]);
      total += part.byteLength;
      out.list.push(part);
    }
    checkSize(where, 'parts', total, out.max);
  },
  send: (id, _req, _parts, out) => native.replyBufs(id, out.list),
};

/** read: up to `size` bytes at `offset`. */
export class ReadRequest extends ReadFields {
  /** Answers with bytes from memory (at most `size`; fewer means end of file). */
  replyBuf(data: Uint8Array): void {
    reply(this, 'replyBuf', BUF, data, this.size);
  }
  /**
   * Answers with the concatenation of `parts` (at most `size` bytes in all,
   * at most 256 parts), written to the kernel in one go: pieces of memory
   * that are not contiguous, such as a read across two stored chunks, need no
   * copy into one Buffer first.
   */
  replyBufs(parts: readonly Uint8Array[]): void {
    reply(this, 'replyBufs', BUFS, parts, { max: this.size, list: [] });
  }
  /**
   * Answers with `size` bytes of file descriptor `fd` at `position`, spliced to
   * the kernel without passing through JavaScript. The fd must stay open until
   * this returns. Fewer bytes (end of that file) mean end of file.
   */
  replyFd(fd: number, position: number | bigint = this._offset, size = this.size): void {
    reply(this, 'replyFd', FD, fd, { position, size, max: this.size });
  }
}

/**
 * One small V8-allocated ArrayBuffer per write request. The payloads are
 * external Buffers made by the addon; V8 frees young ones with a cheap
 * scavenge when it allocates an ArrayBuffer backing store of its own while
 * they pile up, but answers their external-memory pressure with a full
 * mark-compact otherwise (46 in 3 s of 1 MiB writes, --trace-gc): -25 %
 * write throughput in a passthrough that allocates nothing else per write.
 * Kept in a variable so that it cannot be optimised away.
 */
let _gcNudge: ArrayBuffer | undefined;

/**
 * write: `data` at `offset`. Reply with the full length unless there was an
 * error: a short count is an error to the caller (except with direct_io).
 */
export class WriteRequest extends WriteFields {
  /** @internal */
  constructor(owner: RequestOwner, words: Uint32Array, at: number, objects: readonly unknown[], slot: number) {
    super(owner, words, at, objects, slot);
    _gcNudge = new ArrayBuffer(8);
  }
  /** The number of bytes to write. */
  get size(): number {
    return this.data.length;
  }
  /** Answers with the number of bytes written (at most `size`). */
  replyWrite(count: number): void {
    reply(this, 'replyWrite', WRITE, count, this.data.length);
  }
}

/** flush: called on each close(2) of a file descriptor; report write errors here. */
export class FlushRequest extends FlushFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** release: a file handle is closed for good (exactly once per successful open or create). Errors are not seen by anyone. */
export class ReleaseRequest extends ReleaseFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** fsync: make a file's data (and metadata unless `datasync`) durable. */
export class FsyncRequest extends FsyncFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** fallocate: allocate (or, with mode flags, punch/zero) a byte range. */
export class FallocateRequest extends FallocateFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** copy_file_range: copy bytes between two open files inside the filesystem. */
export class CopyFileRangeRequest extends CopyFileRangeFields {
  /** Answers with the number of bytes copied (0 at end of the source). */
  replyWrite(count: number): void {
    reply(this, 'replyWrite', WRITE, count, Math.min(Number(this.lengthBig), 0xffffffff));
  }
}

/** SEEK_DATA: the next offset at or after `offset` that holds data. */
export const SEEK_DATA = 3;
/** SEEK_HOLE: the next hole at or after `offset` (the end of file counts as one). */
export const SEEK_HOLE = 4;

/** lseek: find data or holes (the kernel handles SEEK_SET/CUR/END itself). */
export class LseekRequest extends LseekFields {
  /** Answers with the resulting offset (ENXIO when there is no data after `offset`). */
  replyLseek(offset: number | bigint): void {
    reply(this, 'replyLseek', LSEEK, offset, undefined);
  }
}

/** bmap: map a file block to a device block (only for block-device backed filesystems, `blkdev`). */
export class BmapRequest extends BmapFields {
  /** Answers with the block index on the device. */
  replyBmap(index: number | bigint): void {
    reply(this, 'replyBmap', BMAP, index, undefined);
  }
}
