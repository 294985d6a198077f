/**
 * Requests on regular files: open, read, write, flush, release, fsync,
 * fallocate, copy_file_range, lseek, bmap.
 * @module
 */
import { native } from '../addon.js';
import { checkBytes, checkSize } from '../request.js';
import { rangeError, typeError, uint } from '../validate.js';
import { FsyncLikeRequest, HandleRequest, InodeRequest, OpenLikeRequest, ReleaseLikeRequest } from './base.js';
import { type Args, sendBuf, sendOk, sendWrite } from './reply.js';

/** The most parts `replyBufs` takes (the addon's limit). */
const MAX_REPLY_PARTS = 256;

/** open: open a file. */
export class OpenRequest extends OpenLikeRequest {
  /** The operation's name. */
  readonly op = 'open';
}

/** read: up to `size` bytes at `offset`. */
export class ReadRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'read';
  /** The byte offset in the file. */
  readonly offset: number;
  /** The most bytes to return. A shorter reply means end of file (unless direct_io). */
  readonly size: number;
  /** The open(2) flags of the file handle. */
  readonly flags: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.offset = args[4];
    this.size = args[5];
    this.flags = args[6];
  }
  /** Answers with bytes from memory (at most `size`; fewer means end of file). */
  replyBuf(data: Uint8Array): void {
    sendBuf(this, data, this.size);
  }
  /**
   * Answers with the concatenation of `parts` (at most `size` bytes in all,
   * at most 256 parts), written to the kernel in one go: pieces of memory
   * that are not contiguous, such as a read across two stored chunks, need no
   * copy into one Buffer first.
   */
  replyBufs(parts: readonly Uint8Array[]): void {
    const id = this._take('replyBufs');
    const list: Uint8Array[] = [];
    try {
      if (!Array.isArray(parts)) typeError('read.replyBufs', 'parts', 'an array of Buffers or Uint8Arrays', parts);
      if (parts.length > MAX_REPLY_PARTS) {
        rangeError('read.replyBufs', 'parts', `at most ${MAX_REPLY_PARTS} Buffers or Uint8Arrays`, parts.length);
      }
      let total = 0;
      for (let i = 0; i < parts.length; i++) {
        const part = checkBytes('read.replyBufs', `parts[${i}]`, parts[i]);
        total += part.byteLength;
        list.push(part);
      }
      checkSize('read.replyBufs', 'parts', total, this.size);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyBufs(id, list));
  }
  /**
   * Answers with `size` bytes of file descriptor `fd` at `position`, spliced to
   * the kernel without passing through JavaScript. The fd must stay open until
   * this returns. Fewer bytes (end of that file) mean end of file.
   */
  replyFd(fd: number, position = this.offset, size = this.size): void {
    const id = this._take('replyFd');
    try {
      uint('read.replyFd', 'fd', fd, 0x7fffffff);
      uint('read.replyFd', 'position', position);
      uint('read.replyFd', 'size', size, this.size);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyFd(id, fd, position, size));
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
export class WriteRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'write';
  /** The byte offset in the file (with O_APPEND, the kernel has already set it to the end unless writeback caching is on). */
  readonly offset: number;
  /** The bytes to write; the Buffer belongs to the handler. */
  readonly data: Buffer;
  /** The open(2) flags of the file handle. */
  readonly flags: number;
  /** A delayed write from the page cache (writeback caching): the context and fh may not be the writer's. */
  readonly writepage: boolean;
  /** The lock owner, for filesystems that enforce mandatory locks. */
  readonly lockOwner: bigint;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.offset = args[4];
    this.flags = args[6];
    this.lockOwner = args[8] ?? 0n;
    this.writepage = args[11] === 1;
    this.data = args[13] as Buffer;
    _gcNudge = new ArrayBuffer(8);
  }
  /** The number of bytes to write. */
  get size(): number {
    return this.data.length;
  }
  /** Answers with the number of bytes written (at most `size`). */
  replyWrite(count: number): void {
    sendWrite(this, count, this.data.length);
  }
}

/** flush: called on each close(2) of a file descriptor; report write errors here. */
export class FlushRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'flush';
  /** Identifies the POSIX lock owner whose locks the close releases. */
  readonly lockOwner: bigint;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.lockOwner = args[8] ?? 0n;
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** release: a file handle is closed for good (exactly once per successful open or create). */
export class ReleaseRequest extends ReleaseLikeRequest {
  /** The operation's name. */
  readonly op = 'release';
}

/** fsync: make a file's data (and metadata unless `datasync`) durable. */
export class FsyncRequest extends FsyncLikeRequest {
  /** The operation's name. */
  readonly op = 'fsync';
}

/** fallocate: allocate (or, with mode flags, punch/zero) a byte range. */
export class FallocateRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'fallocate';
  /** The start of the range. */
  readonly offset: number;
  /** The length of the range. */
  readonly length: number;
  /** FALLOC_FL_* bits; 0 allocates and extends the size. Answer EOPNOTSUPP for modes you do not support. */
  readonly mode: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.offset = args[4];
    this.length = args[5];
    this.mode = args[6];
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** copy_file_range: copy bytes between two open files inside the filesystem. */
export class CopyFileRangeRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'copyFileRange';
  /** Where to read in the source (`ino`, `fh`). */
  readonly offsetIn: number;
  /** The destination inode. */
  readonly inoOut: number;
  /** The destination handle. */
  readonly fhOut: number;
  /** Where to write in the destination. */
  readonly offsetOut: number;
  /** The most bytes to copy. */
  readonly length: number;
  /** copy_file_range(2) flags (0 today). */
  readonly flags: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.offsetIn = args[4];
    this.length = args[5];
    this.flags = args[6];
    this.inoOut = args[9] ?? 0;
    this.fhOut = args[10] ?? 0;
    this.offsetOut = args[11] ?? 0;
  }
  /** Answers with the number of bytes copied (0 at end of the source). */
  replyWrite(count: number): void {
    sendWrite(this, count, this.length);
  }
}

/** SEEK_DATA: the next offset at or after `offset` that holds data. */
export const SEEK_DATA = 3;
/** SEEK_HOLE: the next hole at or after `offset` (the end of file counts as one). */
export const SEEK_HOLE = 4;

/** lseek: find data or holes (the kernel handles SEEK_SET/CUR/END itself). */
export class LseekRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'lseek';
  /** Where to start looking. */
  readonly offset: number;
  /** SEEK_DATA or SEEK_HOLE. */
  readonly whence: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.offset = args[4];
    this.whence = args[6];
  }
  /** Answers with the resulting offset (ENXIO when there is no data after `offset`). */
  replyLseek(offset: number): void {
    const id = this._take('replyLseek');
    try {
      uint('lseek.replyLseek', 'offset', offset);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyLseek(id, offset));
  }
}

/** bmap: map a file block to a device block (only for block-device backed filesystems, `blkdev`). */
export class BmapRequest extends InodeRequest {
  /** The operation's name. */
  readonly op = 'bmap';
  /** The block size of the device. */
  readonly blocksize: number;
  /** The block index in the file. */
  readonly index: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.blocksize = args[4];
    this.index = args[5];
  }
  /** Answers with the block index on the device. */
  replyBmap(index: number): void {
    const id = this._take('replyBmap');
    try {
      uint('bmap.replyBmap', 'index', index);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyBmap(id, index));
  }
}
