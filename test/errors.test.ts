/**
 * The error contract, on real mounts: handler throws and rejections become
 * errno replies, unexpected ones are reported, missing handlers answer ENOSYS
 * (or libfuse's default), bad replies throw in JS and answer EIO, and a
 * request collected without a reply is answered EIO. The session keeps
 * serving after every failure.
 */
import { spawn } from 'node:child_process';
import { promises as fsp, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import {
  type Attr,
  FuseError,
  type GetattrRequest,
  type HandlerResult,
  type LookupRequest,
  type Operations,
  type ReadRequest,
} from '../lib/index.js';
import { client, describeMount, isMounted, run, sh, tempMountpoint, waitFor, withSession } from './helpers/fuse.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const ROOT_ATTR: Attr = { ino: 1, mode: S_IFDIR | 0o755, nlink: 2 };

/** What a lookup of `name` does in a test filesystem. */
type LookupCase = (req: LookupRequest) => HandlerResult;

/**
 * A plain file entry for `ino`. By default nothing is cached, so every access
 * asks again (and a stat after the lookup also asks getattr).
 */
function fileEntry(ino: number, mode = S_IFREG | 0o644, size = 100, timeout = 0) {
  return { ino, attr: { ino, mode, nlink: 1, size }, attrTimeout: timeout, entryTimeout: timeout };
}

/**
 * A filesystem whose root holds the names in `cases` (each handled its own
 * way) plus `ok`, a file that always works. Everything else is ENOENT.
 */
function fsWith(cases: Record<string, LookupCase>, extra: Operations = {}): Operations {
  return {
    lookup(req) {
      const handle = cases[req.name];
      if (handle !== undefined) return handle(req);
      if (req.name === 'ok') return req.replyEntry(fileEntry(2));
      req.replyError('ENOENT');
    },
    getattr(req) {
      if (req.ino === 1) return req.replyAttr(ROOT_ATTR, 0);
      req.replyAttr({ ino: req.ino, mode: S_IFREG | 0o644, nlink: 1, size: 100 }, 0);
    },
    ...extra,
  };
}

/**
 * Runs each expression (a sync fs call using `d`, the mountpoint) in one child
 * process, in order, and returns 'ok' or the error code for each.
 */
async function outcomes(
  dir: string,
  calls: Record<string, string>,
  timeoutMs = 10_000,
): Promise<Record<string, string>> {
  const body = Object.entries(calls)
    .map(([key, expr]) => `r[${JSON.stringify(key)}] = codeOf(() => ${expr});`)
    .join('\n');
  return client(
    `const codeOf = (f) => { try { f(); return 'ok'; } catch (e) { return e.code ?? String(e); } };
     const d = ${JSON.stringify(dir)}; const r = {};
     ${body}
     out(r);`,
    timeoutMs,
  );
}

/** Collects a session's 'error' events. */
function errorsOf(session: { on(event: 'error', fn: (error: Error, op: string) => void): unknown }) {
  const seen: { error: Error; op: string }[] = [];
  session.on('error', (error, op) => seen.push({ error, op }));
  return seen;
}

describeMount('handler failures become errno replies', () => {
  it('FuseError, Node errno errors, plain errors and non-Error values, thrown or rejected', async () => {
    const tick = () => new Promise((r) => setTimeout(r, 5));
    const cases: Record<string, LookupCase> = {
      'fuse-enoent': () => {
        throw new FuseError('ENOENT');
      },
      'fuse-eacces': () => {
        throw new FuseError('EACCES');
      },
      'fuse-number': () => {
        throw new FuseError(40 /* ELOOP */);
      },
      'node-eacces': () => {
        throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      },
      'node-missing': async () => {
        await fsp.readFile(join(tmpdir(), 'fuse-lowlevel-no-such-file', 'x')); // rejects ENOENT
      },
      'node-notdir': async () => {
        await fsp.readdir('/proc/self/status'); // rejects ENOTDIR
      },
      plain: () => {
        throw new Error('boom plain');
      },
      'non-error': () => {
        throw 42;
      },
      'async-fuse': async () => {
        await tick();
        throw new FuseError('EPERM');
      },
      'async-plain': async () => {
        await tick();
        throw new Error('boom async');
      },
      'async-non-error': () => Promise.reject('just a string'),
    };
    await withSession(fsWith(cases), async (dir, session) => {
      const errors = errorsOf(session);
      const calls: Record<string, string> = {};
      for (const name of Object.keys(cases)) calls[name] = `fs.statSync(d + '/${name}')`;
      calls.ok = `fs.statSync(d + '/ok')`;
      const result = await outcomes(dir, calls);
      expect(result).toEqual({
        'fuse-enoent': 'ENOENT',
        'fuse-eacces': 'EACCES',
        'fuse-number': 'ELOOP',
        'node-eacces': 'EACCES',
        'node-missing': 'ENOENT',
        'node-notdir': 'ENOTDIR',
        plain: 'EIO',
        'non-error': 'EIO',
        'async-fuse': 'EPERM',
        'async-plain': 'EIO',
        'async-non-error': 'EIO',
        ok: 'ok',
      });
      // Only the unexpected throws are reported, each with the op's name.
      expect(errors.map((e) => e.op)).toEqual(['lookup', 'lookup', 'lookup', 'lookup']);
      expect(errors.every((e) => e.error instanceof Error)).toBe(true);
      const messages = errors.map((e) => e.error.message);
      expect(messages[0]).toBe('boom plain');
      expect(messages[1]).toMatch(/42/);
      expect(messages[2]).toBe('boom async');
      expect(messages[3]).toMatch(/just a string/);
      expect(session.inflight).toBe(0);
      expect(session.mounted).toBe(true);
    });
  });

  it('the reported error is the very object the handler threw', async () => {
    const boom = new TypeError('the same object');
    await withSession(
      fsWith({
        boom: () => {
          throw boom;
        },
      }),
      async (dir, session) => {
        const errors = errorsOf(session);
        expect(await outcomes(dir, { boom: `fs.statSync(d + '/boom')`, ok: `fs.statSync(d + '/ok')` })).toEqual({
          boom: 'EIO',
          ok: 'ok',
        });
        expect(errors).toHaveLength(1);
        expect(errors[0]?.error).toBe(boom);
      },
    );
  });

  it("without an 'error' listener an unexpected throw is a process warning, not a crash", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await withSession(
        fsWith({
          plain: () => {
            throw new Error('unheard boom');
          },
        }),
        async (dir) => {
          expect(await outcomes(dir, { plain: `fs.statSync(d + '/plain')`, ok: `fs.statSync(d + '/ok')` })).toEqual({
            plain: 'EIO',
            ok: 'ok',
          });
          await waitFor(() => warnings.some((w) => w.includes('unheard boom')), 2000, 'the warning');
          expect(warnings.find((w) => w.includes('unheard boom'))).toMatch(/lookup/);
        },
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a rejection or throw after the request was answered is reported, and the first reply stands', async () => {
    await withSession(
      fsWith({
        'late-reject': async (req) => {
          req.replyEntry(fileEntry(3));
          await new Promise((r) => setTimeout(r, 5));
          throw new FuseError('ENOENT');
        },
      }),
      async (dir, session) => {
        const errors = errorsOf(session);
        expect(await outcomes(dir, { late: `fs.statSync(d + '/late-reject').ino` })).toEqual({ late: 'ok' });
        await waitFor(() => errors.length === 1, 2000, 'the error event');
        expect(errors[0]?.op).toBe('lookup');
        expect(errors[0]?.error).toBeInstanceOf(FuseError);
      },
    );
  });
});

describeMount('missing handlers', () => {
  const ops: Operations = {
    lookup(req) {
      if (req.name === 'link') return req.replyEntry(fileEntry(3, S_IFLNK | 0o777, 4));
      if (req.name === 'file') return req.replyEntry(fileEntry(2));
      req.replyError('ENOENT');
    },
    getattr(req) {
      if (req.ino === 1) return req.replyAttr(ROOT_ATTR, 0);
      req.replyAttr({ ino: req.ino, mode: req.ino === 3 ? S_IFLNK | 0o777 : S_IFREG | 0o644, nlink: 1, size: 4 }, 0);
    },
  };

  it("answer ENOSYS, or libfuse's default where it has one", async () => {
    await withSession(ops, async (dir) => {
      const result = await outcomes(dir, {
        readlink: `fs.readlinkSync(d + '/link')`,
        // open has a default (success); read has none.
        read: `{ const fd = fs.openSync(d + '/file', 'r'); try { fs.readSync(fd, Buffer.alloc(4), 0, 4, 0); } finally { fs.closeSync(fd); } }`,
        open: `fs.closeSync(fs.openSync(d + '/file', 'r'))`,
        // statfs has a default (an empty filesystem); access ENOSYS means "allowed".
        statfs: `{ const s = fs.statfsSync(d); if (s.blocks !== 0) throw new Error('blocks ' + s.blocks); }`,
        access: `fs.accessSync(d + '/file', fs.constants.R_OK)`,
        readdir: `fs.readdirSync(d)`,
        after: `fs.statSync(d + '/file')`,
      });
      expect(result).toEqual({
        readlink: 'ENOSYS',
        read: 'ENOSYS',
        open: 'ok',
        statfs: 'ok',
        access: 'ok',
        readdir: 'ENOSYS',
        after: 'ok',
      });
    });
  });

  it('getxattr without a handler is "operation not supported" for the caller', async () => {
    await withSession(ops, async (dir) => {
      const out = await sh(`getfattr -n user.x ${dir}/file; echo "exit=$?"`, 5000);
      expect(out.stdout + out.stderr).toMatch(/Operation not supported/);
      expect(out.stdout).toMatch(/exit=1/);
    });
  });
});

describeMount('replying twice', () => {
  it('throws a clear Error and the first reply stands', async () => {
    const second: unknown[] = [];
    await withSession(
      fsWith({
        twice: (req) => {
          req.replyEntry(fileEntry(7, S_IFREG | 0o644, 1234, 60)); // cached: stat shows this reply
          try {
            req.replyError('EIO');
          } catch (error) {
            second.push(error);
          }
          try {
            req.replyEntry(fileEntry(8));
          } catch (error) {
            second.push(error);
          }
          expect(req.answered).toBe(true);
        },
        'twice-uncaught': (req) => {
          req.replyEntry(fileEntry(9, S_IFREG | 0o644, 99, 60));
          req.replyError('ENOENT');
        },
      }),
      async (dir, session) => {
        const errors = errorsOf(session);
        const result = await client<{ size: number; ino: number; uncaught: number }>(
          `const a = fs.statSync('${dir}/twice'); const b = fs.statSync('${dir}/twice-uncaught');
           out({ size: a.size, ino: a.ino, uncaught: b.size });`,
          10_000,
        );
        expect(result).toEqual({ size: 1234, ino: 7, uncaught: 99 });
        expect(second).toHaveLength(2);
        for (const error of second) {
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(TypeError);
          expect(error).not.toBeInstanceOf(RangeError);
        }
        expect((second[0] as Error).message).toBe('lookup.replyError: the request was already answered');
        expect((second[1] as Error).message).toBe('lookup.replyEntry: the request was already answered');
        // Uncaught, it is reported as a handler failure.
        expect(errors).toHaveLength(1);
        expect(errors[0]?.op).toBe('lookup');
        expect(errors[0]?.error.message).toBe('lookup.replyError: the request was already answered');
        expect(session.inflight).toBe(0);
      },
    );
  });
});

describeMount('invalid reply values', () => {
  /** A lookup case that replies with `reply`, records what it throws, and swallows it. */
  function recording(thrown: Map<string, unknown>, name: string, reply: (req: LookupRequest) => void): LookupCase {
    return (req) => {
      try {
        reply(req);
      } catch (error) {
        thrown.set(name, error);
      }
    };
  }

  it('replyEntry / replyError / replyReadlink throw TypeError or RangeError, and the caller gets EIO', async () => {
    const thrown = new Map<string, unknown>();
    const bad: Record<
      string,
      [(req: LookupRequest) => void, ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor, string]
    > = {
      'negative-size': [
        (req) => req.replyEntry({ ino: 5, attr: { mode: S_IFREG, size: -1 } }),
        RangeError,
        'lookup.replyEntry: attr.size must be an integer from 0 to 9223372036854775807, got -1',
      ],
      'nan-timeout': [
        (req) => req.replyEntry({ ino: 5, attr: { mode: S_IFREG }, attrTimeout: Number.NaN }),
        RangeError,
        'lookup.replyEntry: entry.attrTimeout must be a finite, non-negative number of seconds, got NaN',
      ],
      'nan-mtime': [
        (req) => req.replyEntry({ ino: 5, attr: { mode: S_IFREG, mtime: Number.NaN } }),
        RangeError,
        'lookup.replyEntry: attr.mtime must be a finite time, got NaN',
      ],
      'mode-missing': [
        (req) => req.replyEntry({ ino: 5, attr: {} as Attr }),
        TypeError,
        'lookup.replyEntry: attr.mode must be a non-negative safe integer, got undefined',
      ],
      'unsafe-ino': [
        (req) => req.replyEntry({ ino: 2 ** 53, attr: { mode: S_IFREG } }),
        RangeError,
        'lookup.replyEntry: entry.ino must be a non-negative integer below 2^64 (number or bigint), got 9007199254740992',
      ],
      'not-an-object': [
        (req) => req.replyEntry('entry' as never),
        TypeError,
        'lookup.replyEntry: entry must be an object, got "entry"',
      ],
      'bad-errno': [
        (req) => req.replyError('ENOPE' as never),
        RangeError,
        'lookup.replyError: errno must be a known errno name or an integer 1..511, got ENOPE',
      ],
      'zero-errno': [
        (req) => req.replyError(0),
        RangeError,
        'lookup.replyError: errno must be a known errno name or an integer 1..511, got 0',
      ],
    };
    const cases: Record<string, LookupCase> = {};
    for (const [name, [reply]] of Object.entries(bad)) cases[name] = recording(thrown, name, reply);
    await withSession(fsWith(cases), async (dir, session) => {
      const errors = errorsOf(session);
      const calls: Record<string, string> = {};
      for (const name of Object.keys(bad)) calls[name] = `fs.statSync(d + '/${name}')`;
      calls.ok = `fs.statSync(d + '/ok')`;
      const result = await outcomes(dir, calls, 10_000);
      const expected: Record<string, string> = { ok: 'ok' };
      for (const name of Object.keys(bad)) expected[name] = 'EIO';
      expect(result).toEqual(expected);
      for (const [name, [, type, message]] of Object.entries(bad)) {
        const error = thrown.get(name);
        expect(error, name).toBeInstanceOf(type);
        expect((error as Error).message, name).toBe(message);
      }
      // The handlers swallowed the errors: nothing to report, nothing pending.
      expect(errors).toHaveLength(0);
      expect(session.inflight).toBe(0);
    });
  });

  it('getattr replyAttr with a NaN or negative timeout throws RangeError, and the caller gets EIO', async () => {
    const thrown: unknown[] = [];
    let call = 0;
    const ops = fsWith(
      {},
      {
        getattr(req: GetattrRequest) {
          if (req.ino !== 1) return req.replyAttr({ mode: S_IFREG | 0o644 }, 0);
          try {
            req.replyAttr(ROOT_ATTR, call++ % 2 === 0 ? Number.NaN : -1);
          } catch (error) {
            thrown.push(error);
          }
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await outcomes(dir, {
        first: `fs.statSync(d)`,
        second: `fs.statSync(d)`,
        ok: `fs.statSync(d + '/ok')`,
      });
      expect(result).toEqual({ first: 'EIO', second: 'EIO', ok: 'ok' });
      expect(thrown).toHaveLength(2);
      expect(thrown[0]).toBeInstanceOf(RangeError);
      expect((thrown[0] as Error).message).toBe(
        'getattr.replyAttr: timeout must be a finite, non-negative number of seconds, got NaN',
      );
      expect((thrown[1] as Error).message).toBe(
        'getattr.replyAttr: timeout must be a finite, non-negative number of seconds, got -1',
      );
    });
  });

  it('readlink replyReadlink with a NUL throws RangeError, and the caller gets EIO', async () => {
    const thrown: unknown[] = [];
    const ops = fsWith(
      { link: (req) => req.replyEntry(fileEntry(3, S_IFLNK | 0o777, 3)) },
      {
        readlink(req) {
          try {
            req.replyReadlink('a\0b');
          } catch (error) {
            thrown.push(error);
          }
        },
      },
    );
    await withSession(ops, async (dir) => {
      expect(await outcomes(dir, { link: `fs.readlinkSync(d + '/link')`, ok: `fs.statSync(d + '/ok')` })).toEqual({
        link: 'EIO',
        ok: 'ok',
      });
      expect(thrown[0]).toBeInstanceOf(RangeError);
      expect((thrown[0] as Error).message).toBe(
        'readlink.replyReadlink: target must be a non-empty path of at most 4095 bytes without NUL, got "a\\u0000b"',
      );
    });
  });

  it('read replyBuf beyond req.size throws RangeError; a non-Buffer throws TypeError; the caller gets EIO', async () => {
    const thrown = new Map<number, unknown>();
    const sizes = new Map<number, number>();
    const ops = fsWith(
      {
        oversized: (req) => req.replyEntry(fileEntry(20)),
        string: (req) => req.replyEntry(fileEntry(21)),
        good: (req) => req.replyEntry(fileEntry(22, S_IFREG | 0o644, 5)),
      },
      {
        read(req: ReadRequest) {
          sizes.set(req.ino, req.size);
          try {
            if (req.ino === 20) req.replyBuf(Buffer.alloc(req.size + 1));
            else if (req.ino === 21) req.replyBuf('hello' as never);
            else req.replyBuf(Buffer.from('hello').subarray(req.offset));
          } catch (error) {
            thrown.set(req.ino, error);
          }
        },
      },
    );
    const readAll = (name: string) =>
      `{ const fd = fs.openSync(d + '/${name}', 'r'); try { const b = Buffer.alloc(100); const n = fs.readSync(fd, b, 0, 100, 0); if (n !== 5 || b.toString('utf8', 0, n) !== 'hello') throw new Error('read ' + n); } finally { fs.closeSync(fd); } }`;
    await withSession(ops, async (dir, session) => {
      const errors = errorsOf(session);
      const result = await outcomes(dir, {
        oversized: readAll('oversized'),
        string: readAll('string'),
        good: readAll('good'),
      });
      expect(result).toEqual({ oversized: 'EIO', string: 'EIO', good: 'ok' });
      const size = sizes.get(20) as number;
      expect(size).toBeGreaterThan(0);
      expect(thrown.get(20)).toBeInstanceOf(RangeError);
      expect((thrown.get(20) as Error).message).toBe(
        `read.replyBuf: data must be at most ${size} bytes (the size the kernel asked for), got ${size + 1}`,
      );
      expect(thrown.get(21)).toBeInstanceOf(TypeError);
      expect((thrown.get(21) as Error).message).toBe('read.replyBuf: data must be a Buffer or Uint8Array, got "hello"');
      expect(errors).toHaveLength(0);
      expect(session.inflight).toBe(0);
    });
  });

  it("readdir add() with '/' or NUL in a name throws RangeError; uncaught, the caller gets EIO", async () => {
    const seen: string[] = [];
    let listing = 0;
    const ops = fsWith(
      {},
      {
        readdir(req) {
          seen.push(`offset ${req.offset}`);
          if (req.offset > 0) return req.replyDirents();
          const call = listing++;
          req.add('.', 1, S_IFDIR, 1);
          if (call === 0) req.add('a/b', 2, S_IFREG, 2);
          else if (call === 1) req.add('a\0b', 2, S_IFREG, 2);
          else req.add('ok', 2, S_IFREG, 2);
          req.replyDirents();
        },
      },
    );
    await withSession(ops, async (dir, session) => {
      const errors = errorsOf(session);
      const result = await outcomes(dir, {
        slash: `fs.readdirSync(d)`,
        nul: `fs.readdirSync(d)`,
        good: `fs.readdirSync(d).join(',')`,
      });
      expect(result).toEqual({ slash: 'EIO', nul: 'EIO', good: 'ok' });
      expect(errors.map((e) => e.op)).toEqual(['readdir', 'readdir']);
      expect(errors[0]?.error).toBeInstanceOf(RangeError);
      expect(errors[0]?.error.message).toBe(
        `readdir.add: name must be a non-empty name of at most 255 bytes without '/' or NUL, got "a/b"`,
      );
      expect(errors[1]?.error).toBeInstanceOf(RangeError);
      expect(errors[1]?.error.message).toBe(
        `readdir.add: name must be a non-empty name of at most 255 bytes without '/' or NUL, got "a\\u0000b"`,
      );
      expect(session.inflight).toBe(0);
    });
  });

  it('getxattr replyValue with a non-Buffer throws TypeError, and the caller gets EIO (not a hang)', async () => {
    const thrown: unknown[] = [];
    const ops = fsWith(
      {},
      {
        getxattr(req) {
          try {
            req.replyValue('not bytes' as never);
          } catch (error) {
            thrown.push(error);
          }
        },
      },
    );
    await withSession(ops, async (dir, session) => {
      const caller = sh(`getfattr -n user.x ${dir}/ok; echo "exit=$?"`, 10_000);
      await waitFor(() => thrown.length === 1, 5000, 'the getxattr handler');
      expect(thrown[0]).toBeInstanceOf(TypeError);
      expect((thrown[0] as Error).message).toBe(
        'getxattr.replyValue: data must be a Buffer or Uint8Array, got "not bytes"',
      );
      // Were it left pending, unmounting (in withSession) would answer it; fail first.
      await waitFor(() => session.inflight === 0, 2000, 'the invalid replyValue to answer the request');
      const out = await caller;
      expect(out.signal).toBeNull();
      expect(out.stdout + out.stderr).toMatch(/Input\/output error/);
    });
  });
});

// ---------------------------------------------------------------------------
// A request collected without a reply: needs gc() (--expose-gc), so the server
// runs in its own node process from the compiled dist/.

const GC_SERVER = `
import { mount } from ${JSON.stringify(join(ROOT, 'dist', 'lib', 'index.js'))};
const dir = process.argv[2];
const print = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
process.on('warning', (w) => print({ warning: w.message }));
let dropped = 0;
const session = await mount(dir, {
  lookup(req) {
    if (req.name === 'dropped') { dropped++; print({ dropped }); return; } // no reply, no reference kept
    if (req.name === 'ok') return req.replyEntry({ ino: 2, attr: { mode: 0o100644, size: 3 }, attrTimeout: 0, entryTimeout: 0 });
    req.replyError('ENOENT');
  },
  getattr(req) {
    req.replyAttr(req.ino === 1 ? { mode: 0o40755, nlink: 2 } : { mode: 0o100644, size: 3 }, 0);
  },
}, { unmountTimeout: 1000 });
const timer = setInterval(() => globalThis.gc(), 25);
process.on('SIGTERM', () => { clearInterval(timer); session.unmount().then(() => process.exit(0), () => process.exit(1)); });
print({ ready: true });
`;

describeMount('a request collected without a reply', () => {
  let server: ReturnType<typeof spawn> | undefined;
  afterEach(() => {
    if (server?.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    server = undefined;
  });

  it('is answered EIO with a warning, and the session keeps serving', async () => {
    const work = tempMountpoint();
    const dir = join(work, 'mnt');
    mkdirSync(dir);
    const script = join(work, 'server.mjs');
    writeFileSync(script, GC_SERVER);
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    try {
      const child = spawn(process.execPath, ['--expose-gc', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      server = child;
      const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      exited.finally(() => clearTimeout(killer));
      let buffered = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        buffered += d;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
        }
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      await waitFor(
        () => lines.some((l) => l.ready === true) || child.exitCode !== null,
        10_000,
        'the server to mount',
      );
      expect(
        lines.some((l) => l.ready === true),
        stderr,
      ).toBe(true);

      const result = await client<{ dropped: string; ms: number; ok: string }>(
        `const t = Date.now(); let dropped = 'ok';
         try { fs.statSync('${dir}/dropped'); } catch (e) { dropped = e.code; }
         const ms = Date.now() - t; let ok = 'ok';
         try { fs.statSync('${dir}/ok'); } catch (e) { ok = e.code; }
         out({ dropped, ms, ok });`,
        10_000,
      );
      expect(result.dropped).toBe('EIO');
      expect(result.ms).toBeLessThan(8_000);
      expect(result.ok).toBe('ok');
      expect(lines.filter((l) => 'dropped' in l)).toHaveLength(1);
      await waitFor(() => lines.some((l) => typeof l.warning === 'string'), 5_000, 'the warning');
      expect(String(lines.find((l) => typeof l.warning === 'string')?.warning)).toMatch(
        /garbage-collected without a reply/,
      );

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await isMounted(dir)).toBe(false);
    } finally {
      await run('fusermount3', ['-u', '-z', dir], 5000);
      rmSync(work, { recursive: true, force: true });
    }
  }, 40_000);
});
