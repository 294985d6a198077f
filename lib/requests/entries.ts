/**
 * Requests that look up, create, link, rename or remove directory entries.
 * @module
 */
import { Request } from '../request.js';
import type { Entry, OpenOptions } from '../types.js';
import { type Args, sendCreate, sendEntry, sendOk } from './reply.js';

/** A request about `name` in directory `parent`. */
abstract class NameRequest extends Request {
  /** The directory's inode. */
  readonly parent: number;
  /** The entry's name in that directory. */
  readonly name: string;
  /** @internal */
  constructor(...[owner, id, parent, , , , , name]: Args) {
    super(owner, id);
    this.parent = parent;
    this.name = name ?? '';
  }
}

/** lookup: find `name` in directory `parent`. */
export class LookupRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'lookup';
  /**
   * Answers with the entry; it counts as one lookup of `entry.ino` (balanced by
   * forget). `{ ino: 0, entryTimeout }` caches the name as missing.
   */
  replyEntry(entry: Entry): void {
    sendEntry(this, entry);
  }
}

/** mknod: create a file node (regular file, device, fifo or socket) named `name`. */
export class MknodRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'mknod';
  /** File type and permission bits; the caller's umask is already applied unless DONT_MASK is wanted. */
  readonly mode: number;
  /** The device number, for device files. */
  readonly rdev: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.mode = args[4];
    this.rdev = args[5];
  }
  /** Answers with the new entry (one lookup of it). Fail with EEXIST if the name exists. */
  replyEntry(entry: Entry): void {
    sendEntry(this, entry);
  }
}

/** mkdir: create a directory named `name`. */
export class MkdirRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'mkdir';
  /** Permission bits (S_IFDIR is not always set). */
  readonly mode: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.mode = args[4];
  }
  /** Answers with the new directory's entry (one lookup of it). */
  replyEntry(entry: Entry): void {
    sendEntry(this, entry);
  }
}

/** symlink: create a symbolic link `name` pointing at `target`. */
export class SymlinkRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'symlink';
  /** What the link points at (any string; not checked or resolved). */
  readonly target: string;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.target = args[12] ?? '';
  }
  /** Answers with the new link's entry (one lookup of it). */
  replyEntry(entry: Entry): void {
    sendEntry(this, entry);
  }
}

/** create: create and open a regular file (O_CREAT); without a handler the kernel uses mknod + open. */
export class CreateRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'create';
  /** File type and permission bits. */
  readonly mode: number;
  /** The open(2) flags. */
  readonly flags: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.mode = args[4];
    this.flags = args[6];
  }
  /** Answers with the new entry (one lookup of it) and an open file handle. */
  replyCreate(entry: Entry, fh = 0, options?: OpenOptions): void {
    sendCreate(this, entry, fh, options);
  }
}

/** unlink: remove the non-directory `name`; the inode lives on until its lookups are forgotten. */
export class UnlinkRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'unlink';
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** rmdir: remove the empty directory `name` (ENOTEMPTY otherwise). */
export class RmdirRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'rmdir';
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** RENAME_NOREPLACE: fail with EEXIST instead of replacing the target. */
export const RENAME_NOREPLACE = 1;
/** RENAME_EXCHANGE: atomically swap source and target (both must exist). */
export const RENAME_EXCHANGE = 2;

/** rename: move `parent`/`name` to `newParent`/`newName`, replacing the target unless flags say otherwise. */
export class RenameRequest extends NameRequest {
  /** The operation's name. */
  readonly op = 'rename';
  /** The target directory. */
  readonly newParent: number;
  /** The target name. */
  readonly newName: string;
  /** RENAME_NOREPLACE and/or RENAME_EXCHANGE; answer EINVAL for flags you do not support. */
  readonly flags: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.flags = args[6];
    this.newParent = args[9] ?? 0;
    this.newName = args[12] ?? '';
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** link: create a hard link `newParent`/`newName` to inode `ino`. */
export class LinkRequest extends Request {
  /** The operation's name. */
  readonly op = 'link';
  /** The existing inode. */
  readonly ino: number;
  /** The directory for the new name. */
  readonly newParent: number;
  /** The new name. */
  readonly newName: string;
  /** @internal */
  constructor(...[owner, id, ino, , , , , , , newParent, , , newName]: Args) {
    super(owner, id);
    this.ino = ino;
    this.newParent = newParent ?? 0;
    this.newName = newName ?? '';
  }
  /** Answers with the inode's entry (one more lookup of it). */
  replyEntry(entry: Entry): void {
    sendEntry(this, entry);
  }
}
