/**
 * Attributes: getattr, setattr (chmod, chown, truncate, utimens), readlink,
 * statfs, and access for mounts without `defaultPermissions`.
 * @module
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { chmod, type FileHandle, lchown, lutimes, readlink, statfs, truncate, utimes } from 'node:fs/promises';
import { FuseError, type Operations } from '../../lib/index.js';
import { nowNs, toAttr, utimesArg, utimesUnit } from './attrs.js';
import type { Mirror } from './mirror.js';

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
  const handleOf = (fh: number | undefined): FileHandle | undefined =>
    fh === undefined ? undefined : handles.findFile(fh)?.handle;

  return {
    async getattr(req) {
      const handle = handleOf(req.fh);
      const st = handle ? await handle.stat({ bigint: true }) : await mirror.stat(inodes.get(req.ino));
      req.replyAttr(toAttr(st, req.ino), mirror.timeout);
    },

    async setattr(req) {
      const inode = inodes.get(req.ino);
      const handle = handleOf(req.fh);
      const symlink = inode.type === constants.S_IFLNK;
      // Path-based calls use the inode's current name, looked up afresh for each step.
      const atPath = (fn: (path: string) => Promise<void>): Promise<void> => mirror.atPath(req.ino, fn);
      const current = (): Promise<BigIntStats> => (handle ? handle.stat({ bigint: true }) : mirror.stat(inode));

      if (req.mode !== undefined) {
        // Linux cannot change a symlink's mode (lchmod is EOPNOTSUPP there).
        if (symlink) throw new FuseError('EOPNOTSUPP', 'setattr: a symlink has no mode to change');
        const mode = req.mode & 0o7777;
        await (handle ? handle.chmod(mode) : atPath((path) => chmod(path, mode)));
      }
      if (req.uid !== undefined || req.gid !== undefined) {
        const uid = req.uid ?? -1;
        const gid = req.gid ?? -1;
        await (handle ? handle.chown(uid, gid) : atPath((path) => lchown(path, uid, gid)));
      }
      if (req.size !== undefined) {
        const size = req.size;
        await (handle ? handle.truncate(size) : atPath((path) => truncate(path, size)));
      }
      if (req.atime !== undefined || req.mtime !== undefined) {
        // Node's utimes sets both times (no UTIME_OMIT): keep the one not asked for.
        const now = nowNs();
        const st = req.atime === undefined || req.mtime === undefined ? await current() : undefined;
        const unit = await utimesUnit();
        const atime = utimesArg(req.atime === 'now' ? now : (req.atime ?? (st as BigIntStats).atimeNs), unit);
        const mtime = utimesArg(req.mtime === 'now' ? now : (req.mtime ?? (st as BigIntStats).mtimeNs), unit);
        if (handle) await handle.utimes(atime, mtime);
        else await atPath((path) => (symlink ? lutimes : utimes)(path, atime, mtime));
      }
      req.replyAttr(toAttr(await current(), req.ino), mirror.timeout);
    },

    async readlink(req) {
      req.replyReadlink(await mirror.atPath(req.ino, (path) => readlink(path)));
    },

    async statfs(req) {
      const s = await statfs(mirror.abs(inodes.get(req.ino).paths[0] ?? ''), { bigint: true });
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
    async access(req) {
      const { uid, gid } = req.ctx;
      const groups = (): number[] => [gid, ...req.groups()];
      const st = await mirror.stat(inodes.get(req.ino));
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
