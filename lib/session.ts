/**
 * A mounted filesystem: delivers kernel requests to the handlers, turns handler
 * failures into errno replies, and unmounts cleanly.
 * @module
 */
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type { Session as NativeSession } from '../types/native.js';
import { native } from './addon.js';
import { CAP, ConnectionInfo } from './connection.js';
import { EIO, errnoFromError } from './errors.js';
import { OBJECT_SLOTS, OPERATION_NAMES, RECORD_WORDS } from './generated/operations.js';
import type { NameInput } from './names.js';
import { Notifications } from './notifications.js';
import type { Operations } from './operations.js';
import type { ResolvedOptions } from './options.js';
import { PollHandle } from './poll-handle.js';
import { track, untrack } from './process-hooks.js';
import { type Request, type RequestOwner, recordId } from './request.js';
import { ForgetRequest, REQUEST_CLASSES } from './requests/index.js';
import { typeError } from './validate.js';

type Handler = (this: Operations, req: Request) => unknown;

/** Events a session emits. */
export interface SessionEvents {
  /** A handler threw something that is not an errno, or a request was collected without a reply. */
  error: [error: Error, op: string];
  /** The filesystem is no longer mounted (by `unmount()` or from outside). */
  unmount: [];
}

/** Where a record's data (write payload, xattr value …) sits among its objects. */
const DATA_SLOT = 2;

/**
 * A mounted filesystem, returned by `mount()`. It keeps the process alive while
 * mounted (see `unref()`).
 */
export class Session extends EventEmitter<SessionEvents> {
  /** The absolute path the filesystem is mounted on. */
  readonly mountpoint: string;
  /** Resolves once the filesystem is unmounted, for any reason. */
  readonly closed: Promise<void>;
  #conn: ConnectionInfo | undefined;
  readonly #ops: Operations;
  readonly #options: ResolvedOptions;
  readonly #native: NativeSession;
  readonly #notifications: Notifications;
  readonly #handlers: (Handler | undefined)[];
  readonly #owner: RequestOwner;
  /** Requests a handler left unanswered, watched so that one collected without a reply is answered EIO. */
  readonly #registry: FinalizationRegistry<readonly [id: number, op: string]>;
  readonly #words: Uint32Array;
  readonly #objects: unknown[];
  readonly #interruptible = new Map<number, AbortController>();
  #inflight = 0;
  /** With requestTimeout: when each pending request was delivered. */
  #started: Map<Request, number> | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #drained: (() => void) | undefined;
  #state: 'mounting' | 'mounted' | 'closed' = 'mounting';
  #unmounting: Promise<void> | undefined;
  #resolveClosed!: () => void;
  #ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** The kernel's INIT arrived and ops.init has not finished yet. */
  #initRunning = false;

  /** @internal Use `mount()`. */
  constructor(mountpoint: string, ops: Operations, options: ResolvedOptions) {
    super();
    this.mountpoint = mountpoint;
    this.#ops = ops;
    this.#options = options;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.#handlers = [];
    const implemented: number[] = [];
    OPERATION_NAMES.forEach((name, op) => {
      const handler = (ops as Record<string, unknown>)[name];
      if (typeof handler === 'function') {
        this.#handlers[op] = handler as Handler;
        implemented.push(op);
      }
    });
    this.#owner = {
      settled: (req) => this.#settled(req),
      watchInterrupts: (req, controller) => {
        if (native.watchInterrupt(req._id)) this.#interruptible.set(req._id, controller);
      },
    };
    this.#registry = new FinalizationRegistry(([id, op]) => this.#collected(id, op));
    this.#native = new native.Session(implemented, {
      requests: (count) => this.#deliver(count),
      forget: (words) => this.#forget(words),
      init: (conn) => this.#init(conn),
      interrupt: (id) =>
        this.#interruptible.get(id)?.abort(new DOMException('the request was interrupted', 'AbortError')),
      ended: () => this._closeNow(),
      notified: (id, errno) => this.#notifications.notified(id, errno),
      retrieved: (id, data) => this.#notifications.retrieved(id, data),
      selfRequest: (op) => this.#warnSelfRequest(op),
    });
    this.#notifications = new Notifications(this.#native);
    [this.#words, this.#objects] = this.#native.requestSlab();
  }

  /** The connection negotiated in init (available once `mount()` resolved). */
  get conn(): ConnectionInfo {
    if (this.#conn === undefined) throw new Error('session.conn: the filesystem is not initialised yet');
    return this.#conn;
  }

  /** Requests delivered to handlers and not answered yet. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Whether the filesystem is still mounted. */
  get mounted(): boolean {
    return this.#state === 'mounted';
  }

  /** @internal Mounts and waits for the kernel's INIT to be handled. */
  async _start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.#ready = { resolve, reject };
    });
    this.#native.mount(this.mountpoint, this.#options.args, this.#options.threads, this.#options.maxRead);
    track(this);
    this.#startRequestDeadlines();
    const timer = setTimeout(
      () =>
        this.#ready?.reject(
          new Error(
            this.#initRunning
              ? 'mount: the init handler did not finish within 10 s (the promise it returned never settled)'
              : 'mount: the kernel did not send INIT within 10 s',
          ),
        ),
      10_000,
    );
    try {
      await ready;
      this.#state = 'mounted';
    } catch (error) {
      this._closeNow();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Unmounts: waits for requests in flight (up to the `unmountTimeout` option),
   * answers any left EIO, and resolves when the kernel has let go. Calling it
   * again returns the same promise.
   */
  unmount(): Promise<void> {
    if (this.#state === 'closed') return this.closed;
    this.#unmounting ??= this.#drain(this.#options.unmountTimeout).then(() => this._closeNow());
    return this.#unmounting;
  }

  /**
   * Drops the kernel's cached data of `ino` from `offset` for `length` bytes
   * (0: to the end of the file), and its cached attributes. Resolves false
   * when the kernel had nothing cached for the inode.
   *
   * Notifications are written from a thread of their own: calling one from a
   * handler, even of a request on the same inode, cannot deadlock — but the
   * kernel may only act once that request is answered, so do not await it
   * before replying.
   */
  notifyInvalInode(ino: number, offset = 0, length = 0): Promise<boolean> {
    return this.#notifications.invalInode(ino, offset, length);
  }

  /** Drops the kernel's cached entry `name` in directory `parent` (and the directory's attributes). */
  notifyInvalEntry(parent: number, name: NameInput): Promise<boolean> {
    return this.#notifications.invalEntry(parent, name);
  }

  /**
   * Marks the cached entry `name` in `parent` as expired, so the next access
   * looks it up again without detaching mounts on it. Needs a kernel with
   * `CAP.EXPIRE_ONLY` (rejects with a clear error otherwise).
   */
  notifyExpireEntry(parent: number, name: NameInput): Promise<boolean> {
    if (this.#conn !== undefined && !this.#conn.canDo(CAP.EXPIRE_ONLY)) {
      return Promise.reject(
        new Error('notifyExpireEntry: this kernel does not support expiring entries (CAP.EXPIRE_ONLY)'),
      );
    }
    return this.#notifications.expireEntry(parent, name);
  }

  /** Tells the kernel that `name` in `parent`, which was inode `child`, is gone (inotify watchers see a delete). */
  notifyDelete(parent: number, child: number, name: NameInput): Promise<boolean> {
    return this.#notifications.delete(parent, child, name);
  }

  /** Puts `data` into the kernel's page cache of `ino` at `offset` (extending the cached size if beyond it). */
  notifyStore(ino: number, offset: number, data: Uint8Array): Promise<boolean> {
    return this.#notifications.store(ino, offset, data);
  }

  /** Reads back up to `size` bytes the kernel has cached for `ino` from `offset` (fewer if pages are missing). */
  retrieve(ino: number, offset: number, size: number): Promise<Buffer> {
    return this.#notifications.retrieve(ino, offset, size);
  }

  /**
   * Wakes a caller waiting in poll/select/epoll on the file whose poll request
   * carried `handle`. Returns false if the notification could not be sent
   * (the kernel ignores handles it no longer waits on).
   */
  notifyPoll(handle: PollHandle): boolean {
    if (!(handle instanceof PollHandle)) typeError('notifyPoll', 'handle', 'a PollHandle from a poll request', handle);
    if (handle._owner !== this.#owner) throw new Error('notifyPoll: the handle belongs to another session');
    if (this.#state === 'closed') throw new Error('notifyPoll: the session is closed');
    return native.notifyPoll(handle._native) === 0;
  }

  /** Lets the process exit while mounted (like `net.Server.unref()`). */
  unref(): this {
    if (this.#state !== 'closed') this.#native.setRef(false);
    return this;
  }

  /** Keeps the process alive while mounted again (the default). */
  ref(): this {
    if (this.#state !== 'closed') this.#native.setRef(true);
    return this;
  }

  /** @internal Closes synchronously: pending requests get EIO, the mount goes away. */
  _closeNow(): void {
    if (this.#state === 'closed') return;
    const wasInitialised = this.#conn !== undefined;
    this.#state = 'closed';
    untrack(this);
    clearInterval(this.#deadlineTimer);
    this.#native.close();
    this.#inflight = 0;
    this.#interruptible.clear();
    this.#started?.clear();
    this.#notifications.close();
    this.#drained?.();
    this.#ready?.reject(new Error('mount: the filesystem was unmounted during init'));
    if (wasInitialised && this.#ops.destroy) {
      try {
        const result = this.#ops.destroy();
        if (result instanceof Promise) result.catch((error: unknown) => this.#report(error, 'destroy'));
      } catch (error) {
        this.#report(error, 'destroy');
      }
    }
    this.#resolveClosed();
    this.emit('unmount');
  }

  #drain(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#drained = done;
    });
  }

  /** `count` requests wait in the slab: build each one's request and call its handler. */
  #deliver(count: number): void {
    const words = this.#words;
    const objects = this.#objects;
    for (let i = 0; i < count && this.#state !== 'closed'; i++) {
      const at = i * RECORD_WORDS;
      const slot = i * OBJECT_SLOTS;
      const op = words[at] as number;
      const RequestClass = REQUEST_CLASSES[op];
      const handler = this.#handlers[op];
      let req: Request;
      try {
        if (RequestClass === undefined || handler === undefined) throw new Error(`no handler for operation ${op}`);
        req = new RequestClass(this.#owner, words, at, objects, slot);
      } catch (error) {
        native.replyErr(recordId(words, at), EIO);
        this.#report(error, OPERATION_NAMES[op] ?? 'unknown');
        continue;
      } finally {
        objects[slot + DATA_SLOT] = undefined; // the request holds its data now, not the slab
      }
      this.#inflight++;
      this.#started?.set(req, performance.now());
      let result: unknown;
      try {
        result = handler.call(this.#ops, req);
      } catch (error) {
        this.#failed(req, error);
        continue;
      }
      if (result instanceof Promise) result.catch((error: unknown) => this.#failed(req, error));
      if (!req.answered) {
        req._watched = true;
        this.#registry.register(req, [req._id, req.op], req);
      }
    }
  }

  #settled(req: Request): void {
    if (req._watched) this.#registry.unregister(req);
    this.#started?.delete(req);
    if (this.#state === 'closed') return; // closing answered it and reset the count
    this.#interruptible.delete(req._id);
    if (--this.#inflight === 0) this.#drained?.();
  }

  /** A handler threw or rejected: answer with its errno (or EIO) and report the unexpected. */
  #failed(req: Request, error: unknown): void {
    let errno = EIO;
    let expected = false;
    try {
      const interrupted = this.#interruptible.get(req._id)?.signal.aborted === true;
      ({ errno, expected } = errnoFromError(error, interrupted));
    } catch {
      // an exotic thrown value (a revoked Proxy …): EIO
    }
    const answered = req._fail(errno);
    if (!expected || !answered) this.#report(error, req.op);
  }

  /** A request was garbage-collected unanswered: answer EIO so the caller is not left waiting. */
  #collected(id: number, op: string): void {
    if (native.replyErr(id, EIO) === -1) return;
    this.#interruptible.delete(id);
    if (--this.#inflight === 0) this.#drained?.();
    this.#report(new Error(`${op}: the request was garbage-collected without a reply; it was answered EIO`), op);
  }

  /** With the requestTimeout option: answers EIO what waited longer, now and then. */
  #startRequestDeadlines(): void {
    const timeout = this.#options.requestTimeout;
    if (timeout === 0) return;
    const started = new Map<Request, number>();
    this.#started = started;
    this.#deadlineTimer = setInterval(
      () => {
        const now = performance.now();
        for (const [req, at] of started) {
          if (now - at < timeout) continue;
          if (req._fail(EIO)) {
            this.#report(new Error(`${req.op}: no reply within ${timeout} ms (requestTimeout); answered EIO`), req.op);
          }
        }
      },
      Math.max(10, Math.floor(timeout / 4)),
    );
    this.#deadlineTimer.unref();
  }

  #warnSelfRequest(op: number): void {
    process.emitWarning(
      `${this.mountpoint} got a ${OPERATION_NAMES[op] ?? 'request'} request from this very process (pid ${process.pid}). ` +
        'Its handlers run on this thread: a synchronous fs call (fs.*Sync) on the mount from this process never ' +
        'returns. Use fs.promises (and mind UV_THREADPOOL_SIZE) or another process. (Reported once per session.)',
      { code: 'FUSE_LOWLEVEL_SELF_REQUEST' },
    );
  }

  #forget(words: Uint32Array): void {
    const handler = this.#ops.forget;
    if (handler === undefined) return;
    try {
      handler.call(this.#ops, new ForgetRequest(words));
    } catch (error) {
      this.#report(error, 'forget');
    }
  }

  #init(values: Float64Array): void {
    const conn = new ConnectionInfo(values);
    this.#initRunning = true;
    const finish = (error?: unknown): void => {
      this.#initRunning = false;
      if (error === undefined) {
        try {
          conn._pack(values);
        } catch (packError) {
          error = packError;
        }
      }
      try {
        this.#native.finishInit(error === undefined ? values : null);
      } catch {
        return; // the session closed while init ran
      }
      if (error === undefined) {
        this.#conn = conn;
        this.#ready?.resolve();
      } else {
        this.#ready?.reject(error instanceof Error ? error : new Error(`init failed: ${String(error)}`));
      }
    };
    try {
      const result = this.#ops.init?.(conn);
      if (result instanceof Promise) result.then(() => finish(), finish);
      else finish();
    } catch (error) {
      finish(error);
    }
  }

  #report(error: unknown, op: string): void {
    let err: Error;
    try {
      err =
        error instanceof Error
          ? error
          : new Error(
              `${op}: a handler threw a non-Error value: ${typeof error === 'string' ? error : inspect(error)}`,
            );
    } catch {
      err = new Error(`${op}: a handler threw a value that cannot be described`);
    }
    if (this.listenerCount('error') > 0) {
      this.emit('error', err, op);
    } else {
      process.emitWarning(`fuse-lowlevel: ${op} handler failed: ${err.stack ?? err.message}`);
    }
    if (this.#options.debug) console.error(`fuse-lowlevel: ${op}:`, err);
  }
}
