/**
 * Child processes with a deadline: the way tests act on a mount. A process
 * that serves a mount must not touch it with sync calls (its own JS thread
 * would wait for itself), so every client runs in a child. Each child runs in
 * its own process group, which is killed whole (SIGKILL) when the deadline
 * passes, and always starts in a directory off the mount: a spawn() whose
 * `cwd` is on the mount chdirs in the forked child before exec while the
 * parent, which serves that chdir, waits for the exec — a deadlock.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** What a finished child did. */
export interface ChildResult {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, or null. */
  signal: NodeJS.Signals | null;
  /** Everything it wrote to stdout (UTF-8). */
  stdout: string;
  /** Everything it wrote to stderr (UTF-8). */
  stderr: string;
  /** The command line, shortened, for messages. */
  command: string;
  /** Whether the deadline passed and the child's process group was killed. */
  timedOut: boolean;
}

/** How to run a child. */
export interface ChildOptions {
  /** Working directory; never a directory on a mount this process serves. Default: `/`. */
  cwd?: string;
  /** The whole environment of the child. Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds until the child's process group is killed with SIGKILL. Default: 15000. */
  timeoutMs?: number;
  /** Run as this uid/gid with no supplementary groups (through `setpriv`, which needs root). */
  runAs?: {
    /** The user id. */
    uid: number;
    /** The group id (and the only group). */
    gid: number;
  };
  /** Written to the child's stdin, which is then closed. Default: no stdin. */
  input?: string | Uint8Array;
}

/** A running child and the promise of its result. */
export interface StartedChild {
  /** The process (to signal it, for example). */
  child: ChildProcess;
  /** Resolves when the child has exited and its output is closed; rejects only when it could not start. */
  done: Promise<ChildResult>;
}

/** The default deadline of a child, in milliseconds. */
export const DEFAULT_CHILD_TIMEOUT_MS = 15_000;

/** Starts `command` with `args` in its own process group, with a deadline. */
export function startChild(command: string, args: readonly string[], options: ChildOptions = {}): StartedChild {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHILD_TIMEOUT_MS;
  const [cmd, argv] =
    options.runAs === undefined
      ? [command, [...args]]
      : [
          'setpriv',
          [`--reuid=${options.runAs.uid}`, `--regid=${options.runAs.gid}`, '--clear-groups', command, ...args],
        ];
  const shown = [cmd, ...argv].map((a) => (a.length > 80 ? `${a.slice(0, 77)}...` : a)).join(' ');
  const child = spawn(cmd, argv, {
    cwd: options.cwd ?? '/',
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true, // its own process group, so the deadline kills grandchildren too
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (options.input !== undefined) {
      child.stdin?.on('error', () => {}); // a child that exits without reading its input is not an error here
      child.stdin?.end(options.input);
    }
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${shown}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, command: shown, timedOut });
    });
  });
  return { child, done };
}

/** Runs `command` with `args` (see {@link startChild}); resolves with its result whatever its exit status. */
export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildResult> {
  return startChild(command, args, options).done;
}

/** A readable account of a child that failed: how it ended, its command line and its output. */
export function describeFailure(what: string, result: ChildResult, timeoutMs?: number): string {
  const status = result.timedOut
    ? `timed out after ${timeoutMs ?? '?'} ms (killed; a filesystem request may be hanging)`
    : `exited ${result.code ?? result.signal}`;
  const tail = (s: string) => (s.length > 6000 ? `...${s.slice(-6000)}` : s);
  const stdout = result.stdout.trim() ? `\n--- stdout ---\n${tail(result.stdout).trimEnd()}` : '';
  return `${what}: ${status}\n$ ${result.command}\n${tail(result.stderr).trimEnd()}${stdout}`;
}

/** Kills the child's whole process group. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
