/**
 * Extended attribute requests, with the size-0 probe and ERANGE protocol.
 * @module
 */
import { Request } from '../request.js';
import { cString, typeError } from '../validate.js';
import { type Args, sendBuf, sendOk, sendXattrSize, sendXattrValue } from './reply.js';

/** A request about extended attribute `name` of inode `ino`. */
abstract class XattrNameRequest extends Request {
  /** The inode the request is about. */
  readonly ino: number;
  /** The attribute's name, with its namespace (`user.`, `trusted.`, `security.`, `system.`). */
  readonly name: string;
  /** @internal */
  constructor(...[owner, id, ino, , , , , name]: Args) {
    super(owner, id);
    this.ino = ino;
    this.name = name ?? '';
  }
}

/** getxattr: an extended attribute's value. `size` 0 is a probe for the value's size. */
export class GetxattrRequest extends XattrNameRequest {
  /** The operation's name. */
  readonly op = 'getxattr';
  /** The caller's buffer size; 0 asks only for the size. */
  readonly size: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.size = args[4];
  }
  /**
   * Answers with the value, following the protocol: its size for a probe,
   * ERANGE if it does not fit. A missing attribute is `replyError('ENODATA')`.
   */
  replyValue(value: Uint8Array): void {
    sendXattrValue(this, 'replyValue', value);
  }
  /** Low level: answers a probe (`size` 0) with the value's size. */
  replyXattrSize(size: number): void {
    sendXattrSize(this, size);
  }
  /** Low level: answers with the bytes (at most `size`). */
  replyBuf(data: Uint8Array): void {
    sendBuf(this, data, this.size);
  }
}

/** listxattr: the names of the extended attributes. `size` 0 is a probe. */
export class ListxattrRequest extends Request {
  /** The operation's name. */
  readonly op = 'listxattr';
  /** The inode the request is about. */
  readonly ino: number;
  /** The caller's buffer size; 0 asks only for the size. */
  readonly size: number;
  /** @internal */
  constructor(...[owner, id, ino, , size]: Args) {
    super(owner, id);
    this.ino = ino;
    this.size = size;
  }
  /** Answers with the names (NUL-terminated on the wire), following the probe/ERANGE protocol. */
  replyNames(names: readonly string[]): void {
    let list: Buffer;
    try {
      if (!Array.isArray(names)) typeError('listxattr.replyNames', 'names', 'an array of strings', names);
      list = Buffer.from(names.map((n, i) => `${cString('listxattr.replyNames', `names[${i}]`, n, 255)}\0`).join(''));
    } catch (error) {
      this._sendInvalid(this._take('replyNames'), error);
    }
    sendXattrValue(this, 'replyNames', list);
  }
  /** Low level: answers a probe (`size` 0) with the list's size in bytes. */
  replyXattrSize(size: number): void {
    sendXattrSize(this, size);
  }
  /** Low level: answers with the NUL-separated list (at most `size` bytes). */
  replyBuf(data: Uint8Array): void {
    sendBuf(this, data, this.size);
  }
}

/** XATTR_CREATE: fail with EEXIST if the attribute exists. */
export const XATTR_CREATE = 1;
/** XATTR_REPLACE: fail with ENODATA if the attribute does not exist. */
export const XATTR_REPLACE = 2;

/** setxattr: set an extended attribute. */
export class SetxattrRequest extends XattrNameRequest {
  /** The operation's name. */
  readonly op = 'setxattr';
  /** The new value. */
  readonly value: Buffer;
  /** XATTR_CREATE or XATTR_REPLACE, or 0. */
  readonly flags: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.flags = args[6];
    this.value = args[13] as Buffer;
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** removexattr: remove an extended attribute (ENODATA if missing). */
export class RemovexattrRequest extends XattrNameRequest {
  /** The operation's name. */
  readonly op = 'removexattr';
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}
