/**
 * Open files and directories, by the handle numbers given to the kernel.
 *
 * A file handle is a real descriptor (a plain fd, closed by release): reads
 * are spliced from it, writes go to it, and it keeps an unlinked file readable
 * as long as it is open. A directory handle is a snapshot of the listing, so that
 * readdir offsets stay stable while the directory changes.
 * @module
 */
import { closeSync } from 'node:fs';
import { FuseError } from '../../lib/index.js';

/** An open regular file. */
export interface OpenFile {
  /** The inode it was opened on. */
  readonly ino: number;
  /** The descriptor on the source file. */
  readonly fd: number;
  /** The flags it was opened with on the source. */
  readonly flags: number;
}

/** One name in a directory listing. */
export interface DirEntry {
  /** The entry's name. */
  readonly name: string;
  /** The file type bits (S_IFMT), or 0 when unknown. */
  readonly type: number;
}

/** An open directory. */
export interface OpenDir {
  /** The inode it was opened on. */
  readonly ino: number;
  /** '.', '..', then the names; entry i continues at offset i + 1. */
  entries: DirEntry[];
  /** Whether a readdir has been served: a later one from offset 0 is a rewinddir and lists afresh. */
  served: boolean;
}

/** Handle numbers for open files and directories (one counter; never 0). */
export class HandleTable {
  #next = 1;
  readonly #files = new Map<number, OpenFile>();
  readonly #dirs = new Map<number, OpenDir>();
  readonly #filesByIno = new Map<number, Set<OpenFile>>();

  /** Registers an open file and returns its handle number. */
  addFile(file: OpenFile): number {
    const fh = this.#next++;
    this.#files.set(fh, file);
    const open = this.#filesByIno.get(file.ino);
    if (open === undefined) this.#filesByIno.set(file.ino, new Set([file]));
    else open.add(file);
    return fh;
  }

  /** The open file `fh`; EBADF if there is none. */
  file(fh: number): OpenFile {
    const file = this.findFile(fh);
    if (file === undefined) throw new FuseError('EBADF', `unknown file handle ${fh}`);
    return file;
  }

  /** The open file `fh`, or undefined. */
  findFile(fh: number): OpenFile | undefined {
    return this.#files.get(fh);
  }

  /** Unregisters `fh` and returns its file (to close), if it was open. */
  takeFile(fh: number): OpenFile | undefined {
    const file = this.#files.get(fh);
    if (file === undefined) return undefined;
    this.#files.delete(fh);
    const open = this.#filesByIno.get(file.ino);
    open?.delete(file);
    if (open?.size === 0) this.#filesByIno.delete(file.ino);
    return file;
  }

  /** Some open descriptor on inode `ino` (to reach a file that has no name left). */
  anyFileOf(ino: number): number | undefined {
    const open = this.#filesByIno.get(ino);
    if (open === undefined) return undefined;
    for (const file of open) return file.fd;
    return undefined;
  }

  /** Registers an open directory and returns its handle number. */
  addDir(dir: OpenDir): number {
    const fh = this.#next++;
    this.#dirs.set(fh, dir);
    return fh;
  }

  /** The open directory `fh`; EBADF if there is none. */
  dir(fh: number): OpenDir {
    const dir = this.#dirs.get(fh);
    if (dir === undefined) throw new FuseError('EBADF', `unknown directory handle ${fh}`);
    return dir;
  }

  /** Unregisters directory handle `fh`. */
  takeDir(fh: number): void {
    this.#dirs.delete(fh);
  }

  /** Closes every open file (when the filesystem goes away). */
  closeAll(): void {
    for (const fh of [...this.#files.keys()]) closeQuietly(this.takeFile(fh)?.fd);
    this.#dirs.clear();
  }
}

/** Closes descriptor `fd`, if any, ignoring errors (nobody is left to hear of them). */
export function closeQuietly(fd: number | undefined): void {
  if (fd === undefined) return;
  try {
    closeSync(fd);
  } catch {
    // EIO on close of a local file is not actionable here.
  }
}
