/**
 * A poll handle: lets a filesystem wake a caller sleeping in poll/select/epoll.
 * @module
 */
import type { NativePollHandle } from '../types/native.js';
import type { RequestOwner } from './request.js';

/** Given with a poll request; pass it to `session.notifyPoll()` when an event becomes ready. */
export class PollHandle {
  /** @internal The session that received it. */
  readonly _owner: RequestOwner;
  /** @internal */
  readonly _native: NativePollHandle;

  /** @internal */
  constructor(owner: RequestOwner, handle: unknown) {
    this._owner = owner;
    this._native = handle as NativePollHandle;
  }
}
