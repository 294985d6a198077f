/**
 * The state every handler shares: the source directory, the inode and handle
 * tables, the cache timeout, and the helpers that turn inodes into source
 * paths and source files into the kernel's entries.
 * @module
 */
import { type BigIntStats, fstatSync, lstatSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { FuseError, type InodeEntry } from '../../lib/index.js';
import { toAttr } from './attrs.js';
import { HandleTable } from './handles.js';
import { childPath, type Inode, InodeTable } from './inodes.js';

/** The mirrored directory and what the handlers know about it. */
export class Mirror {
  /** The source directory, absolute. */
  readonly source: string;
  /** Seconds the kernel may cache entries, attributes and missing names. */
  readonly timeout: number;
  /** Inodes handed to the kernel. */
  readonly inodes = new InodeTable();
  /** Open files and directories. */
  readonly handles = new HandleTable();

  constructor(source: string, timeout: number) {
    this.source = source;
    this.timeout = timeout;
  }

  /** Reads the source root's identity (in init: before any request). */
  async start(): Promise<void> {
    const st = await lstat(this.source, { bigint: true });
    if (!st.isDirectory()) throw new Error(`passthrough: the source ${this.source} is not a directory`);
    this.inodes.setRoot(st);
  }

  /** The absolute source path for `rel` (relative to the source root). */
  abs(rel: string): string {
    return rel === '' ? this.source : `${this.source}/${rel}`;
  }

  /**
   * The relative path of inode `ino` now (its newest name). ESTALE once it has
   * none: for a path the caller gave, the kernel then looks the name up afresh
   * and retries (LOOKUP_REVAL), which is right when the source changed behind
   * our back.
   */
  pathOf(ino: number): string {
    const path = this.inodes.get(ino).paths[0];
    if (path === undefined) throw new FuseError('ESTALE', `inode ${ino} has no name left`);
    return path;
  }

  /**
   * Runs `fn` on the absolute source path of inode `ino`, synchronously. ENOENT
   * there means the name went stale (the source changed behind our back): the
   * name is dropped and the error becomes ESTALE, so the kernel looks it up
   * afresh.
   */
  atPath<T>(ino: number, fn: (path: string) => T): T {
    const rel = this.pathOf(ino);
    try {
      return fn(this.abs(rel));
    } catch (error) {
      throw this.#stale(ino, rel, error);
    }
  }

  /** {@link atPath} for an asynchronous call (data I/O: truncate). */
  async atPathAsync<T>(ino: number, fn: (path: string) => Promise<T>): Promise<T> {
    const rel = this.pathOf(ino);
    try {
      return await fn(this.abs(rel));
    } catch (error) {
      throw this.#stale(ino, rel, error);
    }
  }

  /** The error to answer for `error` from a call on inode `ino`'s name `rel`. */
  #stale(ino: number, rel: string, error: unknown): unknown {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || rel === '') return error;
    const inode = this.inodes.at(rel);
    if (inode?.ino === ino) this.inodes.unlink(rel);
    return new FuseError('ESTALE', `${rel} is gone from the source`);
  }

  /** The relative path of `name` in directory `parent`, as the table knows it now. */
  childOf(parent: number, name: string): string {
    return childPath(this.pathOf(parent), name);
  }

  /**
   * The attributes of `inode`'s source file: lstat of its newest name, checked
   * to still be the same file. Names found stale (the source changed behind
   * our back) are dropped and the next is tried; with none left, an open
   * descriptor still answers (an unlinked open file), else ESTALE (see pathOf).
   */
  stat(inode: Inode): BigIntStats {
    if (inode === this.inodes.root) return lstatSync(this.source, { bigint: true });
    for (;;) {
      const path = inode.paths[0];
      if (path === undefined) break;
      const st = lstatSync(this.abs(path), { bigint: true, throwIfNoEntry: false });
      if (st !== undefined && InodeTable.matches(inode, st)) return st;
      // Stale: drop the name, unless a rename through the mount moved it meanwhile.
      if (this.inodes.at(path) === inode) this.inodes.unlink(path);
      else if (inode.paths[0] === path) break; // not ours to drop: give up rather than loop
    }
    const open = this.handles.anyFileOf(inode.ino);
    if (open !== undefined) return fstatSync(open, { bigint: true });
    throw new FuseError('ESTALE', `inode ${inode.ino} has no name left`);
  }

  /** The kernel's entry for `inode`, source file `st`. */
  entry(inode: Inode, st: BigIntStats): InodeEntry & { ino: number } {
    return { ino: inode.ino, attr: toAttr(st, inode.ino), attrTimeout: this.timeout, entryTimeout: this.timeout };
  }

  /**
   * Interns source file `st`, found at `rel`, and sends its entry with `send`
   * (replyEntry, replyCreate, readdirplus' add). The lookup is counted unless
   * `send` throws or returns false (a full readdirplus buffer); then a new
   * inode is dropped again.
   */
  sendEntry(st: BigIntStats, rel: string, send: (entry: InodeEntry & { ino: number }) => unknown): boolean {
    const inode = this.inodes.intern(st, rel);
    let sent = false;
    try {
      sent = send(this.entry(inode, st)) !== false;
    } finally {
      if (sent) this.inodes.addLookup(inode);
      else this.inodes.dropUnused(inode);
    }
    return sent;
  }
}
