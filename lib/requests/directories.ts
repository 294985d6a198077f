/**
 * Requests on directory handles: opendir, readdir, readdirplus, releasedir, fsyncdir.
 * @module
 */
import { DirentBuffer } from '../dirents.js';
import {
  FsyncdirFields,
  OpendirFields,
  ReaddirFields,
  ReaddirplusFields,
  ReleasedirFields,
} from '../generated/operations.js';
import type { NameInput } from '../names.js';
import type { Request } from '../request.js';
import type { Entry, OpenOptions } from '../types.js';
import { OPEN, reply, replyOk } from './reply.js';

/** opendir: open a directory. */
export class OpendirRequest extends OpendirFields {
  /** Answers with a directory handle (any number or bigint below 2^64) and cache options. */
  replyOpen(fh: number | bigint = 0, options?: OpenOptions): void {
    reply(this, 'replyOpen', OPEN, fh, options);
  }
}

/** Sends a listing as the reply to `req`. */
function sendDirents(req: Request, dirents: DirentBuffer): void {
  const sent = dirents.send(req._take('replyDirents'));
  if (sent < 0) req._sent(sent);
}

/** readdir: names, inode numbers and types, in a buffer of `size` bytes from `offset`. */
export class ReaddirRequest extends ReaddirFields {
  #dirents: DirentBuffer | undefined;
  get #buffer(): DirentBuffer {
    this.#dirents ??= new DirentBuffer(this.size, false);
    return this.#dirents;
  }
  /**
   * Adds an entry; returns false (adding nothing) when the buffer is full.
   * `nextOffset` is the cookie the kernel passes back to continue after this
   * entry. Only the type bits of `mode` matter. A name is a string (bytes that
   * are not UTF-8 escaped, see `names`) or its bytes.
   */
  add(name: NameInput, ino: number | bigint, mode: number, nextOffset: number | bigint): boolean {
    return this.#buffer.addPlain('readdir.add', name, ino, mode, nextOffset);
  }
  /** Sends the entries added so far (none means end of directory). */
  replyDirents(): void {
    sendDirents(this, this.#buffer);
  }
}

/** readdirplus: entries with attributes; each added entry (but '.' and '..') counts as a lookup. */
export class ReaddirplusRequest extends ReaddirplusFields {
  #dirents: DirentBuffer | undefined;
  get #buffer(): DirentBuffer {
    this.#dirents ??= new DirentBuffer(this.size, true);
    return this.#dirents;
  }
  /** Adds an entry; returns false (adding nothing, no lookup counted) when the buffer is full. */
  add(name: NameInput, entry: Entry, nextOffset: number | bigint): boolean {
    return this.#buffer.add('readdirplus.add', name, entry, nextOffset);
  }
  /** Sends the entries added so far (none means end of directory). */
  replyDirents(): void {
    sendDirents(this, this.#buffer);
  }
}

/** releasedir: a directory handle is closed for good. */
export class ReleasedirRequest extends ReleasedirFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** fsyncdir: make a directory's contents durable. */
export class FsyncdirRequest extends FsyncdirFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}
