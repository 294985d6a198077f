/**
 * One request class per operation, each offering only the replies that are
 * valid for it (the compiler rejects `replyAttr` on a readlink request).
 * @module
 */
import { native } from './addon.js';
import { DirentBuffer } from './dirents.js';
import { ATTR_LENGTH, ENTRY_LENGTH, packAttr, packEntry, packStatfs, STATFS_FIELDS } from './layout.js';
import { checkBytes, checkSize, Request, type RequestOwner } from './request.js';
import type { Attr, Entry, ForgetItem, OpenOptions, StatfsInfo } from './types.js';
import { cString, seconds, uint } from './validate.js';

// Scratch space for packing: replies are synchronous, so one buffer serves all.
const ATTR = new Float64Array(ATTR_LENGTH);
const ENTRY = new Float64Array(ENTRY_LENGTH);
const STATFS = new Float64Array(STATFS_FIELDS.length);
const ERANGE = 34;

/** Positional values from the addon (see SessionCallbacks.request in types/native.d.ts). */
type Args = [
  owner: RequestOwner,
  id: number,
  ino: number,
  fh: number,
  n1: number,
  n2: number,
  flags: number,
  name: string | undefined,
  lockOwner: bigint | undefined,
];

function sendEntry(req: Request, method: string, entry: Entry): void {
  const id = req._take(method);
  try {
    packEntry(`${req.op}.${method}`, entry, ENTRY, 0);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyEntry(id, ENTRY));
}

function sendOk(req: Request): void {
  req._sent(native.replyErr(req._take('replyOk'), 0));
}

function sendOpen(req: Request, fh: number, options: OpenOptions | undefined): void {
  const id = req._take('replyOpen');
  let bits = 0;
  try {
    uint(`${req.op}.replyOpen`, 'fh', fh);
    if (options !== undefined) {
      bits =
        (options.directIo ? 1 : 0) |
        (options.keepCache ? 2 : 0) |
        (options.nonseekable ? 4 : 0) |
        (options.cacheReaddir ? 8 : 0) |
        (options.noflush ? 16 : 0);
    }
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyOpen(id, fh, bits));
}

function sendBuf(req: Request, data: Uint8Array, max: number): void {
  const id = req._take('replyBuf');
  try {
    checkBytes(`${req.op}.replyBuf`, 'data', data);
    checkSize(`${req.op}.replyBuf`, 'data', data.byteLength, max);
  } catch (error) {
    req._sendInvalid(id, error);
  }
  req._sent(native.replyBuf(id, data));
}

/** Answers an xattr request: the size for a size-0 probe, ERANGE when too small, else the bytes. */
function sendXattrValue(req: Request & { readonly size: number }, data: Uint8Array): void {
  checkBytes(`${req.op}.replyValue`, 'data', data);
  if (req.size === 0) {
    req._sent(native.replyXattr(req._take('replyValue'), data.byteLength));
  } else if (data.byteLength > req.size) {
    req._sent(native.replyErr(req._take('replyValue'), ERANGE));
  } else {
    req._sent(native.replyBuf(req._take('replyValue'), data));
  }
}

/** lookup: find `name` in directory `parent`. */
export class LookupRequest extends Request {
  readonly op = 'lookup';
  /** The directory's inode. */
  readonly parent: number;
  /** The name to look up. */
  readonly name: string;
  /** @internal */
  constructor(...[owner, id, ino, , , , , name]: Args) {
    super(owner, id);
    this.parent = ino;
    this.name = name ?? '';
  }
  /**
   * Answers with the entry; it counts as one lookup of `entry.ino` (balanced by
   * forget). `{ ino: 0, entryTimeout }` caches the name as missing.
   */
  replyEntry(entry: Entry): void {
    sendEntry(this, 'replyEntry', entry);
  }
}

/** getattr: the attributes of an inode. */
export class GetattrRequest extends Request {
  readonly op = 'getattr';
  readonly ino: number;
  /** The open file's handle, when the kernel asks about an open file (fstat). */
  readonly fh: number | undefined;
  /** @internal */
  constructor(...[owner, id, ino, fh, hasFile]: Args) {
    super(owner, id);
    this.ino = ino;
    this.fh = hasFile === 1 ? fh : undefined;
  }
  /** Answers with the attributes, cacheable for `timeout` seconds (default 1). */
  replyAttr(attr: Attr, timeout = 1): void {
    const id = this._take('replyAttr');
    try {
      packAttr('getattr.replyAttr', attr, ATTR, 0, this.ino);
      seconds('getattr.replyAttr', 'timeout', timeout, 1);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyAttr(id, ATTR, timeout));
  }
}

/** readlink: the target of a symbolic link. */
export class ReadlinkRequest extends Request {
  readonly op = 'readlink';
  readonly ino: number;
  /** @internal */
  constructor(...[owner, id, ino]: Args) {
    super(owner, id);
    this.ino = ino;
  }
  /** Answers with the link's target. */
  replyReadlink(target: string): void {
    const id = this._take('replyReadlink');
    try {
      cString('readlink.replyReadlink', 'target', target, 4095);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyReadlink(id, target));
  }
}

/** open / opendir: open an inode; the reply gives the handle later requests carry. */
abstract class OpenLikeRequest extends Request {
  readonly ino: number;
  /** The open(2) flags (O_RDONLY, O_WRONLY, O_RDWR, O_APPEND …; not O_CREAT/O_EXCL/O_NOCTTY). */
  readonly flags: number;
  /** @internal */
  constructor(...[owner, id, ino, , , , flags]: Args) {
    super(owner, id);
    this.ino = ino;
    this.flags = flags;
  }
  /** Answers with a file handle (any safe integer the filesystem chooses) and cache options. */
  replyOpen(fh = 0, options?: OpenOptions): void {
    sendOpen(this, fh, options);
  }
}

/** open: open a file. */
export class OpenRequest extends OpenLikeRequest {
  readonly op = 'open';
}

/** opendir: open a directory. */
export class OpendirRequest extends OpenLikeRequest {
  readonly op = 'opendir';
}

/** read: up to `size` bytes at `offset`. */
export class ReadRequest extends Request {
  readonly op = 'read';
  readonly ino: number;
  readonly fh: number;
  readonly offset: number;
  /** The most bytes to return. A shorter reply means end of file (unless direct_io). */
  readonly size: number;
  readonly flags: number;
  /** @internal */
  constructor(...[owner, id, ino, fh, offset, size, flags]: Args) {
    super(owner, id);
    this.ino = ino;
    this.fh = fh;
    this.offset = offset;
    this.size = size;
    this.flags = flags;
  }
  /** Answers with bytes from memory (at most `size`; fewer means end of file). */
  replyBuf(data: Uint8Array): void {
    sendBuf(this, data, this.size);
  }
  /**
   * Answers with `size` bytes of file descriptor `fd` at `position`, spliced to
   * the kernel without passing through JavaScript. The fd must stay open until
   * this returns. Fewer bytes (end of that file) mean end of file.
   */
  replyFd(fd: number, position = this.offset, size = this.size): void {
    const id = this._take('replyFd');
    try {
      uint('read.replyFd', 'fd', fd, 0x7fffffff);
      uint('read.replyFd', 'position', position);
      uint('read.replyFd', 'size', size, this.size);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyFd(id, fd, position, size));
  }
}

/** flush: called on each close(2) of a file descriptor; report write errors here. */
export class FlushRequest extends Request {
  readonly op = 'flush';
  readonly ino: number;
  readonly fh: number;
  /** Identifies the POSIX lock owner whose locks the close releases. */
  readonly lockOwner: bigint;
  /** @internal */
  constructor(...[owner, id, ino, fh, , , , , lockOwner]: Args) {
    super(owner, id);
    this.ino = ino;
    this.fh = fh;
    this.lockOwner = lockOwner ?? 0n;
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** release / releasedir: the last reference to an open handle is gone. Errors are not seen by anyone. */
abstract class ReleaseLikeRequest extends Request {
  readonly ino: number;
  readonly fh: number;
  /** The flags the handle was opened with. */
  readonly flags: number;
  readonly lockOwner: bigint;
  /** Whether the filesystem should flush data (and release POSIX locks) too. */
  readonly flush: boolean;
  /** Whether flock locks of `lockOwner` should be released. */
  readonly flockRelease: boolean;
  /** @internal */
  constructor(...[owner, id, ino, fh, bits, , flags, , lockOwner]: Args) {
    super(owner, id);
    this.ino = ino;
    this.fh = fh;
    this.flags = flags;
    this.lockOwner = lockOwner ?? 0n;
    this.flush = (bits & 1) !== 0;
    this.flockRelease = (bits & 2) !== 0;
  }
  /** Answers success. */
  replyOk(): void {
    sendOk(this);
  }
}

/** release: a file handle is closed for good. */
export class ReleaseRequest extends ReleaseLikeRequest {
  readonly op = 'release';
}

/** releasedir: a directory handle is closed for good. */
export class ReleasedirRequest extends ReleaseLikeRequest {
  readonly op = 'releasedir';
}

/** readdir / readdirplus: list a directory from an offset, in a buffer of `size` bytes. */
abstract class ReaddirLikeRequest extends Request {
  readonly ino: number;
  readonly fh: number;
  /**
   * Where to continue: 0 for the start, else the `nextOffset` of the last entry
   * the kernel received. Offsets are the filesystem's own cookies.
   */
  readonly offset: number;
  /** The buffer size in bytes; `add()` returns false once it is full. */
  readonly size: number;
  #dirents: DirentBuffer | undefined;
  /** @internal */
  constructor(...[owner, id, ino, fh, offset, size]: Args) {
    super(owner, id);
    this.ino = ino;
    this.fh = fh;
    this.offset = offset;
    this.size = size;
  }
  /** @internal */
  protected get _dirents(): DirentBuffer {
    this.#dirents ??= new DirentBuffer(this.size, this.op === 'readdirplus');
    return this.#dirents;
  }
  /** Sends the entries added so far (none means end of directory). */
  replyDirents(): void {
    const sent = this._dirents.send(this._take('replyDirents'));
    if (sent < 0) this._sent(sent);
  }
}

/** readdir: names, inode numbers and types. */
export class ReaddirRequest extends ReaddirLikeRequest {
  readonly op = 'readdir';
  /**
   * Adds an entry; returns false (adding nothing) when the buffer is full.
   * `nextOffset` is the cookie the kernel passes back to continue after this entry.
   * Only the type bits of `mode` matter.
   */
  add(name: string, ino: number, mode: number, nextOffset: number): boolean {
    return this._dirents.add('readdir.add', name, { ino, attr: { ino, mode } }, nextOffset);
  }
}

/** readdirplus: entries with attributes; each added entry (but '.' and '..') counts as a lookup. */
export class ReaddirplusRequest extends ReaddirLikeRequest {
  readonly op = 'readdirplus';
  /** Adds an entry; returns false (adding nothing, no lookup counted) when the buffer is full. */
  add(name: string, entry: Entry, nextOffset: number): boolean {
    return this._dirents.add('readdirplus.add', name, entry, nextOffset);
  }
}

/** statfs: filesystem statistics. */
export class StatfsRequest extends Request {
  readonly op = 'statfs';
  readonly ino: number;
  /** @internal */
  constructor(...[owner, id, ino]: Args) {
    super(owner, id);
    this.ino = ino;
  }
  /** Answers with the statistics. */
  replyStatfs(info: StatfsInfo): void {
    const id = this._take('replyStatfs');
    try {
      packStatfs('statfs.replyStatfs', info, STATFS);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyStatfs(id, STATFS));
  }
}

/** access: check permissions (only without the `defaultPermissions` option). */
export class AccessRequest extends Request {
  readonly op = 'access';
  readonly ino: number;
  /** R_OK, W_OK and X_OK bits, or F_OK (0). */
  readonly mask: number;
  /** @internal */
  constructor(...[owner, id, ino, , mask]: Args) {
    super(owner, id);
    this.ino = ino;
    this.mask = mask;
  }
  /** Answers that access is granted (deny with `replyError('EACCES')`). */
  replyOk(): void {
    sendOk(this);
  }
}

/** getxattr: an extended attribute's value. `size` 0 is a probe for the value's size. */
export class GetxattrRequest extends Request {
  readonly op = 'getxattr';
  readonly ino: number;
  readonly name: string;
  /** The caller's buffer size; 0 asks only for the size. */
  readonly size: number;
  /** @internal */
  constructor(...[owner, id, ino, , size, , , name]: Args) {
    super(owner, id);
    this.ino = ino;
    this.name = name ?? '';
    this.size = size;
  }
  /** Answers with the value, following the protocol: its size for a probe, ERANGE if it does not fit. */
  replyValue(value: Uint8Array): void {
    sendXattrValue(this, value);
  }
  /** Low level: answers a probe (`size` 0) with the value's size. */
  replyXattrSize(size: number): void {
    const id = this._take('replyXattrSize');
    try {
      uint('getxattr.replyXattrSize', 'size', size, 0xffffffff);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyXattr(id, size));
  }
  /** Low level: answers with the bytes (at most `size`). */
  replyBuf(data: Uint8Array): void {
    sendBuf(this, data, this.size);
  }
}

/** listxattr: the names of the extended attributes. `size` 0 is a probe. */
export class ListxattrRequest extends Request {
  readonly op = 'listxattr';
  readonly ino: number;
  /** The caller's buffer size; 0 asks only for the size. */
  readonly size: number;
  /** @internal */
  constructor(...[owner, id, ino, , size]: Args) {
    super(owner, id);
    this.ino = ino;
    this.size = size;
  }
  /** Answers with the names (NUL-terminated on the wire), following the probe/ERANGE protocol. */
  replyNames(names: readonly string[]): void {
    let list: Buffer;
    try {
      if (!Array.isArray(names))
        throw new TypeError(`listxattr.replyNames: names must be an array of strings, got ${typeof names}`);
      list = Buffer.from(names.map((n, i) => `${cString('listxattr.replyNames', `names[${i}]`, n, 255)}\0`).join(''));
    } catch (error) {
      this._sendInvalid(this._take('replyNames'), error);
    }
    sendXattrValue(this, list);
  }
  /** Low level: answers a probe (`size` 0) with the list's size in bytes. */
  replyXattrSize(size: number): void {
    const id = this._take('replyXattrSize');
    try {
      uint('listxattr.replyXattrSize', 'size', size, 0xffffffff);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyXattr(id, size));
  }
  /** Low level: answers with the NUL-separated list (at most `size` bytes). */
  replyBuf(data: Uint8Array): void {
    sendBuf(this, data, this.size);
  }
}

/** forget: the kernel dropped references to inodes. Takes no reply. */
export class ForgetRequest {
  readonly op = 'forget';
  /** Each inode and how many lookups the kernel forgot. */
  readonly forgets: readonly ForgetItem[];
  /** @internal */
  constructor(pairs: Float64Array) {
    const forgets: ForgetItem[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2)
      forgets.push({ ino: pairs[i] as number, nlookup: pairs[i + 1] as number });
    this.forgets = forgets;
  }
}
