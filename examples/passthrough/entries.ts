/**
 * Directory entries: lookup and forget, creating nodes (mknod, mkdir,
 * symlink, link) and removing or moving them (unlink, rmdir, rename) — each
 * the real call on the source, with the inode table kept in step.
 * @module
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { FuseError, type InodeEntry, type Operations, type RequestContext } from '../../lib/index.js';
import type { Mirror } from './mirror.js';
import { createdAt, giveToCaller } from './ownership.js';

/** sun_path's size: the longest socket path bind(2) takes, with its NUL. */
const SUN_PATH_MAX = 108;
let socketSerial = 0;

/**
 * Creates a unix socket node at `path`. Node has no mknod, but it can bind a
 * socket: bind a temporary name, hard-link it to `path` (failing with EEXIST
 * like mknod), then close (which unlinks the temporary name).
 */
async function makeSocket(path: string): Promise<void> {
  const temp = `${path.slice(0, path.lastIndexOf('/'))}/.passthrough-sock-${process.pid}-${++socketSerial}`;
  if (Buffer.byteLength(temp) >= SUN_PATH_MAX) throw new FuseError('ENAMETOOLONG', `socket path too long: ${temp}`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(temp, resolve);
  });
  try {
    linkSync(temp, path);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** What a request that creates a node provides. */
interface CreatingRequest {
  readonly parent: number;
  readonly name: string;
  readonly ctx: RequestContext;
  replyEntry(entry: InodeEntry): void;
}

/**
 * Creates `name` in `req.parent` with `create`, gives it to the caller with
 * permission bits `mode` (undefined: leave them), and replies with its entry.
 * If handing it over fails, the node is removed again with `remove`.
 */
function makeNode(
  mirror: Mirror,
  req: CreatingRequest,
  mode: number | undefined,
  create: (path: string) => void,
  remove: (path: string) => void,
): void {
  const parent = lstatSync(mirror.abs(mirror.pathOf(req.parent)), { bigint: true });
  const rel = mirror.childOf(req.parent, req.name);
  const path = mirror.abs(rel);
  create(path);
  finishNode(mirror, req, parent, rel, mode, remove);
}

/** Gives the node just created at `rel` to the caller and replies with its entry (see {@link makeNode}). */
function finishNode(
  mirror: Mirror,
  req: CreatingRequest,
  parent: BigIntStats,
  rel: string,
  mode: number | undefined,
  remove: (path: string) => void,
): void {
  const path = mirror.abs(rel);
  let st: BigIntStats;
  try {
    st = giveToCaller(createdAt(path), req.ctx, parent, mode);
  } catch (error) {
    try {
      remove(path);
    } catch {
      // Leave it: the error that matters is the one above.
    }
    throw error;
  }
  mirror.sendEntry(st, rel, (entry) => req.replyEntry(entry));
}

/** lookup, forget, mknod, mkdir, symlink, link, unlink, rmdir and rename. */
export function entryOperations(mirror: Mirror): Operations {
  const { inodes } = mirror;
  return {
    lookup(req) {
      const rel = mirror.childOf(req.parent, req.name);
      const st = lstatSync(mirror.abs(rel), { bigint: true, throwIfNoEntry: false });
      if (st === undefined) return req.replyEntry({ ino: 0, entryTimeout: mirror.timeout });
      mirror.sendEntry(st, rel, (entry) => req.replyEntry(entry));
    },

    forget(req) {
      // passthrough hands out inode numbers that are numbers (safe integers), never bigints.
      for (const { ino, nlookup } of req.forgets) if (typeof ino === 'number') inodes.forget(ino, nlookup);
    },

    async mknod(req) {
      const type = req.mode & constants.S_IFMT;
      const perm = req.mode & 0o7777;
      if (type === constants.S_IFREG || type === 0) {
        const create = (path: string): void => {
          closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, perm));
        };
        return makeNode(mirror, req, perm, create, unlinkSync);
      }
      if (type === constants.S_IFSOCK) {
        const parent = lstatSync(mirror.abs(mirror.pathOf(req.parent)), { bigint: true });
        const rel = mirror.childOf(req.parent, req.name);
        await makeSocket(mirror.abs(rel));
        // The directory may have moved while the socket was made: its name now.
        const now = mirror.childOf(req.parent, req.name);
        return finishNode(mirror, req, parent, now, perm, unlinkSync);
      }
      // Node can create neither FIFOs nor device nodes: "not supported by this filesystem" is EPERM.
      throw new FuseError('EPERM', `mknod: cannot create file type 0o${type.toString(8)} from Node.js`);
    },

    mkdir(req) {
      const perm = req.mode & 0o7777;
      makeNode(mirror, req, perm, (path) => mkdirSync(path, { mode: perm }), rmdirSync);
    },

    symlink(req) {
      makeNode(mirror, req, undefined, (path) => symlinkSync(req.target, path), unlinkSync);
    },

    link(req) {
      const rel = mirror.childOf(req.newParent, req.newName);
      const to = mirror.abs(rel);
      mirror.atPath(req.ino, (from) => linkSync(from, to));
      const st = lstatSync(to, { bigint: true });
      mirror.sendEntry(st, rel, (entry) => req.replyEntry(entry));
    },

    unlink(req) {
      const rel = mirror.childOf(req.parent, req.name);
      unlinkSync(mirror.abs(rel));
      inodes.unlink(rel);
      req.replyOk();
    },

    rmdir(req) {
      const rel = mirror.childOf(req.parent, req.name);
      rmdirSync(mirror.abs(rel));
      inodes.unlink(rel);
      req.replyOk();
    },

    rename(req) {
      // RENAME_NOREPLACE and RENAME_EXCHANGE need renameat2(2), which Node lacks;
      // emulating them with checks would not be atomic.
      if (req.flags !== 0) throw new FuseError('EINVAL', 'rename: flags are not supported');
      const from = mirror.childOf(req.parent, req.name);
      const to = mirror.childOf(req.newParent, req.newName);
      renameSync(mirror.abs(from), mirror.abs(to));
      inodes.rename(from, to);
      req.replyOk();
    },
  };
}
