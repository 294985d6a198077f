/**
 * The handlers a filesystem implements. Every one is optional: an operation
 * without a handler is answered by libfuse (ENOSYS, or its default where it has
 * one: open/opendir succeed with fh 0, statfs reports an empty filesystem).
 * @module
 */
import type { ConnectionInfo } from './connection.js';
import type {
  AccessRequest,
  BmapRequest,
  CopyFileRangeRequest,
  CreateRequest,
  FallocateRequest,
  FlockRequest,
  FlushRequest,
  ForgetRequest,
  FsyncdirRequest,
  FsyncRequest,
  GetattrRequest,
  GetlkRequest,
  GetxattrRequest,
  IoctlRequest,
  LinkRequest,
  ListxattrRequest,
  LookupRequest,
  LseekRequest,
  MkdirRequest,
  MknodRequest,
  OpendirRequest,
  OpenRequest,
  PollRequest,
  ReaddirplusRequest,
  ReaddirRequest,
  ReadlinkRequest,
  ReadRequest,
  ReleasedirRequest,
  ReleaseRequest,
  RemovexattrRequest,
  RenameRequest,
  RmdirRequest,
  SetattrRequest,
  SetlkRequest,
  SetxattrRequest,
  StatfsRequest,
  SymlinkRequest,
  UnlinkRequest,
  WriteRequest,
} from './requests/index.js';

/** A handler may answer synchronously or return a promise; a throw or rejection becomes an errno reply. */
export type HandlerResult = void | Promise<void>;

/**
 * A filesystem: handlers by operation name. Write it with `satisfies Operations`
 * to have each handler's request typed.
 */
export interface Operations {
  /**
   * The kernel connected: read and adjust `conn` (capabilities, limits) before
   * any request. `conn.capability(name)` tells what this build's libfuse, the
   * kernel and the process's privilege allow; `conn.require(name)` turns a
   * capability on or throws a `CapabilityError` naming the missing part, which
   * fails the mount.
   */
  init?(conn: ConnectionInfo): HandlerResult;
  /** The filesystem is going away (called once, after the last request). */
  destroy?(): HandlerResult;
  /** Look up a name in a directory; the reply counts as one lookup of the inode. */
  lookup?(req: LookupRequest): HandlerResult;
  /** The kernel dropped lookups (batched; no reply). An inode with no lookups left may be freed. */
  forget?(req: ForgetRequest): void;
  /** The attributes of an inode (stat). */
  getattr?(req: GetattrRequest): HandlerResult;
  /** The target of a symbolic link. */
  readlink?(req: ReadlinkRequest): HandlerResult;
  /** Open a file; the reply gives the handle later requests carry. */
  open?(req: OpenRequest): HandlerResult;
  /** Read bytes: reply from memory (replyBuf) or from a file descriptor (replyFd, zero-copy). */
  read?(req: ReadRequest): HandlerResult;
  /** Each close(2) of a descriptor; may come several times per open, or not at all. */
  flush?(req: FlushRequest): HandlerResult;
  /** The last close of an open file: exactly once per successful open. */
  release?(req: ReleaseRequest): HandlerResult;
  /** Open a directory. */
  opendir?(req: OpendirRequest): HandlerResult;
  /** List a directory from an offset cookie. */
  readdir?(req: ReaddirRequest): HandlerResult;
  /** Readdir with attributes; used when implemented (the READDIRPLUS capability). */
  readdirplus?(req: ReaddirplusRequest): HandlerResult;
  /** The last close of an open directory. */
  releasedir?(req: ReleasedirRequest): HandlerResult;
  /** Filesystem statistics (df). */
  statfs?(req: StatfsRequest): HandlerResult;
  /** Permission checks; not called with the `defaultPermissions` option. */
  access?(req: AccessRequest): HandlerResult;
  /** An extended attribute's value (a size-0 request is a probe for its size). */
  getxattr?(req: GetxattrRequest): HandlerResult;
  /** The names of the extended attributes (a size-0 request is a probe). */
  listxattr?(req: ListxattrRequest): HandlerResult;
  /** chmod, chown, truncate, utimens …: change the attributes that are set. */
  setattr?(req: SetattrRequest): HandlerResult;
  /** Create a file node: regular file, fifo, socket or device. */
  mknod?(req: MknodRequest): HandlerResult;
  /** Create a directory. */
  mkdir?(req: MkdirRequest): HandlerResult;
  /** Remove a name; the inode lives on while it has lookups (open files). */
  unlink?(req: UnlinkRequest): HandlerResult;
  /** Remove an empty directory. */
  rmdir?(req: RmdirRequest): HandlerResult;
  /** Create a symbolic link. */
  symlink?(req: SymlinkRequest): HandlerResult;
  /** Move or swap names (RENAME_NOREPLACE, RENAME_EXCHANGE). */
  rename?(req: RenameRequest): HandlerResult;
  /** Create a hard link. */
  link?(req: LinkRequest): HandlerResult;
  /** Write data; reply with the full length unless there was an error. */
  write?(req: WriteRequest): HandlerResult;
  /** Make a file's data durable. */
  fsync?(req: FsyncRequest): HandlerResult;
  /** Make a directory's contents durable. */
  fsyncdir?(req: FsyncdirRequest): HandlerResult;
  /** Create and open a file atomically; without it the kernel uses mknod + open. */
  create?(req: CreateRequest): HandlerResult;
  /** Set an extended attribute. */
  setxattr?(req: SetxattrRequest): HandlerResult;
  /** Remove an extended attribute. */
  removexattr?(req: RemovexattrRequest): HandlerResult;
  /** POSIX locks: implement getlk and setlk only to share locks beyond this machine. */
  getlk?(req: GetlkRequest): HandlerResult;
  /** Take or release a POSIX lock (may wait: see SetlkRequest.wait). */
  setlk?(req: SetlkRequest): HandlerResult;
  /** BSD flock locks; without it the kernel keeps them locally. */
  flock?(req: FlockRequest): HandlerResult;
  /** Map a file block to a device block (block-device filesystems only). */
  bmap?(req: BmapRequest): HandlerResult;
  /** A device-specific command (restricted ioctls). */
  ioctl?(req: IoctlRequest): HandlerResult;
  /** Which events are ready; keep the handle to wake the poller later. */
  poll?(req: PollRequest): HandlerResult;
  /** Allocate, punch or zero a byte range. */
  fallocate?(req: FallocateRequest): HandlerResult;
  /** Copy bytes between two open files inside the filesystem. */
  copyFileRange?(req: CopyFileRangeRequest): HandlerResult;
  /** SEEK_DATA / SEEK_HOLE. */
  lseek?(req: LseekRequest): HandlerResult;
}

/** The names of the operations that take requests. */
export type OperationName = Exclude<keyof Operations, 'init' | 'destroy'>;
