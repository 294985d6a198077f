/**
 * The POSIX suite's harness: every file operation runs in a child process
 * (python3 with prelude.py, or a real client such as gcc), never in the vitest
 * process, which may be serving the mount — not even the chdir of a spawn()
 * with `cwd` (see Workdir.sh). Every child has a deadline and runs in its own
 * process group, killed whole on timeout; a failure reports the operation,
 * the path and the errno.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildOptions, type ChildResult, describeFailure, runChild } from '../child.js';

const PRELUDE = fileURLToPath(new URL('./prelude.py', import.meta.url));

/** The errno name python reports for EOPNOTSUPP/ENOTSUP (the same number on Linux). */
export const EOPNOTSUPP = 'EOPNOTSUPP';

/** The uid/gid an unprivileged client runs as ("nobody"). */
export const NOBODY = 65534;

/** How the suite runs a child: {@link ChildOptions}, with the suite's environment by default. */
export interface SpawnOptions extends Omit<ChildOptions, 'runAs' | 'env'> {
  /** Default: the suite's small, predictable environment (PATH, LANG=C.UTF-8, TZ=UTC …). */
  env?: Record<string, string>;
  /** Run as uid/gid 65534 with no supplementary groups (setpriv). */
  asNobody?: boolean;
}

/** A small, predictable environment for children. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    HOME: '/nonexistent',
    TZ: 'UTC',
    ...extra,
  };
}

/** Runs a command in its own process group with a deadline; never throws for a non-zero exit. */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<ChildResult> {
  const { asNobody, env, ...rest } = options;
  return runChild(command, args, {
    ...rest,
    env: env ?? baseEnv(),
    ...(asNobody ? { runAs: { uid: NOBODY, gid: NOBODY } } : {}),
  });
}

/** The python3 that every user can run (not a per-user shim such as pyenv's). */
export const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find(isExecutableByAll) ?? 'python3';

function isExecutableByAll(path: string): boolean {
  try {
    execFileSync('sh', ['-c', 'test -x "$1"', 'sh', path], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Which tools are installed, found once at collection time — before any mount
 * exists — by a child shell.
 */
export function findTools(names: readonly string[]): Set<string> {
  const script = 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; true';
  const found = execFileSync('sh', ['-c', script, 'sh', ...names], {
    encoding: 'utf8',
    env: baseEnv(),
    timeout: 10_000,
  });
  return new Set(found.split('\n').filter(Boolean));
}

/** A JSON object a python child printed with out() (tests narrow it with expect()). */
// biome-ignore lint/suspicious/noExplicitAny: a JSON value printed by a child; tests narrow it with expect().
export type Json = Record<string, any>;

/** One test's own directory on the target, and the ways to act on it from children. */
export class Workdir {
  constructor(
    /** The target's name, for messages. */
    readonly target: string,
    /** The absolute path of this directory. */
    readonly path: string,
    /** Called when a child times out (the suite then checks whether the filesystem still answers). */
    private readonly onTimeout?: (what: string) => Promise<void>,
  ) {}

  /** A path inside this directory. */
  p(...names: string[]): string {
    return join(this.path, ...names);
  }

  /** `[target] path`, for messages. */
  toString(): string {
    return `[${this.target}] ${this.path}`;
  }

  /**
   * Runs a python3 body (a raw tagged template: backslashes stay as written)
   * as root in a child with prelude.py; resolves with what it passed to out().
   */
  py<T = Json>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
    return this.python<T>(String.raw(strings, ...values), {});
  }

  /** Like py, as uid/gid 65534 with no supplementary groups. */
  nobody<T = Json>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
    return this.python<T>(String.raw(strings, ...values), { asNobody: true });
  }

  /** Runs a python3 body with options (a longer timeout, as nobody). */
  async python<T = Json>(body: string, options: SpawnOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? 20_000;
    const r = await spawnChild(PYTHON, ['-I', '-S', PRELUDE, this.path, body], { ...options, timeoutMs });
    if (r.code !== 0 || r.timedOut) {
      const firstLine = body.trim().split('\n')[0];
      const what = `${this} python child (${firstLine} …)`;
      if (r.timedOut) await this.onTimeout?.(what);
      throw new Error(describeFailure(what, r, timeoutMs));
    }
    return (r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout)) as T;
  }

  /**
   * Runs a shell script (sh -ex) in this directory; throws (with its output
   * and trace) unless it exits 0. The shell changes directory itself: a
   * spawn() with `cwd` on the mount would chdir in the forked child before
   * exec, while the parent's JS thread — the one serving the mount — waits
   * for that exec: a deadlock.
   */
  async sh(script: string, options: SpawnOptions = {}): Promise<ChildResult> {
    const timeoutMs = options.timeoutMs ?? 20_000;
    const r = await spawnChild('sh', ['-exc', `cd -- "$0"\n${script}`, this.path], { ...options, timeoutMs });
    if (r.code !== 0 || r.timedOut) {
      if (r.timedOut) await this.onTimeout?.(`${this} shell child`);
      throw new Error(describeFailure(`${this} shell child`, r, timeoutMs));
    }
    return r;
  }
}
