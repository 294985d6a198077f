/**
 * Lifecycle, on real mounts: mount() refusals, many requests at once, several
 * sessions, unmount with requests in flight, unmounts from outside, and the
 * CLI's signals, debug output and usage errors.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import {
  type LookupRequest,
  type MountOptions,
  mount,
  type Operations,
  type Session,
  unmountStale,
} from '../lib/index.js';
import {
  client,
  describeMount,
  isMounted,
  run,
  sh,
  tempMountpoint,
  waitFor,
  within,
  withSession,
} from './helpers/fuse.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'lib', 'cli.js');
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** What a rejected promise rejected with (fails the test if it resolved). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Mounts that a test made itself (outside withSession), unmounted after each test. */
const ownMounts: { session?: Session; dir: string }[] = [];
/** Long-running child processes of the test, killed after each test. */
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const { session, dir } of ownMounts.splice(0).reverse()) {
    await session?.unmount().catch(() => undefined);
    await run('fusermount3', ['-u', '-z', dir], 5000);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A long-running child process whose output is collected as it comes. */
interface Server {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string, args: readonly string[], timeoutMs = 20_000): Server {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

// ---------------------------------------------------------------------------

describe('mount() refuses clearly', () => {
  let scratch = '';
  beforeAll(() => {
    scratch = tempMountpoint();
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('a missing mountpoint', async () => {
    const missing = join(scratch, 'no-such-dir');
    const error = await rejectionOf(mount(missing, {}));
    expect(error.message).toBe(`mount: mountpoint ${missing} does not exist; create the directory first`);
  });

  it('a relative missing mountpoint, named by its absolute path', async () => {
    const error = await rejectionOf(mount('fuse-lowlevel-no-such-relative-dir', {}));
    expect(error.message).toBe(
      `mount: mountpoint ${join(process.cwd(), 'fuse-lowlevel-no-such-relative-dir')} does not exist; create the directory first`,
    );
  });

  it('an empty mountpoint', async () => {
    const error = await rejectionOf(mount('', {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('mount: mountpoint must be a non-empty path without NUL, got ""');
  });

  it('a file instead of a directory', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'x');
    const error = await rejectionOf(mount(file, {}));
    expect(error.message).toBe(`mount: mountpoint ${file} is not a directory`);
  });

  it('an unknown option key', async () => {
    const error = await rejectionOf(mount(scratch, {}, { bogus: true } as MountOptions));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^mount: options\.bogus must be one of the known options \(.*\), got "bogus"$/);
  });

  it('threads: 65 (more than 64)', async () => {
    const error = await rejectionOf(mount(scratch, {}, { threads: 65 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^mount: options\.threads must be .*, got 65$/);
  });

  it('threads of the wrong type', async () => {
    const error = await rejectionOf(mount(scratch, {}, { threads: '4' as never }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^mount: options\.threads must be .*, got "4"$/);
  });

  it('fsName with a comma (it would smuggle in mount options)', async () => {
    const error = await rejectionOf(mount(scratch, {}, { fsName: 'x,allow_other' }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('mount: options.fsName must be a non-empty string without commas, got "x,allow_other"');
  });

  it('an unknown operation name in ops', async () => {
    const error = await rejectionOf(mount(scratch, { lookup() {}, lokup() {} } as Operations));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^mount: ops\.lokup must be an operation name \(.*lookup.*\), got "lokup"$/);
  });

  it('a handler that is not a function', async () => {
    const error = await rejectionOf(mount(scratch, { getattr: 42 } as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('mount: ops.getattr must be a function, got 42');
  });

  it('ops that are not an object', async () => {
    const error = await rejectionOf(mount(scratch, null as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('mount: ops must be an object, got null');
  });

  it('leaves nothing mounted after refusing', async () => {
    await rejectionOf(mount(scratch, {}, { threads: -1 }));
    expect(await isMounted(scratch)).toBe(false);
  });
});

// ---------------------------------------------------------------------------

/** A root with one directory `sub` (cached a minute) and a name `hang` whose lookup is never answered. */
function hostFs(held: LookupRequest[]): Operations {
  const dirAttr = (ino: number) => ({ ino, mode: S_IFDIR | 0o755, nlink: 2 });
  return {
    lookup(req) {
      if (req.parent === 1 && req.name === 'sub') {
        return req.replyEntry({ ino: 2, attr: dirAttr(2), attrTimeout: 60, entryTimeout: 60 });
      }
      if (req.parent === 1 && req.name === 'hang') return void held.push(req); // never answered
      req.replyError('ENOENT');
    },
    getattr(req) {
      req.replyAttr(dirAttr(req.ino), 60);
    },
  };
}

describeMount('mount() on a directory of a FUSE filesystem', () => {
  it('served by this same process (a mount over a mount of ours): no self-request warning from its own check', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await withSession(hostFs([]), async (host) => {
        const inner = await mount(join(host, 'sub'), helloOperations());
        ownMounts.push({ session: inner, dir: join(host, 'sub') });
        expect(await client(`out(fs.readFileSync('${host}/sub/hello', 'utf8'))`)).toBe('Hello World!\n');
        await inner.unmount();
        await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => (w as { code?: string }).code === 'FUSE_LOWLEVEL_SELF_REQUEST')).toEqual([]);
  });

  it('whose server never answers: rejects within seconds, saying so', async () => {
    const held: LookupRequest[] = [];
    await withSession(
      hostFs(held),
      async (host) => {
        const started = Date.now();
        const error = await within(rejectionOf(mount(join(host, 'hang'), helloOperations())), 8000, 'the rejection');
        expect(error.message).toMatch(
          new RegExp(
            `^mount: mountpoint ${host}/hang did not answer a stat within 3 s: the FUSE filesystem it is on \\(.* on ${host}, fuse(\\.[a-z-]+)?\\) is not responding$`,
          ),
        );
        expect(Date.now() - started).toBeLessThan(5000);
        expect(held.length).toBeGreaterThan(0);
        for (const req of held) req.replyError('ENOENT');
      },
      { unmountTimeout: 200 },
    );
  });

  it('an init handler that never finishes is named in the error, not the kernel', async () => {
    const dir = tempMountpoint();
    ownMounts.push({ dir });
    const error = await rejectionOf(mount(dir, { ...helloOperations(), init: () => new Promise(() => undefined) }));
    expect(error.message).toBe(
      'mount: the init handler did not finish within 10 s (the promise it returned never settled)',
    );
    expect(await isMounted(dir)).toBe(false);
  }, 20_000);
});

// ---------------------------------------------------------------------------

/**
 * A filesystem whose root holds f0 … f{n-1}; file i has size i. Lookups are
 * cached for a minute, attributes not at all, so every stat of a known name is
 * one getattr. Once `stats.slow` is set, getattr is async and finishes out of
 * order (later arrivals often first).
 *
 * Concurrency is driven through getattr, not lookup: the kernel serializes
 * lookups in one directory unless the INIT reply carries FUSE_PARALLEL_DIROPS,
 * which libfuse before 3.16 never sends (libfuse/libfuse#861).
 */
function slowFiles(
  stats: { slow: boolean; arrived: number[]; done: number[]; peak: number },
  session: () => Session | undefined,
): Operations {
  const attrOf = (i: number) => ({ ino: 100 + i, mode: S_IFREG | 0o644, nlink: 1, size: i });
  return {
    lookup(req: LookupRequest) {
      const match = /^f(\d+)$/.exec(req.name);
      if (match === null) return req.replyError('ENOENT');
      const i = Number(match[1]);
      req.replyEntry({ ino: 100 + i, attr: attrOf(i), attrTimeout: 0, entryTimeout: 60 });
    },
    async getattr(req) {
      if (req.ino === 1) return req.replyAttr({ mode: S_IFDIR | 0o755, nlink: 2 }, 60);
      const i = req.ino - 100;
      if (stats.slow) {
        stats.arrived.push(i);
        stats.peak = Math.max(stats.peak, session()?.inflight ?? 0);
        await new Promise((r) => setTimeout(r, 30 - ((i * 7) % 29)));
        stats.done.push(i);
      }
      req.replyAttr(attrOf(i), 0);
    },
  };
}

/** Stats f0 … f{total-1} from `clients` child processes, each all at once; returns the sizes seen by name. */
async function statAll(dir: string, total: number, clients: number): Promise<Record<string, number | string>> {
  const per = Math.ceil(total / clients);
  const parts = await Promise.all(
    Array.from({ length: clients }, (_, c) =>
      client<Record<string, number | string>>(
        `process.env.UV_THREADPOOL_SIZE = '64';
         const names = Array.from({ length: ${per} }, (_, k) => 'f' + (${c * per} + k)).filter((n) => Number(n.slice(1)) < ${total});
         Promise.all(names.map((n) => fs.promises.stat('${dir}/' + n).then((s) => [n, s.size], (e) => [n, e.code])))
           .then((pairs) => out(Object.fromEntries(pairs)));`,
        20_000,
      ),
    ),
  );
  return Object.assign({}, ...parts);
}

describeMount('concurrency', () => {
  for (const threads of [0, 1, 4]) {
    it(`serves 200 parallel stats from 4 processes with out-of-order async handlers (threads: ${threads})`, async () => {
      const stats = { slow: false, arrived: [] as number[], done: [] as number[], peak: 0 };
      let current: Session | undefined;
      await withSession(
        slowFiles(stats, () => current),
        async (dir, session) => {
          current = session;
          // Warm-up: look every name up once (fast), so that the measured pass is all getattr.
          const warm = await client<number>(
            `let n = 0; for (let i = 0; i < 200; i++) n += fs.statSync('${dir}/f' + i).size; out(n);`,
            20_000,
          );
          expect(warm).toBe((199 * 200) / 2);
          stats.slow = true;
          const sizes = await statAll(dir, 200, 4);
          const expected: Record<string, number> = {};
          for (let i = 0; i < 200; i++) expected[`f${i}`] = i;
          expect(sizes).toEqual(expected);
          expect(stats.arrived).toHaveLength(200);
          expect(new Set(stats.arrived).size).toBe(200);
          // Requests overlapped, and were answered in another order than they came.
          expect(stats.peak).toBeGreaterThanOrEqual(8);
          expect(stats.done).not.toEqual(stats.arrived);
          expect(session.inflight).toBe(0);
        },
        { threads },
      );
    });
  }

  it('serves two sessions mounted at once in one process', async () => {
    const other: Operations = {
      lookup(req) {
        if (req.name !== 'other') return req.replyError('ENOENT');
        req.replyEntry({ ino: 5, attr: { mode: S_IFREG | 0o444, nlink: 1, size: 3 } });
      },
      read(req) {
        req.replyBuf(Buffer.from('abc').subarray(req.offset, req.offset + req.size));
      },
    };
    await withSession(helloOperations(), async (a, first) => {
      await withSession(other, async (b, second) => {
        expect(first.mountpoint).toBe(a);
        expect(second.mountpoint).toBe(b);
        const read = await client<{ a: string; b: string; missing: string }>(
          `let missing = 'ok'; try { fs.statSync('${a}/other'); } catch (e) { missing = e.code; }
           out({ a: fs.readFileSync('${a}/hello', 'utf8'), b: fs.readFileSync('${b}/other', 'utf8'), missing });`,
        );
        expect(read).toEqual({ a: 'Hello World!\n', b: 'abc', missing: 'ENOENT' });
        await second.unmount();
        expect(await isMounted(b)).toBe(false);
        // The first one is unaffected.
        expect(await client(`out(fs.readFileSync('${a}/hello', 'utf8'))`)).toBe('Hello World!\n');
        expect(first.mounted).toBe(true);
      });
    });
  });
});

// ---------------------------------------------------------------------------

describeMount('unmount()', () => {
  /** Root holds `slow` (answered after `delayMs`, or never when delayMs < 0). */
  function delayed(delayMs: number, held: LookupRequest[], answeredAt: number[]): Operations {
    return {
      lookup(req) {
        if (req.name === 'warm')
          return req.replyEntry({
            ino: 3,
            attr: { mode: S_IFREG | 0o644, nlink: 1, size: 1 },
            attrTimeout: 60,
            entryTimeout: 60,
          });
        if (req.name !== 'slow') return req.replyError('ENOENT');
        held.push(req); // keeps it from being collected
        if (delayMs < 0) return;
        setTimeout(() => {
          answeredAt.push(Date.now());
          req.replyEntry({
            ino: 2,
            attr: { mode: S_IFREG | 0o644, nlink: 1, size: 42 },
            attrTimeout: 60,
            entryTimeout: 60,
          });
        }, delayMs);
      },
    };
  }

  it('waits for a request in flight that answers after 200 ms', async () => {
    const held: LookupRequest[] = [];
    const answeredAt: number[] = [];
    await withSession(
      delayed(200, held, answeredAt),
      async (dir, session) => {
        // The first stat of a connection costs a second request (FUSE_STATX, which libfuse
        // answers ENOSYS); make it on 'warm', so that 'slow' is exactly one lookup.
        const caller = client<{ size?: number; error?: string }>(
          `fs.statSync('${dir}/warm'); out({ size: fs.statSync('${dir}/slow').size })`,
          10_000,
        );
        await waitFor(() => session.inflight === 1, 5000, 'the request to arrive');
        const started = Date.now();
        const unmounting = session.unmount();
        expect(session.mounted).toBe(true); // still serving while draining
        await within(unmounting, 3000, 'unmount');
        const resolvedAt = Date.now();
        expect(answeredAt).toHaveLength(1);
        expect(answeredAt[0]).toBeLessThanOrEqual(resolvedAt);
        expect(resolvedAt - started).toBeGreaterThanOrEqual(100);
        expect(await caller).toEqual({ size: 42 });
        expect(session.mounted).toBe(false);
        expect(await isMounted(dir)).toBe(false);
      },
      { unmountTimeout: 5000 },
    );
  });

  it('answers a request that never gets a reply EIO after unmountTimeout', async () => {
    const held: LookupRequest[] = [];
    await withSession(
      delayed(-1, held, []),
      async (dir, session) => {
        // The first stat of a connection costs a second request (FUSE_STATX, which libfuse
        // answers ENOSYS); make it on 'warm', so that 'slow' is exactly one lookup.
        const caller = client<{ size?: number; error?: string }>(
          `fs.statSync('${dir}/warm'); out({ size: fs.statSync('${dir}/slow').size })`,
          10_000,
        );
        await waitFor(() => session.inflight === 1, 5000, 'the request to arrive');
        const started = Date.now();
        await within(session.unmount(), 3000, 'unmount');
        const took = Date.now() - started;
        expect(took).toBeGreaterThanOrEqual(280);
        expect(took).toBeLessThan(2500);
        expect(await within(caller, 5000, 'the caller')).toEqual({ error: 'EIO' });
        expect(session.inflight).toBe(0);
        expect(held[0]?.answered).toBe(false);
        // A late reply finds the request gone: a clear error, nothing sent.
        expect(() => held[0]?.replyError('ENOENT')).toThrow(/no longer pending|already answered/);
        expect(session.inflight).toBe(0);
        expect(await isMounted(dir)).toBe(false);
      },
      { unmountTimeout: 300 },
    );
  });

  it('twice is harmless: the same promise, one unmount event', async () => {
    await withSession(helloOperations(), async (dir, session) => {
      let events = 0;
      session.on('unmount', () => events++);
      const first = session.unmount();
      const second = session.unmount();
      expect(second).toBe(first);
      await within(Promise.all([first, second]), 3000, 'unmount');
      await within(session.unmount(), 1000, 'a third unmount');
      await within(session.closed, 1000, 'closed');
      expect(events).toBe(1);
      expect(session.mounted).toBe(false);
      expect(await isMounted(dir)).toBe(false);
    });
  });

  for (const [how, command] of [
    ['fusermount3 -u', (dir: string) => `fusermount3 -u ${dir}`],
    ['umount -l', (dir: string) => `umount -l ${dir}`],
  ] as const) {
    it(`session.closed resolves after an external ${how}`, async () => {
      await withSession(helloOperations(), async (dir, session) => {
        let events = 0;
        session.on('unmount', () => events++);
        expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
        const out = await sh(command(dir), 5000);
        expect(out.code, out.stderr).toBe(0);
        await within(session.closed, 3000, 'session.closed');
        expect(session.mounted).toBe(false);
        expect(events).toBe(1);
        expect(await isMounted(dir)).toBe(false);
        await within(session.unmount(), 1000, 'unmount after the fact');
      });
    });
  }

  it('mount() on a dead FUSE mount (its server was SIGKILLed) says how to clean it up', async () => {
    const work = tempMountpoint();
    const dir = join(work, 'mnt');
    mkdirSync(dir);
    ownMounts.push({ dir: work });
    ownMounts.push({ dir });
    const server = start(process.execPath, [CLI, 'hello', dir]);
    await waitFor(
      () => /mounted on/.test(server.stdout()) || server.child.exitCode !== null,
      10_000,
      'the CLI to mount',
    );
    expect(server.stdout(), server.stderr()).toMatch(/mounted on/);
    server.child.kill('SIGKILL');
    await within(server.exited, 5000, 'the server to die');
    expect(await isMounted(dir)).toBe(true);
    const error = await rejectionOf(mount(dir, helloOperations()));
    expect(error.message).toBe(
      `mount: mountpoint ${dir} is a dead FUSE mount (its server is gone); clean it up: fusermount3 -u -z ${dir} (or unmountStale() from code)`,
    );
    expect(await unmountStale(dir)).toBe(true);
    expect(await isMounted(dir)).toBe(false);
    expect(await unmountStale(dir)).toBe(false);
  });

  it('unmountStale() refuses a live mount unless forced', async () => {
    await withSession(helloOperations(), async (dir) => {
      await expect(unmountStale(dir)).rejects.toThrow(/is a live FUSE mount; pass \{ force: true \}/);
      expect(await isMounted(dir)).toBe(true);
    });
  });

  it('autoUnmount leaves no mount behind even after SIGKILL of the server', async () => {
    const dir = tempMountpoint();
    ownMounts.push({ dir });
    const server = start(process.execPath, [CLI, 'hello', dir, '-o', 'auto_unmount']);
    await waitFor(
      () => /mounted on/.test(server.stdout()) || server.child.exitCode !== null,
      10_000,
      'the CLI to mount',
    );
    expect(server.stdout(), server.stderr()).toMatch(/mounted on/);
    expect(await isMounted(dir)).toBe(true);
    server.child.kill('SIGKILL');
    await within(server.exited, 5000, 'the server to die');
    // fusermount3 unmounts once it sees the device close, on its own schedule: on a loaded machine that can take a while.
    await waitFor(async () => !(await isMounted(dir)), 30_000, 'fusermount3 to unmount the dead mount');
  }, 60_000);
});

// ---------------------------------------------------------------------------
// The CLI runs from dist/ (what `npx fuse-lowlevel` runs).

describeMount('the CLI', () => {
  /** Starts `fuse-lowlevel hello <dir> …args` and waits until it has mounted. */
  async function startHello(extra: string[] = []): Promise<{ server: Server; dir: string }> {
    const dir = tempMountpoint();
    ownMounts.push({ dir });
    const server = start(process.execPath, [CLI, 'hello', dir, ...extra]);
    await waitFor(
      () => /mounted on/.test(server.stdout()) || server.child.exitCode !== null,
      10_000,
      'the CLI to mount',
    );
    expect(server.stdout(), server.stderr()).toMatch(new RegExp(`^hello mounted on ${dir}\\b`));
    expect(await isMounted(dir)).toBe(true);
    return { server, dir };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`mounts hello; ${signal} unmounts and exits 0 without waiting out the 5 s drain`, async () => {
      const { server, dir } = await startHello();
      expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
      server.child.kill(signal);
      // Nothing is in flight: waiting for unmountTimeout (5 s) would be a bug, and a busy machine
      // may well take more than a second to unmount and exit.
      const exit = await within(server.exited, 4000, `exit after ${signal}`);
      expect(exit.code, server.stderr()).toBe(0);
      expect(exit.signal).toBeNull();
      expect(await isMounted(dir)).toBe(false);
    });
  }

  it('--debug traces each request in one line: names, reply, duration', async () => {
    const { server, dir } = await startHello(['--debug']);
    expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
    await waitFor(() => /^fuse-lowlevel: read #/m.test(server.stderr()), 3000, 'the trace lines');
    expect(server.stderr()).toMatch(
      /^fuse-lowlevel: lookup #\d+ parent=1 name="hello" → entry ino=2 \(\d+\.\d\d ms\)$/m,
    );
    expect(server.stderr()).toMatch(/^fuse-lowlevel: read #\d+ ino=2 fh=\d+ offset=0 size=\d+ .*→ 13 bytes/m);
    expect(server.stderr()).not.toMatch(/opcode:/);
    server.child.kill('SIGTERM');
    expect((await within(server.exited, 3000, 'exit')).code).toBe(0);
  });

  it('--fuse-debug prints libfuse request lines to stderr', async () => {
    const { server, dir } = await startHello(['--fuse-debug']);
    expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
    await waitFor(
      () => /opcode: LOOKUP/.test(server.stderr()) && /opcode: READ\b/.test(server.stderr()),
      3000,
      'debug lines',
    );
    expect(server.stderr()).toMatch(/unique: \d+, opcode: LOOKUP \(1\), nodeid: 1, insize: \d+, pid: \d+/);
    expect(server.stderr()).toMatch(/INIT: \d+\.\d+/);
    server.child.kill('SIGTERM');
    expect((await within(server.exited, 3000, 'exit')).code).toBe(0);
  });

  it('without --debug prints no request lines', async () => {
    const { server, dir } = await startHello();
    expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
    server.child.kill('SIGTERM');
    expect((await within(server.exited, 3000, 'exit')).code).toBe(0);
    expect(server.stderr()).not.toMatch(/opcode:/);
  });

  it.each([
    [[], /expected <example> <mountpoint>/],
    [['hello'], /expected <example> <mountpoint>/],
    [['nope', '/tmp'], /unknown example "nope"/],
    [['hello', '/tmp', '--bogus'], /Unknown option '--bogus'/],
    [['hello', '/tmp', 'extra'], /expected <example> <mountpoint>/],
    [['hello', '/tmp', '-o'], /Option '-o, --option <value>' argument missing/],
    [['hello', '/tmp', '--threads', '1.5'], /--threads needs a whole number, got "1.5"/],
    [['hello', '/tmp', '--debug=yes'], /Option '-d, --debug' does not take an argument/],
    [['passthrough', '/tmp'], /passthrough needs --source <dir>/],
  ])('bad arguments %j exit 2 with usage', async (args, why) => {
    const out = await run(process.execPath, [CLI, ...args], 10_000);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(why);
    expect(out.stderr).toMatch(/usage: fuse-lowlevel <example> <mountpoint>/);
    expect(out.stderr).toMatch(/hello/);
  });

  it('--help prints usage from the option table and exits 0', async () => {
    const out = await run(process.execPath, [CLI, '--help'], 10_000);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^usage: fuse-lowlevel <example> <mountpoint>/);
    for (const flag of [
      '--source <dir>',
      '--allow-other',
      '-o, --option',
      '-d, --debug',
      '--fuse-debug',
      '--version',
    ]) {
      expect(out.stdout).toContain(flag);
    }
    expect(out.stdout).toContain('fusermount3 -u -z <mountpoint>');
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const out = await run(process.execPath, [CLI, '--version'], 10_000);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`fuse-lowlevel ${pkg.version}\n`);
  });

  it('passthrough --source that does not exist: a clear message, like the mountpoint errors', async () => {
    const missing = join(tmpdir(), 'fuse-lowlevel-no-such-source');
    const dir = tempMountpoint();
    ownMounts.push({ dir });
    const out = await run(process.execPath, [CLI, 'passthrough', dir, '--source', missing], 10_000);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`fuse-lowlevel: --source ${missing} does not exist; give a directory to mirror\n`);
  });

  it('passthrough suggests only commands that leave the source directory alone', async () => {
    const source = tempMountpoint();
    const dir = tempMountpoint();
    ownMounts.push({ dir }, { dir: source });
    const server = start(process.execPath, [CLI, 'passthrough', dir, '--source', source]);
    await waitFor(() => /Try:/.test(server.stdout()) || server.child.exitCode !== null, 10_000, 'the CLI to mount');
    const hints = server.stdout().split('\n').slice(1).filter(Boolean);
    expect(hints.length, server.stderr()).toBeGreaterThan(0);
    for (const hint of hints) expect(hint).not.toMatch(/\b(cp|mv|rm|touch|mkdir|tee|dd)\b|>/);
    server.child.kill('SIGTERM');
    expect((await within(server.exited, 3000, 'exit')).code).toBe(0);
  });

  for (const [how, extra, shared] of [
    ['by default', [], false],
    ['with --allow-other', ['--allow-other'], true],
    ['with -o allow_other', ['-o', 'allow_other'], true],
  ] as const) {
    it(`memfs ${how}: ${shared ? 'allow_other' : 'no allow_other, even as root'}`, async () => {
      const dir = tempMountpoint();
      ownMounts.push({ dir });
      const server = start(process.execPath, [CLI, 'memfs', dir, ...extra]);
      await waitFor(() => /mounted on/.test(server.stdout()) || server.child.exitCode !== null, 10_000, 'the mount');
      expect(server.stdout(), server.stderr()).toMatch(/mounted on/);
      const line = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[1] === dir);
      expect(line?.split(' ')[3]?.split(',').includes('allow_other')).toBe(shared);
      server.child.kill('SIGTERM');
      expect((await within(server.exited, 3000, 'exit')).code).toBe(0);
    });
  }

  it("a missing mountpoint exits 1 with mount()'s message", async () => {
    const missing = join(tmpdir(), 'fuse-lowlevel-no-such-mountpoint');
    const out = await run(process.execPath, [CLI, 'hello', missing], 10_000);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`fuse-lowlevel: mount: mountpoint ${missing} does not exist; create the directory first\n`);
  });
});
