/**
 * Errors: {@link FuseError} carries an errno to answer a request with; any
 * Node.js error with an errno `code` maps through the same table.
 * @module
 */
import { constants } from 'node:os';
import { getSystemErrorName } from 'node:util';

const BY_NAME: Readonly<Record<string, number>> = constants.errno;

/** The largest errno the kernel accepts in a reply (it rejects 512 and above, leaving the caller stuck). */
export const MAX_ERRNO = 511;

/** An errno name known to this platform, such as `'ENOENT'`. */
export type ErrnoName = keyof typeof constants.errno;

/** The errno number for a name (`'ENOENT'` → 2), or undefined when unknown. */
export function errnoOf(name: string): number | undefined {
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name] : undefined;
}

/** The errno name for a number (2 → `'ENOENT'`, as Node names it), or undefined when unknown. */
export function errnoName(errno: number): string | undefined {
  if (!Number.isInteger(errno) || errno <= 0 || errno > 4095) return undefined;
  const name = getSystemErrorName(-errno);
  if (!name.startsWith('Unknown')) return name;
  // libuv names only the errnos it uses; the platform table has the rest.
  return Object.keys(BY_NAME).find((key) => BY_NAME[key] === errno);
}

/** errnoName's answers, by errno (FuseError names its errno on every throw). */
const NAMES: (string | undefined)[] = [];

/**
 * The error a handler throws (or rejects with) to answer its request with an
 * errno: `throw new FuseError('ENOENT')`. It is an expected answer, not a bug,
 * so it records no stack trace (which would cost more than the whole request);
 * `req.replyError('ENOENT')` is cheaper still.
 */
export class FuseError extends Error {
  /** The errno number sent to the kernel. */
  readonly errno: number;
  /** The errno name, like Node's `err.code`. */
  readonly code: string;

  /** @param errno an errno name (`'ENOENT'`) or a positive errno number. */
  constructor(errno: ErrnoName | number, message?: string) {
    const n = typeof errno === 'number' ? errno : errnoOf(errno);
    if (n === undefined || !Number.isInteger(n) || n <= 0 || n > MAX_ERRNO) {
      throw new RangeError(
        `FuseError: errno must be a known errno name or an integer 1..${MAX_ERRNO}, got ${String(errno)}`,
      );
    }
    NAMES[n] ??= errnoName(n) ?? `E${n}`;
    const code = NAMES[n];
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message ?? code);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = 'FuseError';
    this.errno = n;
    this.code = code;
  }
}

/** EIO, the answer for anything that is not an errno. */
export const EIO: number = BY_NAME.EIO ?? 5;

/** EINTR, the answer for a request whose handler gave up because the request was interrupted. */
export const EINTR: number = BY_NAME.EINTR ?? 4;

/**
 * Whether `error` is an abort: a `DOMException` named AbortError (what
 * `signal.throwIfAborted()` and `fetch` throw) or Node's `AbortError`
 * (code `ABORT_ERR`, what `timers/promises` and `fs.promises` reject with).
 */
export function isAbortError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return (error as { name?: unknown }).name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR';
}

/**
 * The errno an error thrown by a handler maps to, and whether it was an
 * expected errno (FuseError or a Node errno error) or an unexpected throw.
 * With `interrupted` (the request's `signal` was aborted by the kernel), an
 * AbortError is the expected outcome and answers EINTR.
 */
export function errnoFromError(error: unknown, interrupted = false): { errno: number; expected: boolean } {
  if (error instanceof FuseError) return { errno: error.errno, expected: true };
  if (interrupted && isAbortError(error)) return { errno: EINTR, expected: true };
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    const n = errnoOf(error.code);
    if (n !== undefined) return { errno: n, expected: true };
  }
  return { errno: EIO, expected: false };
}
