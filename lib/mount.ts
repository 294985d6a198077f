/**
 * `mount()`: checks the mountpoint, the handlers and the options, then mounts.
 * @module
 */
import { native } from './addon.js';
import { checkMountpoint, checkMountTools } from './mountpoint.js';
import type { Operations } from './operations.js';
import { type MountOptions, resolveOptions } from './options.js';
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
 * Mounts a filesystem at `mountpoint` and resolves once the kernel has
 * connected (after `ops.init`). Rejects with a clear error for a missing or
 * unusable mountpoint, no /dev/fuse, bad handlers or bad options.
 *
 * Handlers run on this thread: never use synchronous `fs.*Sync` calls on the
 * mount from this process — they would wait for a reply only this thread can give.
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
  await checkMountTools(resolved.autoUnmount);
  const session = new Session(absolute, checkedOps, resolved);
  await session._start();
  return session;
}
