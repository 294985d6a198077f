/**
 * A filesystem mounted on a fresh temporary directory for a test, driven from
 * child processes, and always unmounted.
 * @module
 */
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mount } from '../mount.js';
import { unmountStale } from '../mountpoint.js';
import type { Operations } from '../operations.js';
import type { MountOptions } from '../options.js';
import type { Session } from '../session.js';
import { type ChildOptions, type ChildResult, runChild } from './child.js';
import { type ChildFunction, runFunctionInChild } from './child-function.js';

/** Options of {@link mountTemp}: the mount's own, and the test's. */
export interface TempMountOptions extends MountOptions {
  /**
   * The temporary mountpoint is `<prefix>XXXXXX` (a relative prefix is taken from the current directory).
   * Default: `<os.tmpdir()>/fuse-lowlevel-mount-`.
   */
  prefix?: string;
  /** Deadline of each child function ({@link TempMount.run}), in ms. Default: 30000. */
  timeoutMs?: number;
}

/** Options of {@link withMount}. */
export interface WithMountOptions<A extends unknown[]> extends TempMountOptions {
  /** Arguments passed to the child function after the mountpoint and context (structured-cloned). */
  args?: A;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Tests want a hung request answered (EIO) soon rather than the session's default 5 s. */
const DEFAULT_UNMOUNT_TIMEOUT_MS = 2000;

/**
 * A filesystem mounted on a temporary directory by {@link mountTemp}. Act on
 * it with {@link TempMount.run} and {@link TempMount.exec}, which use child
 * processes; unmount it with {@link TempMount.unmount} or `await using`.
 */
export class TempMount {
  readonly #timeoutMs: number;
  #unmounting: Promise<void> | undefined;

  /** @internal */
  constructor(
    /** The absolute path of the mountpoint. */
    readonly mountpoint: string,
    /** The session serving it (for notifications, events, or its own `unmount()`). */
    readonly session: Session,
    timeoutMs: number,
  ) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Runs `fn(mountpoint, context, ...args)` in a child Node.js process, where
   * sync `fs` calls on the mount are safe, and resolves with its result.
   * Only the function's source reaches the child: it must be self-contained.
   * Rejects with a {@link ChildFunctionError} carrying the thrown error's
   * message and `code` when it throws.
   * @example
   * const names = await m.run((dir, { fs }) => fs.readdirSync(dir));
   */
  run<A extends unknown[], R>(fn: ChildFunction<A, R>, ...args: A): Promise<Awaited<R>> {
    return runFunctionInChild(fn, this.mountpoint, args, this.#timeoutMs);
  }

  /**
   * Runs a command (`ls`, `sh`, `python3` …) in a child process with a
   * deadline; resolves with its exit status and output, whatever they are.
   * Its working directory is `/` unless given (never a directory on this mount:
   * see the module docs of `child`).
   */
  exec(command: string, args: readonly string[] = [], options: ChildOptions = {}): Promise<ChildResult> {
    return runChild(command, args, { timeoutMs: this.#timeoutMs, ...options });
  }

  /**
   * Unmounts (answering requests still in flight EIO after the session's
   * `unmountTimeout`), detaches the mount lazily if that failed, and removes
   * the mountpoint. Safe to call more than once.
   */
  unmount(): Promise<void> {
    this.#unmounting ??= removeMount(this.session, this.mountpoint);
    return this.#unmounting;
  }

  /** `await using m = await mountTemp(ops)` unmounts at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.unmount();
  }
}

/**
 * Mounts `operations` on a fresh temporary directory. Unmount it with
 * {@link TempMount.unmount} in a `finally`, or with `await using`.
 * @example
 * await using m = await mountTemp(myOperations());
 * expect(await m.run((dir, { fs }) => fs.readFileSync(`${dir}/hello`, 'utf8'))).toBe('hi\n');
 */
export async function mountTemp(operations: Operations, options: TempMountOptions = {}): Promise<TempMount> {
  const { prefix, timeoutMs, ...mountOptions } = options;
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError(`mountTemp: options.timeoutMs must be a positive integer (ms), got ${String(timeoutMs)}`);
  }
  const mountpoint = resolve(await mkdtemp(prefix ?? join(tmpdir(), 'fuse-lowlevel-mount-')));
  let session: Session;
  try {
    session = await mount(mountpoint, operations, { unmountTimeout: DEFAULT_UNMOUNT_TIMEOUT_MS, ...mountOptions });
  } catch (error) {
    await rmdir(mountpoint).catch(() => {});
    throw error;
  }
  return new TempMount(mountpoint, session, timeoutMs ?? DEFAULT_TIMEOUT_MS);
}

/**
 * Mounts `operations` on a temporary directory, runs `fn(mountpoint, context,
 * ...args)` in a child Node.js process (so sync `fs` calls are safe), and
 * always unmounts — also when `fn` throws or times out. Resolves with what
 * `fn` returned.
 * @example
 * const text = await withMount(helloOperations(), (dir, { fs }) => fs.readFileSync(`${dir}/hello`, 'utf8'));
 */
export async function withMount<A extends unknown[], R>(
  operations: Operations,
  fn: ChildFunction<A, R>,
  options: WithMountOptions<A> = {},
): Promise<Awaited<R>> {
  const { args, ...rest } = options;
  const m = await mountTemp(operations, rest);
  try {
    return await m.run(fn, ...((args ?? []) as A));
  } finally {
    await m.unmount();
  }
}

/** Unmounts, falls back to a lazy detach, and removes the (then empty) mountpoint. */
async function removeMount(session: Session, mountpoint: string): Promise<void> {
  let failure: unknown;
  try {
    await session.unmount();
  } catch (error) {
    failure = error;
  }
  await unmountStale(mountpoint, { force: true }).catch(() => false);
  await rmdir(mountpoint).catch(() => {});
  if (failure !== undefined) throw failure;
}
