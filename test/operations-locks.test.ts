/**
 * POSIX record locks (getlk, setlk) and BSD locks (flock) through real mounts:
 * the lock each request carries, the replies the caller sees, a blocking
 * F_SETLKW interrupted by a signal, and the lock owners the kernel assigns.
 * Clients are python3 child processes; this process only serves the mount.
 */
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import type { BigLock, Lock, Operations, SetlkRequest } from '../lib/index.js';
import { describeMount, type Outcome, sh, spawnChild, waitFor, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;
const F_RDLCK = 0;
const F_WRLCK = 1;
const F_UNLCK = 2;
const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

/** Python helpers: `lk(fd, cmd, type, start, length, whence)` wraps fcntl with a struct flock. */
const PRELUDE = `import os, sys, json, errno, fcntl, struct, ctypes, signal
F_GETLK, F_SETLK, F_SETLKW, F_OFD_SETLK = 5, 6, 7, 37
FL = 'hh4xqqi4x'  # struct flock on 64-bit Linux
def lk(fd, cmd, type, start, length, whence=0):
    try:
        r = fcntl.fcntl(fd, cmd, struct.pack(FL, type, whence, start, length, 0))
    except OSError as e:
        return {'error': errno.errorcode.get(e.errno, str(e.errno))}
    t, w, s, l, p = struct.unpack(FL, r)
    return {'type': t, 'whence': w, 'start': s, 'length': l, 'pid': p}
def attempt(f):
    try:
        return f()
    except OSError as e:
        return {'error': errno.errorcode.get(e.errno, str(e.errno))}
`;

/**
 * Python, after PRELUDE: `raw_setlkw(fd, type, start, length)` calls fcntl(F_SETLKW)
 * through ctypes, so a signal is not retried as Python would; it returns
 * `[result, errno name or None]`. SIGUSR1 is handled (and does not restart the call).
 */
const RAW_SETLKW = `class Flock(ctypes.Structure):
    _fields_ = [('l_type', ctypes.c_short), ('l_whence', ctypes.c_short), ('l_start', ctypes.c_int64),
                ('l_len', ctypes.c_int64), ('l_pid', ctypes.c_int32)]
libc = ctypes.CDLL(None, use_errno=True)
signal.signal(signal.SIGUSR1, lambda *a: None)
def raw_setlkw(fd, type, start, length):
    res = libc.fcntl(fd, F_SETLKW, ctypes.byref(Flock(type, 0, start, length, 0)))
    err = ctypes.get_errno() if res != 0 else 0
    return [res, errno.errorcode.get(err, err) if res != 0 else None]
`;

/** A python3 child (with the lock helpers) with a deadline: its process, and its outcome. */
function spawnPy(script: string, args: string[], timeoutMs = 15_000): { child: ChildProcess; done: Promise<Outcome> } {
  return spawnChild('python3', ['-c', `${PRELUDE}${script}`, ...args], timeoutMs);
}

/** Runs a python3 script (with the lock helpers) in a child; it prints one JSON value. */
async function py<T = unknown>(script: string, ...args: string[]): Promise<T> {
  const result = await spawnPy(script, args).done;
  if (result.code !== 0) throw new Error(`python3 failed (${result.code ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Regular files named in `files` (name → ino) in the root directory, plus `overrides`. */
function flat(files: Record<string, number>, overrides: Operations): Operations {
  const names = new Map(Object.entries(files));
  return {
    lookup(req) {
      const ino = req.parent === ROOT ? names.get(req.name) : undefined;
      if (ino === undefined) return req.replyError('ENOENT');
      req.replyEntry({ ino, attr: { mode: S_IFREG | 0o666, nlink: 1, size: 1000 }, entryTimeout: 60, attrTimeout: 60 });
    },
    getattr(req) {
      req.replyAttr(
        req.ino === ROOT ? { mode: S_IFDIR | 0o755, nlink: 2 } : { mode: S_IFREG | 0o666, nlink: 1, size: 1000 },
        60,
      );
    },
    ...overrides,
  };
}

describeMount('getlk', () => {
  it('delivers the lock (start made absolute); a conflicting lock in replyLock is what F_GETLK returns', async () => {
    const seen: { ino: number; fh: number; lock: Lock; owner: string }[] = [];
    const errors: string[] = [];
    const ops = flat(
      { f: 2 },
      {
        open: (req) => req.replyOpen(77),
        getlk(req) {
          seen.push({ ino: req.ino, fh: req.fh, lock: req.lock, owner: typeof req.lockOwner });
          if (req.lock.start === 100) {
            return req.replyLock({ type: F_RDLCK, start: 90, length: 20, pid: process.pid });
          }
          if (req.lock.start === 300) {
            try {
              req.replyLock({ type: 3, start: 0, length: 0 });
            } catch (error) {
              errors.push((error as Error).name);
            }
            return;
          }
          req.replyLock({ ...req.lock, type: F_UNLCK });
        },
        setlk: (req) => req.replyOk(),
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py<Record<string, unknown>[]>(
        `fd = os.open(sys.argv[1], os.O_RDWR)
os.lseek(fd, 10, os.SEEK_SET)
print(json.dumps([lk(fd, F_GETLK, 1, 100, 50), lk(fd, F_GETLK, 0, 5, 0, os.SEEK_CUR), lk(fd, F_GETLK, 1, 300, 1)]))`,
        `${dir}/f`,
      );
      expect(result[0]).toEqual({ type: F_RDLCK, whence: 0, start: 90, length: 20, pid: process.pid });
      expect(result[1]).toMatchObject({ type: F_UNLCK });
      expect(result[2]).toEqual({ error: 'EIO' });
      expect(errors).toEqual(['RangeError']);
      expect(seen).toEqual([
        { ino: 2, fh: 77, lock: { type: F_WRLCK, whence: 0, start: 100, length: 50, pid: 0 }, owner: 'bigint' },
        { ino: 2, fh: 77, lock: { type: F_RDLCK, whence: 0, start: 15, length: 0, pid: 0 }, owner: 'bigint' },
        { ino: 2, fh: 77, lock: { type: F_WRLCK, whence: 0, start: 300, length: 1, pid: 0 }, owner: 'bigint' },
      ]);
    });
  });
});

describeMount('setlk', () => {
  it('F_SETLK: wait is false, the caller pid arrives (0 for unlock), an error reply reaches the caller', async () => {
    const seen: { wait: boolean; lock: Lock }[] = [];
    const ops = flat(
      { f: 2 },
      {
        getlk: (req) => req.replyLock({ ...req.lock, type: F_UNLCK }),
        setlk(req) {
          seen.push({ wait: req.wait, lock: req.lock });
          if (req.lock.start === 500) return req.replyError('EAGAIN');
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py<{ pid: number; r: unknown[] }>(
        `fd = os.open(sys.argv[1], os.O_RDWR)
r = [lk(fd, F_SETLK, 1, 0, 10), lk(fd, F_SETLK, 0, 500, 1), lk(fd, F_SETLK, 2, 0, 10)]
print(json.dumps({'pid': os.getpid(), 'r': r}))`,
        `${dir}/f`,
      );
      expect(result.r[0]).toMatchObject({ type: F_WRLCK, start: 0, length: 10 });
      expect(result.r[1]).toEqual({ error: 'EAGAIN' });
      expect(result.r[2]).toMatchObject({ type: F_UNLCK });
      expect(seen).toEqual([
        { wait: false, lock: { type: F_WRLCK, whence: 0, start: 0, length: 10, pid: result.pid } },
        { wait: false, lock: { type: F_RDLCK, whence: 0, start: 500, length: 1, pid: result.pid } },
        { wait: false, lock: { type: F_UNLCK, whence: 0, start: 0, length: 10, pid: 0 } },
      ]);
    });
  });

  it('F_SETLKW: wait is true and the caller stays blocked until the handler replies', async () => {
    let held: SetlkRequest | undefined;
    const ops = flat(
      { f: 2 },
      {
        getlk: (req) => req.replyLock({ ...req.lock, type: F_UNLCK }),
        setlk(req) {
          if (req.wait) {
            held = req; // granted later
            return;
          }
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir, session) => {
      const { done } = spawnPy(
        `fd = os.open(sys.argv[1], os.O_RDWR)
print(json.dumps(lk(fd, F_SETLKW, 1, 0, 0)))`,
        [`${dir}/f`],
      );
      let finished = false;
      void done.then(() => (finished = true));
      await waitFor(() => held !== undefined, 5000, 'the blocking setlk');
      expect(held?.wait).toBe(true);
      expect(held?.lock).toMatchObject({ type: F_WRLCK, start: 0, length: 0 });
      // a round trip through the mount: the locker is still waiting for its reply
      expect((await sh(`stat -c %i ${dir}/f`)).stdout).toBe('2\n');
      expect(finished).toBe(false);
      expect(session.inflight).toBe(1);
      held?.replyOk();
      const outcome = await done;
      expect(outcome.code).toBe(0);
      expect(JSON.parse(outcome.stdout)).toMatchObject({ type: F_WRLCK, start: 0, length: 0 });
      expect(session.inflight).toBe(0);
    });
  });

  for (const signal of ['SIGUSR1', 'SIGKILL'] as const) {
    it(`a blocked F_SETLKW whose caller gets ${signal}: req.signal aborts, EINTR is answered, the session keeps serving`, async () => {
      const held: SetlkRequest[] = [];
      const reasons: unknown[] = [];
      const granted: number[] = [];
      const errors: unknown[] = [];
      const ops = flat(
        { f: 2 },
        {
          getlk: (req) => req.replyLock({ ...req.lock, type: F_UNLCK }),
          setlk(req) {
            if (!req.wait) {
              granted.push(req.lock.start);
              return req.replyOk();
            }
            held.push(req);
            req.signal.addEventListener('abort', () => {
              reasons.push(req.signal.reason);
              req.replyError('EINTR');
            });
          },
        },
      );
      await withSession(ops, async (dir, session) => {
        session.on('error', (error) => errors.push(error));
        // ctypes: the raw fcntl(2) result and errno, with a handler that does not restart it
        const { child, done } = spawnPy(
          `${RAW_SETLKW}fd = os.open(sys.argv[1], os.O_RDWR)
res, err = raw_setlkw(fd, 1, 0, 0)
print(json.dumps({'res': res, 'errno': err, 'again': lk(fd, F_SETLK, 1, 7, 1)}))`,
          [`${dir}/f`],
        );
        await waitFor(() => held.length === 1, 5000, 'the blocking setlk');
        expect(session.inflight).toBe(1);
        expect(held[0]?.signal.aborted).toBe(false);
        child.kill(signal);
        const outcome = await done;
        expect(reasons).toHaveLength(1);
        expect(reasons[0]).toMatchObject({ name: 'AbortError' });
        expect(held[0]?.answered).toBe(true);
        if (signal === 'SIGKILL') {
          // the kernel waits for the answer before the process can die
          expect(outcome.signal).toBe('SIGKILL');
        } else {
          expect(outcome.code).toBe(0);
          expect(JSON.parse(outcome.stdout)).toEqual({
            res: -1,
            errno: 'EINTR',
            again: { type: F_WRLCK, whence: 0, start: 7, length: 1, pid: 0 },
          });
        }
        expect(session.inflight).toBe(0);
        // still serving: another client locks without waiting
        const again = await py(
          `fd = os.open(sys.argv[1], os.O_RDWR)
print(json.dumps(lk(fd, F_SETLK, 1, 9, 1)))`,
          `${dir}/f`,
        );
        expect(again).toMatchObject({ type: F_WRLCK, start: 9, length: 1 });
        expect(granted).toContain(9);
        expect(held).toHaveLength(1);
        expect(errors).toEqual([]);
      });
    });
  }
});

describeMount('setlk: interrupts and ranges', () => {
  it('req.signal read only after the interrupt came still aborts, and EINTR reaches the caller', async () => {
    let held: SetlkRequest | undefined;
    const ops = flat(
      { f: 2 },
      {
        getlk: (req) => req.replyLock({ ...req.lock, type: F_UNLCK }),
        setlk(req) {
          if (req.wait)
            held = req; // the signal is not looked at yet
          else req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir, session) => {
      const { child, done } = spawnPy(
        `${RAW_SETLKW}fd = os.open(sys.argv[1], os.O_RDWR)
print(json.dumps(raw_setlkw(fd, 0, 10, 5)))`,
        [`${dir}/f`],
      );
      await waitFor(() => held !== undefined, 5000, 'the blocking setlk');
      child.kill('SIGUSR1');
      // a round trip through the mount: the kernel sends interrupts ahead of other requests
      expect((await sh(`stat -c %i ${dir}/f`)).stdout).toBe('2\n');
      const signal = held?.signal as AbortSignal;
      await waitFor(() => signal.aborted, 5000, 'the abort');
      held?.replyError('EINTR');
      const outcome = await done;
      expect(JSON.parse(outcome.stdout)).toEqual([-1, 'EINTR']);
      expect(session.inflight).toBe(0);
    });
  });

  it('a range beyond 2^53 reaches the handler exactly (lockBig), and a number-only read of it throws', async () => {
    const seen: BigLock[] = [];
    const errors: unknown[] = [];
    const ops = flat(
      { f: 2 },
      {
        getlk(req) {
          seen.push(req.lockBig);
          req.replyLock({ ...req.lockBig, type: F_UNLCK });
        },
        setlk(req) {
          seen.push(req.lockBig);
          if (req.lockBig.start > BigInt(Number.MAX_SAFE_INTEGER)) expect(() => req.lock).toThrow(RangeError);
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir, session) => {
      session.on('error', (error) => errors.push(error));
      const result = await py(
        `fd = os.open(sys.argv[1], os.O_RDWR)
print(json.dumps([lk(fd, F_GETLK, 1, 2 ** 60, 0), lk(fd, F_SETLK, 1, 2 ** 60 + 1, 1),
  lk(fd, F_SETLK, 1, 2 ** 53 - 2, 2)]))`,
        `${dir}/f`,
      );
      expect(result).toEqual([
        { type: F_UNLCK, whence: 0, start: 2 ** 60, length: 0, pid: 0 },
        { type: F_WRLCK, whence: 0, start: 2 ** 60 + 1, length: 1, pid: 0 }, // (JSON rounds it here; the handler saw it exactly)
        { type: F_WRLCK, whence: 0, start: 2 ** 53 - 2, length: 2, pid: 0 },
      ]);
      // every lock reached a handler, exactly
      expect(seen).toEqual([
        { type: F_WRLCK, whence: 0, start: 2n ** 60n, length: 0n, pid: expect.any(Number) },
        { type: F_WRLCK, whence: 0, start: 2n ** 60n + 1n, length: 1n, pid: expect.any(Number) },
        { type: F_WRLCK, whence: 0, start: 2n ** 53n - 2n, length: 2n, pid: expect.any(Number) },
      ]);
      expect(errors).toEqual([]);
    });
  });
});

describeMount('flock', () => {
  it('delivers LOCK_SH / LOCK_EX / LOCK_UN with LOCK_NB; an error reply reaches flock(2); release says to drop them', async () => {
    const seen: { ino: number; fh: number; operation: number }[] = [];
    const releases: { fh: number; flockRelease: boolean }[] = [];
    const ops = flat(
      { f: 2, busy: 3 },
      {
        open: (req) => req.replyOpen(req.ino * 10),
        flock(req) {
          seen.push({ ino: req.ino, fh: req.fh, operation: req.operation });
          if (req.ino === 3) return req.replyError('EWOULDBLOCK');
          req.replyOk();
        },
        release(req) {
          releases.push({ fh: req.fh, flockRelease: req.flockRelease });
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      const shared = await sh(`flock -s -n ${dir}/f true && flock -x ${dir}/f true; echo $?`);
      expect(shared.stdout).toBe('0\n');
      const busy = await sh(`flock -x -n ${dir}/busy true; echo $?`);
      expect(busy.stdout).toBe('1\n');
      const result = await py(
        `fd = os.open(sys.argv[1], os.O_RDWR)
r = [attempt(lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)), attempt(lambda: fcntl.flock(fd, fcntl.LOCK_UN))]
os.close(fd)
print(json.dumps(r))`,
        `${dir}/f`,
      );
      expect(result).toEqual([null, null]);
      expect(seen).toEqual([
        { ino: 2, fh: 20, operation: LOCK_SH | LOCK_NB },
        { ino: 2, fh: 20, operation: LOCK_EX },
        { ino: 3, fh: 30, operation: LOCK_EX | LOCK_NB },
        { ino: 2, fh: 20, operation: LOCK_EX | LOCK_NB },
        { ino: 2, fh: 20, operation: LOCK_UN },
      ]);
      await waitFor(() => releases.length === 4, 5000, '4 releases');
      // every open took a flock (the failed one too), so every release drops them
      expect(releases.map((r) => r.flockRelease)).toEqual([true, true, true, true]);
    });
  });
});

describeMount('lock owners', () => {
  it('flock and OFD locks: one owner per open file description (release repeats it); POSIX locks: one per process (flush repeats it)', async () => {
    let nextFh = 1;
    const events: { kind: string; fh: number; owner: bigint; flockRelease?: boolean }[] = [];
    const ops = flat(
      { f: 2 },
      {
        open: (req) => req.replyOpen(nextFh++),
        getlk: (req) => req.replyLock({ ...req.lock, type: F_UNLCK }),
        setlk(req) {
          events.push({ kind: `setlk@${req.lock.start}`, fh: req.fh, owner: req.lockOwner });
          req.replyOk();
        },
        flock(req) {
          events.push({ kind: 'flock', fh: req.fh, owner: req.lockOwner });
          req.replyOk();
        },
        flush(req) {
          events.push({ kind: 'flush', fh: req.fh, owner: req.lockOwner });
          req.replyOk();
        },
        release(req) {
          events.push({ kind: 'release', fh: req.fh, owner: req.lockOwner, flockRelease: req.flockRelease });
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      await py(
        `p = sys.argv[1]
a = os.open(p, os.O_RDWR); b = os.dup(a); c = os.open(p, os.O_RDWR)
for fd in (a, b, c): fcntl.flock(fd, fcntl.LOCK_SH)
assert 'error' not in lk(a, F_SETLK, 0, 0, 1) and 'error' not in lk(c, F_SETLK, 0, 1, 1)
for i, fd in enumerate((a, b, c)): assert 'error' not in lk(fd, F_OFD_SETLK, 0, 2 + i, 1)
os.close(b); os.close(a); os.close(c)
print('null')`,
        `${dir}/f`,
      );
      await waitFor(() => events.filter((e) => e.kind === 'release').length === 2, 5000, '2 releases');
      const kinds = events.map((e) => `${e.kind} ${e.fh}`);
      expect(kinds).toEqual([
        'flock 1',
        'flock 1',
        'flock 2',
        'setlk@0 1',
        'setlk@1 2',
        'setlk@2 1',
        'setlk@3 1',
        'setlk@4 2',
        'flush 1',
        'flush 1',
        'release 1',
        'flush 2',
        'release 2',
      ]);
      const owner = (kind: string, fh: number): bigint | undefined =>
        events.find((e) => e.kind === kind && e.fh === fh)?.owner;
      for (const e of events) expect(typeof e.owner).toBe('bigint');
      const ofdA = owner('flock', 1);
      const ofdC = owner('flock', 2);
      const proc = owner('setlk@0', 1);
      expect(new Set([ofdA, ofdC, proc]).size).toBe(3);
      // flock: the dup shares the description's owner
      expect(events.filter((e) => e.kind === 'flock').map((e) => e.owner)).toEqual([ofdA, ofdA, ofdC]);
      // POSIX (process-associated) locks: one owner for both descriptions, and every flush carries it
      expect(owner('setlk@1', 2)).toBe(proc);
      expect(events.filter((e) => e.kind === 'flush').map((e) => e.owner)).toEqual([proc, proc, proc]);
      // OFD locks: the description's owner, the same as its flock owner
      expect([owner('setlk@2', 1), owner('setlk@3', 1), owner('setlk@4', 2)]).toEqual([ofdA, ofdA, ofdC]);
      // release drops the flock locks of the description's owner
      expect(events.filter((e) => e.kind === 'release').map((e) => [e.owner, e.flockRelease])).toEqual([
        [ofdA, true],
        [ofdC, true],
      ]);
    });
  });
});
