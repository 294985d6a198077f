/**
 * ioctl and poll.
 * @module
 */
import { native } from '../addon.js';
import { PollHandle } from '../poll-handle.js';
import { checkBytes, checkSize } from '../request.js';
import { object, rangeError, typeError, uint } from '../validate.js';
import { HandleRequest } from './base.js';
import type { Args } from './reply.js';

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

/**
 * ioctl: a device-specific command. Regular FUSE filesystems get the restricted
 * form: the kernel copies `input` in and `outputSize` bytes out, as encoded in
 * `cmd` (_IOR/_IOW). 32-bit compat ioctls (`flags & IOCTL.COMPAT`) are best answered ENOSYS.
 */
export class IoctlRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'ioctl';
  /** The command number. */
  readonly cmd: number;
  /** The caller's argument (an address, for retries). */
  readonly arg: number;
  /** IOCTL.* bits. */
  readonly flags: number;
  /** The bytes the kernel copied in from the caller. */
  readonly input: Buffer;
  /** How many bytes the caller can take back. */
  readonly outputSize: number;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.cmd = args[4];
    this.outputSize = args[5];
    this.flags = args[6];
    this.arg = args[11] ?? 0;
    this.input = args[13] as Buffer;
  }
  /** Answers with the ioctl's return value and, optionally, output bytes (at most `outputSize`). */
  replyIoctl(result: number, output?: Uint8Array): void {
    const id = this._take('replyIoctl');
    try {
      if (typeof result !== 'number') typeError('ioctl.replyIoctl', 'result', 'a 32-bit integer', result);
      if (!Number.isInteger(result) || result < -0x80000000 || result > 0x7fffffff) {
        rangeError('ioctl.replyIoctl', 'result', 'a 32-bit integer', result);
      }
      if (output !== undefined) {
        checkBytes('ioctl.replyIoctl', 'output', output);
        checkSize('ioctl.replyIoctl', 'output', output.byteLength, this.outputSize);
      }
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyIoctl(id, result, output));
  }
  /**
   * Asks the kernel to retry with these regions of the caller's memory copied
   * in and out (unrestricted ioctls only: CUSE, or `flags & IOCTL.UNRESTRICTED`).
   */
  replyIoctlRetry(input: readonly IoctlRegion[], output: readonly IoctlRegion[]): void {
    const id = this._take('replyIoctlRetry');
    let inRegions: Float64Array = new Float64Array(0);
    let outRegions: Float64Array = new Float64Array(0);
    try {
      inRegions = regions('ioctl.replyIoctlRetry', 'input', input);
      outRegions = regions('ioctl.replyIoctlRetry', 'output', output);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyIoctlRetry(id, inRegions, outRegions));
  }
}

/**
 * poll: which of `events` (POLLIN, POLLOUT …) are ready now. Keep `handle` to
 * wake the poller later with `session.notifyPoll(handle)`.
 */
export class PollRequest extends HandleRequest {
  /** The operation's name. */
  readonly op = 'poll';
  /** The events the caller waits for. */
  readonly events: number;
  /** Present when the caller will sleep: notify it when an event becomes ready. */
  readonly handle: PollHandle | undefined;
  /** @internal */
  constructor(...args: Args) {
    super(...args);
    this.events = args[4];
    this.handle = args[13] === undefined ? undefined : new PollHandle(args[0], args[13]);
  }
  /** Answers with the events that are ready now (0 if none). */
  replyPoll(revents: number): void {
    const id = this._take('replyPoll');
    try {
      uint('poll.replyPoll', 'revents', revents, 0xffffffff);
    } catch (error) {
      this._sendInvalid(id, error);
    }
    this._sent(native.replyPoll(id, revents));
  }
}
