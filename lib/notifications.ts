/**
 * Kernel notifications: the promises behind `session.notify*()` and
 * `session.retrieve()`. The addon writes each notification from a thread of
 * its own, so a notification can never block the JS thread, not even from a
 * handler of a request on the same inode.
 * @module
 */

import type { Session as NativeSession } from '../types/native.js';
import { native } from './addon.js';
import { errnoName, FuseError } from './errors.js';
import type { NameInput } from './names.js';
import { checkBytes } from './request.js';
import { fileName, positiveUint, uint } from './validate.js';

const ENOENT = 2;

interface Pending {
  resolve(value: boolean | Buffer): void;
  reject(error: Error): void;
  /** A retrieve waits for the kernel's data after the notification went out. */
  retrieve: boolean;
}

/** @internal The notification side of a session. */
export class Notifications {
  readonly #native: NativeSession;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  constructor(nativeSession: NativeSession) {
    this.#native = nativeSession;
  }

  invalInode(ino: unknown, offset: unknown, length: unknown): Promise<boolean> {
    const where = 'notifyInvalInode';
    return this.#send(
      where,
      native.NOTIFY.invalInode,
      positiveUint(where, 'ino', ino),
      uint(where, 'offset', offset),
      uint(where, 'length', length),
    ) as Promise<boolean>;
  }

  invalEntry(parent: unknown, name: unknown): Promise<boolean> {
    return this.#entry('notifyInvalEntry', native.NOTIFY.invalEntry, parent, name);
  }

  expireEntry(parent: unknown, name: unknown): Promise<boolean> {
    return this.#entry('notifyExpireEntry', native.NOTIFY.expireEntry, parent, name);
  }

  delete(parent: unknown, child: unknown, name: unknown): Promise<boolean> {
    const where = 'notifyDelete';
    return this.#send(
      where,
      native.NOTIFY.delete,
      positiveUint(where, 'parent', parent),
      positiveUint(where, 'child', child),
      0,
      fileName(where, 'name', name),
    ) as Promise<boolean>;
  }

  store(ino: unknown, offset: unknown, data: unknown): Promise<boolean> {
    const where = 'notifyStore';
    const bytes = checkBytes(where, 'data', data);
    return this.#send(
      where,
      native.NOTIFY.store,
      positiveUint(where, 'ino', ino),
      uint(where, 'offset', offset),
      0,
      undefined,
      bytes,
    ) as Promise<boolean>;
  }

  retrieve(ino: unknown, offset: unknown, size: unknown): Promise<Buffer> {
    const where = 'retrieve';
    return this.#send(
      where,
      native.NOTIFY.retrieve,
      positiveUint(where, 'ino', ino),
      uint(where, 'offset', offset),
      uint(where, 'size', size, 0xffffffff),
      undefined,
      undefined,
      true,
    ) as Promise<Buffer>;
  }

  /** The addon wrote notification `id` (errno 0) or could not. */
  notified(id: number, errno: number): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    if (errno === 0 && pending.retrieve) return; // the data follows in retrieved()
    this.#pending.delete(id);
    if (errno === 0) pending.resolve(true);
    else if (errno === ENOENT && !pending.retrieve) pending.resolve(false);
    else pending.reject(new FuseError(errno, `the kernel refused the notification: ${errnoName(errno) ?? errno}`));
  }

  /** The kernel answered retrieve `id` with the bytes it had cached. */
  retrieved(id: number, data: Buffer): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    pending.resolve(data);
  }

  /** The session closed: nothing pending will be answered. */
  close(): void {
    this.#closed = true;
    const error = new Error('the session was closed before the kernel answered the notification');
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  /** A notification about the name `name` in directory `parent`. */
  #entry(where: string, kind: number, parent: unknown, name: unknown): Promise<boolean> {
    return this.#send(
      where,
      kind,
      positiveUint(where, 'parent', parent),
      0,
      0,
      fileName(where, 'name', name),
    ) as Promise<boolean>;
  }

  #send(
    where: string,
    kind: number,
    ino: number,
    a: number,
    b: number,
    name?: NameInput,
    data?: Uint8Array,
    retrieve = false,
  ): Promise<boolean | Buffer> {
    if (this.#closed) return Promise.reject(new Error(`${where}: the session is closed`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, retrieve });
      if (!this.#native.notify(kind, id, ino, a, b, name, data)) {
        this.#pending.delete(id);
        reject(new Error(`${where}: the session is closed`));
      }
    });
  }
}
