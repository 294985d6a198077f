/**
 * `mount()`: checks the mountpoint, the handlers and the options, then mounts.
 * @module
 */
import { native } from './addon.js';
import { checkMountpoint, checkMountTools, onPath } from './mountpoint.js';
import type { Operations } from './operations.js';
import { type MountOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { signalsCovered } from './process-hooks.js';
import { Session } from './session.js';
import { object, typeError } from './validate.js';

const OPERATION_NAMES = new Set([...Object.keys(native.OP), 'init', 'destroy']);

function checkOperations(ops: unknown): Operations {
  const o = object('mount', 'ops', ops);
  for (const [key, value] of Object.entries(o)) {
    if (!OPERATION_NAMES.has(key)) {
      typeError('mount', `ops.${key}`, `an operation name (${[...OPERATION_NAMES].join(', ')})`, key);
    }
    if (value !== undefined && typeof value !== 'function') typeError('mount', `ops.${key}`, 'a function', value);
  }
  return o as Operations;
}

/**
 * A worker whose main thread has not loaded this library: SIGINT/SIGTERM
 * would end the process without anyone closing the worker's sessions, leaving
 * dead mounts. Mount with auto_unmount instead, so fusermount3 unmounts when
 * the process is gone (loading the library in the main thread avoids this).
 */
async function autoUnmountInWorker(resolved: ResolvedOptions): Promise<void> {
  if (!(await onPath('fusermount3'))) {
    process.emitWarning(
      'fuse-lowlevel: a worker mounts while the main thread has not loaded fuse-lowlevel, so SIGINT/SIGTERM ' +
        "cannot unmount it, and fusermount3 (for auto_unmount) is not installed: import 'fuse-lowlevel' in the main thread",
      { code: 'FUSE_LOWLEVEL_WORKER_UNCOVERED' },
    );
    return;
  }
  resolved.autoUnmount = true;
  resolved.args.unshift('-o', 'auto_unmount');
}

/**
 * Mounts a filesystem at `mountpoint` and resolves once the kernel has
 * connected (after `ops.init`). Rejects with a clear error for a missing or
 * unusable mountpoint, no /dev/fuse, bad handlers or bad options.
 *
 * Handlers run on this thread: never use synchronous `fs.*Sync` calls on the
 * mount from this process — they would wait for a reply only this thread can give.
 *
 * In a worker thread, the main thread's SIGINT/SIGTERM hooks close the
 * worker's sessions when the main thread has loaded this library; otherwise
 * (unless `autoUnmount` is given) the worker mounts with `autoUnmount`, so no
 * dead mount outlives the process.
 *
 * @param mountpoint An existing directory (a relative path resolves from
 *   the current directory). Mounting as non-root needs `fusermount3`.
 * @param ops The handlers, one per operation, named as in {@link Operations}
 *   (`lookup`, `getattr`, `read` …, plus `init` and `destroy`). Only the ones
 *   given are registered with the kernel; the others are answered `ENOSYS` or
 *   with libfuse's default.
 * @param options How to mount and serve: {@link MountOptions} (fsName,
 *   threads, cache and permission options, debug, timeouts …).
 * @returns The mounted {@link Session}: notifications, `conn`, events and
 *   `unmount()`.
 */
export async function mount(mountpoint: string, ops: Operations, options?: MountOptions): Promise<Session> {
  const checkedOps = checkOperations(ops);
  const resolved = resolveOptions(options);
  const absolute = await checkMountpoint(mountpoint);
  if (options?.autoUnmount === undefined && !(await signalsCovered())) await autoUnmountInWorker(resolved);
  await checkMountTools(resolved.autoUnmount);
  const session = new Session(absolute, checkedOps, resolved);
  await session._start();
  return session;
}
