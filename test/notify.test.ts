/**
 * Kernel notifications on real mounts with long cache timeouts (60 s) and
 * keepCache: what the kernel caches stays stale until the filesystem says
 * otherwise, and each notification makes exactly its change visible to a
 * client in a child process. Also: notifications sent from inside a handler of
 * the very request they concern (threads 0 and 1), after unmount, with bad
 * arguments, and the notify example. notifyPoll is covered in
 * operations-control.test.ts.
 *
 * The kernel may drop what it caches at any time: an unused name or inode
 * when memory runs short (or when anything on the machine writes
 * /proc/sys/vm/drop_caches), a page under memory pressure. A test that needs
 * the kernel to keep an inode holds it open in a child process (whileOpen): an
 * inode in use keeps its attributes, its pages and the name it was opened by.
 * What cannot be held that way (a name cached as missing) is cached again
 * right before the step that relies on it.
 */
import { createHash } from 'node:crypto';
import { constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../examples/index.js';
import { notifyOperations } from '../examples/notify.js';
import {
  type Attr,
  CAP,
  FuseError,
  type LookupRequest,
  type Operations,
  type ReadRequest,
  type Session,
} from '../lib/index.js';
import { type StartedChild, startChild } from '../lib/testing/index.js';
import { ROOT as REPO } from './helpers/dist.js';
import { client, describeMount, run, tempMountpoint, waitFor, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;
const LONG = 60;
/** A fixed mtime: a getattr refresh never looks like a change (AUTO_INVAL_DATA stays quiet). */
const MTIME = 1_600_000_000_000;

interface File {
  ino: number;
  content: Buffer;
}

/**
 * The root directory holds `files` (mutable: tests change them behind the
 * kernel's back). Everything is cached for a minute: entries, attributes,
 * missing names (negative entries), data (keepCache) and listings
 * (cacheReaddir). Every request is recorded in `calls` as "op name-or-ino".
 */
function cachedFs(files: Map<string, File>, calls: string[], overrides: Operations = {}): Operations {
  const byIno = (ino: number) => [...files.values()].find((f) => f.ino === ino);
  const attrOf = (ino: number): Attr | undefined => {
    if (ino === ROOT) return { ino, mode: S_IFDIR | 0o755, nlink: 2, mtime: MTIME };
    const file = byIno(ino);
    return file && { ino, mode: S_IFREG | 0o644, nlink: 1, size: file.content.length, mtime: MTIME };
  };
  const listings = new Map<number, [string, number, number][]>();
  let nextFh = 1;
  return {
    lookup(req) {
      calls.push(`lookup ${req.name}`);
      const file = req.parent === ROOT ? files.get(req.name) : undefined;
      if (file === undefined) return req.replyEntry({ ino: 0, entryTimeout: LONG });
      req.replyEntry({ ino: file.ino, attr: attrOf(file.ino) as Attr, attrTimeout: LONG, entryTimeout: LONG });
    },
    getattr(req) {
      calls.push(`getattr ${req.ino}`);
      const attr = attrOf(req.ino);
      if (attr === undefined) return req.replyError('ENOENT');
      req.replyAttr(attr, LONG);
    },
    open(req) {
      calls.push(`open ${req.ino}`);
      req.replyOpen(0, { keepCache: true });
    },
    read(req) {
      calls.push(`read ${req.ino}`);
      const content = byIno(req.ino)?.content ?? Buffer.alloc(0);
      const start = Math.min(req.offset, content.length);
      req.replyBuf(content.subarray(start, Math.min(start + req.size, content.length)));
    },
    opendir(req) {
      calls.push(`opendir ${req.ino}`);
      const fh = nextFh++;
      listings.set(fh, [
        ['.', ROOT, S_IFDIR],
        ['..', ROOT, S_IFDIR],
        ...[...files].map(([name, f]): [string, number, number] => [name, f.ino, S_IFREG]),
      ]);
      req.replyOpen(fh, { keepCache: true, cacheReaddir: true });
    },
    readdir(req) {
      calls.push(`readdir ${req.ino}`);
      const entries = listings.get(req.fh) ?? [];
      for (let i = req.offset; i < entries.length; i++) {
        const [name, ino, mode] = entries[i] as [string, number, number];
        if (!req.add(name, ino, mode, i + 1)) break;
      }
      req.replyDirents();
    },
    releasedir(req) {
      listings.delete(req.fh);
      req.replyOk();
    },
    ...overrides,
  };
}

const filesOf = (entries: Record<string, [number, string | Buffer]>): Map<string, File> =>
  new Map(Object.entries(entries).map(([name, [ino, content]]) => [name, { ino, content: Buffer.from(content) }]));

type Result<T> = T | { error: string };

/** `cat`, from a child process: the content (latin1), or the error code. */
const cat = (path: string) => client<Result<string>>(`out(fs.readFileSync(${JSON.stringify(path)}, 'latin1'))`);
/** `stat`, from a child process: the inode number, or the error code. */
const statIno = (path: string) => client<Result<number>>(`out(fs.statSync(${JSON.stringify(path)}).ino)`);
/** `ls`, from a child process: the sorted names, or the error code. */
const ls = (path: string) => client<Result<string[]>>(`out(fs.readdirSync(${JSON.stringify(path)}).sort())`);

/** The requests recorded since `mark` (an index into `calls`). */
const since = (calls: string[], mark: number) => calls.slice(mark);

/** Whatever `fn` threw synchronously or its promise rejected with (fails the test if neither). */
async function failureOf(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw or a rejection, but it succeeded');
}

/** A child process with a deadline, whose stdout can be watched as it comes. */
function spawnChild(
  command: string,
  args: readonly string[],
  timeoutMs = 15_000,
): StartedChild & { stdout: () => string } {
  const started = startChild(command, args, { timeoutMs });
  let stdout = '';
  started.child.stdout?.on('data', (d: string) => (stdout += d));
  return { ...started, stdout: () => stdout };
}

/**
 * Holds `paths` open (read-only) in a child process while `fn` runs. The
 * kernel never evicts an inode in use: it keeps the inode's attributes until
 * they time out, the name it was opened by (a notification still drops that
 * name) and its cached pages, unless memory runs short or something drops the
 * page cache itself (drop_caches 1 or 3). So a notification about the inode
 * finds it, and what the test cached stays cached.
 */
async function whileOpen<T>(paths: string[], fn: () => Promise<T>): Promise<T> {
  const holder = spawnChild(
    'python3',
    [
      '-c',
      "import os, sys, time\nfds = [os.open(p, os.O_RDONLY) for p in sys.argv[1:]]\nprint('held', flush=True)\ntime.sleep(600)",
      ...paths,
    ],
    600_000,
  );
  let exited = false;
  void holder.done.then(() => (exited = true));
  try {
    await waitFor(() => exited || holder.stdout() === 'held\n', 10_000, `a child to open ${paths.join(', ')}`);
    if (exited) throw new Error(`could not open ${paths.join(', ')}: ${(await holder.done).stderr}`);
    return await fn();
  } finally {
    holder.child.kill('SIGKILL');
    await holder.done;
  }
}

// ---------------------------------------------------------------------------

describeMount('notifyInvalInode', () => {
  it('a changed file is not seen while cached (60 s, keepCache); after notifyInvalInode it is, new size included', async () => {
    const files = filesOf({ f: [2, 'one\n'] });
    const calls: string[] = [];
    // Read-only, so that reads do not mark atime stale: the reader's fstat is then answered from the cache too
    // (on a writable mount it would ask getattr, and a new size alone would drop the cached pages).
    const ops = cachedFs(files, calls);
    await withSession(
      ops,
      (dir, session) =>
        whileOpen([`${dir}/f`], async () => {
          expect(await cat(`${dir}/f`)).toBe('one\n');
          expect(calls).toContain('read 2');
          (files.get('f') as File).content = Buffer.from('two, and longer\n');
          // Cached: the old bytes and the old size; only the open reaches the filesystem.
          let mark = calls.length;
          expect(await cat(`${dir}/f`)).toBe('one\n');
          expect(since(calls, mark)).toEqual(['open 2']);

          expect(await session.notifyInvalInode(2)).toBe(true);
          mark = calls.length;
          expect(await cat(`${dir}/f`)).toBe('two, and longer\n');
          expect(since(calls, mark)).toContain('read 2');
          expect(since(calls, mark)).toContain('getattr 2');
          expect(session.inflight).toBe(0);
        }),
      { readOnly: true },
    );
  });

  it('offset and length drop only that range of the cached data (and the attributes)', async () => {
    const page = 4096;
    const old = Buffer.concat([Buffer.alloc(page, 'a'), Buffer.alloc(page, 'b'), Buffer.alloc(page, 'c')]);
    const files = filesOf({ f: [2, old] });
    const calls: string[] = [];
    await withSession(cachedFs(files, calls), (dir, session) =>
      whileOpen([`${dir}/f`], async () => {
        expect(await cat(`${dir}/f`)).toBe(old.toString('latin1'));
        (files.get('f') as File).content = Buffer.alloc(3 * page, 'x');
        expect(await session.notifyInvalInode(2, page, page)).toBe(true);
        const mark = calls.length;
        expect(await cat(`${dir}/f`)).toBe(`${'a'.repeat(page)}${'x'.repeat(page)}${'c'.repeat(page)}`);
        expect(since(calls, mark)).toContain('read 2');
        expect(since(calls, mark)).toContain('getattr 2');
      }),
    );
  });

  it('resolves false for an inode the kernel does not know', async () => {
    const calls: string[] = [];
    await withSession(cachedFs(filesOf({ f: [2, 'x'] }), calls), async (_dir, session) => {
      expect(await session.notifyInvalInode(2)).toBe(false); // never looked up
      expect(await session.notifyInvalInode(123_456, 0, 10)).toBe(false);
    });
  });
});

// ---------------------------------------------------------------------------

describeMount('notifyStore and retrieve', () => {
  it('notifyStore fills the page cache: a read returns the stored bytes and no read request comes', async () => {
    const files = filesOf({ f: [2, 'original\n'] });
    const calls: string[] = [];
    // Held open: the kernel knows the inode (and keeps the stored pages).
    await withSession(cachedFs(files, calls), (dir, session) =>
      whileOpen([`${dir}/f`], async () => {
        expect(await session.notifyStore(2, 0, Buffer.from('stored!!\n'))).toBe(true);
        expect(await cat(`${dir}/f`)).toBe('stored!!\n');
        expect(calls.filter((c) => c.startsWith('read'))).toEqual([]);
        // A Uint8Array at an offset inside the file patches the cached page in place.
        expect(await session.notifyStore(2, 2, new Uint8Array([0x4f, 0x4b]))).toBe(true);
        expect(await cat(`${dir}/f`)).toBe('stOKed!!\n');
        expect((await session.retrieve(2, 0, 100)).toString()).toBe('stOKed!!\n');
        expect(calls.filter((c) => c.startsWith('read'))).toEqual([]);
      }),
    );
  });

  it('notifyStore beyond the end extends the size the kernel has cached', async () => {
    const files = filesOf({ f: [2, '0123456789'] });
    await withSession(cachedFs(files, []), (dir, session) =>
      whileOpen([`${dir}/f`], async () => {
        expect(await cat(`${dir}/f`)).toBe('0123456789');
        expect(await session.notifyStore(2, 10, Buffer.from('ABCDE'))).toBe(true);
        expect((await session.retrieve(2, 0, 100)).toString()).toBe('0123456789ABCDE');
      }),
    );
  });

  it('retrieve returns what reads left in the page cache: ranges, past the end, nothing once invalidated', async () => {
    const content = Buffer.from('hello, page cache\n');
    const files = filesOf({ f: [2, content] });
    await withSession(cachedFs(files, []), (dir, session) =>
      whileOpen([`${dir}/f`], async () => {
        // Known to the kernel, nothing cached yet.
        expect(await session.retrieve(2, 0, 100)).toEqual(Buffer.alloc(0));
        expect(await cat(`${dir}/f`)).toBe(content.toString());
        const all = await session.retrieve(2, 0, 4096);
        expect(Buffer.isBuffer(all)).toBe(true);
        expect(all.toString()).toBe(content.toString());
        expect((await session.retrieve(2, 7, 4)).toString()).toBe('page');
        expect(await session.retrieve(2, 1000, 10)).toEqual(Buffer.alloc(0));
        // Several at once: each promise gets its own answer.
        const parts = await Promise.all([0, 1, 2, 3].map((i) => session.retrieve(2, i * 4, 4)));
        expect(parts.map((p) => p.toString())).toEqual(['hell', 'o, p', 'age ', 'cach']);
        expect(await session.notifyInvalInode(2)).toBe(true);
        expect(await session.retrieve(2, 0, 4096)).toEqual(Buffer.alloc(0));
      }),
    );
  });

  it('megabytes and thousands at once: a 3 MiB store, retrieves of it, 2000 notifications in flight', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const files = filesOf({ f: [2, big] });
    const calls: string[] = [];
    await withSession(cachedFs(files, calls), (dir, session) =>
      whileOpen([`${dir}/f`], async () => {
        expect(await session.notifyStore(2, 0, big)).toBe(true);
        // The kernel answers at most conn.maxWrite bytes per retrieve.
        const whole = await session.retrieve(2, 0, big.length);
        expect(whole.length).toBeGreaterThanOrEqual(Math.min(big.length, session.conn.maxWrite));
        expect(whole.equals(big.subarray(0, whole.length))).toBe(true);
        expect(await session.retrieve(2, 5, 0)).toEqual(Buffer.alloc(0));
        expect(await session.notifyStore(2, 0, Buffer.alloc(0))).toBe(true);
        const [invalidations, parts] = await Promise.all([
          Promise.all(Array.from({ length: 2000 }, (_, i) => session.notifyInvalInode(10_000 + i))),
          Promise.all(Array.from({ length: 500 }, (_, i) => session.retrieve(2, i * 1000, 1000))),
        ]);
        expect(invalidations.every((v) => v === false)).toBe(true);
        expect(parts.every((p, i) => p.equals(big.subarray(i * 1000, i * 1000 + 1000)))).toBe(true);
        // All of it is in the page cache: a reader gets it without a read request.
        const md5 = await client(
          `out(require('node:crypto').createHash('md5').update(fs.readFileSync(${JSON.stringify(`${dir}/f`)})).digest('hex'))`,
        );
        expect(md5).toBe(createHash('md5').update(big).digest('hex'));
        expect(calls.filter((c) => c.startsWith('read'))).toEqual([]);
      }),
    );
  });

  it('for an inode the kernel does not know: notifyStore resolves false, retrieve rejects with FuseError ENOENT', async () => {
    await withSession(cachedFs(filesOf({}), []), async (_dir, session) => {
      expect(await session.notifyStore(77, 0, Buffer.from('x'))).toBe(false);
      const error = await failureOf(() => session.retrieve(77, 0, 10));
      expect(error).toBeInstanceOf(FuseError);
      expect((error as FuseError).code).toBe('ENOENT');
      expect(error.message).toBe('the kernel refused the notification: ENOENT');
    });
  });
});

// ---------------------------------------------------------------------------

describeMount('notifyInvalEntry, notifyDelete and notifyExpireEntry', () => {
  it('a removed name is still found while cached; after notifyInvalEntry it is looked up again: ENOENT', async () => {
    const files = filesOf({ a: [2, 'a'], b: [3, 'b'] });
    const calls: string[] = [];
    // Held open, the name stays cached until the notification drops it.
    await withSession(cachedFs(files, calls), (dir, session) =>
      whileOpen([`${dir}/a`], async () => {
        expect(await statIno(`${dir}/a`)).toBe(2);
        files.delete('a');
        let mark = calls.length;
        expect(await statIno(`${dir}/a`)).toBe(2);
        expect(since(calls, mark)).toEqual([]);
        expect(await session.notifyInvalEntry(ROOT, 'a')).toBe(true);
        mark = calls.length;
        expect(await statIno(`${dir}/a`)).toEqual({ error: 'ENOENT' });
        expect(since(calls, mark)).toContain('lookup a');
        expect(await statIno(`${dir}/b`)).toBe(3); // the other name is untouched
      }),
    );
  });

  it('a name cached as missing (negative entry) appears after notifyInvalEntry', async () => {
    const files = filesOf({});
    const calls: string[] = [];
    await withSession(cachedFs(files, calls), async (dir, session) => {
      // Nothing holds a name cached as missing: the kernel may drop it between two steps (it then asks
      // again, and the second stat finds 'n'). Each attempt caches it anew, right before the steps.
      let cached = false;
      for (let attempt = 0; attempt < 3 && !cached; attempt++) {
        files.delete('n');
        await session.notifyInvalEntry(ROOT, 'n');
        expect(await statIno(`${dir}/n`)).toEqual({ error: 'ENOENT' });
        files.set('n', { ino: 5, content: Buffer.from('new') });
        const mark = calls.length;
        const seen = await statIno(`${dir}/n`);
        if (since(calls, mark).length > 0) continue; // dropped meanwhile: asked again
        expect(seen).toEqual({ error: 'ENOENT' });
        cached = await session.notifyInvalEntry(ROOT, 'n');
      }
      expect(cached, 'the kernel kept the missing name cached in one of three attempts').toBe(true);
      const mark = calls.length;
      expect(await cat(`${dir}/n`)).toBe('new');
      expect(since(calls, mark)).toContain('lookup n');
    });
  });

  it('notifyDelete drops the entry and the cached listing; with a wrong child inode it resolves false', async () => {
    const files = filesOf({ a: [2, 'a'], b: [3, 'b'] });
    const calls: string[] = [];
    // b is held open: its name stays cached until notifyDelete drops it.
    await withSession(cachedFs(files, calls), (dir, session) =>
      whileOpen([`${dir}/b`], async () => {
        expect(await statIno(`${dir}/a`)).toBe(2);
        expect(await statIno(`${dir}/b`)).toBe(3);
        expect(await ls(dir)).toEqual(['a', 'b']);
        files.delete('b');
        files.set('c', { ino: 4, content: Buffer.from('c') });
        let mark = calls.length;
        expect(await ls(dir)).toEqual(['a', 'b']); // cached listing
        expect(await statIno(`${dir}/b`)).toBe(3);
        // (each opendir refreshes the directory's attributes, but no listing or lookup reaches the filesystem)
        expect(since(calls, mark).filter((c) => /^(readdir|lookup)/.test(c))).toEqual([]);

        expect(await session.notifyDelete(ROOT, 3, 'b')).toBe(true);
        mark = calls.length;
        expect(await statIno(`${dir}/b`)).toEqual({ error: 'ENOENT' });
        expect(await ls(dir)).toEqual(['a', 'c']);
        expect(since(calls, mark)).toContain('lookup b');
        expect(since(calls, mark)).toContain('readdir 1');

        // 'a' is inode 2, not 99: the kernel refuses (ENOENT), though it drops the cached name all the same.
        expect(await session.notifyDelete(ROOT, 99, 'a')).toBe(false);
        mark = calls.length;
        expect(await statIno(`${dir}/a`)).toBe(2);
        expect(since(calls, mark)).toContain('lookup a');
      }),
    );
  });

  it('notifyDelete tells inotify watchers of the file that it was deleted (IN_DELETE_SELF)', async () => {
    const files = filesOf({ gone: [2, 'g'], stays: [3, 's'] });
    await withSession(cachedFs(files, []), async (dir, session) => {
      expect(await statIno(`${dir}/gone`)).toBe(2);
      // Watches the file and its directory; prints every event until the file's watch is dropped (IN_IGNORED).
      const watcher = spawnChild('python3', [
        '-c',
        `import ctypes, os, struct, select, sys, json
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(0)
for path in sys.argv[1:]:
    if libc.inotify_add_watch(fd, path.encode(), 0xfff) < 0: raise OSError(ctypes.get_errno(), path)
print('ready', flush=True)
events = []
while not any(mask & 0x8000 for wd, mask, name in events) and select.select([fd], [], [], 5)[0]:
    data = os.read(fd, 4096)
    i = 0
    while i < len(data):
        wd, mask, cookie, n = struct.unpack_from('iIII', data, i)
        events.append([wd, mask, data[i + 16:i + 16 + n].rstrip(b'\\0').decode()])
        i += 16 + n
print(json.dumps(events), flush=True)`,
        `${dir}/gone`,
        dir,
      ]);
      await waitFor(() => watcher.stdout().startsWith('ready\n'), 5000, 'the inotify watches');
      // The watch holds the inode, not its name, which the kernel may have dropped meanwhile: cache it again.
      // (It cannot be held open instead: the watch would then see IN_DELETE_SELF only at the last close.)
      expect(await statIno(`${dir}/gone`)).toBe(2);
      files.delete('gone');
      expect(await session.notifyDelete(ROOT, 2, 'gone')).toBe(true);
      const outcome = await watcher.done;
      expect(outcome.code, outcome.stderr).toBe(0);
      const events = JSON.parse(outcome.stdout.slice('ready\n'.length)) as [number, number, string][];
      expect(events).toContainEqual([1, 0x400, '']); // IN_DELETE_SELF on the file's watch
      expect(events).toContainEqual([1, 0x8000, '']); // and its watch is gone with it
    });
  });

  it('resolve false for a name or a directory the kernel has not cached', async () => {
    const files = filesOf({ a: [2, 'a'] });
    await withSession(cachedFs(files, []), async (dir, session) => {
      expect(await session.notifyInvalEntry(ROOT, 'a')).toBe(false); // never looked up
      expect(await session.notifyInvalEntry(4242, 'a')).toBe(false);
      expect(await session.notifyDelete(ROOT, 2, 'a')).toBe(false);
      expect(await session.notifyDelete(4242, 2, 'a')).toBe(false);
      expect(await statIno(`${dir}/a`)).toBe(2);
    });
  });

  it('notifyExpireEntry makes the next access look the name up again (or rejects clearly without CAP.EXPIRE_ONLY)', async () => {
    const files = filesOf({ a: [2, 'a'] });
    const calls: string[] = [];
    await withSession(cachedFs(files, calls), (dir, session) =>
      whileOpen([`${dir}/a`], async () => {
        expect(await statIno(`${dir}/a`)).toBe(2);
        files.delete('a');
        if (!session.conn.canDo(CAP.EXPIRE_ONLY)) {
          const error = await failureOf(() => session.notifyExpireEntry(ROOT, 'a'));
          expect(error.message).toBe(
            'notifyExpireEntry: this kernel does not support expiring entries (CAP.EXPIRE_ONLY)',
          );
          return;
        }
        expect(await session.notifyExpireEntry(ROOT, 'a')).toBe(true);
        const mark = calls.length;
        expect(await statIno(`${dir}/a`)).toEqual({ error: 'ENOENT' });
        expect(since(calls, mark)).toContain('lookup a');
        expect(await session.notifyExpireEntry(ROOT, 'never-seen')).toBe(false);
      }),
    );
  });
});

// ---------------------------------------------------------------------------

describeMount('notifications from inside a handler of the same inode', () => {
  for (const threads of [0, 1]) {
    it(`notifyInvalEntry of the name being looked up, sent before the (late) reply: no deadlock, it completes after the reply (threads: ${threads})`, async () => {
      const order: string[] = [];
      let session: Session | undefined;
      let notified: Promise<unknown> | undefined;
      const ops = cachedFs(filesOf({ x: [2, 'x'] }), [], {
        lookup(req: LookupRequest) {
          if (req.name !== 'x') return req.replyEntry({ ino: 0, entryTimeout: LONG });
          order.push('lookup');
          notified = (session as Session).notifyInvalEntry(ROOT, 'x').then(
            (v) => order.push(`notified ${v}`),
            (e: Error) => order.push(`rejected ${e.message}`),
          );
          setTimeout(() => {
            order.push('replied');
            req.replyEntry({ ino: 2, attr: { mode: S_IFREG | 0o644, size: 1 }, attrTimeout: LONG, entryTimeout: LONG });
          }, 150);
        },
      });
      await withSession(
        ops,
        async (dir, s) => {
          session = s;
          expect(await statIno(`${dir}/x`)).toBe(2);
          await waitFor(() => order.some((o) => /^(notified|rejected)/.test(o)), 5000, 'the notification');
          await notified;
          // The kernel held the directory while the lookup was pending: the notification waited for the reply.
          expect(order.slice(0, 2)).toEqual(['lookup', 'replied']);
          expect(order).toContain('notified true');
          expect(s.inflight).toBe(0);
          // The entry it dropped is looked up again.
          expect(await statIno(`${dir}/x`)).toBe(2);
          expect(order.filter((o) => o === 'lookup')).toHaveLength(2);
        },
        { threads },
      );
    });

    it(`notifyInvalInode of the inode being read, from its read handler: no deadlock, it completes after the reply (threads: ${threads})`, async () => {
      const order: string[] = [];
      let session: Session | undefined;
      let notified: Promise<unknown> | undefined;
      const content = Buffer.from('read me\n');
      const ops = cachedFs(filesOf({ f: [2, content] }), [], {
        read(req: ReadRequest) {
          order.push('read');
          if (order.filter((o) => o === 'read').length === 1) {
            notified = (session as Session).notifyInvalInode(req.ino).then(
              (v) => order.push(`notified ${v}`),
              (e: Error) => order.push(`rejected ${e.message}`),
            );
          }
          setTimeout(() => {
            order.push('replied');
            req.replyBuf(content.subarray(Math.min(req.offset, content.length), req.offset + req.size));
          }, 150);
        },
      });
      await withSession(
        ops,
        async (dir, s) => {
          session = s;
          expect(await cat(`${dir}/f`)).toBe('read me\n');
          await waitFor(() => order.some((o) => /^(notified|rejected)/.test(o)), 5000, 'the notification');
          await notified;
          // The page being read stayed locked until the reply; the invalidation waited for it (the reader
          // may read again meanwhile, on the page the invalidation is about to drop).
          expect(order.slice(0, 2)).toEqual(['read', 'replied']);
          expect(order).toContain('notified true');
          expect(s.inflight).toBe(0);
          // The pages it dropped are read again.
          expect(await cat(`${dir}/f`)).toBe('read me\n');
          expect(order.filter((o) => o === 'read').length).toBeGreaterThanOrEqual(2);
        },
        { threads },
      );
    });

    it(`notifyInvalInode and notifyInvalEntry of the inode asked about, from its getattr handler, replying at once (threads: ${threads})`, async () => {
      let session: Session | undefined;
      let armed = false;
      const results: Promise<boolean>[] = [];
      const calls: string[] = [];
      const base = cachedFs(filesOf({ g: [2, 'g'] }), calls);
      const ops: Operations = {
        ...base,
        getattr(req) {
          if (armed && req.ino === 2 && results.length === 0) {
            const s = session as Session;
            results.push(s.notifyInvalInode(2), s.notifyInvalEntry(ROOT, 'g'));
          }
          return base.getattr?.call(ops, req);
        },
      };
      await withSession(
        ops,
        (dir, s) =>
          whileOpen([`${dir}/g`], async () => {
            session = s;
            expect(await s.notifyInvalInode(2)).toBe(true); // the next stat asks getattr
            armed = true;
            expect(await statIno(`${dir}/g`)).toBe(2);
            expect(results).toHaveLength(2);
            expect(await Promise.all(results)).toEqual([true, true]);
            expect(s.inflight).toBe(0);
            // Both took effect: the name is looked up again.
            const mark = calls.length;
            expect(await statIno(`${dir}/g`)).toBe(2);
            expect(since(calls, mark)).toContain('lookup g');
          }),
        { threads },
      );
    });
  }
});

// ---------------------------------------------------------------------------

/**
 * A server (threads: 0) whose JS thread stops reading /dev/fuse (it busy-waits) while a reader's read
 * request is queued in the kernel with its pages locked, then sends notifyInvalInode for those pages
 * and waits until the notifier thread sleeps on the lock, then calls unmount(). It prints JSON lines.
 */
const STUCK_NOTIFY_SERVER = `
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mount } from ${JSON.stringify(join(REPO, 'dist', 'lib', 'index.js'))};
const dir = process.argv[2];
const print = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
const content = Buffer.alloc(8192, 'x');
const attr = (ino) => (ino === 1 ? { mode: 0o40755, nlink: 2 } : { mode: 0o100444, nlink: 1, size: content.length });
const session = await mount(dir, {
  lookup(req) {
    if (req.name !== 'f') return req.replyError('ENOENT');
    req.replyEntry({ ino: 2, attr: attr(2), attrTimeout: 60, entryTimeout: 60 });
  },
  getattr(req) { req.replyAttr(attr(req.ino), 60); },
  open(req) { req.replyOpen(0, { keepCache: true }); },
  read(req) { req.replyBuf(content.subarray(req.offset, req.offset + req.size)); },
}, { threads: 0, unmountTimeout: 500 });
const wchan = (path) => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
// Busy-waits: this thread must not serve the mount meanwhile.
const until = (check) => { const end = Date.now() + 5000; while (!check()) if (Date.now() > end) return false; return true; };
const reader = spawn('python3', ['-c', 'import os, sys\\nfd = os.open(sys.argv[1], os.O_RDONLY)\\nprint("opened", flush=True)\\nsys.stdin.readline()\\nos.pread(fd, 8192, 0)', dir + '/f'], { stdio: ['pipe', 'pipe', 'ignore'] });
reader.stdout.setEncoding('utf8').on('data', (d) => {
  if (!d.includes('opened')) return;
  reader.stdin.write('go\\n');
  const readerBlocked = until(() => /folio|fuse|request_wait/.test(wchan('/proc/' + reader.pid + '/wchan')));
  session.notifyInvalInode(2).catch(() => undefined);
  const tasks = () => readdirSync('/proc/self/task').map((t) => wchan('/proc/self/task/' + t + '/wchan'));
  const notifierBlocked = until(() => tasks().some((w) => /folio/.test(w)));
  print({ readerBlocked, notifierBlocked });
  session.unmount().then(() => { print({ unmounted: true }); process.exit(0); });
});
`;

describeMount('notifications and the session lifecycle', () => {
  it('a notification waiting in the kernel when unmount() comes: unmount finishes, the promise rejects clearly', async () => {
    let session: Session | undefined;
    let notified: Promise<boolean> | undefined;
    const held: LookupRequest[] = [];
    const ops = cachedFs(filesOf({}), [], {
      lookup(req: LookupRequest) {
        if (req.name !== 'stuck') return req.replyEntry({ ino: 0, entryTimeout: LONG });
        held.push(req); // never answered: unmount answers it
        notified = (session as Session).notifyInvalEntry(ROOT, 'stuck');
        notified.catch(() => undefined);
      },
    });
    await withSession(
      ops,
      async (dir, s) => {
        session = s;
        const caller = statIno(`${dir}/stuck`);
        await waitFor(() => held.length === 1, 5000, 'the lookup');
        const started = Date.now();
        await s.unmount();
        expect(Date.now() - started).toBeLessThan(3000);
        expect(await caller).toEqual({ error: 'EIO' });
        const outcome = await (notified as Promise<boolean>).then(
          (v) => `resolved ${v}`,
          (e: Error) => `rejected ${e.message}`,
        );
        expect(outcome).toBe('rejected the session was closed before the kernel answered the notification');
      },
      { unmountTimeout: 300 },
    );
  });

  // The server runs in its own process (from dist/): when unmount() hangs, it hangs for good, with a
  // thread in uninterruptible sleep that even SIGKILL cannot end until the FUSE connection is aborted
  // (umount -f, which needs root).
  it('unmount() while a notification waits for a page lock of a read the server has not read yet (threads: 0) still finishes', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip(); // cleaning up after a hang needs umount -f
    const work = tempMountpoint();
    const dir = join(work, 'mnt');
    mkdirSync(dir);
    const script = join(work, 'server.mjs');
    writeFileSync(script, STUCK_NOTIFY_SERVER);
    const server = spawnChild(process.execPath, [script, dir], 30_000);
    const lines = () =>
      server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    let exited = false;
    void server.done.then(() => (exited = true));
    try {
      await waitFor(() => exited || lines().some((l) => 'notifierBlocked' in l), 15_000, 'the server to set up');
      const setup = lines().find((l) => 'notifierBlocked' in l);
      if (setup === undefined) throw new Error(`the server exited early: ${(await server.done).stderr}`);
      // The reader's read waits in the kernel, unread; the notification waits for its page lock.
      expect(setup).toEqual({ readerBlocked: true, notifierBlocked: true });
      await waitFor(() => lines().some((l) => l.unmounted === true), 5000, 'unmount() to finish').catch(
        () => undefined,
      );
      expect(lines().some((l) => l.unmounted === true)).toBe(true);
    } finally {
      if (!exited) {
        await run('umount', ['-f', dir], 5000); // aborts the connection: the stuck thread wakes up
        server.child.kill('SIGKILL');
      }
      await server.done;
      await run('fusermount3', ['-u', '-z', dir], 5000);
      rmSync(work, { recursive: true, force: true });
    }
  }, 40_000);

  it('after unmount every notification rejects with a clear error', async () => {
    let closed: Session | undefined;
    await withSession(cachedFs(filesOf({ a: [2, 'a'] }), []), async (dir, session) => {
      expect(await statIno(`${dir}/a`)).toBe(2);
      await session.unmount();
      closed = session;
    });
    const s = closed as Session;
    const attempts: Record<string, () => Promise<unknown>> = {
      notifyInvalInode: () => s.notifyInvalInode(2),
      notifyInvalEntry: () => s.notifyInvalEntry(ROOT, 'a'),
      notifyDelete: () => s.notifyDelete(ROOT, 2, 'a'),
      notifyStore: () => s.notifyStore(2, 0, Buffer.from('x')),
      retrieve: () => s.retrieve(2, 0, 1),
    };
    for (const [name, attempt] of Object.entries(attempts)) {
      const promise = attempt();
      expect(promise, name).toBeInstanceOf(Promise);
      await expect(promise, name).rejects.toThrow(`${name}: the session is closed`);
    }
    await expect(s.notifyExpireEntry(ROOT, 'a')).rejects.toThrow(
      s.conn.canDo(CAP.EXPIRE_ONLY)
        ? 'notifyExpireEntry: the session is closed'
        : 'notifyExpireEntry: this kernel does not support expiring entries (CAP.EXPIRE_ONLY)',
    );
  });

  it('bad arguments throw (or reject with) TypeError / RangeError, and nothing is sent', async () => {
    await withSession(cachedFs(filesOf({ a: [2, 'a'] }), []), (dir, session) =>
      whileOpen([`${dir}/a`], async () => {
        expect(await cat(`${dir}/a`)).toBe('a');
        const s = session as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const name = "a non-empty name of at most 255 bytes without '/' or NUL";
        const cases: [string, unknown[], ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor, string][] = [
          ['notifyInvalInode', [0], RangeError, 'notifyInvalInode: ino must be a positive safe integer, got 0'],
          ['notifyInvalInode', [-2], RangeError, 'notifyInvalInode: ino must be a non-negative safe integer, got -2'],
          ['notifyInvalInode', [2.5], RangeError, 'notifyInvalInode: ino must be a non-negative safe integer, got 2.5'],
          ['notifyInvalInode', ['2'], TypeError, 'notifyInvalInode: ino must be a non-negative safe integer, got "2"'],
          [
            'notifyInvalInode',
            [2, -1],
            RangeError,
            'notifyInvalInode: offset must be a non-negative safe integer, got -1',
          ],
          [
            'notifyInvalInode',
            [2, 0, Number.NaN],
            RangeError,
            'notifyInvalInode: length must be a non-negative safe integer, got NaN',
          ],
          ['notifyInvalEntry', [ROOT, 'a/b'], RangeError, `notifyInvalEntry: name must be ${name}, got "a/b"`],
          ['notifyInvalEntry', [ROOT, ''], RangeError, `notifyInvalEntry: name must be ${name}, got ""`],
          ['notifyInvalEntry', [ROOT, 'a\0b'], RangeError, `notifyInvalEntry: name must be ${name}, got "a\\u0000b"`],
          [
            'notifyInvalEntry',
            [ROOT, 'é'.repeat(128)],
            RangeError,
            `notifyInvalEntry: name must be ${name}, got "${'é'.repeat(57)}..."`,
          ],
          ['notifyInvalEntry', [ROOT, 42], TypeError, 'notifyInvalEntry: name must be a string or a Buffer, got 42'],
          ['notifyInvalEntry', [0, 'a'], RangeError, 'notifyInvalEntry: parent must be a positive safe integer, got 0'],
          ['notifyExpireEntry', [ROOT, 'x/y'], RangeError, `notifyExpireEntry: name must be ${name}, got "x/y"`],
          ['notifyDelete', [ROOT, 0, 'a'], RangeError, 'notifyDelete: child must be a positive safe integer, got 0'],
          ['notifyDelete', [ROOT, 2, 'a/b'], RangeError, `notifyDelete: name must be ${name}, got "a/b"`],
          [
            'notifyDelete',
            [ROOT, 2, undefined],
            TypeError,
            'notifyDelete: name must be a string or a Buffer, got undefined',
          ],
          ['notifyStore', [2, 0, 'text'], TypeError, 'notifyStore: data must be a Buffer or Uint8Array, got "text"'],
          ['notifyStore', [2, 0, [1, 2]], TypeError, 'notifyStore: data must be a Buffer or Uint8Array, got an array'],
          [
            'notifyStore',
            [2, -1, Buffer.from('x')],
            RangeError,
            'notifyStore: offset must be a non-negative safe integer, got -1',
          ],
          [
            'notifyStore',
            [0, 0, Buffer.from('x')],
            RangeError,
            'notifyStore: ino must be a positive safe integer, got 0',
          ],
          ['retrieve', [2, 0, -1], RangeError, 'retrieve: size must be an integer from 0 to 4294967295, got -1'],
          [
            'retrieve',
            [2, 0, 2 ** 32],
            RangeError,
            'retrieve: size must be an integer from 0 to 4294967295, got 4294967296',
          ],
          ['retrieve', [0, 0, 1], RangeError, 'retrieve: ino must be a positive safe integer, got 0'],
        ];
        for (const [method, args, type, message] of cases) {
          const error = await failureOf(() =>
            (s[method] as (...a: unknown[]) => Promise<unknown>).apply(session, args),
          );
          expect(error, `${method}(${String(args)})`).toBeInstanceOf(type);
          expect(error.message).toBe(message);
        }
        // Nothing reached the kernel: the cached data is still there.
        expect((await session.retrieve(2, 0, 10)).toString()).toBe('a');
        expect(session.inflight).toBe(0);
      }),
    );
  });
});

// ---------------------------------------------------------------------------

describeMount('the notify example', () => {
  /** The example with a clock of our own, ticked by hand; `reads` counts read requests by inode. */
  function example(times: Date[]) {
    let i = 0;
    const fs = notifyOperations({ interval: 0, now: () => times[Math.min(i++, times.length - 1)] as Date });
    const reads = new Map<number, number>();
    const ops: Operations = {
      ...fs.ops,
      read(req) {
        reads.set(req.ino, (reads.get(req.ino) ?? 0) + 1);
        return fs.ops.read?.call(fs.ops, req);
      },
    };
    return { fs, ops, reads };
  }
  const T = [0, 1, 2, 3].map((s) => new Date(Date.UTC(2030, 0, 1, 12, 0, s)));
  const iso = (t: Date) => t.toISOString();

  it('clock: the same time while cached (60 s, keepCache), the new one after each tick', async () => {
    const { fs, ops, reads } = example(T);
    await withSession(ops, (dir, session) =>
      whileOpen([`${dir}/clock`], async () => {
        fs.attach(session);
        expect(await cat(`${dir}/clock`)).toBe(`${iso(T[0] as Date)}\n`);
        expect(await cat(`${dir}/clock`)).toBe(`${iso(T[0] as Date)}\n`);
        expect(reads.get(2)).toBe(1);
        const report = await fs.tick();
        expect(report.clock).toBe(`${iso(T[1] as Date)}\n`);
        expect(report.clockInvalidated).toBe(true);
        expect(await cat(`${dir}/clock`)).toBe(`${iso(T[1] as Date)}\n`);
        expect(reads.get(2)).toBe(2);
      }),
    );
  });

  it('live/ and events: a new entry is seen at once (even one cached as missing), a gone one is gone, the log grows without a read', async () => {
    const { fs, ops, reads } = example(T);
    // events and live/entry-1 are held open: the kernel keeps the log's pages and the name that goes.
    await withSession(ops, (dir, session) =>
      whileOpen([`${dir}/events`, `${dir}/live/entry-1`], async () => {
        fs.attach(session);
        expect(await ls(`${dir}/live`)).toEqual(['entry-1', 'entry-2', 'entry-3']);
        expect(await statIno(`${dir}/live/entry-1`)).toBe(101);
        const before = await cat(`${dir}/events`);
        expect(before).toBe([1, 2, 3].map((n) => `${iso(T[0] as Date)} + entry-${n}\n`).join(''));
        const eventReads = reads.get(3);
        // Cached as missing right before the tick (nothing can hold a missing name).
        expect(await statIno(`${dir}/live/entry-4`)).toEqual({ error: 'ENOENT' });

        const report = await fs.tick();
        expect(report.added).toEqual({ name: 'entry-4', ino: 104, notified: true });
        expect(report.removed).toEqual([{ name: 'entry-1', ino: 101, notified: true }]);
        expect(report.events.notified).toBe(true);

        expect(await ls(`${dir}/live`)).toEqual(['entry-2', 'entry-3', 'entry-4']);
        expect(await cat(`${dir}/live/entry-4`)).toBe(`entry 4, born ${iso(T[1] as Date)}\n`);
        expect(await statIno(`${dir}/live/entry-1`)).toEqual({ error: 'ENOENT' });
        expect(await cat(`${dir}/events`)).toBe(
          `${before}${iso(T[1] as Date)} + entry-4\n${iso(T[1] as Date)} - entry-1\n`,
        );
        expect(reads.get(3)).toBe(eventReads); // the new lines came from notifyStore
      }),
    );
  });

  it('attached with a timer, the clock moves by itself; the timer stops at unmount', async () => {
    const fs = notifyOperations({ interval: 50 });
    let first = '';
    await withSession(fs.ops, async (dir, session) => {
      fs.attach(session);
      first = (await cat(`${dir}/clock`)) as string;
      expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/);
      await waitFor(async () => (await cat(`${dir}/clock`)) !== first, 5000, 'the clock to move');
      const entries = (await ls(`${dir}/live`)) as string[];
      expect(entries).toHaveLength(3);
      expect(entries).not.toEqual(['entry-1', 'entry-2', 'entry-3']);
    });
    // Unmounted: a tick still works on the state, and says the kernel heard nothing.
    const report = await fs.tick();
    expect(report.clockInvalidated).toBe(false);
    expect(report.added.notified).toBe(false);
  });
});

describe('the notify example in the CLI', () => {
  it('is registered, and its create() hands out the session hook', () => {
    const example = EXAMPLES.notify;
    expect(example).toBeDefined();
    const created = example?.create({ timeout: 1 });
    expect(typeof created?.ops.lookup).toBe('function');
    expect(typeof created?.attach).toBe('function');
    expect(created?.options.fsName).toBe('notify');
    expect(example?.tryThis('/mnt/n').join('\n')).toContain('/mnt/n/clock');
  });

  it('rejects bad options', () => {
    expect(() => notifyOperations({ timeout: -1 })).toThrow(RangeError);
    expect(() => notifyOperations({ interval: 0.5 })).toThrow(RangeError);
    expect(() => notifyOperations({ keep: 0 })).toThrow(RangeError);
  });
});
