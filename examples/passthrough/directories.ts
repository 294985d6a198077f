/**
 * Directory handles. opendir takes a snapshot of the listing, so offsets (the
 * index of the next entry) stay stable however the directory changes; a
 * rewinddir (a readdir from offset 0 after the first) lists afresh.
 * readdirplus stats each entry and hands the kernel its inode, counting a lookup.
 * @module
 */
import { type BigIntStats, constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import type { InodeEntry, Operations } from '../../lib/index.js';
import { typeOf } from './attrs.js';
import type { DirEntry, OpenDir } from './handles.js';
import { childPath, ROOT_INO } from './inodes.js';
import type { Mirror } from './mirror.js';

/**
 * The d_ino of a name whose inode the kernel has not been given (libfuse's
 * FUSE_UNKNOWN_INO): Node's readdir does not report the source's d_ino, and
 * giving out one of ours would need a lookup the kernel never made.
 */
export const UNKNOWN_INO = 0xffffffff;
/** The smallest readdirplus record (fuse_direntplus with a 1-byte name, 8-aligned). */
const MIN_DIRENTPLUS = 160;

const isDot = (name: string): boolean => name === '.' || name === '..';

/** opendir, readdir, readdirplus, releasedir and fsyncdir. */
export function directoryOperations(mirror: Mirror): Operations {
  const { inodes, handles } = mirror;

  /** '.', '..' and the names in directory `ino` now (just the dots once it is removed). */
  async function list(ino: number): Promise<DirEntry[]> {
    const dots: DirEntry[] = [
      { name: '.', type: constants.S_IFDIR },
      { name: '..', type: constants.S_IFDIR },
    ];
    if (inodes.get(ino).paths.length === 0) return dots;
    const names = await mirror.atPath(ino, (path) => readdir(path, { withFileTypes: true }));
    return dots.concat(names.map((entry) => ({ name: entry.name, type: typeOf(entry) })));
  }

  /** The handle's listing for a readdir at `offset`, refreshed on rewinddir. */
  async function listing(fh: number, offset: number): Promise<OpenDir> {
    const dir = handles.dir(fh);
    if (offset === 0 && dir.served) dir.entries = await list(dir.ino);
    dir.served = true;
    return dir;
  }

  /** The inode number to show for `name` in directory `ino` (ours if the kernel has it). */
  function inoOf(ino: number, name: string): number {
    const path = inodes.get(ino).paths[0];
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
  function dotEntry(ino: number, name: string): InodeEntry {
    const dotIno = inoOf(ino, name);
    return { ino: dotIno, attr: { ino: dotIno, mode: constants.S_IFDIR } };
  }

  return {
    async opendir(req) {
      req.replyOpen(handles.addDir({ ino: req.ino, entries: await list(req.ino), served: false }));
    },

    async readdir(req) {
      const { entries } = await listing(req.fh, req.offset);
      for (let i = req.offset; i < entries.length; i++) {
        const { name, type } = entries[i] as DirEntry;
        if (!req.add(name, inoOf(req.ino, name), type, i + 1)) break;
      }
      req.replyDirents();
    },

    async readdirplus(req) {
      const { entries } = await listing(req.fh, req.offset);
      // Stat as many entries at once as the kernel's buffer can take at most.
      const batchSize = Math.max(1, Math.ceil(req.size / MIN_DIRENTPLUS));
      let added = 0;
      let i = req.offset;
      fill: while (i < entries.length) {
        const batch = entries.slice(i, i + batchSize);
        const before = inodes.get(req.ino).paths[0];
        const stats = await Promise.all(
          batch.map(({ name }) =>
            isDot(name) || before === undefined
              ? undefined
              : lstat(mirror.abs(childPath(before, name)), { bigint: true }).catch(
                  (error: NodeJS.ErrnoException) => error,
                ),
          ),
        );
        const dir = inodes.get(req.ino).paths[0]; // the directory may have moved meanwhile
        for (let k = 0; k < batch.length; k++, i++) {
          const { name } = batch[k] as DirEntry;
          const st: BigIntStats | NodeJS.ErrnoException | undefined = stats[k];
          if (isDot(name)) {
            if (!req.add(name, dotEntry(req.ino, name), i + 1)) break fill;
          } else if (st === undefined || dir === undefined) {
            continue; // the directory is gone
          } else if (st instanceof Error) {
            if (st.code === 'ENOENT') continue; // removed since the listing
            if (added === 0) throw st;
            break fill; // report the error on the next call, with nothing sent yet
          } else if (!mirror.sendEntry(st, childPath(dir, name), (entry) => req.add(name, entry, i + 1))) {
            break fill;
          }
          added++;
        }
      }
      req.replyDirents();
    },

    releasedir(req) {
      handles.takeDir(req.fh);
      req.replyOk();
    },

    async fsyncdir(req) {
      const handle = await mirror.atPath(req.ino, (path) => open(path, constants.O_RDONLY | constants.O_DIRECTORY));
      try {
        await (req.datasync ? handle.datasync() : handle.sync());
      } finally {
        await handle.close();
      }
      req.replyOk();
    },
  };
}
