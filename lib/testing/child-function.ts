/**
 * Runs a JavaScript function in a child Node.js process, where synchronous
 * `fs` calls on a mount this process serves are safe. The function travels as
 * its source text (so it must be self-contained: no variables from around it,
 * no imports — take what it needs from its `context` or `require` it); its
 * arguments and its result travel with the structured-clone algorithm
 * (`v8.serialize`: Buffers, Maps, Dates and BigInts arrive as themselves).
 * @module
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { type ChildResult, startChild } from './child.js';

/** What a child function gets besides the mountpoint: the Node modules it most likely needs. */
export interface ChildContext {
  /** `node:fs` (sync calls are safe here: this is not the process that serves the mount). */
  fs: typeof import('node:fs');
  /** `node:path`. */
  path: typeof import('node:path');
  /** `node:child_process`. */
  childProcess: typeof import('node:child_process');
}

/**
 * A function to run in a child process: called with the mountpoint, a
 * {@link ChildContext} and the arguments given to `run`. Its source is all
 * that reaches the child: it must not use variables or imports from around it.
 */
export type ChildFunction<A extends unknown[], R> = (mountpoint: string, context: ChildContext, ...args: A) => R;

/** A child function failed: it threw (its error's message, code and stack are kept), crashed or timed out. */
export class ChildFunctionError extends Error {
  /** The thrown error's `code` (e.g. `'ENOENT'`), when it had one. */
  readonly code: string | undefined;
  /** The thrown error's `errno`, when it had one. */
  readonly errno: number | undefined;
  /** Whether the child was killed because its deadline passed. */
  readonly timedOut: boolean;
  /** What the child wrote to stdout. */
  readonly stdout: string;
  /** What the child wrote to stderr. */
  readonly stderr: string;

  /** @internal */
  constructor(message: string, result: ChildResult, thrown?: ThrownInChild) {
    super(message);
    this.name = 'ChildFunctionError';
    this.code = thrown?.code;
    this.errno = thrown?.errno;
    this.timedOut = result.timedOut;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    if (thrown?.stack !== undefined)
      this.stack = `${this.stack ?? this.message}\n--- in the child ---\n${thrown.stack}`;
  }
}

/** An error thrown in the child, as it crosses back. */
interface ThrownInChild {
  name: string;
  message: string;
  code?: string;
  errno?: number;
  stack?: string;
}

/** What the child writes to its result file. */
type ChildOutcome = { ok: true; value: unknown } | { ok: false; error: ThrownInChild };

/**
 * The child's program (CommonJS): reads {source, mountpoint, args, resultFile}
 * from stdin, runs the function, and writes a ChildOutcome to resultFile.
 * `__name` is defined because bundlers that keep function names (esbuild's
 * keepNames, used by test runners) insert calls to it into function sources.
 */
const RUNNER = `'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
globalThis.__name = (target) => target;
const input = v8.deserialize(fs.readFileSync(0));
const context = { fs, path: require('node:path'), childProcess: require('node:child_process') };
function compile(source) {
  try {
    return (0, eval)('(' + source + ')');
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const holder = (0, eval)('({' + source + '})'); // a method: name(args) { ... }
    return Object.values(holder)[0];
  }
}
function describe(error) {
  if (error === null || typeof error !== 'object') return { name: 'Error', message: 'threw ' + String(error) };
  const out = { name: String(error.name), message: String(error.message), stack: String(error.stack) };
  if (typeof error.code === 'string') out.code = error.code;
  if (typeof error.errno === 'number') out.errno = error.errno;
  return out;
}
(async () => {
  let outcome;
  try {
    outcome = { ok: true, value: await compile(input.source)(input.mountpoint, context, ...input.args) };
  } catch (error) {
    outcome = { ok: false, error: describe(error) };
  }
  let bytes;
  try {
    bytes = v8.serialize(outcome);
  } catch (error) {
    bytes = v8.serialize({ ok: false, error: { name: 'DataCloneError',
      message: 'the function returned a value that cannot be sent back (' + error.message + ')' } });
  }
  fs.writeFileSync(input.resultFile, bytes);
})();
`;

/**
 * Runs `fn(mountpoint, context, ...args)` in a child Node.js process and
 * resolves with what it returned (or resolved with). Rejects with a
 * {@link ChildFunctionError} when it throws, crashes, or outlives `timeoutMs`
 * (its process group is then killed).
 */
export async function runFunctionInChild<A extends unknown[], R>(
  fn: ChildFunction<A, R>,
  mountpoint: string,
  args: A,
  timeoutMs: number,
): Promise<Awaited<R>> {
  const source = functionSource(fn);
  const work = await mkdtemp(join(tmpdir(), 'fuse-lowlevel-child-'));
  try {
    const resultFile = join(work, 'result');
    let input: Buffer;
    try {
      input = serialize({ source, mountpoint, args, resultFile });
    } catch (error) {
      throw new TypeError(`run: the arguments cannot be sent to a child process (${(error as Error).message})`);
    }
    const started = startChild(process.execPath, ['-e', RUNNER], { input, timeoutMs, cwd: process.cwd() });
    const result = await Promise.race([started.done, stuckAfter(timeoutMs + STUCK_GRACE_MS, started.child)]);
    if (result === undefined) {
      const stuck = { code: null, signal: null, stdout: '', stderr: '', command: 'node', timedOut: true };
      throw new ChildFunctionError(
        `the child function did not finish within ${timeoutMs} ms and was killed, but cannot exit: ` +
          'the filesystem has not answered one of its requests (unmounting answers it EIO)',
        stuck,
      );
    }
    forwardOutput(result);
    if (result.timedOut) {
      throw new ChildFunctionError(`the child function did not finish within ${timeoutMs} ms and was killed`, result);
    }
    const outcome = await readOutcome(resultFile);
    if (outcome === undefined) {
      const tail = result.stderr.trim().split('\n').slice(-20).join('\n');
      throw new ChildFunctionError(
        `the child process exited ${result.code ?? result.signal} without a result\n${tail}`,
        result,
      );
    }
    if (!outcome.ok)
      throw new ChildFunctionError(`${outcome.error.name}: ${outcome.error.message}`, result, outcome.error);
    return outcome.value as Awaited<R>;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * How long after its deadline a killed child may take to exit. A process
 * killed while the filesystem holds one of its requests cannot exit before
 * that request is answered (the kernel waits for it), and the answer may only
 * come from the unmount that follows: so stop waiting.
 */
const STUCK_GRACE_MS = 500;

/** Resolves with undefined after `ms`, unless the child has exited by then. */
function stuckAfter(ms: number, child: ChildProcess): Promise<undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    child.once('close', () => clearTimeout(timer));
  });
}

/** The function's source as an expression, or a TypeError for what cannot travel. */
function functionSource(fn: unknown): string {
  if (typeof fn !== 'function') throw new TypeError(`run: expected a function, got ${typeof fn}`);
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}$/.test(source)) {
    throw new TypeError('run: a native or bound function has no source to send to a child process');
  }
  return source;
}

async function readOutcome(file: string): Promise<ChildOutcome | undefined> {
  try {
    return deserialize(await readFile(file)) as ChildOutcome;
  } catch {
    return undefined;
  }
}

/** What the child printed shows up in this process's output, as a log of the test would. */
function forwardOutput(result: ChildResult): void {
  if (result.stdout !== '') process.stdout.write(result.stdout);
  if (result.stderr !== '') process.stderr.write(result.stderr);
}
