/**
 * Open files: every handle is a real descriptor on the source file. Reads are
 * spliced from it to the kernel (zero-copy), writes go to it at their offset.
 * Opening, creating and closing are synchronous calls (see index.ts, Design);
 * writes, fsync, fallocate and copy_file_range go through libuv's thread pool.
 * @module
 */
import {
  type BigIntStats,
  constants,
  fdatasync,
  fstatSync,
  fsync,
  ftruncate,
  lstatSync,
  open,
  openSync,
  read,
  unlinkSync,
  write,
} from 'node:fs';
import { promisify } from 'node:util';
import { FuseError, type Operations } from '../../lib/index.js';
import { closeQuietly } from './handles.js';
import type { Mirror } from './mirror.js';
import { createdFile, giveToCaller } from './ownership.js';

const openAsync = promisify(open);
const pwrite = promisify(write);
const pread = promisify(read);
const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);

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

/**
 * A byte position for node:fs, which takes numbers only (a bigint position is
 * ignored by fs.write): past 2^53 bytes, which no source file system here
 * reaches, the answer is EFBIG.
 */
function position(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FuseError('EFBIG', `position ${value} is past 2^53 - 1`);
  return Number(value);
}

/** Writes all of `data` at `at` (pwrite, looping over short writes). */
async function writeAll(fd: number, data: Buffer, length: number, at: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesWritten } = await pwrite(fd, data, done, length - done, at + done);
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
      // O_TRUNC frees the file's blocks, which takes time for a large file:
      // asynchronous then, like truncate.
      const fd =
        flags & constants.O_TRUNC
          ? await mirror.atPathAsync(req.ino, (path) => openAsync(path, flags))
          : mirror.atPath(req.ino, (path) => openSync(path, flags));
      const fh = handles.addFile({ ino: req.ino, fd, flags });
      try {
        req.replyOpen(fh);
      } catch (error) {
        handles.takeFile(fh);
        closeQuietly(fd);
        throw error;
      }
    },

    create(req) {
      const perm = req.mode & 0o7777;
      const parent = lstatSync(mirror.abs(mirror.pathOf(req.parent)), { bigint: true });
      const rel = mirror.childOf(req.parent, req.name);
      const path = mirror.abs(rel);
      const flags = sourceFlags(req.flags);
      // O_EXCL, to know whether this call made the file (and so may give it away).
      let fd: number;
      let created = true;
      try {
        fd = openSync(path, flags | constants.O_CREAT | constants.O_EXCL, perm);
      } catch (error) {
        // It appeared since the kernel looked (created outside the mount): open it, as open(2) would.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || req.flags & constants.O_EXCL) throw error;
        fd = openSync(path, flags);
        created = false;
      }
      let st: BigIntStats;
      try {
        st = created ? giveToCaller(createdFile(fd), req.ctx, parent, perm) : fstatSync(fd, { bigint: true });
      } catch (error) {
        closeQuietly(fd);
        if (created) {
          try {
            unlinkSync(path);
          } catch {
            // Leave it: the error that matters is the one above.
          }
        }
        throw error;
      }
      let fh: number | undefined;
      try {
        mirror.sendEntry(st, rel, (entry) => {
          fh = handles.addFile({ ino: entry.ino, fd, flags });
          req.replyCreate(entry, fh);
        });
      } catch (error) {
        if (fh !== undefined) handles.takeFile(fh);
        closeQuietly(fd);
        throw error;
      }
    },

    read(req) {
      // Zero-copy: libfuse splices the bytes from the source descriptor to the kernel.
      req.replyFd(handles.file(req.fh).fd); // at req.offset, exact past 2^53 too
    },

    async write(req) {
      req.replyWrite(await writeAll(handles.file(req.fh).fd, req.data, req.data.length, position(req.offsetBig)));
    },

    release(req) {
      // Errors of release reach nobody; close whatever happens.
      closeQuietly(handles.takeFile(req.fh)?.fd);
      req.replyOk();
    },

    async fsync(req) {
      const { fd } = handles.file(req.fh);
      await (req.datasync ? fdatasyncAsync(fd) : fsyncAsync(fd));
      req.replyOk();
    },

    async fallocate(req) {
      // Node has no fallocate(2). Mode 0 (allocate and extend) is emulated by
      // extending the size: the range reads as zeros, but no blocks are reserved.
      if (req.mode !== 0) throw new FuseError('EOPNOTSUPP', 'fallocate: only mode 0 is supported');
      const { fd } = handles.file(req.fh);
      const end = position(req.offsetBig + req.lengthBig);
      if (BigInt(end) > fstatSync(fd, { bigint: true }).size) await ftruncateAsync(fd, end);
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
      const total = req.lengthBig < BigInt(COPY_MAX) ? Number(req.lengthBig) : COPY_MAX;
      const buffer = Buffer.allocUnsafe(Math.min(total, COPY_CHUNK));
      let copied = 0;
      while (copied < total) {
        const { bytesRead } = await pread(
          input.fd,
          buffer,
          0,
          Math.min(buffer.length, total - copied),
          position(req.offsetInBig) + copied,
        );
        if (bytesRead === 0) break;
        const written = await writeAll(output.fd, buffer, bytesRead, position(req.offsetOutBig) + copied);
        copied += written;
        if (written < bytesRead) break;
      }
      req.replyWrite(copied);
    },
  };
}
