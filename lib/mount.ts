/**
 * `mount()`: checks the mountpoint, the handlers and the options, then mounts.
 * @module
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { native } from './addon.js';
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

async function checkMountpoint(path: string): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) typeError('mount', 'mountpoint', 'a non-empty path', path);
  const absolute = resolve(path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`mount: mountpoint ${absolute} does not exist; create the directory first`);
    if (code === 'ENOTCONN') {
      throw new Error(
        `mount: mountpoint ${absolute} is a dead FUSE mount; clean it up with: fusermount3 -u -z ${absolute}`,
      );
    }
    throw new Error(`mount: cannot use mountpoint ${absolute}: ${(error as Error).message}`);
  }
  if (!info.isDirectory()) throw new Error(`mount: mountpoint ${absolute} is not a directory`);
  return absolute;
}

async function checkDevice(): Promise<void> {
  try {
    await access('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      'mount: /dev/fuse is missing or not accessible; load the module (modprobe fuse) or, in a container, pass --device /dev/fuse',
    );
  }
}

/**
 * Mounts a filesystem at `mountpoint` and resolves once the kernel has
 * connected (after `ops.init`). Rejects with a clear error for a missing or
 * unusable mountpoint, no /dev/fuse, bad handlers or bad options.
 *
 * Handlers run on this thread: never use synchronous `fs.*Sync` calls on the
 * mount from this process — they would wait for a reply only this thread can give.
 */
export async function mount(mountpoint: string, ops: Operations, options?: MountOptions): Promise<Session> {
  const checkedOps = checkOperations(ops);
  const resolved = resolveOptions(options);
  const absolute = await checkMountpoint(mountpoint);
  await checkDevice();
  const session = new Session(absolute, checkedOps, resolved);
  await session._start();
  return session;
}
