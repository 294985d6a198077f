/**
 * Bases for requests about an inode, and about an open file handle.
 * @module
 */
import { Request } from '../request.js';
import type { OpenOptions } from '../types.js';
import { type Args, sendOk, sendOpen } from './reply.js';

/** A request about inode `ino`. */
export abstract class InodeRequest extends Request {
  /** The inode the request is about. */
  readonly ino: number;
  /** @internal */
  constructor(...[owner, id, ino]: Args) {
    super(owner, id);
    this.ino = ino;
  }
}

/** A request about an open file or directory handle. */
export abstract class HandleRequest extends InodeRequest {
  /** The handle the filesystem gave in its open (or opendir, create) reply. */
  readonly fh: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.fh = args[3];
  }
}

/** open / opendir: open an inode; the reply gives the handle later requests carry. */
export abstract class OpenLikeRequest extends InodeRequest {
  /** The open(2) flags (O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_TRUNC …; not O_CREAT/O_EXCL/O_NOCTTY). */
  readonly flags: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.flags = args[6];
  }
  /** Answers with a file handle (any safe integer the filesystem chooses) and cache options. */
  replyOpen(fh = 0, options?: OpenOptions): void {
    sendOpen(this, fh, options);
  }
}

/** release / releasedir: the last reference to an open handle is gone. Errors are not seen by anyone. */
export abstract class ReleaseLikeRequest extends HandleRequest {
  /** The flags the handle was opened with. */
  readonly flags: number;
  /** Identifies the lock owner whose locks go away with the handle. */
  readonly lockOwner: bigint;
  /** Whether the filesystem should flush data (and release POSIX locks) too. */
  readonly flush: boolean;
  /** Whether flock locks of `lockOwner` should be released. */
  readonly flockRelease: boolean;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.flags = args[6];
    this.lockOwner = args[8] ?? 0n;
    this.flush = (args[4] & 1) !== 0;
    this.flockRelease = (args[4] & 2) !== 0;
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** fsync / fsyncdir: make the data durable. */
export abstract class FsyncLikeRequest extends HandleRequest {
  /** Only the data, not the metadata, needs to be durable (fdatasync). */
  readonly datasync: boolean;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.datasync = args[4] !== 0;
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}
