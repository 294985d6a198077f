/**
 * Every request class, and the table the session builds requests from.
 * @module
 */
import { native } from '../addon.js';
import type { Request } from '../request.js';
import { AccessRequest, GetattrRequest, ReadlinkRequest, SetattrRequest, StatfsRequest } from './attributes.js';
import { IoctlRequest, PollRequest } from './control.js';
import {
  FsyncdirRequest,
  OpendirRequest,
  ReaddirplusRequest,
  ReaddirRequest,
  ReleasedirRequest,
} from './directories.js';
import {
  CreateRequest,
  LinkRequest,
  LookupRequest,
  MkdirRequest,
  MknodRequest,
  RenameRequest,
  RmdirRequest,
  SymlinkRequest,
  UnlinkRequest,
} from './entries.js';
import {
  BmapRequest,
  CopyFileRangeRequest,
  FallocateRequest,
  FlushRequest,
  FsyncRequest,
  LseekRequest,
  OpenRequest,
  ReadRequest,
  ReleaseRequest,
  WriteRequest,
} from './files.js';
import { FlockRequest, GetlkRequest, SetlkRequest } from './locks.js';
import type { Args } from './reply.js';
import { GetxattrRequest, ListxattrRequest, RemovexattrRequest, SetxattrRequest } from './xattrs.js';

export {
  AccessRequest,
  GetattrRequest,
  ReadlinkRequest,
  SETATTR,
  SetattrRequest,
  StatfsRequest,
} from './attributes.js';
export { IOCTL, type IoctlRegion, IoctlRequest, PollRequest } from './control.js';
export {
  FsyncdirRequest,
  OpendirRequest,
  ReaddirplusRequest,
  ReaddirRequest,
  ReleasedirRequest,
} from './directories.js';
export {
  CreateRequest,
  LinkRequest,
  LookupRequest,
  MkdirRequest,
  MknodRequest,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  RenameRequest,
  RmdirRequest,
  SymlinkRequest,
  UnlinkRequest,
} from './entries.js';
export {
  BmapRequest,
  CopyFileRangeRequest,
  FallocateRequest,
  FlushRequest,
  FsyncRequest,
  LseekRequest,
  OpenRequest,
  ReadRequest,
  ReleaseRequest,
  SEEK_DATA,
  SEEK_HOLE,
  WriteRequest,
} from './files.js';
export { ForgetRequest } from './forget.js';
export { FlockRequest, GetlkRequest, SetlkRequest } from './locks.js';
export {
  GetxattrRequest,
  ListxattrRequest,
  RemovexattrRequest,
  SetxattrRequest,
  XATTR_CREATE,
  XATTR_REPLACE,
} from './xattrs.js';

/** A request class as the session constructs it. */
export type RequestClass = new (...args: Args) => Request;

const BY_NAME: Record<keyof typeof native.OP, RequestClass | undefined> = {
  lookup: LookupRequest,
  forget: undefined, // no reply: delivered in batches as a ForgetRequest
  getattr: GetattrRequest,
  readlink: ReadlinkRequest,
  open: OpenRequest,
  read: ReadRequest,
  flush: FlushRequest,
  release: ReleaseRequest,
  opendir: OpendirRequest,
  readdir: ReaddirRequest,
  readdirplus: ReaddirplusRequest,
  releasedir: ReleasedirRequest,
  statfs: StatfsRequest,
  access: AccessRequest,
  getxattr: GetxattrRequest,
  listxattr: ListxattrRequest,
  setattr: SetattrRequest,
  mknod: MknodRequest,
  mkdir: MkdirRequest,
  unlink: UnlinkRequest,
  rmdir: RmdirRequest,
  symlink: SymlinkRequest,
  rename: RenameRequest,
  link: LinkRequest,
  write: WriteRequest,
  fsync: FsyncRequest,
  fsyncdir: FsyncdirRequest,
  create: CreateRequest,
  setxattr: SetxattrRequest,
  removexattr: RemovexattrRequest,
  getlk: GetlkRequest,
  setlk: SetlkRequest,
  flock: FlockRequest,
  bmap: BmapRequest,
  ioctl: IoctlRequest,
  poll: PollRequest,
  fallocate: FallocateRequest,
  copyFileRange: CopyFileRangeRequest,
  lseek: LseekRequest,
};

/** Indexed by the addon's operation numbers. */
export const REQUEST_CLASSES: (RequestClass | undefined)[] = [];
for (const [name, op] of Object.entries(native.OP)) {
  REQUEST_CLASSES[op] = BY_NAME[name as keyof typeof native.OP];
}
