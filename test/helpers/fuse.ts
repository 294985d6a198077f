/**
 * Test helpers for real mounts: skip loudly without /dev/fuse, mount on a
 * fresh temp dir, always unmount, and drive the mount from child processes
 * (never with sync fs calls from this thread, which serves the mount).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { MountOptions, Operations, Session } from '../../lib/index.js';
import {
  type ChildResult,
  fuseUnavailableReason,
  mountTemp,
  type StartedChild,
  startChild,
} from '../../lib/testing/index.js';

/** Every test mountpoint's directory name starts with this. */
export const TEST_ROOT_PREFIX = 'fuse-lowlevel-test-';
/**
 * This run's prefix: global setup names the run, so its teardown sweeps only
 * its own mounts, never those of another vitest run on the same machine.
 */
export const RUN_PREFIX = `${TEST_ROOT_PREFIX}${process.env.FUSE_LOWLEVEL_TEST_RUN ?? process.pid}-`;
/** The path prefix of this run's mountpoints (the test kit's `prefix` option). */
export const MOUNT_PREFIX = join(tmpdir(), RUN_PREFIX);

const unavailable = fuseUnavailableReason();

/** `describe` for tests that mount; skipped (with the reason in the name) without /dev/fuse. */
export const describeMount: typeof describe = (
  unavailable === undefined
    ? describe
    : (name: string, fn: () => void) => describe.skip(`${name} [SKIPPED: ${unavailable}]`, fn)
) as typeof describe;

/** A fresh empty directory for a mountpoint. */
export function tempMountpoint(): string {
  return mkdtempSync(MOUNT_PREFIX);
}

/** Unmounts `session` (and lazily detaches whatever is left on `dir`), then removes `dir`. */
export async function cleanup(session: Session | undefined, dir: string): Promise<void> {
  try {
    await session?.unmount();
  } finally {
    await new Promise<void>((resolve) => execFile('fusermount3', ['-u', '-z', dir], () => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Mounts `ops` on a temp dir (the test kit's mountTemp), runs `fn` in this
 * process with the mountpoint and the session, and always unmounts — even
 * when `fn` throws.
 */
export async function withSession<T>(
  ops: Operations,
  fn: (mountpoint: string, session: Session) => Promise<T>,
  options: MountOptions = {},
): Promise<T> {
  const m = await mountTemp(ops, { prefix: MOUNT_PREFIX, ...options });
  try {
    return await fn(m.mountpoint, m.session);
  } finally {
    await m.unmount();
  }
}

/** The outcome of a child process. */
export type Outcome = ChildResult;

/**
 * The environment of child `command`: this process's, except that a
 * preloaded libasan (scripts/test-asan.sh) goes to Node children only. The
 * other programs are not ours to check, and gcc 12's libasan aborts some of
 * them: `dd bs=1` asks aligned_alloc for 1 byte aligned to 4096, which C17
 * allows and it rejects.
 */
function childEnv(command: string): NodeJS.ProcessEnv {
  const preload = process.env.LD_PRELOAD;
  if (command === process.execPath || preload === undefined) return process.env;
  const kept = preload.split(/[: ]+/).filter((lib) => lib !== '' && !/\/libasan\.so/.test(lib));
  const { LD_PRELOAD: _, ...env } = process.env;
  return kept.length > 0 ? { ...env, LD_PRELOAD: kept.join(':') } : env;
}

/** Starts a child process with a deadline (its process group is killed after `timeoutMs`). */
export function spawnChild(command: string, args: readonly string[], timeoutMs = 15_000): StartedChild {
  return startChild(command, args, { timeoutMs, env: childEnv(command) });
}

/** Runs a command in a child process with a deadline (killed with SIGKILL after `timeoutMs`). */
export function run(command: string, args: readonly string[], timeoutMs = 15_000): Promise<Outcome> {
  return spawnChild(command, args, timeoutMs).done;
}

/** The start of every python3 client: common modules, and attempt(f), which
 * returns f() or {'error': 'ENOENT'}-style errno names. */
const PYTHON_PRELUDE = `import os, sys, json, errno, ctypes, struct, fcntl, select, time, hashlib
def attempt(f):
    try:
        return f()
    except OSError as e:
        return {'error': errno.errorcode.get(e.errno, str(e.errno))}
`;

/**
 * A runner of python3 clients (after PYTHON_PRELUDE and `extraPrelude`): the
 * script prints one JSON value, which the returned function resolves with;
 * `args` are its sys.argv[1..].
 */
export function python(extraPrelude = ''): <T = unknown>(script: string, ...args: string[]) => Promise<T> {
  return async <T = unknown>(script: string, ...args: string[]): Promise<T> => {
    const result = await run('python3', ['-c', `${PYTHON_PRELUDE}${extraPrelude}${script}`, ...args]);
    if (result.code !== 0) throw new Error(`python3 failed (${result.code ?? result.signal}): ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
}

/** Runs a shell command line (`sh -c`) in a child process. */
export function sh(script: string, timeoutMs?: number): Promise<Outcome> {
  return run('sh', ['-c', script], timeoutMs);
}

/**
 * Runs JavaScript in a child Node process (where sync fs calls on the mount are
 * safe) and returns what it printed as JSON: the script calls `out(value)`.
 */
export async function client<T = unknown>(script: string, timeoutMs?: number): Promise<T> {
  const wrapped = `const fs = require('node:fs'); const out = (v) => process.stdout.write(JSON.stringify(v));
try { ${script} } catch (e) { process.stdout.write(JSON.stringify({ error: e.code ?? String(e) })); }`;
  const result = await run(process.execPath, ['-e', wrapped], timeoutMs);
  if (result.code !== 0) throw new Error(`client failed (${result.code ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Waits until `check()` is true, polling, or throws after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with `promise`, or rejects once `ms` have passed. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `path` is a mountpoint in /proc/mounts. */
export async function isMounted(path: string): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  const mounts = await readFile('/proc/mounts', 'utf8');
  return mounts.split('\n').some((line) => line.split(' ')[1] === path);
}
