/**
 * The request class for each operation number the addon delivers.
 * @module
 */
import { native } from './addon.js';
import type { Request, RequestOwner } from './request.js';
import * as requests from './requests.js';

/** A request class as the session constructs it. */
export type RequestClass = new (
  owner: RequestOwner,
  id: number,
  ino: number,
  fh: number,
  n1: number,
  n2: number,
  flags: number,
  name: string | undefined,
  lockOwner: bigint | undefined,
) => Request;

const BY_NAME: Record<string, RequestClass | undefined> = {
  lookup: requests.LookupRequest,
  getattr: requests.GetattrRequest,
  readlink: requests.ReadlinkRequest,
  open: requests.OpenRequest,
  read: requests.ReadRequest,
  flush: requests.FlushRequest,
  release: requests.ReleaseRequest,
  opendir: requests.OpendirRequest,
  readdir: requests.ReaddirRequest,
  readdirplus: requests.ReaddirplusRequest,
  releasedir: requests.ReleasedirRequest,
  statfs: requests.StatfsRequest,
  access: requests.AccessRequest,
  getxattr: requests.GetxattrRequest,
  listxattr: requests.ListxattrRequest,
};

/** Indexed by the addon's operation numbers; forget has none (it takes no reply). */
export const REQUEST_CLASSES: (RequestClass | undefined)[] = [];
for (const [name, op] of Object.entries(native.OP)) REQUEST_CLASSES[op] = BY_NAME[name];
