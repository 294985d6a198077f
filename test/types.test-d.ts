/**
 * Type tests (vitest typecheck): each request offers only the replies valid for
 * its operation, handlers are typed from `Operations`, session events are typed.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AccessRequest,
  type Attr,
  type ConnectionInfo,
  type Entry,
  type ErrnoName,
  type FlushRequest,
  type ForgetItem,
  type ForgetRequest,
  FuseError,
  type GetattrRequest,
  type GetxattrRequest,
  type HandlerResult,
  type ListxattrRequest,
  type LookupRequest,
  type MountOptions,
  mount,
  type OpendirRequest,
  type OpenRequest,
  type OperationName,
  type Operations,
  type ReaddirplusRequest,
  type ReaddirRequest,
  type ReadlinkRequest,
  type ReadRequest,
  type ReleasedirRequest,
  type ReleaseRequest,
  Request,
  type RequestContext,
  type Session,
  type SessionEvents,
  type StatfsRequest,
  type Timestamp,
} from '../lib/index.js';

declare const attr: Attr;
declare const entry: Entry;

describe('requests offer only their own replies', () => {
  it('every request can replyError with an errno name or number, and has ctx, signal, op', () => {
    expectTypeOf<Request['replyError']>().parameters.toEqualTypeOf<[errno: ErrnoName | number]>();
    expectTypeOf<Request['ctx']>().toEqualTypeOf<RequestContext>();
    expectTypeOf<Request['signal']>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<Request['answered']>().toEqualTypeOf<boolean>();
    expectTypeOf<LookupRequest>().toMatchTypeOf<Request>();
    expectTypeOf<ReadRequest>().toMatchTypeOf<Request>();
  });

  it('replyError rejects unknown errno names', () => {
    const req = {} as LookupRequest;
    // @ts-expect-error not an errno name
    req.replyError('ENOTANERRNO');
    req.replyError('ENOENT');
    req.replyError(2);
  });

  it('op is a literal per request', () => {
    expectTypeOf<LookupRequest['op']>().toEqualTypeOf<'lookup'>();
    expectTypeOf<GetattrRequest['op']>().toEqualTypeOf<'getattr'>();
    expectTypeOf<ReadlinkRequest['op']>().toEqualTypeOf<'readlink'>();
    expectTypeOf<ReadRequest['op']>().toEqualTypeOf<'read'>();
    expectTypeOf<ForgetRequest['op']>().toEqualTypeOf<'forget'>();
  });

  it('lookup: replyEntry only', () => {
    const req = {} as LookupRequest;
    expectTypeOf(req.replyEntry).parameters.toEqualTypeOf<[entry: Entry]>();
    expectTypeOf(req.parent).toEqualTypeOf<number>();
    expectTypeOf(req.name).toEqualTypeOf<string>();
    // @ts-expect-error lookup has no replyAttr
    req.replyAttr(attr);
    // @ts-expect-error lookup has no replyBuf
    req.replyBuf(Buffer.alloc(0));
    // @ts-expect-error lookup has no replyOpen
    req.replyOpen(0);
  });

  it('getattr: replyAttr only; fh is optional', () => {
    const req = {} as GetattrRequest;
    req.replyAttr(attr);
    req.replyAttr(attr, 0.5);
    expectTypeOf(req.fh).toEqualTypeOf<number | undefined>();
    // @ts-expect-error getattr has no replyEntry
    req.replyEntry(entry);
    // @ts-expect-error timeout is a number
    req.replyAttr(attr, '1');
  });

  it('readlink: replyReadlink, not replyAttr', () => {
    const req = {} as ReadlinkRequest;
    expectTypeOf(req.replyReadlink).parameters.toEqualTypeOf<[target: string | Uint8Array]>();
    // @ts-expect-error readlink has no replyAttr
    req.replyAttr(attr);
    // @ts-expect-error readlink has no replyBuf
    req.replyBuf(Buffer.from('x'));
    // @ts-expect-error the target is a string or bytes
    req.replyReadlink(1);
  });

  it('open and opendir: replyOpen', () => {
    const open = {} as OpenRequest;
    const opendir = {} as OpendirRequest;
    open.replyOpen();
    open.replyOpen(3, { keepCache: true, directIo: false });
    opendir.replyOpen(1, { cacheReaddir: true });
    // @ts-expect-error no such open option
    open.replyOpen(3, { keepcache: true });
    // @ts-expect-error open has no replyEntry
    open.replyEntry(entry);
    // @ts-expect-error opendir has no replyDirents
    opendir.replyDirents();
  });

  it('read: replyBuf and replyFd, not replyEntry', () => {
    const req = {} as ReadRequest;
    req.replyBuf(Buffer.alloc(1));
    req.replyBuf(new Uint8Array(1));
    req.replyBufs([Buffer.alloc(1), new Uint8Array(2)]);
    // @ts-expect-error replyBufs takes an array of parts
    req.replyBufs(Buffer.alloc(1));
    req.replyFd(3);
    req.replyFd(3, 0, 4096);
    expectTypeOf(req.offset).toEqualTypeOf<number>();
    expectTypeOf(req.size).toEqualTypeOf<number>();
    // @ts-expect-error data is bytes, not a string
    req.replyBuf('hello');
    // @ts-expect-error read has no replyEntry
    req.replyEntry(entry);
    // @ts-expect-error read has no replyOk
    req.replyOk();
  });

  it('flush, release, releasedir, access: replyOk', () => {
    ({}) as FlushRequest satisfies { replyOk(): void };
    ({}) as ReleaseRequest satisfies { replyOk(): void };
    ({}) as ReleasedirRequest satisfies { replyOk(): void };
    ({}) as AccessRequest satisfies { replyOk(): void };
    expectTypeOf<FlushRequest['lockOwner']>().toEqualTypeOf<bigint>();
    expectTypeOf<ReleaseRequest['flush']>().toEqualTypeOf<boolean>();
    expectTypeOf<AccessRequest['mask']>().toEqualTypeOf<number>();
    const flush = {} as FlushRequest;
    // @ts-expect-error flush has no replyBuf
    flush.replyBuf(Buffer.alloc(0));
    const access = {} as AccessRequest;
    // @ts-expect-error access has no replyAttr
    access.replyAttr(attr);
  });

  it('readdir: add(name, ino, mode, next) + replyDirents; readdirplus: add(name, entry, next)', () => {
    const readdir = {} as ReaddirRequest;
    const plus = {} as ReaddirplusRequest;
    expectTypeOf(readdir.add).parameters.toEqualTypeOf<
      [name: string | Uint8Array, ino: number | bigint, mode: number, nextOffset: number | bigint]
    >();
    expectTypeOf(readdir.add).returns.toEqualTypeOf<boolean>();
    expectTypeOf(plus.add).parameters.toEqualTypeOf<
      [name: string | Uint8Array, entry: Entry, nextOffset: number | bigint]
    >();
    readdir.replyDirents();
    plus.replyDirents();
    // @ts-expect-error readdir entries are (name, ino, mode, next)
    readdir.add('a', entry, 1);
    // @ts-expect-error readdirplus entries carry an Entry
    plus.add('a', 2, 0o40000, 1);
    // @ts-expect-error readdir has no replyBuf
    readdir.replyBuf(Buffer.alloc(0));
  });

  it('statfs: replyStatfs only', () => {
    const req = {} as StatfsRequest;
    req.replyStatfs({ blocks: 1, namemax: 255 });
    // @ts-expect-error no such statfs field
    req.replyStatfs({ blokcs: 1 });
    // @ts-expect-error statfs has no replyAttr
    req.replyAttr(attr);
  });

  it('getxattr and listxattr: value/names, probe sizes, raw buffers', () => {
    const get = {} as GetxattrRequest;
    const list = {} as ListxattrRequest;
    get.replyValue(Buffer.from('v'));
    get.replyXattrSize(1);
    get.replyBuf(Buffer.from('v'));
    list.replyNames(['user.a']);
    list.replyXattrSize(7);
    // @ts-expect-error getxattr has no replyNames
    get.replyNames(['user.a']);
    // @ts-expect-error listxattr has no replyValue
    list.replyValue(Buffer.from('v'));
  });

  it('forget takes no reply at all', () => {
    expectTypeOf<ForgetRequest>().not.toMatchTypeOf<Request>();
    expectTypeOf<ForgetRequest['forgets']>().toEqualTypeOf<readonly ForgetItem[]>();
    const req = {} as ForgetRequest;
    // @ts-expect-error forget has no replyError
    req.replyError('EIO');
    // @ts-expect-error forget has no replyOk
    req.replyOk();
    // @ts-expect-error forget has no replyNone either (nothing to answer)
    req.replyNone();
    expectTypeOf<keyof ForgetRequest>().toEqualTypeOf<'op' | 'forgets'>();
  });
});

describe('Operations', () => {
  it("infers each handler's request type under `satisfies Operations`", () => {
    const ops = {
      lookup(req) {
        expectTypeOf(req).toEqualTypeOf<LookupRequest>();
        req.replyEntry({ ino: 2, attr: { mode: 0o100644 } });
      },
      getattr(req) {
        expectTypeOf(req).toEqualTypeOf<GetattrRequest>();
        req.replyAttr({ mode: 0o40755 }, 1);
      },
      readlink(req) {
        expectTypeOf(req).toEqualTypeOf<ReadlinkRequest>();
        // @ts-expect-error readlink has no replyAttr
        req.replyAttr({ mode: 0 });
      },
      async read(req) {
        expectTypeOf(req).toEqualTypeOf<ReadRequest>();
        await Promise.resolve();
        req.replyBuf(Buffer.alloc(0));
      },
      forget(req) {
        expectTypeOf(req).toEqualTypeOf<ForgetRequest>();
      },
      init(conn) {
        expectTypeOf(conn).toEqualTypeOf<ConnectionInfo>();
        expectTypeOf(conn.want).toEqualTypeOf<number>();
        conn.maxReadahead = 0;
      },
      destroy() {},
    } satisfies Operations;
    expectTypeOf(ops.lookup).parameter(0).toEqualTypeOf<LookupRequest>();
  });

  it('handlers return void or a promise of void', () => {
    expectTypeOf<HandlerResult>().toEqualTypeOf<void | Promise<void>>();
    expectTypeOf<ReturnType<NonNullable<Operations['getattr']>>>().toEqualTypeOf<HandlerResult>();
    expectTypeOf<ReturnType<NonNullable<Operations['forget']>>>().toEqualTypeOf<void>();
  });

  it('rejects unknown operations and handlers of the wrong request type', () => {
    ({
      // @ts-expect-error not an operation
      lokup() {},
    }) satisfies Operations;
    ({
      // @ts-expect-error getattr gets a GetattrRequest, which has no replyEntry
      getattr(req: LookupRequest) {
        req.replyEntry(entry);
      },
    }) satisfies Operations;
    ({
      getattr(req) {
        // @ts-expect-error getattr requests have no replyEntry
        req.replyEntry(entry);
      },
    }) satisfies Operations;
  });

  it('OperationName lists the request operations, without init/destroy', () => {
    expectTypeOf<'lookup'>().toMatchTypeOf<OperationName>();
    expectTypeOf<'forget'>().toMatchTypeOf<OperationName>();
    expectTypeOf<'listxattr'>().toMatchTypeOf<OperationName>();
    expectTypeOf<'init'>().not.toMatchTypeOf<OperationName>();
    expectTypeOf<'destroy'>().not.toMatchTypeOf<OperationName>();
  });
});

describe('values', () => {
  it('Attr requires mode; timestamps are Date, ms number or ns bigint', () => {
    expectTypeOf<Timestamp>().toEqualTypeOf<Date | number | bigint>();
    ({ mode: 0o100644, mtime: new Date(), atime: 1.5, ctime: 1n }) satisfies Attr;
    // @ts-expect-error mode is required
    ({ size: 1 }) satisfies Attr;
    // @ts-expect-error timestamps are not strings
    ({ mode: 0, mtime: '2020-01-01' }) satisfies Attr;
  });

  it('Entry requires ino and attr', () => {
    ({ ino: 2, attr: { mode: 0 }, attrTimeout: 1, entryTimeout: 1, generation: 0 }) satisfies Entry;
    // @ts-expect-error attr is required
    ({ ino: 2 }) satisfies Entry;
  });

  it('FuseError takes errno names or numbers', () => {
    new FuseError('ENOENT');
    new FuseError(2, 'message');
    // @ts-expect-error not an errno name
    new FuseError('ENOPE');
    expectTypeOf<FuseError['errno']>().toEqualTypeOf<number>();
    expectTypeOf<FuseError['code']>().toEqualTypeOf<string>();
  });
});

describe('mount and Session', () => {
  it('mount(mountpoint, ops, options?) resolves to a Session', () => {
    expectTypeOf(mount).parameters.toEqualTypeOf<[mountpoint: string, ops: Operations, options?: MountOptions]>();
    expectTypeOf(mount).returns.resolves.toEqualTypeOf<Session>();
    ({ threads: 2, fsName: 'x', debug: true, unmountTimeout: 100, mountOptions: ['noatime'] }) satisfies MountOptions;
    // @ts-expect-error unknown option
    ({ thread: 2 }) satisfies MountOptions;
    // @ts-expect-error threads is a number
    ({ threads: '2' }) satisfies MountOptions;
  });

  it('session events are typed', () => {
    const session = {} as Session;
    session.on('error', (error, op) => {
      expectTypeOf(error).toEqualTypeOf<Error>();
      expectTypeOf(op).toEqualTypeOf<string>();
    });
    session.on('unmount', (...args) => {
      expectTypeOf(args).toEqualTypeOf<[]>();
    });
    session.once('error', () => {});
    // @ts-expect-error no such event
    session.on('mount', () => {});
    // @ts-expect-error the error listener gets (Error, string)
    session.on('error', (_error: Error, _op: number) => {});
    expectTypeOf<SessionEvents['error']>().toEqualTypeOf<[error: Error, op: string]>();
    expectTypeOf<SessionEvents['unmount']>().toEqualTypeOf<[]>();
  });

  it('Session members', () => {
    expectTypeOf<Session['unmount']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<Session['closed']>().toEqualTypeOf<Promise<void>>();
    expectTypeOf<Session['mountpoint']>().toEqualTypeOf<string>();
    expectTypeOf<Session['mounted']>().toEqualTypeOf<boolean>();
    expectTypeOf<Session['inflight']>().toEqualTypeOf<number>();
    expectTypeOf<Session['conn']>().toEqualTypeOf<ConnectionInfo>();
    expectTypeOf<Session['unref']>().returns.toEqualTypeOf<Session>();
  });
});

describe('runtime-only checks stay out of type tests', () => {
  it('Request is an abstract class', () => {
    // @ts-expect-error cannot construct an abstract class
    new Request();
  });
});
