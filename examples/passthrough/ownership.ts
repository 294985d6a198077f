/**
 * New files, directories, links and nodes belong to the caller, not to the
 * server: the server creates them (as itself, usually root), then hands them
 * to the caller's uid and gid and sets the exact mode the kernel asked for
 * (the kernel already applied the caller's umask; the server's own umask must
 * not apply again).
 * @module
 */
import { type BigIntStats, chmodSync, fchmodSync, fchownSync, fstatSync, lchownSync, lstatSync } from 'node:fs';
import type { RequestContext } from '../../lib/index.js';

/** The set-group-ID bit (not in Node's fs.constants). */
const S_ISGID = 0o2000;

/** Something just created, reached by path or by an open descriptor. */
export interface Created {
  /** Changes the owner (-1 leaves a field), never following a symlink. */
  chown(uid: number, gid: number): void;
  /** Sets the permission bits. */
  chmod(mode: number): void;
  /** Its attributes now, never following a symlink. */
  stat(): BigIntStats;
}

/** A created node reached by its path (never following a symlink for chown and stat). */
export function createdAt(path: string): Created {
  return {
    chown: (uid, gid) => lchownSync(path, uid, gid),
    chmod: (mode) => chmodSync(path, mode),
    stat: () => lstatSync(path, { bigint: true }),
  };
}

/** A created file reached by its open descriptor. */
export function createdFile(fd: number): Created {
  return {
    chown: (uid, gid) => fchownSync(fd, uid, gid),
    chmod: (mode) => fchmodSync(fd, mode),
    stat: () => fstatSync(fd, { bigint: true }),
  };
}

/**
 * Gives `node` to the caller and returns its final attributes. In a set-group-ID
 * directory the new node keeps the directory's group (and a new directory its
 * S_ISGID bit), as the source filesystem decided: `parent` is the directory's
 * stat from before the node was created. `mode` is the permission bits asked
 * for, or undefined to leave them (symlinks).
 */
export function giveToCaller(
  node: Created,
  ctx: RequestContext,
  parent: BigIntStats,
  mode: number | undefined,
): BigIntStats {
  const inheritGroup = (Number(parent.mode) & S_ISGID) !== 0;
  const gid = inheritGroup ? -1 : ctx.gid;
  // Created as this process: nothing to change when the caller is this process' user and group.
  if (ctx.uid !== process.geteuid?.() || (gid !== -1 && gid !== process.getegid?.())) {
    node.chown(ctx.uid, gid);
  }
  let st = node.stat();
  if (mode !== undefined) {
    // chown clears S_ISUID/S_ISGID and the server's umask may have masked bits: set them as asked.
    const want = (mode & 0o7777) | (st.isDirectory() && inheritGroup ? S_ISGID : 0);
    if ((Number(st.mode) & 0o7777) !== want) {
      node.chmod(want);
      st = node.stat();
    }
  }
  return st;
}
