/**
 * The handlers a filesystem implements. Every one is optional: an operation
 * without a handler is answered by libfuse (ENOSYS, or its default where it has
 * one: open/opendir succeed with fh 0, statfs reports an empty filesystem).
 * @module
 */
import type { ConnectionInfo } from './connection.js';
import type {
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

/** A handler may answer synchronously or return a promise; a throw or rejection becomes an errno reply. */
export type HandlerResult = void | Promise<void>;

/**
 * A filesystem: handlers by operation name. Write it with `satisfies Operations`
 * to have each handler's request typed.
 */
export interface Operations {
  /** The kernel connected: read and adjust `conn` (capabilities, limits) before any request. */
  init?(conn: ConnectionInfo): HandlerResult;
  /** The filesystem is going away (called once, after the last request). */
  destroy?(): HandlerResult;
  /** Look up a name in a directory; the reply counts as one lookup of the inode. */
  lookup?(req: LookupRequest): HandlerResult;
  /** The kernel dropped lookups (batched; no reply). An inode with no lookups left may be freed. */
  forget?(req: ForgetRequest): void;
  getattr?(req: GetattrRequest): HandlerResult;
  readlink?(req: ReadlinkRequest): HandlerResult;
  open?(req: OpenRequest): HandlerResult;
  read?(req: ReadRequest): HandlerResult;
  /** Each close(2) of a descriptor; may come several times per open, or not at all. */
  flush?(req: FlushRequest): HandlerResult;
  /** The last close of an open file: exactly once per successful open. */
  release?(req: ReleaseRequest): HandlerResult;
  opendir?(req: OpendirRequest): HandlerResult;
  readdir?(req: ReaddirRequest): HandlerResult;
  /** Readdir with attributes; used when implemented (the READDIRPLUS capability). */
  readdirplus?(req: ReaddirplusRequest): HandlerResult;
  releasedir?(req: ReleasedirRequest): HandlerResult;
  statfs?(req: StatfsRequest): HandlerResult;
  /** Permission checks; not called with the `defaultPermissions` option. */
  access?(req: AccessRequest): HandlerResult;
  getxattr?(req: GetxattrRequest): HandlerResult;
  listxattr?(req: ListxattrRequest): HandlerResult;
}

/** The names of the operations that take requests. */
export type OperationName = Exclude<keyof Operations, 'init' | 'destroy'>;
