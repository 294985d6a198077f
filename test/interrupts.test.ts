import { constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { Operations, ReadRequest, Session } from '../lib/index.js';
import { client, describeMount, sh, spawnChild, waitFor, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;
const SLOW = 2; // direct I/O: its reads wait in the handler
const FAST = 3; // answered at once
const BUFFERED = 4; // page cache: read ahead in the background
const CONTENT = Buffer.from('0123456789abcdef'.repeat(256)); // 4 KiB
const NAMES: Record<string, number> = { slow: SLOW, fast: FAST, buffered: BUFFERED };

/** Three files in the root; reads of SLOW and BUFFERED go to `slowRead`, FAST is answered at once. */
function slowFs(slowRead: (req: ReadRequest) => void | Promise<void>): Operations {
  const attr = (ino: number) =>
    ino === ROOT
      ? { ino, mode: S_IFDIR | 0o755, nlink: 2 }
      : { ino, mode: S_IFREG | 0o444, nlink: 1, size: CONTENT.length };
  return {
    lookup(req) {
      const ino = req.parent === ROOT ? NAMES[req.name] : undefined;
      if (ino === undefined) return req.replyError('ENOENT');
      req.replyEntry({ ino, attr: attr(ino), attrTimeout: 60, entryTimeout: 60 });
    },
    getattr(req) {
      req.replyAttr(attr(req.ino), 60);
    },
    open(req) {
      req.replyOpen(0, { directIo: req.ino === SLOW, keepCache: req.ino !== SLOW });
    },
    read(req) {
      if (req.ino === FAST) return req.replyBuf(CONTENT.subarray(req.offset, req.offset + req.size));
      return slowRead(req);
    },
  };
}

/** The bytes a read request asks for. */
const dataFor = (req: ReadRequest) =>
  CONTENT.subarray(Math.min(req.offset, CONTENT.length), Math.min(req.offset + req.size, CONTENT.length));

/** A session's 'error' events, as collected by withErrors. */
type ErrorEvents = { error: Error; op: string }[];

/** The session still serves: another reader gets the whole fast file. */
async function stillServing(dir: string): Promise<void> {
  const out = await sh(`cat ${dir}/fast | md5sum`);
  const expected = await sh(`printf '%s' '${CONTENT.toString()}' | md5sum`);
  expect(out.stdout).toBe(expected.stdout);
}

for (const threads of [0, 1]) {
  /** Mounts `ops` with `threads` and runs `fn` with the session's 'error' events, collected from the start. */
  const withErrors = (ops: Operations, fn: (dir: string, session: Session, errors: ErrorEvents) => Promise<void>) =>
    withSession(
      ops,
      (dir, session) => {
        const errors: ErrorEvents = [];
        session.on('error', (error, op) => errors.push({ error, op }));
        return fn(dir, session, errors);
      },
      { threads },
    );

  describeMount(`interrupted reads (threads: ${threads})`, () => {
    it('a reader killed by SIGINT mid-read: req.signal aborts, EINTR is answered, nothing leaks, the session keeps serving', async () => {
      const held: ReadRequest[] = [];
      const reasons: unknown[] = [];
      const ops = slowFs((req) => {
        held.push(req);
        req.signal.addEventListener('abort', () => {
          reasons.push(req.signal.reason);
          req.replyError('EINTR');
        });
      });
      await withErrors(ops, async (dir, session, errors) => {
        const reader = spawnChild('cat', [`${dir}/slow`]);
        await waitFor(() => held.length === 1, 5000, 'the read request');
        expect(session.inflight).toBe(1);
        expect(held[0]?.signal.aborted).toBe(false);
        reader.child.kill('SIGINT');
        const outcome = await reader.done;
        // The kernel let the reader die only once the request was answered.
        expect(outcome.signal).toBe('SIGINT');
        expect(outcome.stdout).toBe('');
        expect(reasons).toHaveLength(1);
        expect(reasons[0]).toMatchObject({ name: 'AbortError' });
        expect(held[0]?.answered).toBe(true);
        expect(session.inflight).toBe(0);
        expect(held).toHaveLength(1); // no retry of the read
        await stillServing(dir);
        expect(errors).toEqual([]);
      });
    });

    it('a reader that survives the signal (SIGUSR1 handled) gets EINTR from read(2), then reads again', async () => {
      const held: ReadRequest[] = [];
      const ops = slowFs((req) => {
        held.push(req);
        if (held.length > 1) return req.replyBuf(dataFor(req)); // the retry is answered at once
        req.signal.addEventListener('abort', () => req.replyError('EINTR'));
      });
      await withErrors(ops, async (dir, session, errors) => {
        // ctypes: the raw read(2) result and errno (Python itself would retry on EINTR)
        const reader = spawnChild('python3', [
          '-c',
          `import ctypes, errno, json, os, signal, sys
signal.signal(signal.SIGUSR1, lambda *a: None)
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
buf = ctypes.create_string_buffer(4096)
first = libc.read(fd, buf, 4096)
err = errno.errorcode.get(ctypes.get_errno()) if first < 0 else None
again = libc.read(fd, buf, 4096)
print(json.dumps({'first': first, 'errno': err, 'again': again, 'head': buf.raw[:16].decode()}))`,
          `${dir}/slow`,
        ]);
        await waitFor(() => held.length === 1, 5000, 'the read request');
        reader.child.kill('SIGUSR1');
        const outcome = await reader.done;
        expect(outcome.code, outcome.stderr).toBe(0);
        expect(JSON.parse(outcome.stdout)).toEqual({
          first: -1,
          errno: 'EINTR',
          again: 4096,
          head: '0123456789abcdef',
        });
        expect(held.map((r) => r.signal.aborted)).toEqual([true, false]);
        expect(session.inflight).toBe(0);
        expect(errors).toEqual([]);
      });
    });

    it('a handler that ignores the abort and answers late with data: no throw, no error, the reader dies then', async () => {
      const held: ReadRequest[] = [];
      const ops = slowFs((req) => {
        held.push(req);
        void req.signal; // watched, but nothing listens
      });
      await withErrors(ops, async (dir, session, errors) => {
        const reader = spawnChild('cat', [`${dir}/slow`]);
        let exited = false;
        void reader.done.then(() => (exited = true));
        await waitFor(() => held.length === 1, 5000, 'the read request');
        reader.child.kill('SIGINT');
        const req = held[0] as ReadRequest;
        await waitFor(() => req.signal.aborted, 5000, 'the abort');
        // A round trip through the mount: the reader is still waiting for the answer.
        await stillServing(dir);
        expect(exited).toBe(false);
        expect(session.inflight).toBe(1);
        expect(() => req.replyBuf(dataFor(req))).not.toThrow();
        const outcome = await reader.done;
        expect(outcome.signal).toBe('SIGINT');
        expect(session.inflight).toBe(0);
        expect(() => req.replyError('EINTR')).toThrow(/already answered/);
        expect(errors).toEqual([]);
        await stillServing(dir);
      });
    });

    it('a handler that never looks at req.signal and answers late: the same, and the interrupt is not lost', async () => {
      const held: ReadRequest[] = [];
      const ops = slowFs((req) => {
        held.push(req);
      });
      await withErrors(ops, async (dir, session, errors) => {
        const reader = spawnChild('cat', [`${dir}/slow`]);
        await waitFor(() => held.length === 1, 5000, 'the read request');
        reader.child.kill('SIGINT');
        await stillServing(dir); // the interrupt came before this round trip
        const req = held[0] as ReadRequest;
        // Looked at only now: it is already aborted (libfuse kept the interrupt for the request).
        await waitFor(() => req.signal.aborted, 5000, 'the abort');
        req.replyBuf(dataFor(req));
        expect((await reader.done).signal).toBe('SIGINT');
        expect(session.inflight).toBe(0);
        expect(errors).toEqual([]);
      });
    });

    /** A python reader that survives SIGUSR1 and reports what read(2) returned (Python itself would retry on EINTR). */
    const survivingReader = (path: string) =>
      spawnChild('python3', [
        '-c',
        `import ctypes, errno, json, os, signal, sys
signal.signal(signal.SIGUSR1, lambda *a: None)
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
buf = ctypes.create_string_buffer(4096)
first = libc.read(fd, buf, 4096)
print(json.dumps({'first': first, 'errno': errno.errorcode.get(ctypes.get_errno()) if first < 0 else None}))`,
        path,
      ]);

    const aborters: [string, (signal: AbortSignal) => Promise<unknown>][] = [
      ["Node's AbortError (timers/promises)", (signal) => sleep(30_000, undefined, { signal })],
      [
        'a DOMException AbortError (fetch, throwIfAborted)',
        (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      ],
    ];
    for (const [kind, wait] of aborters) {
      it(`an async handler rejecting with ${kind} from req.signal answers EINTR, quietly`, async () => {
        let started = 0;
        const ops = slowFs(async (req) => {
          started++;
          if (started > 1) return req.replyBuf(dataFor(req));
          await wait(req.signal); // rejects with an AbortError on the interrupt
          req.replyBuf(dataFor(req));
        });
        await withErrors(ops, async (dir, session, errors) => {
          const reader = survivingReader(`${dir}/slow`);
          await waitFor(() => started === 1, 5000, 'the read request');
          reader.child.kill('SIGUSR1');
          const outcome = await reader.done;
          expect(outcome.code, outcome.stderr).toBe(0);
          expect(JSON.parse(outcome.stdout)).toEqual({ first: -1, errno: 'EINTR' });
          expect(session.inflight).toBe(0);
          await stillServing(dir);
          expect(errors).toEqual([]);
        });
      });
    }

    it("an AbortError of the handler's own (req.signal not aborted) is still EIO and reported", async () => {
      const ops = slowFs(async () => {
        const own = new AbortController();
        own.abort();
        await sleep(10, undefined, { signal: own.signal });
      });
      await withErrors(ops, async (dir, _session, errors) => {
        const out = await sh(`cat ${dir}/slow`);
        expect(out.stderr).toMatch(/Input\/output error/);
        expect(errors.map((e) => [e.op, e.error.name])).toEqual([['read', 'AbortError']]);
      });
    });

    it('a buffered read (read ahead in the background) is not interrupted: the reader dies at once, the late answer is harmless', async () => {
      const held: ReadRequest[] = [];
      const ops = slowFs((req) => {
        held.push(req);
      });
      await withErrors(ops, async (dir, session, errors) => {
        const reader = spawnChild('cat', [`${dir}/buffered`]);
        await waitFor(() => held.length >= 1, 5000, 'the read request');
        reader.child.kill('SIGINT');
        expect((await reader.done).signal).toBe('SIGINT');
        // The request outlived its reader.
        const req = held[0] as ReadRequest;
        expect(req.answered).toBe(false);
        expect(session.inflight).toBe(held.length);
        for (const r of held) r.replyBuf(dataFor(r));
        expect(session.inflight).toBe(0);
        // The late answer filled the page cache: the next reader gets the data without a request.
        const count = held.length;
        const again = await client<string>(`out(fs.readFileSync(${JSON.stringify(`${dir}/buffered`)}, 'latin1'))`);
        expect(again).toBe(CONTENT.toString('latin1'));
        expect(held).toHaveLength(count);
        expect(errors).toEqual([]);
      });
    });
  });
}
