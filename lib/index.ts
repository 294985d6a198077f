/**
 * fuse-lowlevel: the libfuse3 lowlevel (inode-based) API for Node.js.
 *
 * ```ts
 * import { mount } from 'fuse-lowlevel';
 * const session = await mount('/mnt/x', { lookup(req) { req.replyError('ENOENT'); } });
 * await session.unmount();
 * ```
 * @module
 */
export { CAP, CAPABILITY_NAMES, type CapabilityName, ConnectionInfo } from './connection.js';
export { type ErrnoName, errnoName, errnoOf, FuseError } from './errors.js';
export { mount } from './mount.js';
export { unmountStale } from './mountpoint.js';
export { type NameInput, nameByteLength, nameFromBytes, nameToBytes } from './names.js';
export type { HandlerResult, OperationName, Operations } from './operations.js';
export type { MountOptions } from './options.js';
export { PollHandle } from './poll-handle.js';
export { Request } from './request.js';
export {
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
  IOCTL,
  type IoctlRegion,
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
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  ReaddirplusRequest,
  ReaddirRequest,
  ReadlinkRequest,
  ReadRequest,
  ReleasedirRequest,
  ReleaseRequest,
  RemovexattrRequest,
  RenameRequest,
  RmdirRequest,
  SEEK_DATA,
  SEEK_HOLE,
  SETATTR,
  SetattrRequest,
  SetlkRequest,
  SetxattrRequest,
  StatfsRequest,
  SymlinkRequest,
  UnlinkRequest,
  WriteRequest,
  XATTR_CREATE,
  XATTR_REPLACE,
} from './requests/index.js';
export { Session, type SessionEvents } from './session.js';
export { type TraceOptions, traceOperations } from './trace.js';
export type {
  Attr,
  Entry,
  ForgetItem,
  InodeEntry,
  Lock,
  NegativeEntry,
  OpenOptions,
  RequestContext,
  StatfsInfo,
  Timestamp,
  Uint64,
} from './types.js';
export { type Versions, versions } from './versions.js';
export type { BigLock } from './words.js';
