/**
 * The inode table: which source file each inode number handed to the kernel
 * stands for, how many lookups the kernel holds on it, and the names it has in
 * the source tree.
 *
 * passthrough_ll pins every inode with an O_PATH descriptor. Node has neither
 * O_PATH nor the *at() calls, so this table keeps paths instead, relative to
 * the source root, and keeps them right as entries are renamed, linked and
 * unlinked through the mount. A source file is identified by its (st_dev,
 * st_ino); the kernel sees our own counter instead, which is always a safe
 * integer and is never reused, so the generation can stay 0.
 * @module
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { FuseError } from '../../lib/index.js';

/** The root directory's inode number (FUSE_ROOT_ID). */
export const ROOT_INO = 1;

/** One source file the kernel knows about. */
export interface Inode {
  /** Our inode number: what the kernel, and `stat` through the mount, see. */
  readonly ino: number;
  /** The source file's device, with `srcIno` its identity (0n for the root until `setRoot`). */
  dev: bigint;
  /** The source file's inode number. */
  srcIno: bigint;
  /** The file type bits (S_IFMT) of the source file. */
  readonly type: number;
  /**
   * Its names relative to the source root ('' is the root), the most recently
   * seen first. Several for hard links; none once unlinked (open files live on).
   */
  readonly paths: string[];
  /** Lookups the kernel holds (entries replied minus forgets). */
  lookups: number;
}

const keyOf = (dev: bigint, ino: bigint): string => `${dev}:${ino}`;

/** `name` inside directory path `dir` (both relative to the source root). */
export function childPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Whether `path` is `dir` or lies below it. */
function within(path: string, dir: string): boolean {
  return path === dir || (path.startsWith(dir) && path.charCodeAt(dir.length) === 47) /* '/' */;
}

/** Inodes by our number, by source identity and by source path. */
export class InodeTable {
  /** The root: it is never forgotten, and its path is always ''. */
  readonly root: Inode = { ino: ROOT_INO, dev: 0n, srcIno: 0n, type: constants.S_IFDIR, paths: [''], lookups: 1 };
  readonly #byIno = new Map<number, Inode>([[ROOT_INO, this.root]]);
  readonly #byKey = new Map<string, Inode>();
  readonly #byPath = new Map<string, Inode>([['', this.root]]);
  #next = ROOT_INO + 1;

  /** Records the source root's identity (from lstat of the source directory). */
  setRoot(st: BigIntStats): void {
    this.#byKey.delete(keyOf(this.root.dev, this.root.srcIno));
    this.root.dev = st.dev;
    this.root.srcIno = st.ino;
    this.#byKey.set(keyOf(st.dev, st.ino), this.root);
  }

  /** The inode with our number `ino`; ESTALE when the kernel names one we do not know. */
  get(ino: number): Inode {
    const inode = this.#byIno.get(ino);
    if (inode === undefined) throw new FuseError('ESTALE', `unknown inode ${ino}`);
    return inode;
  }

  /** The inode last seen at `path`, if any. */
  at(path: string): Inode | undefined {
    return this.#byPath.get(path);
  }

  /** How many inodes the kernel holds (the root included). */
  get size(): number {
    return this.#byIno.size;
  }

  /** Whether `inode` is the file `st` describes. */
  static matches(inode: Inode, st: BigIntStats): boolean {
    return inode.srcIno === st.ino && inode.dev === st.dev;
  }

  /**
   * The inode for the source file `st`, found at `path`: the known one (now
   * also known by `path`), or a new one with no lookups yet. Pair it with
   * {@link addLookup} once the kernel got it, or {@link dropUnused} if not.
   */
  intern(st: BigIntStats, path: string): Inode {
    const key = keyOf(st.dev, st.ino);
    let inode = this.#byKey.get(key);
    if (inode === undefined) {
      inode = {
        ino: this.#next++,
        dev: st.dev,
        srcIno: st.ino,
        type: Number(st.mode) & constants.S_IFMT,
        paths: [],
        lookups: 0,
      };
      this.#byIno.set(inode.ino, inode);
      this.#byKey.set(key, inode);
    }
    const first = inode.paths[0];
    if (first === path) return inode;
    if (inode.type === constants.S_IFDIR && first !== undefined) {
      // A directory has one name: it was moved behind our back. Moving its
      // recorded subtree along fixes the paths of everything below it too.
      this.rename(first, path);
    } else {
      this.#detach(path);
      this.#byPath.set(path, inode);
      inode.paths.unshift(path);
    }
    return inode;
  }

  /** The kernel received an entry for `inode`: one more lookup. */
  addLookup(inode: Inode): void {
    inode.lookups++;
  }

  /** Forgets an inode interned for a reply that was not sent. */
  dropUnused(inode: Inode): void {
    if (inode.lookups === 0 && inode !== this.root) this.#remove(inode);
  }

  /** The kernel dropped `nlookup` lookups of `ino`; at zero the inode goes. */
  forget(ino: number, nlookup: number): void {
    const inode = this.#byIno.get(ino);
    if (inode === undefined || inode === this.root) return;
    inode.lookups -= nlookup;
    if (inode.lookups <= 0) this.#remove(inode);
  }

  /**
   * `path` was removed (unlink, rmdir): its inode loses that name. For a
   * directory, names recorded below it (stale ones) go too.
   */
  unlink(path: string): void {
    const inode = this.#byPath.get(path);
    if (inode?.type === constants.S_IFDIR) {
      for (const p of this.#pathsWithin(path)) this.#detach(p);
    } else {
      this.#detach(path);
    }
  }

  /**
   * `from` was renamed to `to`: whatever `to` named loses the name, and the
   * moved inode — with everything recorded below it, for a directory — is
   * renamed. Renaming a hard link onto another link of the same inode changes
   * nothing (rename(2) does nothing then).
   */
  rename(from: string, to: string): void {
    const moving = this.#byPath.get(from);
    if (moving !== undefined && moving === this.#byPath.get(to)) return;
    this.unlink(to);
    // Only a directory (or an inode we do not know) can have names below it.
    const moved = moving === undefined || moving.type === constants.S_IFDIR ? this.#pathsWithin(from) : [from];
    const renamed: [string, Inode][] = [];
    for (const path of moved) {
      const inode = this.#byPath.get(path);
      if (inode === undefined) continue;
      this.#detach(path);
      renamed.push([to + path.slice(from.length), inode]);
    }
    for (const [path, inode] of renamed) {
      this.#byPath.set(path, inode);
      inode.paths.unshift(path);
    }
  }

  #pathsWithin(dir: string): string[] {
    const found: string[] = [];
    for (const path of this.#byPath.keys()) if (within(path, dir)) found.push(path);
    return found;
  }

  /** Removes the name `path` from whichever inode has it. */
  #detach(path: string): void {
    const inode = this.#byPath.get(path);
    if (inode === undefined) return;
    this.#byPath.delete(path);
    const i = inode.paths.indexOf(path);
    if (i >= 0) inode.paths.splice(i, 1);
  }

  #remove(inode: Inode): void {
    this.#byIno.delete(inode.ino);
    const key = keyOf(inode.dev, inode.srcIno);
    if (this.#byKey.get(key) === inode) this.#byKey.delete(key);
    for (const path of inode.paths) if (this.#byPath.get(path) === inode) this.#byPath.delete(path);
    inode.paths.length = 0;
  }
}
