/**
 * Directory entries: lookup and forget, creating nodes (mknod, mkdir,
 * symlink, link) and removing or moving them (unlink, rmdir, rename) — each
 * the real call on the source, with the inode table kept in step.
 * @module
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename as renamePath, rmdir, symlink, unlink } from 'node:fs/promises';
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
    await link(temp, path);
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
async function makeNode(
  mirror: Mirror,
  req: CreatingRequest,
  mode: number | undefined,
  create: (path: string) => Promise<void>,
  remove: (path: string) => Promise<void>,
): Promise<void> {
  const ctx = req.ctx; // read before any reply
  const parent = lstat(mirror.abs(mirror.pathOf(req.parent)), { bigint: true });
  parent.catch(() => undefined); // awaited below, unless create fails first
  const path = mirror.abs(mirror.childOf(req.parent, req.name));
  await create(path);
  let st: BigIntStats;
  try {
    st = await giveToCaller(createdAt(path), ctx, parent, mode);
  } catch (error) {
    await remove(path).catch(() => undefined);
    throw error;
  }
  mirror.sendEntry(st, mirror.childOf(req.parent, req.name), (entry) => req.replyEntry(entry));
}

/** lookup, forget, mknod, mkdir, symlink, link, unlink, rmdir and rename. */
export function entryOperations(mirror: Mirror): Operations {
  const { inodes } = mirror;
  return {
    async lookup(req) {
      let st: BigIntStats;
      try {
        st = await lstat(mirror.abs(mirror.childOf(req.parent, req.name)), { bigint: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return req.replyEntry({ ino: 0, entryTimeout: mirror.timeout });
      }
      mirror.sendEntry(st, mirror.childOf(req.parent, req.name), (entry) => req.replyEntry(entry));
    },

    forget(req) {
      for (const { ino, nlookup } of req.forgets) inodes.forget(ino, nlookup);
    },

    async mknod(req) {
      const type = req.mode & constants.S_IFMT;
      const perm = req.mode & 0o7777;
      if (type === constants.S_IFREG || type === 0) {
        const create = async (path: string) => {
          await (await open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, perm)).close();
        };
        return makeNode(mirror, req, perm, create, unlink);
      }
      if (type === constants.S_IFSOCK) return makeNode(mirror, req, perm, makeSocket, unlink);
      // Node can create neither FIFOs nor device nodes: "not supported by this filesystem" is EPERM.
      throw new FuseError('EPERM', `mknod: cannot create file type 0o${type.toString(8)} from Node.js`);
    },

    mkdir(req) {
      const perm = req.mode & 0o7777;
      return makeNode(mirror, req, perm, (path) => mkdir(path, { mode: perm }).then(() => undefined), rmdir);
    },

    symlink(req) {
      return makeNode(mirror, req, undefined, (path) => symlink(req.target, path), unlink);
    },

    async link(req) {
      const to = mirror.abs(mirror.childOf(req.newParent, req.newName));
      await mirror.atPath(req.ino, (from) => link(from, to));
      const rel = mirror.childOf(req.newParent, req.newName);
      const st = await lstat(mirror.abs(rel), { bigint: true });
      mirror.sendEntry(st, rel, (entry) => req.replyEntry(entry));
    },

    async unlink(req) {
      await unlink(mirror.abs(mirror.childOf(req.parent, req.name)));
      inodes.unlink(mirror.childOf(req.parent, req.name));
      req.replyOk();
    },

    async rmdir(req) {
      await rmdir(mirror.abs(mirror.childOf(req.parent, req.name)));
      inodes.unlink(mirror.childOf(req.parent, req.name));
      req.replyOk();
    },

    async rename(req) {
      // RENAME_NOREPLACE and RENAME_EXCHANGE need renameat2(2), which Node lacks;
      // emulating them with checks would not be atomic.
      if (req.flags !== 0) throw new FuseError('EINVAL', 'rename: flags are not supported');
      await renamePath(
        mirror.abs(mirror.childOf(req.parent, req.name)),
        mirror.abs(mirror.childOf(req.newParent, req.newName)),
      );
      inodes.rename(mirror.childOf(req.parent, req.name), mirror.childOf(req.newParent, req.newName));
      req.replyOk();
    },
  };
}
