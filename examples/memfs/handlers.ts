/**
 * The FUSE handlers: each one reads its request, checks it, changes the
 * inode table and replies. Errors are thrown as `FuseError`s; the library
 * turns them into errno replies.
 * @module
 */
import { constants } from 'node:fs';
import {
  CAP,
  type Entry,
  type FlockRequest,
  FuseError,
  nameByteLength,
  type Operations,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  type ReaddirplusRequest,
  type ReaddirRequest,
  type Request,
  SEEK_DATA,
  SEEK_HOLE,
  SETATTR,
  type SetlkRequest,
  XATTR_CREATE,
  XATTR_REPLACE,
} from '../../lib/index.js';
import { checkFileSize, minPosition, minus, PAGE_SIZE, type Position, plus, position } from './data.js';
import { DOT_COOKIE, DOTDOT_COOKIE } from './directory.js';
import type { DirInode, FileInode, Handle, Inode, InodeTable } from './inodes.js';
import { F_UNLCK, InodeLocks, LOCK_END, LOCK_NB } from './locks.js';
import {
  allows,
  type Caller,
  callerOf,
  modeAfterChown,
  modeAfterWrite,
  newOwnership,
  type Permissions,
  R_OK,
  S_ISGID,
  S_ISUID,
  W_OK,
  X_OK,
} from './permissions.js';
import { atimeNeedsUpdate, now } from './time.js';

const { S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK, O_APPEND, O_TRUNC } = constants;
/** The access mode bits of open(2) flags. */
const O_ACCMODE = 3;
/** The kernel's open flag for execve (__FMODE_EXEC). */
const FMODE_EXEC = 0o40;
/** The longest name (bytes) and symlink target. */
const NAME_MAX = 255;
const PATH_MAX = 4096;
/** fallocate(2) modes memfs supports. */
const FALLOC_FL_KEEP_SIZE = 0x01;
const FALLOC_FL_PUNCH_HOLE = 0x02;
const FALLOC_FL_ZERO_RANGE = 0x10;
/** The most bytes of xattr names and values one inode may hold. */
const XATTR_SPACE = 64 * 1024;
/** The most parts `replyBufs` takes; a larger read is copied into one Buffer. */
const MAX_READ_PARTS = 256;
/** The largest readdir offset that is a number. */
const MAX_COOKIE = BigInt(Number.MAX_SAFE_INTEGER);
/** The most bytes one copy_file_range request copies (a shorter count is a partial copy: callers loop). */
const MAX_COPY = 64 * 1024 * 1024;

/** What the handlers need besides the table. */
export interface HandlerConfig {
  /** Entry, attribute and negative-entry cache timeout in seconds. */
  timeout: number;
  /** The permission checks (enforcing unless the mount uses `defaultPermissions`). */
  permissions: Permissions;
}

/** The handlers of a memfs over `table`. */
export function memfsHandlers(table: InodeTable, config: HandlerConfig): Operations {
  const { timeout, permissions: perms } = config;

  // --- helpers -------------------------------------------------------------

  /** The inode `ino` (ENOENT if it is gone). */
  function inodeOf(ino: number): Inode {
    const inode = table.get(ino);
    if (inode === undefined) throw new FuseError('ENOENT');
    return inode;
  }

  /** The directory `ino` (ENOTDIR if it is something else). */
  function dirOf(ino: number): DirInode {
    const inode = inodeOf(ino);
    if (inode.kind !== 'dir') throw new FuseError('ENOTDIR');
    return inode;
  }

  /** The open handle `fh` (EBADF if it is not open). */
  function handleOf(fh: number): Handle {
    const handle = table.handle(fh);
    if (handle === undefined) throw new FuseError('EBADF');
    return handle;
  }

  /** The regular file open as `fh`. */
  function fileOf(fh: number): FileInode {
    const { inode } = handleOf(fh);
    if (inode.kind !== 'file') throw new FuseError(inode.kind === 'dir' ? 'EISDIR' : 'EINVAL');
    return inode;
  }

  /** The inode named `name` in `dir`, '.' and '..' included. */
  function childOf(dir: DirInode, name: string): Inode | undefined {
    if (name === '.') return dir;
    if (name === '..') return table.get(dir.parent);
    const entry = dir.entries.get(name);
    return entry && table.get(entry.ino);
  }

  /**
   * How long the kernel may cache names in `dir`. While memfs checks
   * permissions itself, a cached name lets a path walk skip the lookup, and
   * with it the search (x) check on `dir`: so names are cached only in
   * directories everyone may search. (After a chmod that takes x away, names
   * cached before stay valid for up to `timeout` seconds.)
   */
  function entryTimeoutIn(dir: DirInode): number {
    return !perms.enforce || (dir.mode & 0o111) === 0o111 ? timeout : 0;
  }

  /** The entry reply for `inode`, named in `dir`; counts the lookup it gives the kernel. Use it in the reply call. */
  function entryOf(inode: Inode, dir: DirInode): Entry {
    table.remember(inode);
    return attrEntry(inode, dir);
  }

  /** An entry for `inode` named in `dir`, without counting a lookup. */
  function attrEntry(inode: Inode, dir: DirInode): Entry {
    return {
      ino: inode.ino,
      generation: inode.generation,
      attr: inode.attr(),
      attrTimeout: timeout,
      entryTimeout: entryTimeoutIn(dir),
    };
  }

  function checkName(name: string): void {
    if (nameByteLength(name) > NAME_MAX) throw new FuseError('ENAMETOOLONG');
  }

  /** Checks that `caller` may create `name` in `dir`, before any change. */
  function checkCreate(dir: DirInode, name: string, caller: Caller): void {
    checkName(name);
    perms.check(dir, caller, X_OK);
    if (dir.entries.get(name) !== undefined) throw new FuseError('EEXIST');
    if (dir.nlink === 0) throw new FuseError('ENOENT'); // the directory was removed
    perms.check(dir, caller, W_OK);
  }

  /** Creates and links a new inode `name` in `parent` for a mknod, mkdir, symlink or create request. */
  function makeNode(
    req: Request & { readonly parent: number; readonly name: string },
    mode: number,
    init?: (inode: Inode) => void,
  ): Inode {
    const dir = dirOf(req.parent);
    const caller = callerOf(req);
    checkCreate(dir, req.name, caller);
    const owner = newOwnership(dir, caller, mode);
    const t = now();
    const inode = table.create(owner.mode, owner.uid, owner.gid, t);
    init?.(inode);
    table.attach(dir, req.name, inode, t);
    return inode;
  }

  /** Checks that `caller` may remove (or replace) `victim`, named in `dir`. */
  function checkRemove(dir: DirInode, victim: Inode, caller: Caller): void {
    perms.check(dir, caller, W_OK | X_OK);
    perms.checkSticky(dir, victim, caller);
  }

  /** Applies the relatime rule for a read of `inode`. */
  function touchAtime(inode: Inode): void {
    const t = now();
    if (atimeNeedsUpdate(inode, t)) inode.atime = t;
  }

  /** Records a change of a file's data: times, and setuid/setgid clearing for non-root writers. */
  function modified(file: FileInode, req: Request): void {
    file.mtime = file.ctime = now();
    file.mode = modeAfterWrite(file, callerOf(req));
  }

  /** The inode's lock table, made on first use. */
  function locksOf(inode: Inode): InodeLocks {
    inode.locks ??= new InodeLocks();
    return inode.locks;
  }

  /** Drops an inode's lock table once nothing is held or awaited. */
  function tidyLocks(inode: Inode): void {
    if (inode.locks?.idle) inode.locks = undefined;
  }

  /**
   * Parks a blocking lock request until `attempt` succeeds (it replies) or
   * the caller is interrupted (EINTR).
   */
  function block(req: SetlkRequest | FlockRequest, locks: InodeLocks, attempt: () => boolean): void {
    const { signal } = req;
    if (signal.aborted) throw new FuseError('EINTR');
    const cancel = locks.wait(attempt);
    signal.addEventListener(
      'abort',
      () => {
        cancel();
        if (!req.answered) req.replyError('EINTR');
      },
      { once: true },
    );
  }

  /**
   * Lists `dir` after `offset` — '.', '..', then the entries by cookie — to
   * `add` until it returns false (the reply is full).
   */
  function listing(dir: DirInode, offset: number, add: (name: string, inode: Inode, next: number) => boolean): void {
    if (offset < DOT_COOKIE && !add('.', dir, DOT_COOKIE)) return;
    if (offset < DOTDOT_COOKIE && !add('..', table.get(dir.parent) ?? dir, DOTDOT_COOKIE)) return;
    dir.entries.forEachAfter(offset, (entry) => {
      const inode = table.get(entry.ino);
      return inode === undefined || add(entry.name, inode, entry.cookie);
    });
  }

  /**
   * Where a listing continues: memfs's cookies are numbers, but a caller may
   * lseek a directory to any offset up to 2^63 - 1 — past every cookie.
   */
  function cookieOf(req: ReaddirRequest | ReaddirplusRequest): number {
    const offset = req.offsetBig;
    return offset <= MAX_COOKIE ? Number(offset) : Number.POSITIVE_INFINITY;
  }

  // --- the operations --------------------------------------------------------

  return {
    init(conn) {
      // libfuse's defaults already fit: POSIX_LOCKS and FLOCK_LOCKS (getlk/setlk/flock
      // exist), READDIRPLUS, ATOMIC_O_TRUNC (open sees O_TRUNC). HANDLE_KILLPRIV says
      // memfs clears setuid/setgid itself on write, truncate and chown (the kernel may
      // still send a chmod that only clears them, in the writer's name: see Permissions.chmod).
      if (conn.canDo(CAP.HANDLE_KILLPRIV)) conn.want |= CAP.HANDLE_KILLPRIV;
      conn.timeGran = 1; // nanosecond timestamps
    },

    lookup(req) {
      const dir = dirOf(req.parent);
      checkName(req.name);
      perms.check(dir, callerOf(req), X_OK);
      const inode = childOf(dir, req.name);
      if (inode === undefined) return req.replyEntry({ ino: 0, entryTimeout: entryTimeoutIn(dir) });
      req.replyEntry(entryOf(inode, dir));
    },

    forget(req) {
      // memfs hands out inode numbers that are numbers (safe integers), never bigints.
      for (const { ino, nlookup } of req.forgets) if (typeof ino === 'number') table.forget(ino, nlookup);
    },

    getattr(req) {
      const inode = req.fh === undefined ? inodeOf(req.ino) : handleOf(req.fh).inode;
      req.replyAttr(inode.attr(), timeout);
    },

    setattr(req) {
      const inode = req.fh === undefined ? inodeOf(req.ino) : handleOf(req.fh).inode;
      const caller = callerOf(req);
      // Check everything first, so a refused request changes nothing.
      const mode = req.mode === undefined ? undefined : perms.chmod(inode, caller, req.mode);
      if (req.uid !== undefined || req.gid !== undefined) perms.chown(inode, caller, req.uid, req.gid);
      // Sizes past 2^53 - 1 are real (sparse files reach 2^63 - 1): read the exact value.
      const size = req.sizeBig === undefined ? undefined : position(req.sizeBig);
      if (size !== undefined) {
        if (inode.kind !== 'file') throw new FuseError(inode.kind === 'dir' ? 'EISDIR' : 'EINVAL');
        checkFileSize(size);
        // truncate(2) needs write permission; ftruncate(2) was checked against the open mode.
        if (req.fh === undefined) perms.check(inode, caller, W_OK);
      }
      if (req.atime !== undefined || req.mtime !== undefined) {
        perms.utimes(inode, caller, typeof req.atime === 'bigint' || typeof req.mtime === 'bigint');
      }

      const t = now();
      if (mode !== undefined) inode.mode = (inode.mode & S_IFMT) | mode;
      if (req.uid !== undefined || req.gid !== undefined) {
        inode.mode = modeAfterChown(inode, caller);
        if (req.uid !== undefined) inode.uid = req.uid;
        if (req.gid !== undefined) inode.gid = req.gid;
      }
      if (size !== undefined && inode.kind === 'file') {
        if (size !== inode.data.size) {
          inode.data.truncate(size);
          inode.mtime = t;
        }
        inode.mode = modeAfterWrite(inode, caller);
      }
      if (req.toSet & SETATTR.KILL_SUID) inode.mode &= ~S_ISUID;
      if (req.toSet & SETATTR.KILL_SGID) inode.mode &= ~S_ISGID;
      if (req.atime !== undefined) inode.atime = req.atime === 'now' ? t : req.atime;
      if (req.mtime !== undefined) inode.mtime = req.mtime === 'now' ? t : req.mtime;
      inode.ctime = req.ctime ?? t;
      req.replyAttr(inode.attr(), timeout);
    },

    readlink(req) {
      const inode = inodeOf(req.ino);
      if (inode.kind !== 'symlink') throw new FuseError('EINVAL');
      touchAtime(inode);
      req.replyReadlink(inode.target);
    },

    mknod(req) {
      const type = req.mode & S_IFMT || S_IFREG;
      if (![S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type)) throw new FuseError('EINVAL');
      const inode = makeNode(req, type | (req.mode & 0o7777), (node) => {
        if (node.kind === 'special') node.device = req.rdev;
      });
      req.replyEntry(entryOf(inode, dirOf(req.parent)));
    },

    mkdir(req) {
      req.replyEntry(entryOf(makeNode(req, S_IFDIR | (req.mode & 0o7777)), dirOf(req.parent)));
    },

    symlink(req) {
      if (nameByteLength(req.target) >= PATH_MAX) throw new FuseError('ENAMETOOLONG');
      const inode = makeNode(req, S_IFLNK | 0o777, (node) => {
        if (node.kind === 'symlink') node.target = req.target;
      });
      req.replyEntry(entryOf(inode, dirOf(req.parent)));
    },

    create(req) {
      const inode = makeNode(req, S_IFREG | (req.mode & 0o7777));
      // The creator gets the access it asked for, whatever the new file's mode says.
      const fh = table.open(inode, req.flags);
      req.replyCreate(entryOf(inode, dirOf(req.parent)), fh);
    },

    link(req) {
      const inode = inodeOf(req.ino);
      if (inode.kind === 'dir') throw new FuseError('EPERM');
      const dir = dirOf(req.newParent);
      checkCreate(dir, req.newName, callerOf(req));
      if (inode.nlink === 0) throw new FuseError('ENOENT'); // no linking an unlinked file back
      table.attach(dir, req.newName, inode, now());
      req.replyEntry(entryOf(inode, dir));
    },

    unlink(req) {
      const dir = dirOf(req.parent);
      const caller = callerOf(req);
      perms.check(dir, caller, X_OK);
      const inode = childOf(dir, req.name);
      if (inode === undefined) throw new FuseError('ENOENT');
      if (inode.kind === 'dir') throw new FuseError('EISDIR');
      checkRemove(dir, inode, caller);
      table.detach(dir, req.name, now());
      req.replyOk();
    },

    rmdir(req) {
      const dir = dirOf(req.parent);
      const caller = callerOf(req);
      perms.check(dir, caller, X_OK);
      if (req.name === '.') throw new FuseError('EINVAL');
      const inode = childOf(dir, req.name);
      if (inode === undefined) throw new FuseError('ENOENT');
      if (inode.kind !== 'dir') throw new FuseError('ENOTDIR');
      if (inode.entries.size > 0 || req.name === '..') throw new FuseError('ENOTEMPTY');
      checkRemove(dir, inode, caller);
      table.detach(dir, req.name, now());
      req.replyOk();
    },

    rename(req) {
      const { flags } = req;
      const exchange = (flags & RENAME_EXCHANGE) !== 0;
      if ((flags & ~(RENAME_EXCHANGE | RENAME_NOREPLACE)) !== 0 || (exchange && flags & RENAME_NOREPLACE)) {
        throw new FuseError('EINVAL');
      }
      const from = dirOf(req.parent);
      const to = dirOf(req.newParent);
      const caller = callerOf(req);
      checkName(req.newName);
      perms.check(from, caller, X_OK);
      perms.check(to, caller, X_OK);
      const source = childOf(from, req.name);
      if (source === undefined) throw new FuseError('ENOENT');
      const target = childOf(to, req.newName);
      if (exchange && target === undefined) throw new FuseError('ENOENT');
      if (target !== undefined && flags & RENAME_NOREPLACE) throw new FuseError('EEXIST');
      if (to.nlink === 0) throw new FuseError('ENOENT');
      // No directory may move into its own subtree.
      if (source.kind === 'dir' && table.isAncestor(source, to)) throw new FuseError('EINVAL');
      if (exchange && target?.kind === 'dir' && table.isAncestor(target, from)) throw new FuseError('EINVAL');
      if (!exchange && target !== undefined) {
        if (source.kind === 'dir' && target.kind !== 'dir') throw new FuseError('ENOTDIR');
        if (source.kind !== 'dir' && target.kind === 'dir') throw new FuseError('EISDIR');
        if (target.kind === 'dir' && target.entries.size > 0) throw new FuseError('ENOTEMPTY');
      }
      checkRemove(from, source, caller);
      if (target !== undefined) checkRemove(to, target, caller);
      else perms.check(to, caller, W_OK);
      // A directory that changes parent rewrites its '..' entry.
      if (from !== to) {
        if (source.kind === 'dir') perms.check(source, caller, W_OK);
        if (exchange && target?.kind === 'dir') perms.check(target, caller, W_OK);
      }

      // Two names for one inode: nothing to do (POSIX).
      if (source === target) return req.replyOk();
      const t = now();
      if (exchange) {
        table.exchange(from, req.name, to, req.newName, t);
      } else {
        if (target !== undefined) table.detach(to, req.newName, t);
        table.move(from, req.name, to, req.newName, t);
      }
      req.replyOk();
    },

    open(req) {
      const inode = inodeOf(req.ino);
      if (inode.kind === 'dir') throw new FuseError('EISDIR');
      const caller = callerOf(req);
      const access = req.flags & O_ACCMODE;
      let mask = access === constants.O_RDONLY ? R_OK : access === constants.O_WRONLY ? W_OK : R_OK | W_OK;
      // execve opens with __FMODE_EXEC: a program needs x, not r.
      if (req.flags & FMODE_EXEC) mask = X_OK;
      if (req.flags & O_TRUNC) mask |= W_OK;
      perms.check(inode, caller, mask);
      if (req.flags & O_TRUNC && inode.kind === 'file') {
        inode.data.truncate(0);
        inode.mtime = inode.ctime = now();
        inode.mode = modeAfterWrite(inode, caller);
      }
      req.replyOpen(table.open(inode, req.flags));
    },

    read(req) {
      const file = fileOf(req.fh);
      // The kernel reads below the size it knows: while the size is a number, so is the offset.
      const offset = typeof file.data.size === 'number' ? req.offset : position(req.offsetBig);
      // Views of the stored chunks, sent in one writev: no copy.
      const parts = file.data.readv(offset, req.size);
      touchAtime(file);
      if (parts.length === 1) req.replyBuf(parts[0] as Buffer);
      else if (parts.length <= MAX_READ_PARTS) req.replyBufs(parts);
      else req.replyBuf(Buffer.concat(parts));
    },

    write(req) {
      const inode = fileOf(req.fh);
      // O_APPEND (as the descriptor has it now, fcntl included): the end of the
      // file as memfs knows it, whatever size the kernel had cached.
      // Any offset up to 2^63 - 1 may come: offsetBig is exact, and a number again when it can be.
      const offset = req.flags & O_APPEND && !req.writepage ? inode.data.size : position(req.offsetBig);
      inode.data.write(offset, req.data);
      modified(inode, req);
      req.replyWrite(req.data.length);
    },

    flush(req) {
      // close(2): the closing process' POSIX locks on the file go.
      const { inode } = handleOf(req.fh);
      inode.locks?.releasePosix(req.lockOwner);
      tidyLocks(inode);
      req.replyOk();
    },

    release(req) {
      const { inode } = handleOf(req.fh);
      if (req.flush) inode.locks?.releasePosix(req.lockOwner);
      inode.locks?.releaseFlock(req.fh);
      tidyLocks(inode);
      table.close(req.fh);
      req.replyOk();
    },

    fsync(req) {
      handleOf(req.fh);
      req.replyOk(); // memory is as durable as memfs gets
    },

    opendir(req) {
      const dir = dirOf(req.ino);
      perms.check(dir, callerOf(req), R_OK);
      req.replyOpen(table.open(dir, req.flags));
    },

    readdir(req) {
      const { inode: dir } = handleOf(req.fh);
      if (dir.kind !== 'dir') throw new FuseError('ENOTDIR');
      listing(dir, cookieOf(req), (name, inode, next) => req.add(name, inode.ino, inode.mode, next));
      touchAtime(dir);
      req.replyDirents();
    },

    readdirplus(req) {
      const { inode: dir } = handleOf(req.fh);
      if (dir.kind !== 'dir') throw new FuseError('ENOTDIR');
      listing(dir, cookieOf(req), (name, inode, next) => {
        if (!req.add(name, attrEntry(inode, dir), next)) return false;
        // Each entry but '.' and '..' gives the kernel a lookup reference.
        if (next > DOTDOT_COOKIE) table.remember(inode);
        return true;
      });
      touchAtime(dir);
      req.replyDirents();
    },

    releasedir(req) {
      table.close(req.fh);
      req.replyOk();
    },

    fsyncdir(req) {
      req.replyOk();
    },

    statfs(req) {
      const { space } = table;
      const freeInodes = Math.max(0, table.maxInodes - table.count);
      req.replyStatfs({
        bsize: PAGE_SIZE,
        frsize: PAGE_SIZE,
        blocks: space.capacityPages,
        bfree: space.freePages,
        bavail: space.freePages,
        files: table.maxInodes,
        ffree: freeInodes,
        favail: freeInodes,
        namemax: NAME_MAX,
      });
    },

    access(req) {
      // Only called without defaultPermissions, for access(2) and chdir.
      const inode = inodeOf(req.ino);
      if (req.mask !== 0 && !allows(inode, callerOf(req), req.mask)) throw new FuseError('EACCES');
      req.replyOk();
    },

    setxattr(req) {
      const inode = inodeOf(req.ino);
      perms.xattr(inode, callerOf(req), req.name, true);
      const exists = inode.xattrs.has(req.name);
      if (req.flags & XATTR_CREATE && exists) throw new FuseError('EEXIST');
      if (req.flags & XATTR_REPLACE && !exists) throw new FuseError('ENODATA');
      let used = nameByteLength(req.name) + req.value.length;
      for (const [name, value] of inode.xattrs) {
        if (name !== req.name) used += nameByteLength(name) + value.length;
      }
      if (used > XATTR_SPACE) throw new FuseError('ENOSPC');
      inode.xattrs.set(req.name, Buffer.from(req.value));
      inode.ctime = now();
      req.replyOk();
    },

    getxattr(req) {
      const inode = inodeOf(req.ino);
      perms.xattr(inode, callerOf(req), req.name, false);
      const value = inode.xattrs.get(req.name);
      // Replied, not thrown: the kernel asks for security.capability before
      // every write, and an Error (with its stack trace) per write shows.
      if (value === undefined) return req.replyError('ENODATA');
      req.replyValue(value);
    },

    listxattr(req) {
      const inode = inodeOf(req.ino);
      const caller = callerOf(req);
      req.replyNames([...inode.xattrs.keys()].filter((name) => perms.listable(caller, name)));
    },

    removexattr(req) {
      const inode = inodeOf(req.ino);
      perms.xattr(inode, callerOf(req), req.name, true);
      if (!inode.xattrs.delete(req.name)) throw new FuseError('ENODATA');
      inode.ctime = now();
      req.replyOk();
    },

    getlk(req) {
      const { inode } = handleOf(req.fh);
      // Lock ranges reach 2^63 - 1: lockBig keeps them exact.
      const { type, start, length } = req.lockBig;
      const held = inode.locks?.conflict(req.lockOwner, type, start, length === 0n ? LOCK_END : start + length - 1n);
      if (held === undefined) return req.replyLock({ ...req.lockBig, type: F_UNLCK });
      req.replyLock({
        type: held.type,
        whence: 0,
        start: held.start,
        length: held.end === LOCK_END ? 0n : held.end - held.start + 1n,
        pid: held.pid,
      });
    },

    setlk(req) {
      const { inode } = handleOf(req.fh);
      const { type, start, length } = req.lockBig;
      const end = length === 0n ? LOCK_END : start + length - 1n;
      const owner = req.lockOwner;
      const pid = req.ctx.pid; // read now: the context is gone once the request waits
      const locks = locksOf(inode);
      const attempt = (): boolean => {
        if (locks.conflict(owner, type, start, end) !== undefined) return false;
        locks.setPosix(owner, pid, type, start, end);
        tidyLocks(inode);
        req.replyOk();
        return true;
      };
      if (attempt()) return;
      if (!req.wait) throw new FuseError('EAGAIN');
      block(req, locks, attempt);
    },

    flock(req) {
      const { inode } = handleOf(req.fh);
      const op = req.operation & ~LOCK_NB;
      const locks = locksOf(inode);
      const attempt = (): boolean => {
        if (!locks.tryFlock(req.fh, op)) return false;
        tidyLocks(inode);
        req.replyOk();
        return true;
      };
      if (attempt()) return;
      if (req.operation & LOCK_NB) throw new FuseError('EWOULDBLOCK');
      block(req, locks, attempt);
    },

    fallocate(req) {
      const file = fileOf(req.fh);
      const { mode } = req;
      const offset = position(req.offsetBig);
      const length = position(req.lengthBig);
      const end = plus(offset, length);
      if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
        throw new FuseError('EOPNOTSUPP');
      }
      checkFileSize(end);
      if (mode & FALLOC_FL_PUNCH_HOLE) {
        if (!(mode & FALLOC_FL_KEEP_SIZE) || mode & FALLOC_FL_ZERO_RANGE) throw new FuseError('EINVAL');
        const stop = minPosition(end, file.data.size);
        if (offset < stop) file.data.punchHole(offset, minus(stop, offset));
      } else if (mode & FALLOC_FL_ZERO_RANGE) {
        const stop = mode & FALLOC_FL_KEEP_SIZE ? minPosition(end, file.data.size) : end;
        if (offset < stop) file.data.zero(offset, minus(stop, offset));
        if (stop > file.data.size) file.data.truncate(stop);
      } else {
        file.data.allocate(offset, length);
        if (!(mode & FALLOC_FL_KEEP_SIZE) && end > file.data.size) file.data.truncate(end);
      }
      modified(file, req);
      req.replyOk();
    },

    copyFileRange(req) {
      const source = fileOf(req.fh);
      const target = fileOf(req.fhOut);
      const length = req.lengthBig < MAX_COPY ? Number(req.lengthBig) : MAX_COPY;
      const count = target.data.copyFrom(source.data, position(req.offsetInBig), position(req.offsetOutBig), length);
      if (count > 0) {
        touchAtime(source);
        modified(target, req);
      }
      req.replyWrite(count);
    },

    lseek(req) {
      const { data } = fileOf(req.fh);
      const from = position(req.offsetBig);
      let offset: Position | undefined;
      if (req.whence === SEEK_DATA) offset = data.seekData(from);
      else if (req.whence === SEEK_HOLE) offset = data.seekHole(from);
      else throw new FuseError('EINVAL');
      if (offset === undefined) throw new FuseError('ENXIO');
      req.replyLseek(offset);
    },
  };
}
