/**
 * Directory handles. opendir takes a snapshot of the listing, so offsets (the
 * index of the next entry) stay stable however the directory changes; a
 * rewinddir (a readdir from offset 0 after the first) lists afresh.
 * readdirplus stats each entry and hands the kernel its inode, counting a lookup.
 * @module
 */
import { type BigIntStats, constants, fdatasync, fsync, lstatSync, openSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import type { InodeEntry, Operations } from '../../lib/index.js';
import { typeOf } from './attrs.js';
import { closeQuietly, type DirEntry, type OpenDir } from './handles.js';
import { childPath, ROOT_INO } from './inodes.js';
import type { Mirror } from './mirror.js';

/**
 * The d_ino of a name whose inode the kernel has not been given (libfuse's
 * FUSE_UNKNOWN_INO): Node's readdir does not report the source's d_ino, and
 * giving out one of ours would need a lookup the kernel never made.
 */
export const UNKNOWN_INO = 0xffffffff;

const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);

const isDot = (name: string): boolean => name === '.' || name === '..';

/** opendir, readdir, readdirplus, releasedir and fsyncdir. */
export function directoryOperations(mirror: Mirror): Operations {
  const { inodes, handles } = mirror;

  /** '.', '..' and the names in directory `ino` now (just the dots once it is removed). */
  function list(ino: number): DirEntry[] {
    const dots: DirEntry[] = [
      { name: '.', type: constants.S_IFDIR },
      { name: '..', type: constants.S_IFDIR },
    ];
    if (inodes.get(ino).paths.length === 0) return dots;
    const names = mirror.atPath(ino, (path) => readdirSync(path, { withFileTypes: true }));
    return dots.concat(names.map((entry) => ({ name: entry.name, type: typeOf(entry) })));
  }

  /** The handle's listing for a readdir at `offset`, refreshed on rewinddir. */
  function listing(fh: number, offset: number): OpenDir {
    const dir = handles.dir(fh);
    if (offset === 0 && dir.served) dir.entries = list(dir.ino);
    dir.served = true;
    return dir;
  }

  /** The inode number to show for `name` in directory `ino`, at `path` (ours if the kernel has it). */
  function inoOf(ino: number, path: string | undefined, name: string): number {
    if (name === '.') return ino;
    if (path === undefined) return UNKNOWN_INO;
    if (name === '..') {
      return path === ''
        ? ROOT_INO
        : (inodes.at(path.slice(0, Math.max(0, path.lastIndexOf('/'))))?.ino ?? UNKNOWN_INO);
    }
    return inodes.at(childPath(path, name))?.ino ?? UNKNOWN_INO;
  }

  /** A readdirplus record for '.' or '..': the kernel neither links nor counts these. */
  function dotEntry(ino: number, path: string | undefined, name: string): InodeEntry {
    const dotIno = inoOf(ino, path, name);
    return { ino: dotIno, attr: { ino: dotIno, mode: constants.S_IFDIR } };
  }

  return {
    opendir(req) {
      req.replyOpen(handles.addDir({ ino: req.ino, entries: list(req.ino), served: false }));
    },

    readdir(req) {
      const { entries } = listing(req.fh, req.offset);
      const path = inodes.get(req.ino).paths[0];
      for (let i = req.offset; i < entries.length; i++) {
        const { name, type } = entries[i] as DirEntry;
        if (!req.add(name, inoOf(req.ino, path, name), type, i + 1)) break;
      }
      req.replyDirents();
    },

    readdirplus(req) {
      const { entries } = listing(req.fh, req.offset);
      const path = inodes.get(req.ino).paths[0];
      let added = 0;
      for (let i = req.offset; i < entries.length; i++) {
        const { name } = entries[i] as DirEntry;
        if (isDot(name)) {
          if (!req.add(name, dotEntry(req.ino, path, name), i + 1)) break;
        } else {
          if (path === undefined) continue; // the directory is gone
          const rel = childPath(path, name);
          let st: BigIntStats | undefined;
          try {
            st = lstatSync(mirror.abs(rel), { bigint: true, throwIfNoEntry: false });
          } catch (error) {
            if (added === 0) throw error;
            break; // report the error on the next call, with nothing sent yet
          }
          if (st === undefined) continue; // removed since the listing
          if (!mirror.sendEntry(st, rel, (entry) => req.add(name, entry, i + 1))) break;
        }
        added++;
      }
      req.replyDirents();
    },

    releasedir(req) {
      handles.takeDir(req.fh);
      req.replyOk();
    },

    async fsyncdir(req) {
      const fd = mirror.atPath(req.ino, (path) => openSync(path, constants.O_RDONLY | constants.O_DIRECTORY));
      try {
        await (req.datasync ? fdatasyncAsync(fd) : fsyncAsync(fd));
      } finally {
        closeQuietly(fd);
      }
      req.replyOk();
    },
  };
}
