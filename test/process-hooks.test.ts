/**
 * The process-wide safety nets (lib/process-hooks.ts), each case in a child
 * Node process that mounts the hello example from dist/: SIGINT/SIGTERM that
 * the application does not handle unmount and let the process die of the
 * signal; a signal the application handles is left to it; process.exit(), an
 * uncaught exception and an unhandled rejection unmount; unref() lets a
 * mounted process end on its own while a default session keeps it alive.
 * The test checks /proc/mounts afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { cleanup, client, describeMount, isMounted, tempMountpoint, waitFor, within } from './helpers/fuse.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The child: mounts hello on argv[2] with `threads: argv[4]`, then behaves as
 * argv[3] says. It prints JSON lines: `{ ready, mounted }` once mounted, and
 * what happens after.
 */
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { mount } from ${JSON.stringify(join(ROOT, 'dist', 'lib', 'index.js'))};
import { helloOperations } from ${JSON.stringify(join(ROOT, 'dist', 'examples', 'hello.js'))};
const [dir, mode, threads] = process.argv.slice(2);
const print = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
const mountedHere = () => readFileSync('/proc/self/mounts', 'utf8').split('\\n').some((l) => l.split(' ')[1] === dir);
// Listeners beyond those present at start (Node itself has an 'exit' one during top-level await).
const raw = () => ({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM'), exit: process.listenerCount('exit') });
const base = raw();
const counts = () => { const now = raw(); return { SIGINT: now.SIGINT - base.SIGINT, SIGTERM: now.SIGTERM - base.SIGTERM, exit: now.exit - base.exit }; };
let session;
// The application's own SIGTERM handler: it reports, keeps serving, and unmounts and exits on SIGUSR2.
function appHandler(signal) {
  print({ appSignal: signal, mounted: session.mounted });
  process.once('SIGUSR2', () => session.unmount().then(() => { print({ unmounted: true }); process.exit(0); }));
}
if (mode === 'app-on-before') process.on('SIGTERM', appHandler);
if (mode === 'app-once-before') process.once('SIGTERM', appHandler);
if (mode === 'app-exits') process.on('SIGINT', () => { print({ appSignal: 'SIGINT' }); process.exit(0); });
const hello = helloOperations();
const held = [];
session = await mount(dir, {
  ...hello,
  lookup(req) {
    if (req.name === 'hang') { held.push(req); print({ held: held.length }); return; } // never answered
    return hello.lookup(req);
  },
}, { threads: Number(threads), fsName: 'process-hooks-test' });
if (mode === 'app-on-after') process.on('SIGTERM', appHandler);
if (mode === 'app-once-after') process.once('SIGTERM', appHandler);
print({ ready: true, mounted: mountedHere(), listeners: counts() });
switch (mode) {
  case 'exit':
    process.exit(0);
    break;
  case 'throw':
    setTimeout(() => { throw new Error('boom: uncaught in the child'); }, 1);
    break;
  case 'reject':
    Promise.reject(new Error('boom: unhandled rejection in the child'));
    break;
  case 'unref':
    session.unref();
    break;
  case 'unref-ref':
    session.unref().ref();
    break;
  case 'listeners': {
    const second = await mount(dir + '-second', hello, { threads: Number(threads) });
    print({ two: counts() });
    await second.unmount();
    print({ one: counts() });
    await session.unmount();
    print({ none: counts() });
    setInterval(() => undefined, 1000); // stay alive until the test signals
    break;
  }
}
`;

interface Child {
  process: ChildProcess;
  lines: Record<string, unknown>[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it has not exited yet. */
  alive(): boolean;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dirs.splice(0).reverse()) await cleanup(undefined, dir);
});

/** A work dir holding the script and the mountpoint `mnt` (and `mnt-second`). */
function workDir(): { script: string; dir: string } {
  const work = tempMountpoint();
  dirs.push(work);
  const dir = join(work, 'mnt');
  mkdirSync(dir);
  mkdirSync(`${dir}-second`);
  dirs.push(dir, `${dir}-second`);
  const script = join(work, 'child.mjs');
  writeFileSync(script, SCRIPT);
  return { script, dir };
}

/** Starts the child in `mode` and waits until it has mounted. */
async function startChild(mode: string, threads = 0, timeoutMs = 15_000): Promise<{ child: Child; dir: string }> {
  const { script, dir } = workDir();
  const proc = spawn(process.execPath, [script, dir, mode, String(threads)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    }),
  );
  const child: Child = {
    process: proc,
    lines,
    stderr: () => stderr,
    exited,
    alive: () => proc.exitCode === null && proc.signalCode === null,
  };
  await waitFor(() => lines.some((l) => l.ready === true) || !child.alive(), 10_000, `the child (${mode}) to mount`);
  expect(
    lines.find((l) => l.ready === true),
    stderr,
  ).toMatchObject({ ready: true, mounted: true });
  return { child, dir };
}

/** Reads hello through the mount from another process. */
const readHello = (dir: string) => client<string>(`out(fs.readFileSync('${dir}/hello', 'utf8'))`, 10_000);

/** A bounded "still alive after `ms`" check: the child must not exit within it. */
async function stillAliveAfter(child: Child, ms: number): Promise<boolean> {
  const outcome = await Promise.race([
    child.exited.then(() => 'exited'),
    new Promise<string>((resolve) => setTimeout(() => resolve('alive'), ms)),
  ]);
  return outcome === 'alive' && child.alive();
}

describeMount('SIGINT and SIGTERM that the application does not handle', () => {
  for (const threads of [0, 2]) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal} (threads: ${threads}): the mount is gone and the process died of ${signal}`, async () => {
        const { child, dir } = await startChild('plain', threads);
        expect(await readHello(dir)).toBe('Hello World!\n');
        child.process.kill(signal);
        const exit = await within(child.exited, 5000, `exit after ${signal}`);
        expect(exit, child.stderr()).toEqual({ code: null, signal });
        expect(await isMounted(dir)).toBe(false);
      });
    }
  }

  it('SIGTERM while a request waits for a reply: the caller gets an error at once, no hang', async () => {
    const { child, dir } = await startChild('hang');
    const caller = client<{ error?: string }>(`fs.statSync('${dir}/hang'); out({})`, 10_000);
    await waitFor(() => child.lines.some((l) => l.held === 1), 5000, 'the lookup to be held');
    const sentAt = Date.now();
    child.process.kill('SIGTERM');
    expect(await within(child.exited, 5000, 'exit after SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    const outcome = await within(caller, 5000, 'the caller');
    expect(['EIO', 'ENOTCONN', 'ECONNABORTED']).toContain(outcome.error);
    expect(Date.now() - sentAt).toBeLessThan(3000);
    expect(await isMounted(dir)).toBe(false);
  });
});

describeMount('a signal the application handles itself', () => {
  for (const mode of ['app-on-before', 'app-on-after', 'app-once-after', 'app-once-before']) {
    const how = `${mode.includes('once') ? 'process.once' : 'process.on'} ${mode.endsWith('before') ? 'before' : 'after'} mount()`;
    it(`SIGTERM with a handler (${how}): the handler runs, the mount stays until the app unmounts`, async () => {
      const { child, dir } = await startChild(mode);
      child.process.kill('SIGTERM');
      await waitFor(
        () => child.lines.some((l) => l.appSignal !== undefined) || !child.alive(),
        5000,
        "the app's handler",
      );
      expect(child.lines.find((l) => l.appSignal !== undefined)).toEqual({ appSignal: 'SIGTERM', mounted: true });
      // The library does not interfere: the process lives on, and the mount still serves.
      expect(await stillAliveAfter(child, 300), `the child exited: ${JSON.stringify(child.process.signalCode)}`).toBe(
        true,
      );
      expect(await isMounted(dir)).toBe(true);
      expect(await readHello(dir)).toBe('Hello World!\n');
      // Until the application unmounts (and exits).
      child.process.kill('SIGUSR2');
      expect(await within(child.exited, 5000, 'exit after the app unmounted')).toEqual({ code: 0, signal: null });
      expect(child.lines.some((l) => l.unmounted === true)).toBe(true);
      expect(await isMounted(dir)).toBe(false);
    });
  }

  it('SIGINT with a handler that calls process.exit(0): exit code 0, and the exit hook unmounted', async () => {
    const { child, dir } = await startChild('app-exits');
    child.process.kill('SIGINT');
    expect(await within(child.exited, 5000, 'exit')).toEqual({ code: 0, signal: null });
    expect(child.lines.some((l) => l.appSignal === 'SIGINT')).toBe(true);
    expect(await isMounted(dir)).toBe(false);
  });
});

describeMount('process exit while mounted', () => {
  for (const threads of [0, 2]) {
    it(`process.exit(0) (threads: ${threads}): exit code 0, the mount is gone`, async () => {
      const { child, dir } = await startChild('exit', threads);
      expect(await within(child.exited, 5000, 'exit')).toEqual({ code: 0, signal: null });
      expect(await isMounted(dir)).toBe(false);
    });
  }

  it('an uncaught exception: exit code 1, the mount is gone', async () => {
    const { child, dir } = await startChild('throw');
    expect(await within(child.exited, 5000, 'exit')).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toMatch(/boom: uncaught in the child/);
    expect(await isMounted(dir)).toBe(false);
  });

  it('an unhandled rejection: exit code 1, the mount is gone', async () => {
    const { child, dir } = await startChild('reject');
    expect(await within(child.exited, 5000, 'exit')).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toMatch(/boom: unhandled rejection in the child/);
    expect(await isMounted(dir)).toBe(false);
  });
});

describeMount('ref() and unref()', () => {
  for (const threads of [0, 2]) {
    it(`unref() (threads: ${threads}): the mounted process ends on its own, and the exit hook unmounts`, async () => {
      const { child, dir } = await startChild('unref', threads);
      expect(await within(child.exited, 5000, 'the process to end on its own')).toEqual({ code: 0, signal: null });
      expect(await isMounted(dir)).toBe(false);
    });

    it(`by default (threads: ${threads}) the session keeps the process alive and serving`, async () => {
      const { child, dir } = await startChild('plain', threads);
      expect(await stillAliveAfter(child, 500)).toBe(true);
      expect(await readHello(dir)).toBe('Hello World!\n');
      child.process.kill('SIGTERM');
      expect(await within(child.exited, 5000, 'exit')).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await isMounted(dir)).toBe(false);
    });
  }

  it('unref() then ref(): kept alive again', async () => {
    const { child, dir } = await startChild('unref-ref');
    expect(await stillAliveAfter(child, 500)).toBe(true);
    expect(await readHello(dir)).toBe('Hello World!\n');
  });
});

describeMount('the hooks themselves', () => {
  it('are installed once for several sessions and removed when the last one closes', async () => {
    const { child, dir } = await startChild('listeners');
    await waitFor(() => child.lines.some((l) => l.none !== undefined) || !child.alive(), 5000, 'both unmounts');
    const ready = child.lines.find((l) => l.ready === true);
    const at = (key: string) => child.lines.find((l) => l[key] !== undefined)?.[key];
    // One listener each while mounted (the test child registers none of its own).
    expect(ready?.listeners, child.stderr()).toEqual({ SIGINT: 1, SIGTERM: 1, exit: 1 });
    expect(at('two')).toEqual({ SIGINT: 1, SIGTERM: 1, exit: 1 });
    expect(at('one')).toEqual({ SIGINT: 1, SIGTERM: 1, exit: 1 });
    expect(at('none')).toEqual({ SIGINT: 0, SIGTERM: 0, exit: 0 });
    expect(await isMounted(dir)).toBe(false);
    expect(await isMounted(`${dir}-second`)).toBe(false);
  });
});
