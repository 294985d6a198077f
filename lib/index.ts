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
export { CAP, ConnectionInfo } from './connection.js';
export { type ErrnoName, errnoName, errnoOf, FuseError } from './errors.js';
export { mount } from './mount.js';
export type { HandlerResult, OperationName, Operations } from './operations.js';
export type { MountOptions } from './options.js';
export { Request } from './request.js';
export {
  AccessRequest,
  FlushRequest,
  ForgetRequest,
  GetattrRequest,
  GetxattrRequest,
  ListxattrRequest,
  LookupRequest,
  OpendirRequest,
  OpenRequest,
  ReaddirplusRequest,
  ReaddirRequest,
  ReadlinkRequest,
  ReadRequest,
  ReleasedirRequest,
  ReleaseRequest,
  StatfsRequest,
} from './requests.js';
export { Session, type SessionEvents } from './session.js';
export type { Attr, Entry, ForgetItem, OpenOptions, RequestContext, StatfsInfo, Timestamp } from './types.js';
