/**
 * Extended attribute requests, with the size-0 probe and ERANGE protocol.
 * @module
 */
import { GetxattrFields, ListxattrFields, RemovexattrFields, SetxattrFields } from '../generated/operations.js';
import { encodeName, type NameInput } from '../names.js';
import { rangeError, typeError } from '../validate.js';
import { BUF, type ReplyKind, reply, replyOk, XATTR_SIZE, XATTR_VALUE } from './reply.js';

/** getxattr: an extended attribute's value. `size` 0 is a probe for the value's size. */
export class GetxattrRequest extends GetxattrFields {
  /**
   * Answers with the value, following the protocol: its size for a probe,
   * ERANGE if it does not fit. A missing attribute is `replyError('ENODATA')`.
   */
  replyValue(value: Uint8Array): void {
    reply(this, 'replyValue', XATTR_VALUE, value, this.size);
  }
  /** Low level: answers a probe (`size` 0) with the value's size. */
  replyXattrSize(size: number): void {
    reply(this, 'replyXattrSize', XATTR_SIZE, size, this.size);
  }
  /** Low level: answers with the bytes (at most `size`). */
  replyBuf(data: Uint8Array): void {
    reply(this, 'replyBuf', BUF, data, this.size);
  }
}

/** The names joined as the kernel wants them: each one's bytes, then NUL. */
function nameList(where: string, names: readonly NameInput[]): Buffer {
  if (!Array.isArray(names)) typeError(where, 'names', 'an array of strings or Buffers', names);
  const parts: Buffer[] = [];
  names.forEach((name, i) => {
    const bytes = encodeName(where, `names[${i}]`, name);
    if (bytes.length === 0 || bytes.length > 255 || bytes.includes(0)) {
      rangeError(where, `names[${i}]`, 'a non-empty name of at most 255 bytes without NUL', name);
    }
    parts.push(bytes, NUL);
  });
  return Buffer.concat(parts);
}
const NUL = Buffer.alloc(1);

/** listxattr's names: checked and joined, then answered by the probe/ERANGE protocol. */
const NAMES: ReplyKind<readonly NameInput[], { size: number; list: Buffer }> = {
  pack(where, req, names, out) {
    out.list = nameList(where, names);
    XATTR_VALUE.pack(where, req, out.list, out.size);
  },
  send: (id, req, _names, out) => XATTR_VALUE.send(id, req, out.list, out.size),
};

/** listxattr: the names of the extended attributes. `size` 0 is a probe. */
export class ListxattrRequest extends ListxattrFields {
  /** Answers with the names (NUL-terminated on the wire), following the probe/ERANGE protocol. */
  replyNames(names: readonly NameInput[]): void {
    reply(this, 'replyNames', NAMES, names, { size: this.size, list: NUL });
  }
  /** Low level: answers a probe (`size` 0) with the list's size in bytes. */
  replyXattrSize(size: number): void {
    reply(this, 'replyXattrSize', XATTR_SIZE, size, this.size);
  }
  /** Low level: answers with the NUL-separated list (at most `size` bytes). */
  replyBuf(data: Uint8Array): void {
    reply(this, 'replyBuf', BUF, data, this.size);
  }
}

/** XATTR_CREATE: fail with EEXIST if the attribute exists. */
export const XATTR_CREATE = 1;
/** XATTR_REPLACE: fail with ENODATA if the attribute does not exist. */
export const XATTR_REPLACE = 2;

/** setxattr: set an extended attribute. */
export class SetxattrRequest extends SetxattrFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** removexattr: remove an extended attribute (ENODATA if missing). */
export class RemovexattrRequest extends RemovexattrFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}
