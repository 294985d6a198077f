/**
 * The inode table, independent of FUSE: inodes and their numbers, the
 * namespace (directories, hard links, rename), link and lookup counting, open
 * handles, and when an inode may be freed.
 *
 * An inode is freed once nothing can reach it any more: no names (nlink 0),
 * no kernel references (lookups 0, balanced by forget) and no open handles.
 * Its number is then reused with the next generation, so (ino, generation)
 * never repeats.
 * @module
 */
import { constants } from 'node:fs';
import { type Attr, nameByteLength } from '../../lib/index.js';
import { PAGE_SIZE, type Position, Space, SparseData } from './data.js';
import { Directory } from './directory.js';
import type { InodeLocks } from './locks.js';
import { now } from './time.js';

const { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK } = constants;

/** The root directory's inode number (FUSE_ROOT_ID). */
export const ROOT_INO = 1;
/** What tmpfs counts per directory entry for a directory's st_size. */
const DIRENT_SIZE = 20;

/** The file types memfs stores. */
export type InodeKind = 'file' | 'dir' | 'symlink' | 'special';

/** What every inode has. */
abstract class InodeBase {
  /** The kind of inode (narrows {@link Inode}). */
  abstract readonly kind: InodeKind;
  /** The inode number. */
  readonly ino: number;
  /** Distinguishes this inode from earlier ones that had the same number. */
  readonly generation: number;
  /** File type and permission bits (S_IFMT | 07777). */
  mode: number;
  /** The owner. */
  uid: number;
  /** The group. */
  gid: number;
  /** Last access (read), in nanoseconds since the epoch. */
  atime: bigint;
  /** Last change of the contents, in nanoseconds since the epoch. */
  mtime: bigint;
  /** Last change of the inode (attributes, links, contents), in nanoseconds since the epoch. */
  ctime: bigint;
  /** References the kernel holds (entry replies minus forgets). */
  lookups = 0;
  /** Open file and directory handles. */
  opens = 0;
  /** Extended attributes by full name (`user.foo`). */
  readonly xattrs = new Map<string, Buffer>();
  /** POSIX and flock locks, created on first use. */
  locks: InodeLocks | undefined;

  /** @internal Use {@link InodeTable.create}. */
  constructor(ino: number, generation: number, mode: number, uid: number, gid: number, time: bigint) {
    this.ino = ino;
    this.generation = generation;
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    this.atime = time;
    this.mtime = time;
    this.ctime = time;
  }

  /** The number of names (hard links) the inode has. */
  abstract get nlink(): number;
  /** st_size (a bigint only past 2^53 - 1: see {@link Position}). */
  abstract get size(): Position;
  /** st_blocks: 512-byte units allocated. */
  get blocks(): number {
    return 0;
  }
  /** st_rdev. */
  get rdev(): number {
    return 0;
  }

  /** The attributes as the kernel wants them, with nanosecond times. */
  attr(): Attr {
    return {
      ino: this.ino,
      mode: this.mode,
      nlink: this.nlink,
      uid: this.uid,
      gid: this.gid,
      rdev: this.rdev,
      size: this.size,
      blksize: PAGE_SIZE,
      blocks: this.blocks,
      atime: this.atime,
      mtime: this.mtime,
      ctime: this.ctime,
    };
  }
}

/** A regular file. */
export class FileInode extends InodeBase {
  /** @inheritdoc */
  readonly kind = 'file';
  /** The file's bytes. */
  readonly data: SparseData;
  /** Hard links. */
  links = 0;
  /** @internal */
  constructor(space: Space, ...args: ConstructorParameters<typeof InodeBase>) {
    super(...args);
    this.data = new SparseData(space);
  }
  /** @inheritdoc */
  get nlink(): number {
    return this.links;
  }
  /** @inheritdoc */
  get size(): Position {
    return this.data.size;
  }
  /** @inheritdoc */
  override get blocks(): number {
    return this.data.allocatedPages * (PAGE_SIZE / 512);
  }
}

/** A directory. Its nlink is 2 + its subdirectories while linked ('.' and the parent's entry), 0 once removed. */
export class DirInode extends InodeBase {
  /** @inheritdoc */
  readonly kind = 'dir';
  /** The names in the directory. */
  readonly entries = new Directory();
  /** The parent directory ('..'); the root is its own parent. */
  parent = ROOT_INO;
  /** Whether the directory has a name (false once removed). */
  linked = false;
  /** How many entries are directories (each one's '..' links here). */
  subdirs = 0;
  /** @inheritdoc */
  get nlink(): number {
    return this.linked ? 2 + this.subdirs : 0;
  }
  /** @inheritdoc */
  get size(): number {
    return (this.entries.size + 2) * DIRENT_SIZE;
  }
}

/** A symbolic link. */
export class SymlinkInode extends InodeBase {
  /** @inheritdoc */
  readonly kind = 'symlink';
  /** What the link points at. */
  target = '';
  /** Hard links. */
  links = 0;
  /** @inheritdoc */
  get nlink(): number {
    return this.links;
  }
  /** @inheritdoc */
  get size(): number {
    return nameByteLength(this.target);
  }
}

/** A fifo, socket, or character or block device (made by mknod; the kernel serves their I/O). */
export class SpecialInode extends InodeBase {
  /** @inheritdoc */
  readonly kind = 'special';
  /** The device number. */
  device = 0;
  /** Hard links. */
  links = 0;
  /** @inheritdoc */
  get nlink(): number {
    return this.links;
  }
  /** @inheritdoc */
  get size(): number {
    return 0;
  }
  /** @inheritdoc */
  override get rdev(): number {
    return this.device;
  }
}

/** Any inode; `kind` tells which. */
export type Inode = FileInode | DirInode | SymlinkInode | SpecialInode;

/** An open file or directory. */
export interface Handle {
  /** The handle number given to the kernel. */
  readonly fh: number;
  /** The inode it opens. */
  readonly inode: Inode;
  /** The open(2) flags. */
  readonly flags: number;
}

/** How to build a table. */
export interface InodeTableOptions {
  /** Bytes of file data the filesystem may hold. */
  capacity: number;
  /** The most inodes at once. */
  maxInodes: number;
  /** Owner of the root directory. */
  uid: number;
  /** Group of the root directory. */
  gid: number;
  /** Permission bits of the root directory. */
  rootMode: number;
}

/** Thrown when the table is full (the handlers answer ENOSPC, like a filesystem out of inodes). */
export class NoInodesError extends Error {
  /** The errno name, so the library maps this error to ENOSPC. */
  readonly code = 'ENOSPC';
}

/** Every inode of the filesystem, and its open handles. */
export class InodeTable {
  /** Page accounting for all file data. */
  readonly space: Space;
  /** The most inodes at once. */
  readonly maxInodes: number;
  /**
   * Lookups the kernel forgot that memfs never counted. Always 0 unless a
   * handler forgets to count an entry reply (an inode would then be freed
   * while the kernel still uses it): a check for tests and your own changes.
   */
  excessForgets = 0;
  /** The root directory. */
  readonly root: DirInode;
  readonly #inodes = new Map<number, Inode>();
  /** Freed numbers with the generation their next inode gets. */
  readonly #free: [ino: number, generation: number][] = [];
  #nextIno = ROOT_INO + 1;
  readonly #handles = new Map<number, Handle>();
  #nextFh = 1;

  /** Makes a table holding only the root directory. */
  constructor(options: InodeTableOptions) {
    this.space = new Space(options.capacity);
    this.maxInodes = options.maxInodes;
    this.root = new DirInode(ROOT_INO, 0, S_IFDIR | (options.rootMode & 0o7777), options.uid, options.gid, now());
    this.root.linked = true;
    this.root.lookups = 1; // the kernel's root reference is never forgotten
    this.#inodes.set(ROOT_INO, this.root);
  }

  /** How many inodes exist (unlinked ones still referenced included). */
  get count(): number {
    return this.#inodes.size;
  }

  /** How many handles are open. */
  get openHandles(): number {
    return this.#handles.size;
  }

  /** The inode numbered `ino`, if it exists. */
  get(ino: number): Inode | undefined {
    return this.#inodes.get(ino);
  }

  /**
   * Makes a new, unlinked inode of the type in `mode` (S_IFREG, S_IFDIR,
   * S_IFLNK, or a special type). Link it with {@link attach}.
   */
  create(mode: number, uid: number, gid: number, time: bigint): Inode {
    if (this.#inodes.size >= this.maxInodes) throw new NoInodesError('no free inodes on the memfs');
    const [ino, generation] = this.#free.pop() ?? [this.#nextIno++, 0];
    const args = [ino, generation, mode, uid, gid, time] as const;
    let inode: Inode;
    switch (mode & S_IFMT) {
      case S_IFREG:
        inode = new FileInode(this.space, ...args);
        break;
      case S_IFDIR:
        inode = new DirInode(...args);
        break;
      case S_IFLNK:
        inode = new SymlinkInode(...args);
        break;
      default:
        inode = new SpecialInode(...args);
    }
    this.#inodes.set(ino, inode);
    return inode;
  }

  /** Links `inode` as `name` in `dir` (the name must be free); updates link counts and times. */
  attach(dir: DirInode, name: string, inode: Inode, time: bigint): void {
    dir.entries.add(name, inode.ino);
    this.#linked(dir, inode, +1);
    inode.ctime = time;
    dir.mtime = dir.ctime = time;
  }

  /** Removes `name` from `dir`; frees its inode if nothing references it any more. Returns the inode. */
  detach(dir: DirInode, name: string, time: bigint): Inode | undefined {
    const entry = dir.entries.remove(name);
    const inode = entry && this.#inodes.get(entry.ino);
    dir.mtime = dir.ctime = time;
    if (inode === undefined) return undefined;
    this.#linked(dir, inode, -1);
    inode.ctime = time;
    this.#maybeFree(inode);
    return inode;
  }

  /** Moves `from`/`name` to `to`/`newName` (which must be free), keeping the inode. */
  move(from: DirInode, name: string, to: DirInode, newName: string, time: bigint): void {
    const entry = from.entries.remove(name);
    const inode = entry && this.#inodes.get(entry.ino);
    if (inode === undefined) return;
    to.entries.add(newName, inode.ino);
    if (inode.kind === 'dir') {
      from.subdirs--;
      to.subdirs++;
      inode.parent = to.ino;
    }
    inode.ctime = time;
    from.mtime = from.ctime = to.mtime = to.ctime = time;
  }

  /** Swaps the inodes of two existing names (RENAME_EXCHANGE). */
  exchange(dirA: DirInode, nameA: string, dirB: DirInode, nameB: string, time: bigint): void {
    const a = dirA.entries.get(nameA);
    const b = dirB.entries.get(nameB);
    if (a === undefined || b === undefined) return;
    [a.ino, b.ino] = [b.ino, a.ino];
    for (const [dir, entry] of [
      [dirA, a],
      [dirB, b],
    ] as const) {
      const inode = this.#inodes.get(entry.ino);
      if (inode === undefined) continue;
      inode.ctime = time;
      if (inode.kind === 'dir' && inode.parent !== dir.ino) {
        (this.#inodes.get(inode.parent) as DirInode).subdirs--;
        dir.subdirs++;
        inode.parent = dir.ino;
      }
    }
    dirA.mtime = dirA.ctime = dirB.mtime = dirB.ctime = time;
  }

  /** Whether directory `ancestor` is `dir` or one of its ancestors. */
  isAncestor(ancestor: DirInode, dir: DirInode): boolean {
    for (let d: DirInode | undefined = dir; d !== undefined; ) {
      if (d === ancestor) return true;
      if (d.ino === ROOT_INO) return false;
      const parent = this.#inodes.get(d.parent);
      d = parent?.kind === 'dir' ? parent : undefined;
    }
    return false;
  }

  /** The kernel got a reference to `inode` (call just before an entry reply). */
  remember(inode: Inode): void {
    inode.lookups++;
  }

  /** The kernel dropped `count` references to inode `ino`. */
  forget(ino: number, count: number): void {
    const inode = this.#inodes.get(ino);
    if (inode === undefined) {
      this.excessForgets += count;
      return;
    }
    if (inode === this.root) return;
    if (count > inode.lookups) this.excessForgets += count - inode.lookups;
    inode.lookups = Math.max(0, inode.lookups - count);
    this.#maybeFree(inode);
  }

  /** Opens `inode`; returns the handle's number. */
  open(inode: Inode, flags: number): number {
    const fh = this.#nextFh++;
    this.#handles.set(fh, { fh, inode, flags });
    inode.opens++;
    return fh;
  }

  /** The open handle `fh`, if it is open. */
  handle(fh: number): Handle | undefined {
    return this.#handles.get(fh);
  }

  /** Closes handle `fh`; frees its inode if that was the last reference. */
  close(fh: number): Handle | undefined {
    const handle = this.#handles.get(fh);
    if (handle === undefined) return undefined;
    this.#handles.delete(fh);
    handle.inode.opens--;
    this.#maybeFree(handle.inode);
    return handle;
  }

  #linked(dir: DirInode, inode: Inode, delta: 1 | -1): void {
    if (inode.kind === 'dir') {
      dir.subdirs += delta;
      inode.linked = delta > 0;
      if (delta > 0) inode.parent = dir.ino;
    } else {
      inode.links += delta;
    }
  }

  #maybeFree(inode: Inode): void {
    if (inode === this.root || inode.nlink > 0 || inode.lookups > 0 || inode.opens > 0) return;
    this.#inodes.delete(inode.ino);
    if (inode.kind === 'file') inode.data.clear();
    inode.xattrs.clear();
    this.#free.push([inode.ino, inode.generation + 1]);
  }
}
