/**
 * Requests about an inode's attributes: getattr, setattr, readlink, access, statfs.
 * @module
 */
import { native } from '../addon.js';
import { ATTR_FIELDS, packStatfs, STATFS_FIELDS } from '../layout.js';
import type { Attr, StatfsInfo } from '../types.js';
import { cString } from '../validate.js';
import { InodeRequest } from './base.js';
import { type Args, sendAttr, sendOk } from './reply.js';

const STATFS = new Float64Array(STATFS_FIELDS.length);

/** getattr: the attributes of an inode. */
export class GetattrRequest extends InodeRequest {
  /** The operation's name. */
  readonly op = 'getattr';
  /** The open file's handle, when the kernel asks about an open file (fstat). */
  readonly fh: number | undefined;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.fh = args[4] === 1 ? args[3] : undefined;
  }
  /** Answers with the attributes, cacheable for `timeout` seconds (default 1). */
  replyAttr(attr: Attr, timeout = 1): void {
    sendAttr(this, attr, timeout);
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

const at = (field: (typeof ATTR_FIELDS)[number]): number => ATTR_FIELDS.indexOf(field);

function nanoseconds(values: Float64Array, secField: (typeof ATTR_FIELDS)[number]): bigint {
  const i = at(secField);
  return BigInt(values[i] ?? 0) * 1_000_000_000n + BigInt(values[i + 1] ?? 0);
}

/**
 * setattr: change attributes (chmod, chown, truncate, utimens). Only the fields
 * that are set (not undefined) change; answer with all the attributes after the change.
 */
export class SetattrRequest extends InodeRequest {
  /** The operation's name. */
  readonly op = 'setattr';
  /** The open file's handle, for ftruncate/fchmod …; undefined for path-based calls. */
  readonly fh: number | undefined;
  /** The raw FUSE_SET_ATTR_* bits ({@link SETATTR}). */
  readonly toSet: number;
  /** New permission and type bits. */
  readonly mode: number | undefined;
  /** New owner. */
  readonly uid: number | undefined;
  /** New group. */
  readonly gid: number | undefined;
  /** New size (truncate or extend). */
  readonly size: number | undefined;
  /** New access time in nanoseconds since the epoch, or `'now'`. */
  readonly atime: bigint | 'now' | undefined;
  /** New modification time in nanoseconds since the epoch, or `'now'`. */
  readonly mtime: bigint | 'now' | undefined;
  /** New change time in nanoseconds since the epoch. */
  readonly ctime: bigint | undefined;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    const bits = args[6];
    const values = args[13] as Float64Array;
    const get = (field: (typeof ATTR_FIELDS)[number]): number => values[at(field)] ?? 0;
    this.fh = args[4] === 1 ? args[3] : undefined;
    this.toSet = bits;
    this.mode = bits & SETATTR.MODE ? get('mode') : undefined;
    this.uid = bits & SETATTR.UID ? get('uid') : undefined;
    this.gid = bits & SETATTR.GID ? get('gid') : undefined;
    this.size = bits & SETATTR.SIZE ? get('size') : undefined;
    this.atime = bits & SETATTR.ATIME_NOW ? 'now' : bits & SETATTR.ATIME ? nanoseconds(values, 'atimeSec') : undefined;
    this.mtime = bits & SETATTR.MTIME_NOW ? 'now' : bits & SETATTR.MTIME ? nanoseconds(values, 'mtimeSec') : undefined;
    this.ctime = bits & SETATTR.CTIME ? nanoseconds(values, 'ctimeSec') : undefined;
  }
  /** Answers with the attributes after the change, cacheable for `timeout` seconds (default 1). */
  replyAttr(attr: Attr, timeout = 1): void {
    sendAttr(this, attr, timeout);
  }
}

/** readlink: the target of a symbolic link. */
export class ReadlinkRequest extends InodeRequest {
  /** The operation's name. */
  readonly op = 'readlink';
  /** Answers with the link's target. */
  replyReadlink(target: string): void {
    const id = this._take('replyReadlink');
    try {
      cString('readlink.replyReadlink', 'target', target, 4095);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyReadlink(id, target));
  }
}

/** access: check permissions (only without the `defaultPermissions` option). */
export class AccessRequest extends InodeRequest {
  /** The operation's name. */
  readonly op = 'access';
  /** R_OK, W_OK and X_OK bits, or F_OK (0). */
  readonly mask: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.mask = args[4];
  }
  /** Answers that access is granted (deny with `replyError('EACCES')`). */
  replyOk(): void {
    sendOk(this);
  }
}

/** statfs: filesystem statistics. */
export class StatfsRequest extends InodeRequest {
  /** The operation's name. */
  readonly op = 'statfs';
  /** Answers with the statistics. */
  replyStatfs(info: StatfsInfo): void {
    const id = this._take('replyStatfs');
    try {
      packStatfs('statfs.replyStatfs', info, STATFS);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyStatfs(id, STATFS));
  }
}
