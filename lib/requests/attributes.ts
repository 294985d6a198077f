/**
 * Requests about an inode's attributes: getattr, setattr, readlink, access, statfs.
 * @module
 */
import { AccessFields, GetattrFields, ReadlinkFields, SetattrFields, StatfsFields } from '../generated/operations.js';
import type { NameInput } from '../names.js';
import type { Attr, StatfsInfo } from '../types.js';
import { safe } from '../words.js';
import { ATTR, READLINK, reply, replyOk, STATFS } from './reply.js';

/** getattr: the attributes of an inode. */
export class GetattrRequest extends GetattrFields {
  /** The open file's handle, when the kernel asks about an open file (fstat); else undefined. */
  get fh(): number | undefined {
    return this._hasFh ? safe(this._fh, 'getattr.fh') : undefined;
  }
  /** `fh` as a bigint: exact for every value. */
  get fhBig(): bigint | undefined {
    return this._hasFh ? BigInt(this._fh) : undefined;
  }
  /** Answers with the attributes, cacheable for `timeout` seconds (default 1). */
  replyAttr(attr: Attr, timeout = 1): void {
    reply(this, 'replyAttr', ATTR, attr, timeout);
  }
}

/** Bits of {@link SetattrRequest.toSet} (FUSE_SET_ATTR_*). */
export const SETATTR = Object.freeze({
  /** mode changes (chmod). */
  MODE: 1 << 0,
  /** uid changes (chown). */
  UID: 1 << 1,
  /** gid changes (chown). */
  GID: 1 << 2,
  /** size changes (truncate). */
  SIZE: 1 << 3,
  /** atime is set to `atime`. */
  ATIME: 1 << 4,
  /** mtime is set to `mtime`. */
  MTIME: 1 << 5,
  /** atime is set to now. */
  ATIME_NOW: 1 << 7,
  /** mtime is set to now. */
  MTIME_NOW: 1 << 8,
  /** (kernel internal). */
  FORCE: 1 << 9,
  /** ctime is set to `ctime`. */
  CTIME: 1 << 10,
  /** clear the setuid bit. */
  KILL_SUID: 1 << 11,
  /** clear the setgid bit. */
  KILL_SGID: 1 << 12,
  /** the request came with an open file. */
  FILE: 1 << 13,
  /** clear privileges (suid/sgid/caps). */
  KILL_PRIV: 1 << 14,
  /** part of an open with O_TRUNC. */
  OPEN: 1 << 15,
  /** times were set explicitly. */
  TIMES_SET: 1 << 16,
  /** times set to now by touch. */
  TOUCH: 1 << 17,
});

const NS_PER_S = 1_000_000_000n;

function nanoseconds(sec: number | bigint, nsec: number): bigint {
  return BigInt(sec) * NS_PER_S + BigInt(nsec);
}

/**
 * setattr: change attributes (chmod, chown, truncate, utimens). Only the fields
 * that are set (not undefined) change; answer with all the attributes after the change.
 */
export class SetattrRequest extends SetattrFields {
  /** The open file's handle, for ftruncate/fchmod …; undefined for path-based calls. */
  get fh(): number | undefined {
    return this._hasFh ? safe(this._fh, 'setattr.fh') : undefined;
  }
  /** New permission and type bits. */
  get mode(): number | undefined {
    return this.toSet & SETATTR.MODE ? this._rawMode : undefined;
  }
  /** New owner. */
  get uid(): number | undefined {
    return this.toSet & SETATTR.UID ? this._rawUid : undefined;
  }
  /** New group. */
  get gid(): number | undefined {
    return this.toSet & SETATTR.GID ? this._rawGid : undefined;
  }
  /** New size (truncate or extend). Throws a RangeError past 2^53 - 1: read `sizeBig` then. */
  get size(): number | undefined {
    return this.toSet & SETATTR.SIZE ? safe(this._rawSize, 'setattr.size') : undefined;
  }
  /** `size` as a bigint: exact for every value. */
  get sizeBig(): bigint | undefined {
    return this.toSet & SETATTR.SIZE ? BigInt(this._rawSize) : undefined;
  }
  /** New access time in nanoseconds since the epoch, or `'now'`. */
  get atime(): bigint | 'now' | undefined {
    if (this.toSet & SETATTR.ATIME_NOW) return 'now';
    return this.toSet & SETATTR.ATIME ? nanoseconds(this._rawAtimeSec, this._rawAtimeNsec) : undefined;
  }
  /** New modification time in nanoseconds since the epoch, or `'now'`. */
  get mtime(): bigint | 'now' | undefined {
    if (this.toSet & SETATTR.MTIME_NOW) return 'now';
    return this.toSet & SETATTR.MTIME ? nanoseconds(this._rawMtimeSec, this._rawMtimeNsec) : undefined;
  }
  /** New change time in nanoseconds since the epoch. */
  get ctime(): bigint | undefined {
    return this.toSet & SETATTR.CTIME ? nanoseconds(this._rawCtimeSec, this._rawCtimeNsec) : undefined;
  }
  /** Answers with the attributes after the change, cacheable for `timeout` seconds (default 1). */
  replyAttr(attr: Attr, timeout = 1): void {
    reply(this, 'replyAttr', ATTR, attr, timeout);
  }
}

/** readlink: the target of a symbolic link. */
export class ReadlinkRequest extends ReadlinkFields {
  /** Answers with the link's target: a string (bytes that are not UTF-8 escaped, see `names`) or its bytes. */
  replyReadlink(target: NameInput): void {
    reply(this, 'replyReadlink', READLINK, target, undefined);
  }
}

/** access: check permissions (only without the `defaultPermissions` option). */
export class AccessRequest extends AccessFields {
  /** Answers that access is granted (deny with `replyError('EACCES')`). */
  replyOk(): void {
    replyOk(this);
  }
}

/** statfs: filesystem statistics. */
export class StatfsRequest extends StatfsFields {
  /** Answers with the statistics. */
  replyStatfs(info: StatfsInfo): void {
    reply(this, 'replyStatfs', STATFS, info, undefined);
  }
}
