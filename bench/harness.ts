/**
 * The benchmark harness: builds the C clients, the bench's own C servers and
 * libfuse's C example servers into bench/.build, runs servers on temp
 * mountpoints (always unmounted, also on errors and Ctrl+C), runs a client
 * against them, and reads each server's CPU time and memory from /proc.
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The package root (this file runs from dist/bench/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Build output: compiled clients and C servers (gitignored). */
export const BUILD_DIR = join(ROOT, 'bench', '.build');
/** Where runs write their JSON results (gitignored). */
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
/** libfuse's examples, as installed by libfuse3-dev. */
export const LIBFUSE_EXAMPLES = '/usr/share/doc/libfuse3-dev/examples';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function gcc(args: string[]): void {
  execFileSync('gcc', args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function fuseFlags(): string[] {
  return execFileSync('pkg-config', ['--cflags', '--libs', 'fuse3'], { encoding: 'utf8' }).trim().split(/\s+/);
}

/** Compiles bench/client/<name>.c into bench/.build/<name>; returns its path. */
export function buildClient(name: string): string {
  mkdirSync(BUILD_DIR, { recursive: true });
  const out = join(BUILD_DIR, name);
  gcc(['-O2', '-Wall', '-Wextra', '-pthread', join(ROOT, 'bench', 'client', `${name}.c`), '-o', out]);
  return out;
}

/** Compiles the bench's own C server bench/servers/<name>.c (against libfuse3) into bench/.build/<name>. */
export function buildServer(name: string): string {
  mkdirSync(BUILD_DIR, { recursive: true });
  const out = join(BUILD_DIR, name);
  gcc(['-O2', '-Wall', '-Wextra', '-pthread', join(ROOT, 'bench', 'servers', `${name}.c`), '-o', out, ...fuseFlags()]);
  return out;
}

/**
 * Compiles libfuse's example `<example>.c` into bench/.build/<out>, after
 * `patch` (which must change what it means to) rewrote the source.
 */
export function buildLibfuseExample(
  example: string,
  out: string,
  patch: (source: string) => string = (s) => s,
): string {
  const source = join(LIBFUSE_EXAMPLES, `${example}.c`);
  if (!existsSync(source)) throw new Error(`${source} is missing: apt-get install libfuse3-dev`);
  mkdirSync(BUILD_DIR, { recursive: true });
  const patched = join(BUILD_DIR, `${out}.c`);
  writeFileSync(patched, patch(readFileSync(source, 'utf8')));
  const binary = join(BUILD_DIR, out);
  gcc(['-O2', '-Wall', '-I', LIBFUSE_EXAMPLES, patched, '-o', binary, ...fuseFlags()]);
  return binary;
}

/** Replaces `from` by `to` exactly `count` times in `source`, or throws. */
export function replaceExactly(source: string, from: string, to: string, count: number): string {
  const parts = source.split(from);
  if (parts.length - 1 !== count) {
    throw new Error(`expected ${count} occurrence(s) of ${JSON.stringify(from)}, found ${parts.length - 1}`);
  }
  return parts.join(to);
}

/** Whether `path` is a mountpoint now. */
export function isMounted(path: string): boolean {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1]?.replace(/\\040/g, ' ') === path);
}

let serverLog = (name: string, line: string): void => {
  process.stderr.write(`[${name}] ${line}\n`);
};

/** Sets where the servers' stderr lines go (by default: stderr, prefixed with the server's name). */
export function setServerLog(log: (name: string, line: string) => void): void {
  serverLog = log;
}

const until = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A FUSE server process serving one mountpoint. */
export class Server {
  readonly name: string;
  readonly mountpoint: string;
  readonly child: ChildProcess;
  /** Lines the server printed on stdout. */
  readonly lines: string[] = [];
  #exited: Promise<void>;
  #exitCode: number | null | undefined;

  private constructor(name: string, mountpoint: string, child: ChildProcess) {
    this.name = name;
    this.mountpoint = mountpoint;
    this.child = child;
    this.#exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.#exitCode = code ?? (signal === null ? null : -1);
        resolve();
      }),
    );
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.lines.push(line));
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        // libfuse 3.14 prints this for every multithreaded loop started with the 3.4 API (its examples too).
        if (!/^Ignoring invalid max threads value/.test(line)) serverLog(name, line);
      });
    }
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.#exitCode === undefined;
  }

  /** How the process ended (exit code, or -1 for a signal), if it did. */
  get exitCode(): number | null | undefined {
    return this.#exitCode;
  }

  /** The server's pid. */
  get pid(): number {
    return this.child.pid as number;
  }

  /**
   * Waits for a stdout line, printed from now on, that `match` accepts
   * (returns what it returned); rejects after `timeoutMs` or if the server exits.
   */
  async waitForLine<T>(match: (line: string) => T | undefined, timeoutMs = 10_000): Promise<T> {
    const from = this.lines.length;
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.lines.length; i++) {
        const found = match(this.lines[i] as string);
        if (found !== undefined) return found;
      }
      if (!this.alive) throw new Error(`${this.name}: the server exited (${this.#exitCode})`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no expected line on stdout within ${timeoutMs} ms`);
      await until(5);
    }
  }

  /**
   * Starts `command args…` (which must mount `mountpoint`, made fresh here)
   * and waits until the mount appears, failing if the server exits first.
   */
  static async start(name: string, command: string, args: (mountpoint: string) => string[], timeoutMs = 10_000) {
    const mountpoint = mkdtempSync(join(tmpdir(), `fuse-lowlevel-bench-${name}-`));
    const child = spawn(command, args(mountpoint), { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new Server(name, mountpoint, child);
    live.add(server);
    const deadline = Date.now() + timeoutMs;
    while (!isMounted(mountpoint)) {
      if (server.#exitCode !== undefined) {
        await server.stop();
        throw new Error(`${name}: the server exited (${server.#exitCode}) before mounting ${mountpoint}`);
      }
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`${name}: ${mountpoint} did not appear in /proc/mounts within ${timeoutMs} ms`);
      }
      await until(10);
    }
    return server;
  }

  /** CPU seconds (user + system, all threads) the server has used so far. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  }

  /** The server's resident memory now, in bytes (VmRSS from /proc/PID/status). */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kib === undefined) throw new Error(`${this.name}: no VmRSS in /proc/${this.pid}/status`);
    return Number(kib) * 1024;
  }

  /**
   * Stops the server (SIGTERM: it unmounts), waits for it, and makes sure the
   * mount is gone (lazy fusermount3 -u -z) and the mountpoint removed.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.#exitCode === undefined) {
      this.child.kill('SIGTERM');
      const timedOut = await Promise.race([this.#exited.then(() => false), until(timeoutMs).then(() => true)]);
      if (timedOut) {
        this.child.kill('SIGKILL');
        await this.#exited;
      }
    }
    if (isMounted(this.mountpoint)) forceUnmount(this.mountpoint);
    try {
      rmdirSync(this.mountpoint);
    } catch {
      // not empty or still busy: leave the directory, never its contents
    }
    live.delete(this);
  }
}

function forceUnmount(mountpoint: string): void {
  try {
    execFileSync('fusermount3', ['-u', '-z', mountpoint], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Servers still running: stopped on any exit path. */
const live = new Set<Server>();

/** Stops every server still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers\n`);
    stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  // Last resort (synchronous): no mount may outlive the run.
  for (const server of live) {
    server.child.kill('SIGKILL');
    forceUnmount(server.mountpoint);
  }
});

function cpuTimes(): { idle: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), total };
}

/**
 * The fraction of all CPUs left idle over `ms`: a benchmark on a machine that
 * is busy with other work measures that work too.
 */
export async function idleFraction(ms = 1000): Promise<number> {
  const a = cpuTimes();
  await until(ms);
  const b = cpuTimes();
  return b.total === a.total ? 1 : (b.idle - a.idle) / (b.total - a.total);
}

/** What a bench client prints (see bench/client/harness.h). */
export interface ClientResult {
  op: string;
  path: string;
  threads: number;
  seconds: number;
  ops: number;
  /** Bytes read or written (data workloads). */
  bytes?: number;
  errors: number;
  first_error?: string;
  ops_per_sec: number;
  /** Decimal megabytes per second (data workloads). */
  mb_per_sec?: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
}

/**
 * Runs a client binary and returns its JSON result. A client still running
 * after `timeoutMs` (a hung filesystem) is killed and the run rejected.
 */
export function runClient(binary: string, args: string[], timeoutMs = 120_000): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (hung) {
        reject(
          new Error(`${binary} ${args.join(' ')}: no answer within ${timeoutMs / 1000} s (killed): a hung filesystem?`),
        );
        return;
      }
      try {
        const result = JSON.parse(out) as ClientResult;
        if (code !== 0 || result.errors > 0) {
          reject(
            new Error(`${binary} ${args.join(' ')}: exit ${code}, ${result.errors} errors (${result.first_error})`),
          );
        } else {
          resolve(result);
        }
      } catch {
        reject(new Error(`${binary} ${args.join(' ')}: exit ${code}, output ${JSON.stringify(out)}`));
      }
    });
  });
}

/** One client run against one server, with the server's CPU time over it. */
export interface Measurement extends ClientResult {
  server: string;
  round: number;
  /** Server CPU (user + system) per client operation, in µs. */
  cpu_us_per_op: number;
}

/** Runs the client against `server`, recording the server's CPU time around it. */
export async function measure(
  server: Server,
  binary: string,
  args: string[],
  round: number,
  timeoutMs?: number,
): Promise<Measurement> {
  const before = server.cpuSeconds();
  const result = await runClient(binary, args, timeoutMs);
  const cpu = server.cpuSeconds() - before;
  return { ...result, server: server.name, round, cpu_us_per_op: (cpu / result.ops) * 1e6 };
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Writes a run's results to bench/results/<name>-<time>.json; returns the path. */
export function saveResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

// --- counting pass: syscalls, FUSE requests, allocations ---------------------

/**
 * One `perf stat` counting one event (`-x,` CSV on stderr), started with its
 * events disabled and switched on and off through its control descriptors
 * (`--control fd:3,4`, each command acknowledged), so the count covers
 * exactly the client's run and none of perf's own start-up.
 */
export class PerfCounter {
  readonly #child: ChildProcess;
  readonly #event: string;
  #stderr = '';
  #acks = 0;
  #exited: Promise<number | null>;

  private constructor(event: string, child: ChildProcess) {
    this.#event = event;
    this.#child = child;
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.#stderr += d));
    const ack = child.stdio[4] as NodeJS.ReadableStream;
    ack.setEncoding('utf8');
    ack.on('data', (d: string) => (this.#acks += d.split('ack').length - 1));
    this.#exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Starts perf counting `event` for `target` (`['-p', pid]` or `['-a']`), disabled. */
  static start(event: string, target: string[], filter?: string): PerfCounter {
    const args = ['stat', '-x,', '-D', '-1', '--control', 'fd:3,4', '-e', event];
    if (filter !== undefined) args.push('--filter', filter);
    const child = spawn('perf', [...args, ...target], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    child.on('error', () => {});
    return new PerfCounter(event, child);
  }

  async #command(command: 'enable' | 'disable', timeoutMs = 5000): Promise<void> {
    const want = this.#acks + 1;
    (this.#child.stdio[3] as NodeJS.WritableStream).write(`${command}\n`);
    const deadline = Date.now() + timeoutMs;
    while (this.#acks < want) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`perf stat -e ${this.#event}: no ack for ${command}: ${this.#stderr.trim().slice(0, 300)}`);
      }
      await until(2);
    }
  }

  enable(): Promise<void> {
    return this.#command('enable');
  }

  disable(): Promise<void> {
    return this.#command('disable');
  }

  /** Stops perf and returns the count (throws when perf counted nothing or failed). */
  async stop(): Promise<number> {
    this.#child.kill('SIGINT');
    await Promise.race([this.#exited, until(5000).then(() => this.#child.kill('SIGKILL'))]);
    for (const line of this.#stderr.split('\n')) {
      const [value, , event] = line.split(',');
      if (event === this.#event && value !== undefined && /^\d+$/.test(value)) return Number(value);
    }
    throw new Error(`perf stat -e ${this.#event}: no count: ${this.#stderr.trim().slice(0, 300)}`);
  }
}

/**
 * Whether `perf stat` can count the tracepoints the counting pass needs
 * (raw_syscalls:sys_enter per process; fuse:fuse_request_send system-wide);
 * the reason when it cannot.
 */
export function perfSupport(): { syscalls: string | true; requests: string | true } {
  const probe = (event: string): string | true => {
    try {
      const out = execFileSync('perf', ['stat', '-x,', '-e', event, 'true'], {
        encoding: 'utf8',
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      void out;
      return true;
    } catch (error) {
      const e = error as { stderr?: string; code?: string; message: string };
      if (e.code === 'ENOENT') return 'perf is not installed (Debian: linux-perf)';
      return `perf stat -e ${event} fails: ${(e.stderr ?? e.message).trim().split('\n')[0]}`;
    }
  };
  return { syscalls: probe('raw_syscalls:sys_enter'), requests: probe('fuse:fuse_request_send') };
}

/**
 * The FUSE connection number of the mount at `mountpoint`, as the
 * fuse:fuse_request_send tracepoint names it: the kernel dev_t of the
 * superblock (major << 20 | minor), from stat's userspace encoding.
 */
export function fuseConnection(mountpoint: string): number {
  const dev = statSync(mountpoint).dev;
  const major = (dev >> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  return major * 2 ** 20 + minor;
}

/** What the counting pass should count. */
export interface CountOptions {
  /** Count the server's syscalls (perf, -p PID). */
  syscalls: boolean;
  /** Count the FUSE requests the kernel sent its mount (perf, system-wide, filtered by connection). */
  requests: boolean;
  /** Ask the server for its allocations (SIGUSR2; our Node servers and fuse-native only). */
  alloc: boolean;
  timeoutMs?: number;
}

/** A counting pass's totals, with why a count is missing. */
export interface CountResult {
  ops: number;
  requests?: number;
  syscalls?: number;
  heap_bytes?: number;
  external_bytes?: number;
  gcs?: number;
  gc_ms?: number;
  /** Counts that failed, and why. */
  failures: string[];
}

/**
 * The counting pass: one client run, apart from the timed rounds, with perf
 * counting the server's syscalls and the FUSE requests of its mount, and the
 * server's allocation probe on (alloc.ts). Counting a tracepoint costs the
 * counted syscalls a little, which is why the rounds run without it.
 */
export async function countPass(
  server: Server,
  binary: string,
  args: string[],
  options: CountOptions,
): Promise<CountResult> {
  const failures: string[] = [];
  if (options.alloc) {
    const started = server.waitForLine((l) => (l === '{"alloc":"started"}' ? true : undefined));
    process.kill(server.pid, 'SIGUSR2');
    await started;
  }
  const counters: [keyof CountResult, PerfCounter][] = [];
  if (options.syscalls)
    counters.push(['syscalls', PerfCounter.start('raw_syscalls:sys_enter', ['-p', String(server.pid)])]);
  if (options.requests) {
    const filter = `connection == ${fuseConnection(server.mountpoint)}`;
    counters.push(['requests', PerfCounter.start('fuse:fuse_request_send', ['-a'], filter)]);
  }
  const live: [keyof CountResult, PerfCounter][] = [];
  for (const [key, counter] of counters) {
    try {
      await counter.enable();
      live.push([key, counter]);
    } catch (error) {
      failures.push(`${key}: ${(error as Error).message}`);
      await counter.stop().catch(() => 0);
    }
  }
  const result: CountResult = { ops: 0, failures };
  try {
    result.ops = (await runClient(binary, args, options.timeoutMs)).ops;
  } finally {
    for (const [key, counter] of live) {
      try {
        await counter.disable();
        (result as unknown as Record<string, number>)[key] = await counter.stop();
      } catch (error) {
        failures.push(`${key}: ${(error as Error).message}`);
        await counter.stop().catch(() => 0);
      }
    }
    if (options.alloc && server.alive) {
      const done = server.waitForLine((l) => {
        if (!l.startsWith('{"alloc":{')) return undefined;
        return (JSON.parse(l) as { alloc: Omit<CountResult, 'ops' | 'failures'> }).alloc;
      });
      process.kill(server.pid, 'SIGUSR2');
      Object.assign(result, await done);
    }
  }
  return result;
}
