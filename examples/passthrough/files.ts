/**
 * Open files: every handle is a real descriptor on the source file. Reads are
 * spliced from it to the kernel (zero-copy), writes go to it at their offset.
 * @module
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { type FileHandle, lstat, open, unlink } from 'node:fs/promises';
import { FuseError, type Operations } from '../../lib/index.js';
import type { Mirror } from './mirror.js';
import { createdFile, giveToCaller } from './ownership.js';

/** The access mode bits of open(2) flags (not in fs.constants). */
const O_ACCMODE = 3;
/** The most one copy_file_range request copies (the caller loops for more). */
const COPY_MAX = 16 * 1024 * 1024;
/** The bounce buffer of copy_file_range. */
const COPY_CHUNK = 1024 * 1024;

/**
 * The flags to open the source file with. O_NOFOLLOW: the kernel resolved
 * symlinks already, so a symlink at the path now was swapped in behind our
 * back — do not follow it out of the tree. O_DIRECT is dropped: Node's buffers
 * are not aligned for it (the kernel still honours it on the mount's side).
 */
function sourceFlags(flags: number): number {
  return (
    (flags & ~(constants.O_CREAT | constants.O_EXCL | constants.O_NOCTTY | constants.O_DIRECT)) | constants.O_NOFOLLOW
  );
}

/** Writes all of `data` at `position` (pwrite, looping over short writes). */
async function writeAll(handle: FileHandle, data: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await handle.write(data, done, length - done, position + done);
    if (bytesWritten === 0) break;
    done += bytesWritten;
  }
  return done;
}

/** open, create, read, write, release, fsync, fallocate and copyFileRange. */
export function fileOperations(mirror: Mirror): Operations {
  const { handles } = mirror;

  return {
    async open(req) {
      const flags = sourceFlags(req.flags);
      const handle = await mirror.atPath(req.ino, (path) => open(path, flags));
      const fh = handles.addFile({ ino: req.ino, handle, flags });
      try {
        req.replyOpen(fh);
      } catch (error) {
        handles.takeFile(fh);
        await handle.close().catch(() => undefined);
        throw error;
      }
    },

    async create(req) {
      const ctx = req.ctx; // read before any reply
      const perm = req.mode & 0o7777;
      const parent = lstat(mirror.abs(mirror.pathOf(req.parent)), { bigint: true });
      parent.catch(() => undefined); // awaited below, unless open fails first
      const path = mirror.abs(mirror.childOf(req.parent, req.name));
      const flags = sourceFlags(req.flags);
      // O_EXCL, to know whether this call made the file (and so may give it away).
      let handle: FileHandle;
      let created = true;
      try {
        handle = await open(path, flags | constants.O_CREAT | constants.O_EXCL, perm);
      } catch (error) {
        // It appeared since the kernel looked (created outside the mount): open it, as open(2) would.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || req.flags & constants.O_EXCL) throw error;
        handle = await open(path, flags);
        created = false;
      }
      let st: BigIntStats;
      try {
        st = created ? await giveToCaller(createdFile(handle), ctx, parent, perm) : await handle.stat({ bigint: true });
      } catch (error) {
        await handle.close().catch(() => undefined);
        if (created) await unlink(path).catch(() => undefined);
        throw error;
      }
      let fh: number | undefined;
      try {
        mirror.sendEntry(st, mirror.childOf(req.parent, req.name), (entry) => {
          fh = handles.addFile({ ino: entry.ino, handle, flags });
          req.replyCreate(entry, fh);
        });
      } catch (error) {
        if (fh !== undefined) handles.takeFile(fh);
        await handle.close().catch(() => undefined);
        throw error;
      }
    },

    read(req) {
      // Zero-copy: libfuse splices the bytes from the source descriptor to the kernel.
      req.replyFd(handles.file(req.fh).handle.fd, req.offset, req.size);
    },

    async write(req) {
      req.replyWrite(await writeAll(handles.file(req.fh).handle, req.data, req.data.length, req.offset));
    },

    async release(req) {
      // Errors of release reach nobody; close whatever happens.
      await handles
        .takeFile(req.fh)
        ?.handle.close()
        .catch(() => undefined);
      req.replyOk();
    },

    async fsync(req) {
      const { handle } = handles.file(req.fh);
      await (req.datasync ? handle.datasync() : handle.sync());
      req.replyOk();
    },

    async fallocate(req) {
      // Node has no fallocate(2). Mode 0 (allocate and extend) is emulated by
      // extending the size: the range reads as zeros, but no blocks are reserved.
      if (req.mode !== 0) throw new FuseError('EOPNOTSUPP', 'fallocate: only mode 0 is supported');
      const { handle } = handles.file(req.fh);
      const end = req.offset + req.length;
      const st = await handle.stat({ bigint: true });
      if (BigInt(end) > st.size) await handle.truncate(end);
      req.replyOk();
    },

    async copyFileRange(req) {
      // Node has no copy_file_range(2) on descriptors: copy through a buffer.
      if (req.flags !== 0) throw new FuseError('EINVAL', 'copy_file_range: flags must be 0');
      const input = handles.file(req.fh);
      const output = handles.file(req.fhOut);
      if ((output.flags & O_ACCMODE) === constants.O_RDONLY || output.flags & constants.O_APPEND) {
        throw new FuseError('EBADF', 'copy_file_range: the output is not writable at an offset');
      }
      const total = Math.min(req.length, COPY_MAX);
      const buffer = Buffer.allocUnsafe(Math.min(total, COPY_CHUNK));
      let copied = 0;
      while (copied < total) {
        const { bytesRead } = await input.handle.read(
          buffer,
          0,
          Math.min(buffer.length, total - copied),
          req.offsetIn + copied,
        );
        if (bytesRead === 0) break;
        const written = await writeAll(output.handle, buffer, bytesRead, req.offsetOut + copied);
        copied += written;
        if (written < bytesRead) break;
      }
      req.replyWrite(copied);
    },
  };
}
