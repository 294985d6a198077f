/**
 * Attributes: getattr, setattr (chmod, chown, truncate, utimens), readlink,
 * statfs, and access for mounts without `defaultPermissions`.
 * @module
 */
import {
  type BigIntStats,
  chmodSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  ftruncate,
  futimesSync,
  lchownSync,
  lutimesSync,
  readlinkSync,
  statfsSync,
  utimesSync,
} from 'node:fs';
import { truncate } from 'node:fs/promises';
import { promisify } from 'node:util';
import { FuseError, type Operations } from '../../lib/index.js';
import { nowNs, toAttr, utimesArg, utimesUnit } from './attrs.js';
import type { Mirror } from './mirror.js';

const ftruncateAsync = promisify(ftruncate);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const clamp = (n: bigint): number => Number(n > MAX_SAFE ? MAX_SAFE : n);

/** The permission bits (rwx as 4/2/1) that apply to caller `uid`/`gids` on a file owned by `st`. */
function permissionsFor(st: BigIntStats, uid: number, gids: () => number[]): number {
  const mode = Number(st.mode);
  if (uid === Number(st.uid)) return (mode >> 6) & 7;
  if (gids().includes(Number(st.gid))) return (mode >> 3) & 7;
  return mode & 7;
}

/** getattr, setattr, readlink, statfs and access. */
export function attributeOperations(mirror: Mirror): Operations {
  const { inodes, handles } = mirror;

  /** The open descriptor of handle `fh`, if the kernel sent one (fstat, ftruncate …) that is still open. */
  const fdOf = (fh: number | undefined): number | undefined =>
    fh === undefined ? undefined : handles.findFile(fh)?.fd;

  return {
    getattr(req) {
      const fd = fdOf(req.fh);
      const st = fd === undefined ? mirror.stat(inodes.get(req.ino)) : fstatSync(fd, { bigint: true });
      req.replyAttr(toAttr(st, req.ino), mirror.timeout);
    },

    async setattr(req) {
      const inode = inodes.get(req.ino);
      const fd = fdOf(req.fh);
      const symlink = inode.type === constants.S_IFLNK;
      // Path-based calls use the inode's current name, looked up afresh for each step.
      const atPath = (fn: (path: string) => void): void => mirror.atPath(req.ino, fn);
      const current = (): BigIntStats => (fd === undefined ? mirror.stat(inode) : fstatSync(fd, { bigint: true }));

      if (req.mode !== undefined) {
        // Linux cannot change a symlink's mode (lchmod is EOPNOTSUPP there).
        if (symlink) throw new FuseError('EOPNOTSUPP', 'setattr: a symlink has no mode to change');
        const mode = req.mode & 0o7777;
        if (fd === undefined) atPath((path) => chmodSync(path, mode));
        else fchmodSync(fd, mode);
      }
      if (req.uid !== undefined || req.gid !== undefined) {
        const uid = req.uid ?? -1;
        const gid = req.gid ?? -1;
        if (fd === undefined) atPath((path) => lchownSync(path, uid, gid));
        else fchownSync(fd, uid, gid);
      }
      if (req.sizeBig !== undefined) {
        // Asynchronous: freeing the blocks of a large file takes time. Node's
        // truncate takes a number: past 2^53 bytes, no file system here goes.
        if (req.sizeBig > MAX_SAFE) throw new FuseError('EFBIG', `truncate to ${req.sizeBig} bytes`);
        const size = Number(req.sizeBig);
        if (fd === undefined) await mirror.atPathAsync(req.ino, (path) => truncate(path, size));
        else await ftruncateAsync(fd, size);
      }
      if (req.atime !== undefined || req.mtime !== undefined) {
        // Node's utimes sets both times (no UTIME_OMIT): keep the one not asked for.
        const now = nowNs();
        const unit = await utimesUnit();
        const st = req.atime === undefined || req.mtime === undefined ? current() : undefined;
        const atime = utimesArg(req.atime === 'now' ? now : (req.atime ?? (st as BigIntStats).atimeNs), unit);
        const mtime = utimesArg(req.mtime === 'now' ? now : (req.mtime ?? (st as BigIntStats).mtimeNs), unit);
        if (fd !== undefined) futimesSync(fd, atime, mtime);
        else atPath((path) => (symlink ? lutimesSync : utimesSync)(path, atime, mtime));
      }
      req.replyAttr(toAttr(current(), req.ino), mirror.timeout);
    },

    readlink(req) {
      req.replyReadlink(mirror.atPath(req.ino, (path) => readlinkSync(path)));
    },

    statfs(req) {
      const s = statfsSync(mirror.abs(inodes.get(req.ino).paths[0] ?? ''), { bigint: true });
      req.replyStatfs({
        bsize: clamp(s.bsize),
        frsize: clamp(s.bsize),
        blocks: clamp(s.blocks),
        bfree: clamp(s.bfree),
        bavail: clamp(s.bavail),
        files: clamp(s.files),
        ffree: clamp(s.ffree),
        favail: clamp(s.ffree),
        namemax: 255,
      });
    },

    /**
     * Only without `defaultPermissions`: what access(2) would answer the caller
     * on the source, from the mode bits (no ACLs). Note that it is advisory:
     * without `defaultPermissions` nothing else checks permissions, and every
     * other operation runs with the server's rights.
     */
    access(req) {
      const { uid, gid } = req.ctx;
      const groups = (): number[] => [gid, ...req.groups()];
      const st = mirror.stat(inodes.get(req.ino));
      const mask = req.mask & 7;
      if (mask !== 0) {
        const execute = (Number(st.mode) & 0o111) !== 0 || st.isDirectory();
        const allowed = uid === 0 ? 6 | (execute ? 1 : 0) : permissionsFor(st, uid, groups);
        if ((allowed & mask) !== mask) throw new FuseError('EACCES');
      }
      req.replyOk();
    },
  };
}
