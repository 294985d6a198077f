/**
 * Requests on directory handles: opendir, readdir, readdirplus, releasedir, fsyncdir.
 * @module
 */
import { DirentBuffer } from '../dirents.js';
import type { Entry } from '../types.js';
import { FsyncLikeRequest, HandleRequest, OpenLikeRequest, ReleaseLikeRequest } from './base.js';
import type { Args } from './reply.js';

/** opendir: open a directory. */
export class OpendirRequest extends OpenLikeRequest {
  /** The operation's name. */
  readonly op = 'opendir';
}

/** readdir / readdirplus: list a directory from an offset, in a buffer of `size` bytes. */
abstract class ReaddirLikeRequest extends HandleRequest {
  /**
   * Where to continue: 0 for the start, else the `nextOffset` of the last entry
   * the kernel received. Offsets are the filesystem's own cookies.
   */
  readonly offset: number;
  /** The buffer size in bytes; `add()` returns false once it is full. */
  readonly size: number;
  #dirents: DirentBuffer | undefined;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.offset = args[4];
    this.size = args[5];
  }
  /** @internal */
  protected get _dirents(): DirentBuffer {
    this.#dirents ??= new DirentBuffer(this.size, this.op === 'readdirplus');
    return this.#dirents;
  }
  /** Sends the entries added so far (none means end of directory). */
  replyDirents(): void {
    const sent = this._dirents.send(this._take('replyDirents'));
    if (sent < 0) this._sent(sent);
  }
}

/** readdir: names, inode numbers and types. */
export class ReaddirRequest extends ReaddirLikeRequest {
  /** The operation's name. */
  readonly op = 'readdir';
  /**
   * Adds an entry; returns false (adding nothing) when the buffer is full.
   * `nextOffset` is the cookie the kernel passes back to continue after this entry.
   * Only the type bits of `mode` matter.
   */
  add(name: string, ino: number, mode: number, nextOffset: number): boolean {
    return this._dirents.addPlain('readdir.add', name, ino, mode, nextOffset);
  }
}

/** readdirplus: entries with attributes; each added entry (but '.' and '..') counts as a lookup. */
export class ReaddirplusRequest extends ReaddirLikeRequest {
  /** The operation's name. */
  readonly op = 'readdirplus';
  /** Adds an entry; returns false (adding nothing, no lookup counted) when the buffer is full. */
  add(name: string, entry: Entry, nextOffset: number): boolean {
    return this._dirents.add('readdirplus.add', name, entry, nextOffset);
  }
}

/** releasedir: a directory handle is closed for good. */
export class ReleasedirRequest extends ReleaseLikeRequest {
  /** The operation's name. */
  readonly op = 'releasedir';
}

/** fsyncdir: make a directory's contents durable. */
export class FsyncdirRequest extends FsyncLikeRequest {
  /** The operation's name. */
  readonly op = 'fsyncdir';
}
