/**
 * Permission rules, as Linux applies them.
 *
 * Without the `defaultPermissions` mount option the kernel checks almost
 * nothing (only exec bits and the sticky bit), so memfs enforces the rules
 * itself: {@link Permissions} with `enforce: true`. With the option the kernel
 * checks everything from the attributes memfs reports, and these checks are
 * skipped. Ownership of new inodes (setgid directories) and the clearing of
 * setuid/setgid bits are the filesystem's job in both cases.
 * @module
 */
import { constants } from 'node:fs';
import { FuseError, type Request, type RequestContext } from '../../lib/index.js';
import type { DirInode, Inode } from './inodes.js';

const { S_IFMT, S_IFDIR, S_IXGRP } = constants;

/** The set-user-ID bit (not in Node's fs.constants). */
export const S_ISUID = 0o4000;
/** The set-group-ID bit: on a directory, new entries take its group. */
export const S_ISGID = 0o2000;
/** The sticky bit: in a directory, only owners may remove or rename entries. */
export const S_ISVTX = 0o1000;

/** access(2) mask: read. */
export const R_OK = 4;
/** access(2) mask: write. */
export const W_OK = 2;
/** access(2) mask: execute, or search a directory. */
export const X_OK = 1;

/** Who makes a request. Root (uid 0) has every capability. */
export interface Caller {
  /** The caller's (filesystem) user id. */
  readonly uid: number;
  /** The caller's (filesystem) group id. */
  readonly gid: number;
  /** Whether `gid` is the caller's group or one of its supplementary groups. */
  inGroup(gid: number): boolean;
}

/**
 * The caller of `req`. Nothing is read until a check needs it: the context on
 * first use, supplementary groups (from /proc) only when the owner and group
 * do not decide. Use it before replying.
 */
export function callerOf(req: Request): Caller {
  let ctx: RequestContext | undefined;
  let groups: number[] | undefined;
  return {
    get uid() {
      ctx ??= req.ctx;
      return ctx.uid;
    },
    get gid() {
      ctx ??= req.ctx;
      return ctx.gid;
    },
    inGroup(g) {
      ctx ??= req.ctx;
      if (g === ctx.gid) return true;
      if (groups === undefined) {
        try {
          groups = req.groups();
        } catch {
          groups = []; // the caller is gone: no supplementary groups grant anything
        }
      }
      return groups.includes(g);
    },
  };
}

/** Whether `caller` may access `inode` for `mask` (R_OK | W_OK | X_OK), by the mode bits. */
export function allows(inode: Inode, caller: Caller, mask: number): boolean {
  if (caller.uid === 0) {
    // CAP_DAC_OVERRIDE: read and write always; execute only if someone may, or to search a directory.
    return (mask & X_OK) === 0 || inode.kind === 'dir' || (inode.mode & 0o111) !== 0;
  }
  let bits: number;
  if (caller.uid === inode.uid) bits = inode.mode >> 6;
  else if (caller.inGroup(inode.gid)) bits = inode.mode >> 3;
  else bits = inode.mode;
  return (bits & mask & 7) === (mask & 7);
}

/** Whether `caller` owns `inode` or is root (CAP_FOWNER). */
export function ownsOrRoot(inode: Inode, caller: Caller): boolean {
  return caller.uid === 0 || caller.uid === inode.uid;
}

/**
 * Owner, group and mode for a new inode in `dir`: the caller owns it; in a
 * setgid directory it takes the directory's group, and a new subdirectory
 * inherits the setgid bit.
 */
export function newOwnership(dir: DirInode, caller: Caller, mode: number): { uid: number; gid: number; mode: number } {
  if ((dir.mode & S_ISGID) === 0) return { uid: caller.uid, gid: caller.gid, mode };
  if ((mode & S_IFMT) === S_IFDIR) return { uid: caller.uid, gid: dir.gid, mode: mode | S_ISGID };
  // A setgid executable in a group the creator is not in loses the bit (Linux mode_strip_sgid).
  const strip = (mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP) && caller.uid !== 0 && !caller.inGroup(dir.gid);
  return { uid: caller.uid, gid: dir.gid, mode: strip ? mode & ~S_ISGID : mode };
}

/**
 * Whether setgid must go when `caller` writes to or chowns `inode` (Linux
 * setattr_should_drop_sgid): it marks a group-executable file, or the caller
 * is not in the file's group.
 */
function dropsSetgid(inode: Inode, caller: Caller): boolean {
  if ((inode.mode & S_ISGID) === 0) return false;
  return (inode.mode & S_IXGRP) !== 0 || (caller.uid !== 0 && !caller.inGroup(inode.gid));
}

/**
 * The mode after `caller` wrote to or truncated `inode`: unless the caller is
 * root (CAP_FSETID), setuid goes, and setgid as {@link dropsSetgid} says.
 */
export function modeAfterWrite(inode: Inode, caller: Caller): number {
  const mode = inode.mode;
  if (inode.kind !== 'file' || (mode & (S_ISUID | S_ISGID)) === 0 || caller.uid === 0) return mode;
  return mode & ~S_ISUID & ~(dropsSetgid(inode, caller) ? S_ISGID : 0);
}

/**
 * The mode after a chown of `inode` (call before changing the owner): for
 * anything but a directory setuid goes, even for root, and setgid as
 * {@link dropsSetgid} says.
 */
export function modeAfterChown(inode: Inode, caller: Caller): number {
  const mode = inode.mode;
  if (inode.kind === 'dir') return mode;
  return mode & ~S_ISUID & ~(dropsSetgid(inode, caller) ? S_ISGID : 0);
}

/** The checks memfs makes itself; each is a no-op unless `enforce` (the kernel checked already). */
export class Permissions {
  /** Whether memfs enforces permissions (the `defaultPermissions` mount option is off). */
  readonly enforce: boolean;

  /** @param enforce true when the mount does not use `defaultPermissions`. */
  constructor(enforce: boolean) {
    this.enforce = enforce;
  }

  /** Throws EACCES unless `caller` may access `inode` for `mask`. */
  check(inode: Inode, caller: Caller, mask: number): void {
    if (this.enforce && !allows(inode, caller, mask)) throw new FuseError('EACCES');
  }

  /** Throws unless `caller` may add or remove names in `dir` (write and search). */
  checkChangeDir(dir: DirInode, caller: Caller): void {
    this.check(dir, caller, W_OK | X_OK);
  }

  /**
   * Throws EPERM when `dir` is sticky and `caller` owns neither `dir` nor
   * `victim` (the inode being unlinked, renamed or replaced) and is not root.
   */
  checkSticky(dir: DirInode, victim: Inode, caller: Caller): void {
    if (!this.enforce || (dir.mode & S_ISVTX) === 0) return;
    if (caller.uid !== 0 && caller.uid !== dir.uid && caller.uid !== victim.uid) throw new FuseError('EPERM');
  }

  /** Throws EPERM unless `caller` owns `inode` or is root. */
  checkOwner(inode: Inode, caller: Caller): void {
    if (this.enforce && !ownsOrRoot(inode, caller)) throw new FuseError('EPERM');
  }

  /**
   * chmod: the permission bits to store. Only the owner or root may change
   * them (others may only clear setuid/setgid, which the kernel does on their
   * behalf when they write); setgid is dropped if the caller is not in the
   * file's group.
   */
  chmod(inode: Inode, caller: Caller, mode: number): number {
    let bits = mode & 0o7777;
    if (!this.enforce) return bits;
    const old = inode.mode & 0o7777;
    if (!ownsOrRoot(inode, caller)) {
      // The kernel clears the bits this way, in the writer's name, before a write.
      const clearsOnly =
        bits !== old && (bits | S_ISUID | S_ISGID) === (old | S_ISUID | S_ISGID) && (bits & ~old) === 0;
      if (!clearsOnly) throw new FuseError('EPERM');
      return bits;
    }
    if ((bits & S_ISGID) !== 0 && caller.uid !== 0 && !caller.inGroup(inode.gid)) bits &= ~S_ISGID;
    return bits;
  }

  /**
   * chown: throws EPERM unless allowed. Root may do anything; the owner may
   * only change the group, to one of their own groups.
   */
  chown(inode: Inode, caller: Caller, uid: number | undefined, gid: number | undefined): void {
    if (!this.enforce || caller.uid === 0) return;
    const owner = caller.uid === inode.uid;
    if (uid !== undefined && !(owner && uid === inode.uid)) throw new FuseError('EPERM');
    if (gid !== undefined && !(owner && (gid === inode.gid || caller.inGroup(gid)))) throw new FuseError('EPERM');
  }

  /**
   * utimens: explicit times need the owner or root (EPERM); setting both to
   * "now" is also allowed to anyone who may write the file (else EACCES).
   */
  utimes(inode: Inode, caller: Caller, explicit: boolean): void {
    if (!this.enforce || ownsOrRoot(inode, caller)) return;
    if (explicit) throw new FuseError('EPERM');
    if (!allows(inode, caller, W_OK)) throw new FuseError('EACCES');
  }

  /**
   * Extended attribute namespaces: `user.` follows the file's read/write
   * permission (only on regular files and directories; sticky directories
   * only by their owner), `trusted.` is root's alone, `security.` is open,
   * and other namespaces (`system.`) are not supported.
   */
  xattr(inode: Inode, caller: Caller, name: string, write: boolean): void {
    const [namespace] = name.split('.', 1);
    switch (namespace) {
      case 'user':
        if (inode.kind !== 'file' && inode.kind !== 'dir') throw new FuseError(write ? 'EPERM' : 'ENODATA');
        if (write && inode.kind === 'dir' && (inode.mode & S_ISVTX) !== 0) this.checkOwner(inode, caller);
        this.check(inode, caller, write ? W_OK : R_OK);
        return;
      case 'trusted':
        if (caller.uid !== 0) throw new FuseError(write ? 'EPERM' : 'ENODATA');
        return;
      case 'security':
        return;
      default:
        throw new FuseError('EOPNOTSUPP');
    }
  }

  /** Whether `caller` may see the attribute `name` in a listing (trusted.* is root's alone). */
  listable(caller: Caller, name: string): boolean {
    return caller.uid === 0 || !name.startsWith('trusted.');
  }
}
