/**
 * Requests that look up, create, link, rename or remove directory entries.
 * @module
 */
import {
  CreateFields,
  LinkFields,
  LookupFields,
  MkdirFields,
  MknodFields,
  RenameFields,
  RmdirFields,
  SymlinkFields,
  UnlinkFields,
} from '../generated/operations.js';
import type { Entry, OpenOptions } from '../types.js';
import { CREATE, ENTRY, reply, replyOk } from './reply.js';

/** lookup: find `name` in directory `parent`. */
export class LookupRequest extends LookupFields {
  /**
   * Answers with the entry; it counts as one lookup of `entry.ino` (balanced by
   * forget). `{ ino: 0, entryTimeout }` caches the name as missing.
   */
  replyEntry(entry: Entry): void {
    reply(this, 'replyEntry', ENTRY, entry, undefined);
  }
}

/** mknod: create a file node (regular file, device, fifo or socket) named `name`. */
export class MknodRequest extends MknodFields {
  /** Answers with the new entry (one lookup of it). Fail with EEXIST if the name exists. */
  replyEntry(entry: Entry): void {
    reply(this, 'replyEntry', ENTRY, entry, undefined);
  }
}

/** mkdir: create a directory named `name`. */
export class MkdirRequest extends MkdirFields {
  /** Answers with the new directory's entry (one lookup of it). */
  replyEntry(entry: Entry): void {
    reply(this, 'replyEntry', ENTRY, entry, undefined);
  }
}

/** symlink: create a symbolic link `name` pointing at `target`. */
export class SymlinkRequest extends SymlinkFields {
  /** Answers with the new link's entry (one lookup of it). */
  replyEntry(entry: Entry): void {
    reply(this, 'replyEntry', ENTRY, entry, undefined);
  }
}

/** create: create and open a regular file (O_CREAT); without a handler the kernel uses mknod + open. */
export class CreateRequest extends CreateFields {
  /** Answers with the new entry (one lookup of it) and an open file handle. */
  replyCreate(entry: Entry, fh: number | bigint = 0, options?: OpenOptions): void {
    reply(this, 'replyCreate', CREATE, entry, { fh, options });
  }
}

/** unlink: remove the non-directory `name`; the inode lives on until its lookups are forgotten. */
export class UnlinkRequest extends UnlinkFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** rmdir: remove the empty directory `name` (ENOTEMPTY otherwise). */
export class RmdirRequest extends RmdirFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** RENAME_NOREPLACE: fail with EEXIST instead of replacing the target. */
export const RENAME_NOREPLACE = 1;
/** RENAME_EXCHANGE: atomically swap source and target (both must exist). */
export const RENAME_EXCHANGE = 2;

/** rename: move `parent`/`name` to `newParent`/`newName`, replacing the target unless flags say otherwise. */
export class RenameRequest extends RenameFields {
  /** Answers success. */
  replyOk(): void {
    replyOk(this);
  }
}

/** link: create a hard link `newParent`/`newName` to inode `ino`. */
export class LinkRequest extends LinkFields {
  /** Answers with the inode's entry (one more lookup of it). */
  replyEntry(entry: Entry): void {
    reply(this, 'replyEntry', ENTRY, entry, undefined);
  }
}
