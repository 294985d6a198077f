/**
 * Every request class, and the table the session builds requests from.
 * @module
 */
import { OPERATION_NAMES, type OperationName } from '../generated/operations.js';
import type { Request, RequestOwner } from '../request.js';
import * as attributes from './attributes.js';
import * as control from './control.js';
import * as directories from './directories.js';
import * as entries from './entries.js';
import * as files from './files.js';
import * as locks from './locks.js';
import * as xattrs from './xattrs.js';

export * from './attributes.js';
export * from './control.js';
export * from './directories.js';
export * from './entries.js';
export * from './files.js';
export * from './forget.js';
export * from './locks.js';
export * from './xattrs.js';

/** A request class as the session constructs it: from its record in the request slab. */
export type RequestClass = new (
  owner: RequestOwner,
  words: Uint32Array,
  at: number,
  objects: readonly unknown[],
  slot: number,
) => Request;

const BY_NAME: Record<OperationName, RequestClass | undefined> = {
  lookup: entries.LookupRequest,
  forget: undefined, // no reply: delivered in batches as a ForgetRequest
  getattr: attributes.GetattrRequest,
  readlink: attributes.ReadlinkRequest,
  open: files.OpenRequest,
  read: files.ReadRequest,
  flush: files.FlushRequest,
  release: files.ReleaseRequest,
  opendir: directories.OpendirRequest,
  readdir: directories.ReaddirRequest,
  readdirplus: directories.ReaddirplusRequest,
  releasedir: directories.ReleasedirRequest,
  statfs: attributes.StatfsRequest,
  access: attributes.AccessRequest,
  getxattr: xattrs.GetxattrRequest,
  listxattr: xattrs.ListxattrRequest,
  setattr: attributes.SetattrRequest,
  mknod: entries.MknodRequest,
  mkdir: entries.MkdirRequest,
  unlink: entries.UnlinkRequest,
  rmdir: entries.RmdirRequest,
  symlink: entries.SymlinkRequest,
  rename: entries.RenameRequest,
  link: entries.LinkRequest,
  write: files.WriteRequest,
  fsync: files.FsyncRequest,
  fsyncdir: directories.FsyncdirRequest,
  create: entries.CreateRequest,
  setxattr: xattrs.SetxattrRequest,
  removexattr: xattrs.RemovexattrRequest,
  getlk: locks.GetlkRequest,
  setlk: locks.SetlkRequest,
  flock: locks.FlockRequest,
  bmap: files.BmapRequest,
  ioctl: control.IoctlRequest,
  poll: control.PollRequest,
  fallocate: files.FallocateRequest,
  copyFileRange: files.CopyFileRangeRequest,
  lseek: files.LseekRequest,
};

/** Indexed by the operation numbers. */
export const REQUEST_CLASSES: readonly (RequestClass | undefined)[] = OPERATION_NAMES.map((name) => BY_NAME[name]);
