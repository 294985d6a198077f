/**
 * ioctl and poll.
 * @module
 */
import { native } from '../addon.js';
import { IoctlFields, PollFields } from '../generated/operations.js';
import { PollHandle } from '../poll-handle.js';
import { checkBytes, checkSize, type RequestOwner } from '../request.js';
import { object, rangeError, typeError, uint } from '../validate.js';
import { POLL, type ReplyKind, reply } from './reply.js';

/** A region of the caller's memory, for an ioctl retry. */
export interface IoctlRegion {
  /** The address in the caller's process. */
  base: number;
  /** Its length in bytes. */
  length: number;
}

/** FUSE_IOCTL_* flags of {@link IoctlRequest.flags}. */
export const IOCTL = Object.freeze({
  /** A 32-bit ioctl on a 64-bit kernel. */
  COMPAT: 1 << 0,
  /** Not restricted to well-formed ioctls: retries allowed (CUSE). */
  UNRESTRICTED: 1 << 1,
  /** (reply flag) retry with new regions. */
  RETRY: 1 << 2,
  /** The handle is a directory's. */
  DIR: 1 << 4,
});

function regions(where: string, what: string, list: readonly IoctlRegion[]): Float64Array {
  if (!Array.isArray(list)) throw new TypeError(`${where}: ${what} must be an array of { base, length }`);
  const out = new Float64Array(list.length * 2);
  list.forEach((region: unknown, i: number) => {
    const r = object(where, `${what}[${i}]`, region);
    out[2 * i] = uint(where, `${what}[${i}].base`, r.base);
    out[2 * i + 1] = uint(where, `${what}[${i}].length`, r.length);
  });
  return out;
}

/** replyIoctl: the result, and output bytes (at most `max`). */
const IOCTL_RESULT: ReplyKind<number, { output: Uint8Array | undefined; max: number }> = {
  pack(where, _req, result, out) {
    if (typeof result !== 'number') typeError(where, 'result', 'a 32-bit integer', result);
    if (!Number.isInteger(result) || result < -0x80000000 || result > 0x7fffffff) {
      rangeError(where, 'result', 'a 32-bit integer', result);
    }
    if (out.output !== undefined) {
      checkBytes(where, 'output', out.output);
      checkSize(where, 'output', out.output.byteLength, out.max);
    }
  },
  send: (id, _req, result, out) => native.replyIoctl(id, result, out.output),
};

const NONE = new Float64Array(0);

/** replyIoctlRetry: the regions, packed as (base, length) pairs. */
const IOCTL_RETRY: ReplyKind<
  { input: readonly IoctlRegion[]; output: readonly IoctlRegion[] },
  { input: Float64Array; output: Float64Array }
> = {
  pack(where, _req, given, out) {
    out.input = regions(where, 'input', given.input);
    out.output = regions(where, 'output', given.output);
  },
  send: (id, _req, _given, out) => native.replyIoctlRetry(id, out.input, out.output),
};

/**
 * ioctl: a device-specific command. Regular FUSE filesystems get the restricted
 * form: the kernel copies `input` in and `outputSize` bytes out, as encoded in
 * `cmd` (_IOR/_IOW). 32-bit compat ioctls (`flags & IOCTL.COMPAT`) are best answered ENOSYS.
 */
export class IoctlRequest extends IoctlFields {
  /** Answers with the ioctl's return value and, optionally, output bytes (at most `outputSize`). */
  replyIoctl(result: number, output?: Uint8Array): void {
    reply(this, 'replyIoctl', IOCTL_RESULT, result, { output, max: this.outputSize });
  }
  /**
   * Asks the kernel to retry with these regions of the caller's memory copied
   * in and out (unrestricted ioctls only: CUSE, or `flags & IOCTL.UNRESTRICTED`).
   */
  replyIoctlRetry(input: readonly IoctlRegion[], output: readonly IoctlRegion[]): void {
    reply(this, 'replyIoctlRetry', IOCTL_RETRY, { input, output }, { input: NONE, output: NONE });
  }
}

/**
 * poll: which of `events` (POLLIN, POLLOUT …) are ready now. Keep `handle` to
 * wake the poller later with `session.notifyPoll(handle)`.
 */
export class PollRequest extends PollFields {
  /** Present when the caller will sleep: notify it when an event becomes ready. */
  readonly handle: PollHandle | undefined;
  /** @internal */
  constructor(owner: RequestOwner, words: Uint32Array, at: number, objects: readonly unknown[], slot: number) {
    super(owner, words, at, objects, slot);
    this.handle = this._pollHandle === undefined ? undefined : new PollHandle(owner, this._pollHandle);
  }
  /** Answers with the events that are ready now (0 if none). */
  replyPoll(revents: number): void {
    reply(this, 'replyPoll', POLL, revents, undefined);
  }
}
