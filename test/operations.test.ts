/**
 * Every operation of the current API through real mounts: each handler sees
 * what the kernel sent, and each reply has the effect a client can observe.
 * Clients are child processes (coreutils, python3, node); the test process
 * only serves the mount.
 */
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import {
  type Attr,
  CAP,
  type ConnectionInfo,
  type Entry,
  type ForgetItem,
  FuseError,
  mount,
  type Operations,
  type RequestContext,
} from '../lib/index.js';
import {
  cleanup,
  client,
  describeMount,
  isMounted,
  python,
  run,
  sh,
  tempMountpoint,
  waitFor,
  withSession,
} from './helpers/fuse.js';

const {
  S_IFDIR,
  S_IFREG,
  S_IFLNK,
  S_IFCHR,
  O_ACCMODE = 3,
  O_RDONLY,
  O_WRONLY,
  O_RDWR,
  O_APPEND,
  O_NONBLOCK,
  O_DIRECTORY,
} = constants as typeof constants & { O_ACCMODE?: number };
const ROOT = 1;

const ROOT_ATTR: Attr = { ino: ROOT, mode: S_IFDIR | 0o755, nlink: 2, mtime: 1_700_000_000_000 };

/** Runs a python3 script in a child; it prints one JSON value. `argv[1..]` are `args`. */
const py = python();

interface FileNode {
  ino: number;
  attr: Attr;
  content?: Buffer;
  target?: string;
}

/**
 * A flat filesystem: the root directory holds `files`. Handlers for lookup,
 * getattr, readdir, readlink and read are provided; `overrides` replace or add
 * others. `timeouts` are the entry/attr cache timeouts of every reply.
 */
function flatFs(
  files: Record<string, FileNode>,
  overrides: Operations = {},
  timeouts: { entry?: number; attr?: number } = {},
): Operations {
  const byIno = new Map<number, FileNode>(Object.values(files).map((f) => [f.ino, f]));
  const entryTimeout = timeouts.entry ?? 60;
  const attrTimeout = timeouts.attr ?? 60;
  const attrOf = (ino: number): Attr | undefined => (ino === ROOT ? ROOT_ATTR : byIno.get(ino)?.attr);
  return {
    lookup(req) {
      const node = req.parent === ROOT ? files[req.name] : undefined;
      if (node === undefined) return req.replyError('ENOENT');
      req.replyEntry({ ino: node.ino, attr: node.attr, entryTimeout, attrTimeout });
    },
    getattr(req) {
      const attr = attrOf(req.ino);
      if (attr === undefined) return req.replyError('ENOENT');
      req.replyAttr(attr, attrTimeout);
    },
    readlink(req) {
      const target = byIno.get(req.ino)?.target;
      if (target === undefined) return req.replyError('EINVAL');
      req.replyReadlink(target);
    },
    readdir(req) {
      const entries: [string, number, number][] = [
        ['.', ROOT, S_IFDIR],
        ['..', ROOT, S_IFDIR],
        ...Object.entries(files).map(([name, f]): [string, number, number] => [name, f.ino, f.attr.mode]),
      ];
      for (let i = req.offset; i < entries.length; i++) {
        const [name, ino, mode] = entries[i] as [string, number, number];
        if (!req.add(name, ino, mode, i + 1)) break;
      }
      req.replyDirents();
    },
    read(req) {
      const content = byIno.get(req.ino)?.content ?? Buffer.alloc(0);
      req.replyBuf(
        content.subarray(Math.min(req.offset, content.length), Math.min(req.offset + req.size, content.length)),
      );
    },
    ...overrides,
  };
}

function file(ino: number, content: string | Buffer, mode = 0o644, extra: Partial<Attr> = {}): FileNode {
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    ino,
    content: data,
    attr: { ino, mode: S_IFREG | mode, nlink: 1, size: data.length, mtime: 1_700_000_000_000, ...extra },
  };
}

describeMount('lookup', () => {
  it('delivers the parent and the exact name, and replyEntry sets every attr field with nanosecond times', async () => {
    const BIG_INO = 2 ** 40 + 5;
    const attr: Attr = {
      mode: S_IFREG | 0o640,
      nlink: 3,
      uid: 1234,
      gid: 5678,
      size: 123_456_789,
      blksize: 8192,
      blocks: 241_129,
      atime: new Date(Date.UTC(2021, 0, 2, 3, 4, 5, 678)),
      mtime: 1_700_000_000_123_456_789n,
      ctime: 1_600_000_000_123.456,
    };
    const NAME = 'héllo wörld ✓';
    const seen: { parent: number; name: string }[] = [];
    const ops: Operations = {
      lookup(req) {
        seen.push({ parent: req.parent, name: req.name });
        if (req.name === NAME)
          return req.replyEntry({ ino: BIG_INO, generation: 7, attr, attrTimeout: 60, entryTimeout: 60 });
        if (req.name === 'dev') {
          // a device, with times before the epoch
          return req.replyEntry({
            ino: 9,
            attr: { mode: S_IFCHR | 0o600, rdev: 0x103, mtime: -1_500_000_001n, atime: -2500.25 },
            attrTimeout: 60,
            entryTimeout: 60,
          });
        }
        req.replyError('ENOENT');
      },
      getattr(req) {
        // Only the root is asked: the entry's attributes are cached for 60 s.
        if (req.ino !== ROOT) return req.replyError('EIO');
        req.replyAttr(ROOT_ATTR);
      },
    };
    await withSession(ops, async (dir) => {
      const st = await client<Record<string, string>>(`
        const s = fs.statSync(${JSON.stringify(`${dir}/${NAME}`)}, { bigint: true });
        const d = fs.statSync('${dir}/dev', { bigint: true });
        out({ ino: String(s.ino), mode: String(s.mode), nlink: String(s.nlink), uid: String(s.uid), gid: String(s.gid),
          size: String(s.size), blksize: String(s.blksize), blocks: String(s.blocks), atimeNs: String(s.atimeNs),
          mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs), devMode: String(d.mode), devRdev: String(d.rdev),
          devMtimeNs: String(d.mtimeNs), devAtimeNs: String(d.atimeNs) });`);
      expect(st).toEqual({
        ino: String(BIG_INO),
        mode: String(S_IFREG | 0o640),
        nlink: '3',
        uid: '1234',
        gid: '5678',
        size: '123456789',
        blksize: '8192',
        blocks: '241129',
        atimeNs: String(BigInt(Date.UTC(2021, 0, 2, 3, 4, 5, 678)) * 1_000_000n),
        mtimeNs: '1700000000123456789',
        ctimeNs: expect.stringMatching(/^1600000000123456\d{3}$/),
        devMode: String(S_IFCHR | 0o600),
        devRdev: String(0x103),
        devMtimeNs: '-1500000001',
        devAtimeNs: '-2500250000',
      });
      // coreutils shows the same nanoseconds
      const shown = await sh(`stat -c '%y|%t:%T' ${JSON.stringify(`${dir}/${NAME}`)} ${dir}/dev`);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/\.123456789 /);
      expect(shown.stdout).toMatch(/\|1:3\n$/);
      expect(seen).toContainEqual({ parent: ROOT, name: NAME });
      expect(seen).toContainEqual({ parent: ROOT, name: 'dev' });
    });
  });

  it('caches a negative entry (ino 0) for entryTimeout, but not an ENOENT error', async () => {
    const lookups = { negative: 0, enoent: 0, bare: 0 };
    const ops: Operations = {
      lookup(req) {
        if (req.name === 'negative') {
          lookups.negative++;
          return req.replyEntry({ ino: 0, attr: { mode: 0 }, entryTimeout: 60 });
        }
        if (req.name === 'bare') {
          lookups.bare++;
          // the form the docs show: no attr for a negative entry
          return req.replyEntry({ ino: 0, entryTimeout: 60 } as Entry);
        }
        if (req.name === 'enoent') lookups.enoent++;
        req.replyError('ENOENT');
      },
    };
    await withSession(ops, async (dir) => {
      const result = await py<unknown[]>(
        `d = sys.argv[1]
print(json.dumps([attempt(lambda: os.stat(d + '/' + n).st_ino) for n in ['negative', 'bare', 'enoent'] for _ in range(3)]))`,
        dir,
      );
      expect(result).toEqual(Array(9).fill({ error: 'ENOENT' }));
      expect(lookups).toEqual({ negative: 1, bare: 1, enoent: 3 });
    });
  });

  it('re-asks the filesystem every time with entryTimeout 0', async () => {
    let lookups = 0;
    const ops = flatFs({ f: file(2, 'x') }, {}, { entry: 0, attr: 0 });
    const lookup = ops.lookup!;
    ops.lookup = (req) => {
      lookups++;
      return lookup.call(ops, req);
    };
    await withSession(ops, async (dir) => {
      const result = await sh(`for i in 1 2 3 4; do stat -c %i ${dir}/f; done`);
      expect(result.stdout).toBe('2\n2\n2\n2\n');
      expect(lookups).toBe(4);
    });
  });
});

describeMount('getattr', () => {
  it('answers stat with replyAttr and honours the attr timeout', async () => {
    const calls: { ino: number; fh: number | undefined }[] = [];
    const mk = (timeout: number): Operations =>
      flatFs(
        { f: file(2, 'hello') },
        {
          getattr(req) {
            calls.push({ ino: req.ino, fh: req.fh });
            if (req.ino === ROOT) return req.replyAttr(ROOT_ATTR, timeout);
            req.replyAttr({ mode: S_IFREG | 0o600, size: 42, nlink: 1, mtime: 5_000n }, timeout);
          },
        },
        { attr: 0 },
      );
    await withSession(mk(0), async (dir) => {
      const out = await sh(`for i in 1 2 3; do stat -c '%s %a %Y %i' ${dir}/f; done`);
      expect(out.stdout).toBe('42 600 0 2\n'.repeat(3));
      // attr ino defaults to the request's ino; each stat asks again (timeout 0)
      expect(calls.filter((c) => c.ino === 2)).toEqual(Array(3).fill({ ino: 2, fh: undefined }));
    });
    calls.length = 0;
    await withSession(mk(60), async (dir) => {
      const out = await sh(`for i in 1 2 3; do stat -c '%s' ${dir}/f; done`);
      expect(out.stdout).toBe('42\n42\n42\n');
      expect(calls.filter((c) => c.ino === 2)).toHaveLength(1);
    });
  });

  it('carries the open file handle when the kernel asks about an open file', async () => {
    const FH = 2 ** 33 + 17;
    const calls: { ino: number; fh: number | undefined }[] = [];
    const ops = flatFs(
      { f: file(2, 'x'.repeat(100)) },
      {
        open(req) {
          req.replyOpen(FH);
        },
        getattr(req) {
          calls.push({ ino: req.ino, fh: req.fh });
          req.replyAttr(req.ino === ROOT ? ROOT_ATTR : { mode: S_IFREG | 0o644, size: 777, nlink: 1 }, 0);
        },
      },
      { attr: 0 },
    );
    await withSession(ops, async (dir) => {
      const result = await py<{ end: number }>(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
calls_before = 0
end = os.lseek(fd, 0, os.SEEK_END)
os.close(fd)
print(json.dumps({'end': end}))`,
        `${dir}/f`,
      );
      expect(result.end).toBe(777);
      expect(calls).toContainEqual({ ino: 2, fh: FH });
      // a path stat carries no handle
      calls.length = 0;
      await sh(`stat ${dir}/f`);
      expect(calls).toContainEqual({ ino: 2, fh: undefined });
      expect(calls.some((c) => c.fh !== undefined)).toBe(false);
    });
  });

  it('replyAttr validates: a second reply throws, a bad attr throws RangeError and the caller gets EIO', async () => {
    const thrown: string[] = [];
    const ops = flatFs(
      { ok: file(2, ''), bad: file(3, '') },
      {
        getattr(req) {
          if (req.ino === ROOT) return req.replyAttr(ROOT_ATTR);
          if (req.ino === 3) {
            try {
              req.replyAttr({ mode: S_IFREG | 0o644, size: -1 });
            } catch (error) {
              thrown.push(`${(error as Error).name}: ${(error as Error).message}`);
            }
            return;
          }
          req.replyAttr({ mode: S_IFREG | 0o644, size: 1 }, 0);
          try {
            req.replyAttr({ mode: S_IFREG | 0o644, size: 2 }, 0);
          } catch (error) {
            thrown.push(`${(error as Error).name}: ${(error as Error).message}`);
          }
        },
      },
      { attr: 0 },
    );
    await withSession(ops, async (dir) => {
      const result = await py(
        `print(json.dumps([attempt(lambda: os.stat(sys.argv[1]).st_size), attempt(lambda: os.stat(sys.argv[2]).st_size)]))`,
        `${dir}/ok`,
        `${dir}/bad`,
      );
      expect(result).toEqual([1, { error: 'EIO' }]);
      expect(thrown).toHaveLength(2);
      expect(thrown).toContainEqual(
        expect.stringMatching(/^Error: getattr\.replyAttr: the request was already answered/),
      );
      expect(thrown).toContainEqual(expect.stringMatching(/^RangeError: getattr\.replyAttr: attr\.size must be/));
    });
  });
});

describeMount('readlink', () => {
  it('answers readlink(2) with the target, every time it is asked', async () => {
    const LONG = `${'d/'.repeat(2046)}end`; // 4095 bytes: the longest target (PATH_MAX with its NUL)
    const calls: number[] = [];
    const ops = flatFs(
      {
        link: { ino: 2, target: '../somewhere/ünïcødé ✓', attr: { mode: S_IFLNK | 0o777, nlink: 1, size: 5 } },
        long: { ino: 3, target: LONG, attr: { mode: S_IFLNK | 0o777, nlink: 1 } },
      },
      {
        readlink(req) {
          calls.push(req.ino);
          req.replyReadlink(req.ino === 2 ? '../somewhere/ünïcødé ✓' : LONG);
        },
      },
    );
    await withSession(ops, async (dir) => {
      // python's os.readlink makes one readlink(2) call with a PATH_MAX buffer
      const targets = await py(
        `print(json.dumps([os.readlink(p) for p in sys.argv[1:]]))`,
        `${dir}/link`,
        `${dir}/link`,
        `${dir}/long`,
      );
      expect(targets).toEqual(['../somewhere/ünïcødé ✓', '../somewhere/ünïcødé ✓', LONG]);
      expect(calls).toEqual([2, 2, 3]);
      // and coreutils agrees
      expect((await sh(`readlink ${dir}/link`)).stdout).toBe('../somewhere/ünïcødé ✓\n');
    });
  });

  it('rejects a target with NUL or over 4095 bytes (RangeError) and the caller gets EIO', async () => {
    const thrown: string[] = [];
    const ops = flatFs(
      {
        nul: { ino: 2, target: 'a\0b', attr: { mode: S_IFLNK | 0o777, nlink: 1 } },
        huge: { ino: 3, target: 'x'.repeat(4096), attr: { mode: S_IFLNK | 0o777, nlink: 1 } },
      },
      {
        readlink(req) {
          try {
            req.replyReadlink(req.ino === 2 ? 'a\0b' : 'x'.repeat(4096));
          } catch (error) {
            thrown.push((error as Error).name);
          }
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py(
        `print(json.dumps([attempt(lambda: os.readlink(p)) for p in sys.argv[1:]]))`,
        `${dir}/nul`,
        `${dir}/huge`,
      );
      expect(result).toEqual([{ error: 'EIO' }, { error: 'EIO' }]);
      expect(thrown).toEqual(['RangeError', 'RangeError']);
    });
  });
});

describeMount('open', () => {
  it('sees the open(2) flags and passes the chosen fh to read, flush and release', async () => {
    const FH = 2 ** 40 + 3;
    const opens: number[] = [];
    const used: { op: string; fh: number }[] = [];
    const ops = flatFs(
      { f: file(2, 'data') },
      {
        open(req) {
          opens.push(req.flags);
          req.replyOpen(FH);
        },
        read(req) {
          used.push({ op: 'read', fh: req.fh });
          req.replyBuf(Buffer.from('data').subarray(req.offset));
        },
        flush(req) {
          used.push({ op: 'flush', fh: req.fh });
          req.replyOk();
        },
        release(req) {
          used.push({ op: 'release', fh: req.fh });
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      const read = await py<string>(
        `p = sys.argv[1]
for flags in [os.O_RDONLY, os.O_WRONLY | os.O_APPEND, os.O_RDWR | os.O_NONBLOCK]:
    os.close(os.open(p, flags))
fd = os.open(p, os.O_RDONLY)
data = os.read(fd, 100)
os.close(fd)
print(json.dumps(data.decode()))`,
        `${dir}/f`,
      );
      expect(read).toBe('data');
      expect(opens).toHaveLength(4);
      const [rd, wrAppend, rdwrNonblock, rd2] = opens as [number, number, number, number];
      expect(rd & O_ACCMODE).toBe(O_RDONLY);
      expect(rd & (O_APPEND | O_NONBLOCK)).toBe(0);
      expect(wrAppend & O_ACCMODE).toBe(O_WRONLY);
      expect(wrAppend & O_APPEND).toBe(O_APPEND);
      expect(rdwrNonblock & O_ACCMODE).toBe(O_RDWR);
      expect(rdwrNonblock & O_NONBLOCK).toBe(O_NONBLOCK);
      expect(rd2 & O_ACCMODE).toBe(O_RDONLY);
      await waitFor(() => used.filter((u) => u.op === 'release').length === 4, 5000, '4 releases');
      expect(used.filter((u) => u.op === 'read').length).toBeGreaterThan(0);
      expect(used.filter((u) => u.op === 'flush')).toHaveLength(4);
      expect(new Set(used.map((u) => u.fh))).toEqual(new Set([FH]));
    });
  });

  it('an error reply fails open(2)', async () => {
    const ops = flatFs({ f: file(2, 'x') }, { open: (req) => req.replyError('EACCES') });
    await withSession(ops, async (dir) => {
      const result = await client(`try { fs.openSync('${dir}/f', 'r'); out('opened'); } catch (e) { out(e.code); }`);
      expect(result).toBe('EACCES');
    });
  });

  it('directIo bypasses the page cache and the file size', async () => {
    const CONTENT = 'generated on every read\n';
    let reads = 0;
    const mk = (directIo: boolean): Operations =>
      flatFs(
        // size 0, like a /proc file: only direct_io reads reach the filesystem
        { f: { ino: 2, content: Buffer.from(CONTENT), attr: { mode: S_IFREG | 0o444, nlink: 1, size: 0 } } },
        {
          open: (req) => req.replyOpen(1, { directIo }),
          read(req) {
            reads++;
            req.replyBuf(Buffer.from(CONTENT).subarray(Math.min(req.offset, CONTENT.length)));
          },
        },
      );
    await withSession(mk(true), async (dir) => {
      const out = await sh(`cat ${dir}/f; cat ${dir}/f`);
      expect(out.stdout).toBe(CONTENT.repeat(2));
      expect(reads).toBeGreaterThanOrEqual(4); // data + EOF, twice: nothing cached
    });
    reads = 0;
    await withSession(mk(false), async (dir) => {
      const out = await sh(`cat ${dir}/f`);
      expect(out.stdout).toBe('');
      expect(reads).toBe(0);
    });
  });

  it('keepCache keeps cached pages across opens; without it each open reads again', async () => {
    const CONTENT = Buffer.alloc(20_000, 'k');
    let reads = 0;
    const mk = (keepCache: boolean): Operations =>
      flatFs(
        { f: file(2, CONTENT) },
        {
          open: (req) => req.replyOpen(1, { keepCache }),
          read(req) {
            reads++;
            req.replyBuf(CONTENT.subarray(Math.min(req.offset, CONTENT.length), req.offset + req.size));
          },
        },
      );
    for (const keepCache of [true, false]) {
      reads = 0;
      await withSession(mk(keepCache), async (dir) => {
        const first = await sh(`cat ${dir}/f | wc -c`);
        expect(first.stdout.trim()).toBe('20000');
        const afterFirst = reads;
        expect(afterFirst).toBeGreaterThan(0);
        const second = await sh(`cat ${dir}/f | wc -c`);
        expect(second.stdout.trim()).toBe('20000');
        if (keepCache) expect(reads).toBe(afterFirst);
        else expect(reads).toBeGreaterThan(afterFirst);
      });
    }
  });

  it('nonseekable makes lseek and pread fail with ESPIPE', async () => {
    const mk = (nonseekable: boolean): Operations =>
      flatFs({ f: file(2, '0123456789') }, { open: (req) => req.replyOpen(1, { nonseekable }) });
    const script = `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps([attempt(lambda: os.lseek(fd, 5, os.SEEK_SET)), attempt(lambda: os.pread(fd, 3, 2).decode())]))`;
    await withSession(mk(true), async (dir) => {
      expect(await py(script, `${dir}/f`)).toEqual([{ error: 'ESPIPE' }, { error: 'ESPIPE' }]);
    });
    await withSession(mk(false), async (dir) => {
      expect(await py(script, `${dir}/f`)).toEqual([5, '234']);
    });
  });
});

describeMount('read', () => {
  it('serves offset and size; an async handler may answer later', async () => {
    const CONTENT = Buffer.from(Array.from({ length: 10_000 }, (_, i) => `${i % 10}`).join(''));
    const seen: { offset: number; size: number; flags: number }[] = [];
    const ops = flatFs(
      { f: file(2, CONTENT) },
      {
        open: (req) => req.replyOpen(5, { directIo: true }),
        async read(req) {
          seen.push({ offset: req.offset, size: req.size, flags: req.flags });
          await new Promise((r) => setImmediate(r));
          req.replyBuf(CONTENT.subarray(Math.min(req.offset, CONTENT.length), req.offset + req.size));
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py<string[]>(
        `fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print(json.dumps([os.pread(fd, 7, 1234).decode(), os.pread(fd, 3, 9998).decode(), os.pread(fd, 5, 20000).decode()]))`,
        `${dir}/f`,
      );
      expect(result).toEqual([CONTENT.subarray(1234, 1241).toString(), '89', '']);
      expect(seen.map(({ offset, size }) => ({ offset, size }))).toEqual([
        { offset: 1234, size: 7 },
        { offset: 9998, size: 3 },
        { offset: 20000, size: 5 },
      ]);
      for (const { flags } of seen) expect(flags & O_NONBLOCK).toBe(O_NONBLOCK);
    });
  });
});

describeMount('flush', () => {
  it('is called on every close(2) of every descriptor, with the closing process lock owner', async () => {
    const flushes: { ino: number; fh: number; lockOwner: bigint }[] = [];
    const releases: { fh: number; lockOwner: bigint }[] = [];
    const ops = flatFs(
      { f: file(2, 'x') },
      {
        open: (req) => req.replyOpen(99),
        flush(req) {
          flushes.push({ ino: req.ino, fh: req.fh, lockOwner: req.lockOwner });
          req.replyOk();
        },
        release(req) {
          releases.push({ fh: req.fh, lockOwner: req.lockOwner });
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      await py(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
dup = os.dup(fd)
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.close(dup)
    os._exit(0)
os.waitpid(pid, 0)
os.close(dup)
os.close(fd)
print('null')`,
        `${dir}/f`,
      );
      await waitFor(() => releases.length === 1, 5000, 'the release');
      expect(flushes).toHaveLength(4);
      for (const f of flushes) expect(f).toMatchObject({ ino: 2, fh: 99 });
      const owners = flushes.map((f) => f.lockOwner);
      for (const o of owners) expect(typeof o).toBe('bigint');
      // the forked child's two closes share one owner, the parent's another
      expect(owners[0]).toBe(owners[1]);
      expect(owners[2]).toBe(owners[3]);
      expect(owners[0]).not.toBe(owners[2]);
    });
  });

  it('an error reply is what close(2) returns', async () => {
    const ops = flatFs({ f: file(2, 'x') }, { flush: (req) => req.replyError('ENOSPC') });
    await withSession(ops, async (dir) => {
      const result = await py(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps(attempt(lambda: os.close(fd))))`,
        `${dir}/f`,
      );
      expect(result).toEqual({ error: 'ENOSPC' });
    });
  });

  it('is not called for a file opened with noflush', async () => {
    let flushes = 0;
    let releases = 0;
    const mk = (noflush: boolean): Operations =>
      flatFs(
        { f: file(2, 'x') },
        {
          open: (req) => req.replyOpen(1, { noflush }),
          flush(req) {
            flushes++;
            req.replyOk();
          },
          release(req) {
            releases++;
            req.replyOk();
          },
        },
      );
    for (const noflush of [true, false]) {
      flushes = 0;
      releases = 0;
      await withSession(mk(noflush), async (dir) => {
        await sh(`cat ${dir}/f`);
        // release follows the flush a close would send
        await waitFor(() => releases === 1, 5000, 'the release');
        expect(flushes).toBe(noflush ? 0 : 1);
      });
    }
  });
});

describeMount('release', () => {
  it('comes exactly once per successful open, with its fh and open flags', async () => {
    let next = 1000;
    const opened: { fh: number; flags: number }[] = [];
    const released: { ino: number; fh: number; flags: number; lockOwner: bigint }[] = [];
    const ops = flatFs(
      { f: file(2, 'x'), denied: file(3, 'y') },
      {
        open(req) {
          if (req.ino === 3) return req.replyError('EPERM');
          const fh = next++;
          opened.push({ fh, flags: req.flags });
          req.replyOpen(fh);
        },
        release(req) {
          released.push({ ino: req.ino, fh: req.fh, flags: req.flags, lockOwner: req.lockOwner });
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py(
        `p = sys.argv[1]
fds = [os.open(p, os.O_RDONLY), os.open(p, os.O_WRONLY | os.O_APPEND), os.open(p, os.O_RDWR)]
denied = attempt(lambda: os.open(sys.argv[2], os.O_RDONLY))
extra = [os.dup(fds[0]), os.dup(fds[1])]
for fd in fds + extra:
    os.close(fd)
print(json.dumps(denied))`,
        `${dir}/f`,
        `${dir}/denied`,
      );
      expect(result).toEqual({ error: 'EPERM' });
      await waitFor(() => released.length >= 3, 5000, '3 releases');
      expect(opened).toHaveLength(3);
      expect(released.map((r) => r.fh).sort()).toEqual(opened.map((o) => o.fh).sort());
      for (const r of released) {
        expect(r.ino).toBe(2);
        expect(r.flags).toBe(opened.find((o) => o.fh === r.fh)?.flags);
        expect(typeof r.lockOwner).toBe('bigint');
      }
    });
    // no late duplicate arrived before the unmount
    expect(released).toHaveLength(3);
  });

  it('an error reply is ignored: close(2) still succeeds', async () => {
    let releases = 0;
    const ops = flatFs(
      { f: file(2, 'x') },
      {
        release(req) {
          releases++;
          req.replyError('EIO');
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await sh(`cat ${dir}/f`);
      expect(result).toMatchObject({ code: 0, stdout: 'x' });
      await waitFor(() => releases === 1, 5000, 'the release');
    });
  });
});

describeMount('opendir and releasedir', () => {
  it('opendir sees O_DIRECTORY and its fh reaches readdir and releasedir, once per opendir', async () => {
    let next = 2 ** 36;
    const opened: { ino: number; fh: number; flags: number }[] = [];
    const readdirFhs = new Set<number>();
    const released: { ino: number; fh: number; flags: number }[] = [];
    const base = flatFs({ a: file(2, ''), b: file(3, '') });
    const ops: Operations = {
      ...base,
      opendir(req) {
        const fh = next++;
        opened.push({ ino: req.ino, fh, flags: req.flags });
        req.replyOpen(fh);
      },
      readdir(req) {
        readdirFhs.add(req.fh);
        return base.readdir!(req);
      },
      releasedir(req) {
        released.push({ ino: req.ino, fh: req.fh, flags: req.flags });
        req.replyOk();
      },
    };
    await withSession(ops, async (dir) => {
      const ls = await sh(`ls -fa ${dir}; ls -fa ${dir}`);
      expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['.', '.', '..', '..', 'a', 'a', 'b', 'b']);
      const listed = await py<string[]>(`print(json.dumps(sorted(os.listdir(sys.argv[1]))))`, dir);
      expect(listed).toEqual(['a', 'b']);
      await waitFor(() => released.length >= 3, 5000, '3 releasedirs');
      expect(opened).toHaveLength(3);
      for (const o of opened) {
        expect(o.ino).toBe(ROOT);
        expect(o.flags & O_DIRECTORY).toBe(O_DIRECTORY);
        expect(o.flags & O_ACCMODE).toBe(O_RDONLY);
      }
      expect(readdirFhs).toEqual(new Set(opened.map((o) => o.fh)));
      expect(released.map((r) => r.fh).sort()).toEqual(opened.map((o) => o.fh).sort());
      for (const r of released) expect(r).toMatchObject({ ino: ROOT, flags: opened.find((o) => o.fh === r.fh)?.flags });
    });
    expect(released).toHaveLength(3);
  });

  it('an opendir error fails opendir(3)', async () => {
    const ops = flatFs({}, { opendir: (req) => req.replyError('EACCES') });
    await withSession(ops, async (dir) => {
      const result = await py(`print(json.dumps(attempt(lambda: os.listdir(sys.argv[1]))))`, dir);
      expect(result).toEqual({ error: 'EACCES' });
    });
  });

  it('cacheReaddir (with keepCache) lets the kernel answer the next listing itself', async () => {
    let readdirs = 0;
    const mk = (cacheReaddir: boolean): Operations => {
      const base = flatFs({ a: file(2, ''), b: file(3, '') });
      return {
        ...base,
        opendir: (req) => req.replyOpen(0, { cacheReaddir, keepCache: true }),
        readdir(req) {
          readdirs++;
          return base.readdir!(req);
        },
      };
    };
    for (const cacheReaddir of [true, false]) {
      readdirs = 0;
      await withSession(mk(cacheReaddir), async (dir) => {
        expect((await sh(`ls ${dir}`)).stdout).toBe('a\nb\n');
        const first = readdirs;
        expect(first).toBeGreaterThan(0);
        expect((await sh(`ls ${dir}`)).stdout).toBe('a\nb\n');
        if (cacheReaddir) expect(readdirs).toBe(first);
        else expect(readdirs).toBeGreaterThan(first);
      });
    }
  });
});

describeMount('access', () => {
  const R_OK = 4;
  const W_OK = 2;
  const X_OK = 1;

  it('is asked access(2) and chdir questions with the mask; EACCES denies', async () => {
    const calls: { ino: number; mask: number }[] = [];
    const ops = flatFs(
      { f: file(2, '', 0o644), sub: { ino: 3, attr: { ino: 3, mode: S_IFDIR | 0o755, nlink: 2 } } },
      {
        access(req) {
          calls.push({ ino: req.ino, mask: req.mask });
          if (req.mask & W_OK) return req.replyError('EACCES');
          req.replyOk();
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py(
        `p = sys.argv[1]
r = [os.access(p, m) for m in [os.R_OK, os.W_OK, os.X_OK, os.F_OK, os.R_OK | os.X_OK]]
os.chdir(sys.argv[2])
print(json.dumps(r))`,
        `${dir}/f`,
        `${dir}/sub`,
      );
      expect(result).toEqual([true, false, true, true, true]);
      expect(calls).toEqual([
        { ino: 2, mask: R_OK },
        { ino: 2, mask: W_OK },
        { ino: 2, mask: X_OK },
        { ino: 2, mask: 0 },
        { ino: 2, mask: R_OK | X_OK },
        { ino: 3, mask: X_OK },
      ]);
      const test = await sh(`test -w ${dir}/f && echo writable || echo denied`);
      expect(test.stdout).toBe('denied\n');
    });
  });

  it('is not called with defaultPermissions: the kernel checks the mode bits', async () => {
    let calls = 0;
    const ops = flatFs(
      { ro: file(2, '', 0o444), rw: file(3, '', 0o666) },
      {
        access(req) {
          calls++;
          req.replyError('EACCES');
        },
      },
    );
    await withSession(
      ops,
      async (dir) => {
        const result = await py(
          `os.setgid(4000)
os.setuid(4000)
print(json.dumps([os.access(sys.argv[1], os.R_OK), os.access(sys.argv[1], os.W_OK), os.access(sys.argv[2], os.W_OK)]))`,
          `${dir}/ro`,
          `${dir}/rw`,
        );
        expect(result).toEqual([true, false, true]);
        expect(calls).toBe(0);
      },
      { defaultPermissions: true, allowOther: true },
    );
  });
});

describeMount('statfs', () => {
  it('replyStatfs values reach statvfs(3), stat -f and df; req.ino is the inode asked about', async () => {
    const inos: number[] = [];
    const ops = flatFs(
      { f: file(2, '') },
      {
        statfs(req) {
          inos.push(req.ino);
          req.replyStatfs({
            bsize: 65536,
            frsize: 4096,
            blocks: 2 ** 40 + 11,
            bfree: 2 ** 39 + 7,
            bavail: 2 ** 38 + 5,
            files: 1_000_003,
            ffree: 500_001,
            namemax: 200,
          });
        },
      },
    );
    await withSession(
      ops,
      async (dir) => {
        const vfs = await py(
          `s = os.statvfs(sys.argv[1])
print(json.dumps([s.f_bsize, s.f_frsize, s.f_blocks, s.f_bfree, s.f_bavail, s.f_files, s.f_ffree, s.f_favail, s.f_namemax]))`,
          dir,
        );
        expect(vfs).toEqual([65536, 4096, 2 ** 40 + 11, 2 ** 39 + 7, 2 ** 38 + 5, 1_000_003, 500_001, 500_001, 200]);
        const statf = await sh(`stat -f -c '%s %S %b %f %a %c %d %l' ${dir}/f`);
        expect(statf.stdout).toBe(`65536 4096 ${2 ** 40 + 11} ${2 ** 39 + 7} ${2 ** 38 + 5} 1000003 500001 200\n`);
        const df = await sh(`df -k --output=source,size,avail ${dir} | tail -1`);
        expect(df.stdout.trim().split(/\s+/)).toEqual([
          'statfs-test',
          String((2 ** 40 + 11) * 4),
          String((2 ** 38 + 5) * 4),
        ]);
        expect(inos).toContain(ROOT);
        expect(inos).toContain(2);
      },
      { fsName: 'statfs-test' },
    );
  });

  it("without a handler, libfuse's default answers (namemax 255, bsize 512)", async () => {
    await withSession(flatFs({}), async (dir) => {
      const statf = await sh(`stat -f -c '%s %b %l' ${dir}`);
      expect(statf.stdout).toBe('512 0 255\n');
    });
  });
});

describeMount('init', () => {
  it('exposes the negotiated connection, and session.conn is the same object', async () => {
    let seen: ConnectionInfo | undefined;
    let snapshot: Record<string, number> = {};
    const ops: Operations = {
      init(conn) {
        seen = conn;
        snapshot = {
          protoMajor: conn.protoMajor,
          protoMinor: conn.protoMinor,
          capable: conn.capable,
          want: conn.want,
          maxRead: conn.maxRead,
          maxWrite: conn.maxWrite,
          maxReadahead: conn.maxReadahead,
          maxBackground: conn.maxBackground,
          congestionThreshold: conn.congestionThreshold,
          timeGran: conn.timeGran,
        };
      },
    };
    const dir = tempMountpoint();
    const session = await mount(dir, ops);
    try {
      expect(seen).toBeDefined();
      expect(session.conn).toBe(seen);
      expect(snapshot.protoMajor).toBe(7);
      expect(snapshot.protoMinor).toBeGreaterThanOrEqual(31);
      const { capable = 0, want = 0 } = snapshot;
      expect(capable & CAP.ASYNC_READ).toBe(CAP.ASYNC_READ);
      expect((want & ~capable) >>> 0).toBe(0);
      if (capable & CAP.SPLICE_WRITE) expect(want & CAP.SPLICE_WRITE).toBe(CAP.SPLICE_WRITE);
      expect(seen?.canDo(CAP.ASYNC_READ)).toBe(true);
      expect(snapshot.maxRead).toBe(0); // no maxRead option: no limit asked for
      expect(snapshot.maxWrite).toBeGreaterThan(0);
      expect(snapshot.maxReadahead).toBeGreaterThan(0);
      // 0 means the kernel's defaults
      expect(Number.isInteger(snapshot.maxBackground) && (snapshot.maxBackground ?? -1) >= 0).toBe(true);
      expect(Number.isInteger(snapshot.congestionThreshold) && (snapshot.congestionThreshold ?? -1) >= 0).toBe(true);
      expect(snapshot.timeGran).toBeGreaterThanOrEqual(1);
      expect(snapshot.timeGran).toBeLessThanOrEqual(1e9);
    } finally {
      await cleanup(session, dir);
    }
  });

  it('settings made in init take effect: dropping READDIRPLUS from want makes the kernel use readdir', async () => {
    const calls: string[] = [];
    const mk = (dropPlus: boolean): Operations => {
      const base = flatFs({ a: file(2, '') });
      return {
        ...base,
        init(conn) {
          if (dropPlus) conn.want &= ~(CAP.READDIRPLUS | CAP.READDIRPLUS_AUTO);
        },
        readdir(req) {
          calls.push('readdir');
          return base.readdir!(req);
        },
        readdirplus(req) {
          calls.push('readdirplus');
          const all: [string, Entry][] = [
            ['.', { ino: ROOT, attr: ROOT_ATTR }],
            ['..', { ino: ROOT, attr: ROOT_ATTR }],
            ['a', { ino: 2, attr: { mode: S_IFREG | 0o644 } }],
          ];
          for (let i = req.offset; i < all.length; i++) {
            const [name, entry] = all[i] as [string, Entry];
            if (!req.add(name, entry, i + 1)) break;
          }
          req.replyDirents();
        },
      };
    };
    await withSession(mk(false), async (dir) => {
      expect((await sh(`ls ${dir}`)).stdout).toBe('a\n');
      // READDIRPLUS_AUTO: the first batch is readdirplus, later ones may be plain
      expect(calls[0]).toBe('readdirplus');
    });
    calls.length = 0;
    await withSession(mk(true), async (dir) => {
      expect((await sh(`ls ${dir}`)).stdout).toBe('a\n');
      expect(calls).toContain('readdir');
      expect(calls).not.toContain('readdirplus');
    });
  });

  it('wanting a capability the kernel lacks makes mount() reject with RangeError and leaves nothing mounted', async () => {
    let bit = 0;
    let destroyed = 0;
    const ops: Operations = {
      init(conn) {
        for (let i = 0; i < 32 && bit === 0; i++) if (((conn.capable >>> i) & 1) === 0) bit = (1 << i) >>> 0;
        conn.want = (conn.want | bit) >>> 0;
      },
      destroy() {
        destroyed++;
      },
    };
    const dir = tempMountpoint();
    try {
      await expect(mount(dir, ops)).rejects.toThrow(RangeError);
      expect(bit).not.toBe(0);
      expect(await isMounted(dir)).toBe(false);
      expect(destroyed).toBe(0);
    } finally {
      await cleanup(undefined, dir);
    }
  });

  it('an out-of-range setting also rejects with RangeError', async () => {
    const dir = tempMountpoint();
    try {
      await expect(
        mount(dir, {
          init(conn) {
            conn.maxBackground = 70_000;
          },
        }),
      ).rejects.toThrow(/conn\.maxBackground/);
      expect(await isMounted(dir)).toBe(false);
    } finally {
      await cleanup(undefined, dir);
    }
  });

  it('may be async: mount() resolves only after it settles, and a rejection rejects mount()', async () => {
    const order: string[] = [];
    const ops: Operations = {
      async init(conn) {
        order.push('init start');
        await new Promise((r) => setTimeout(r, 50));
        conn.maxReadahead = 4096;
        order.push('init end');
      },
    };
    await withSession(ops, async (_dir, session) => {
      order.push('mounted');
      expect(session.conn.maxReadahead).toBe(4096);
    });
    expect(order).toEqual(['init start', 'init end', 'mounted']);

    const dir = tempMountpoint();
    try {
      await expect(
        mount(dir, {
          async init() {
            await new Promise((r) => setImmediate(r));
            throw new Error('backend unavailable');
          },
        }),
      ).rejects.toThrow('backend unavailable');
      expect(await isMounted(dir)).toBe(false);
    } finally {
      await cleanup(undefined, dir);
    }
  });
});

describeMount('destroy', () => {
  it('is called once, after unmount() and not before', async () => {
    let destroyed = 0;
    let destroyedWhileMounted: boolean | undefined;
    const ops = flatFs({ f: file(2, 'x') }, {});
    ops.destroy = () => {
      destroyed++;
    };
    await withSession(ops, async (dir, session) => {
      await sh(`cat ${dir}/f`);
      expect(destroyed).toBe(0);
      session.once('unmount', () => {
        destroyedWhileMounted = destroyed === 0;
      });
      await session.unmount();
      expect(destroyed).toBe(1);
      await session.unmount();
      expect(destroyed).toBe(1);
      expect(destroyedWhileMounted).toBe(false);
    });
    expect(destroyed).toBe(1);
  });

  it('is called once when the filesystem is unmounted from outside', async () => {
    let destroyed = 0;
    const ops = flatFs({}, { destroy: () => void destroyed++ });
    await withSession(ops, async (dir, session) => {
      const result = await run('fusermount3', ['-u', dir]);
      expect(result.code).toBe(0);
      await session.closed;
      expect(session.mounted).toBe(false);
      expect(destroyed).toBe(1);
    });
    expect(destroyed).toBe(1);
  });
});

describeMount('forget', () => {
  /**
   * Each lookup of `f<i>` answers a new inode number (entryTimeout 0), so the
   * kernel revalidates on every stat, finds the inode changed, and drops the
   * old one: a per-mount, deterministic way to make it send forgets.
   */
  function changingFs(onForget: (items: readonly ForgetItem[]) => void) {
    let version = 0;
    const lookups = new Map<number, number>();
    const current = new Map<string, number>();
    const ops: Operations = {
      lookup(req) {
        if (req.parent !== ROOT || !/^f\d+$/.test(req.name)) return req.replyError('ENOENT');
        const ino = 1000 + ++version;
        lookups.set(ino, (lookups.get(ino) ?? 0) + 1);
        current.set(req.name, ino);
        req.replyEntry({ ino, attr: { mode: S_IFREG | 0o644, nlink: 1 }, entryTimeout: 0, attrTimeout: 0 });
      },
      getattr(req) {
        req.replyAttr(req.ino === ROOT ? ROOT_ATTR : { mode: S_IFREG | 0o644, nlink: 1 }, 0);
      },
      forget(req) {
        expect(req.op).toBe('forget');
        onForget(req.forgets);
      },
    };
    return { ops, lookups, current };
  }

  it('balances every lookup of every dropped inode, in batches', async () => {
    const N = 200;
    const forgotten = new Map<number, number>();
    const batches: number[] = [];
    const { ops, lookups, current } = changingFs((items) => {
      batches.push(items.length);
      for (const { ino, nlookup } of items) forgotten.set(Number(ino), (forgotten.get(Number(ino)) ?? 0) + nlookup);
    });
    await withSession(ops, async (dir) => {
      const result = await py<number>(
        `d = sys.argv[1]
n = 0
for r in range(3):
    for i in range(${N}):
        n += os.stat(d + '/f' + str(i)).st_ino > 1000
print(n)`,
        dir,
      );
      expect(result).toBe(3 * N);
      const total = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
      // every inode but the N still cached gets forgotten
      await waitFor(() => total(forgotten) >= total(lookups) - N, 10_000, 'forgets for every dropped lookup');
      const live = new Set(current.values());
      expect(live.size).toBe(N);
      const expected = new Map([...lookups].filter(([ino]) => !live.has(ino)));
      expect(expected.size).toBeGreaterThanOrEqual(2 * N);
      expect(forgotten).toEqual(expected);
      expect(forgotten.has(ROOT)).toBe(false);
      // forgets queued together reach the handler as one ForgetRequest
      expect(Math.max(...batches)).toBeGreaterThan(1);
    });
  });

  it('a negative entry or an error reply counts no lookup', async () => {
    const forgotten: ForgetItem[] = [];
    const { ops, lookups } = changingFs((items) => forgotten.push(...items));
    const lookup = ops.lookup!;
    ops.lookup = (req) => {
      if (req.name === 'neg') return req.replyEntry({ ino: 0, attr: { mode: 0 }, entryTimeout: 0 });
      return lookup.call(ops, req);
    };
    await withSession(ops, async (dir) => {
      await sh(`stat ${dir}/neg ${dir}/missing ${dir}/neg ${dir}/f1 ${dir}/neg ${dir}/missing; stat ${dir}/f1`);
      expect(lookups.size).toBe(3); // f1: first lookup, revalidation, fresh lookup
      await waitFor(() => forgotten.length >= 2, 5000, 'two forgets');
      const [first] = lookups.keys();
      const forgottenInos = forgotten.map((f) => f.ino).sort();
      expect(forgottenInos).toEqual([...lookups.keys()].slice(0, 2).sort());
      expect(forgottenInos).toContain(first);
      expect(forgotten.every((f) => f.nlookup === 1)).toBe(true);
    });
  });
});

describeMount('request context', () => {
  it('ctx carries the uid, gid and pid of the calling process, groups() its supplementary groups', async () => {
    const seen: { op: string; ctx: RequestContext; groups: number[] }[] = [];
    const record = (req: { op: string; ctx: RequestContext; groups(): number[] }): void => {
      seen.push({ op: req.op, ctx: req.ctx, groups: req.groups() });
    };
    const base = flatFs({ f: file(2, 'x', 0o666) }, {}, { entry: 0, attr: 0 });
    const ops: Operations = {
      ...base,
      lookup(req) {
        if (req.name === 'f') record(req);
        return base.lookup!(req);
      },
      access(req) {
        record(req);
        req.replyOk();
      },
      open(req) {
        record(req);
        req.replyOpen(1);
      },
    };
    await withSession(
      ops,
      async (dir) => {
        const me = await py<{ pid: number }>(
          `os.setgroups([105, 106, 107])
os.setgid(4321)
os.setuid(1234)
os.umask(0o027)
pid = os.getpid()
os.access(sys.argv[1], os.R_OK)
os.close(os.open(sys.argv[1], os.O_RDONLY))
print(json.dumps({'pid': pid}))`,
          `${dir}/f`,
        );
        const ops = seen.map((s) => s.op);
        expect(ops).toContain('lookup');
        expect(ops).toContain('access');
        expect(ops).toContain('open');
        for (const s of seen) {
          expect(s.ctx).toMatchObject({ uid: 1234, gid: 4321, pid: me.pid });
          expect(typeof s.ctx.umask).toBe('number');
          expect(s.groups).toEqual([105, 106, 107]);
        }
      },
      { allowOther: true },
    );
  });

  it('ctx travels with the request (readable after the reply); groups() throws once it was answered', async () => {
    const results: string[] = [];
    const ops = flatFs(
      { f: file(2, '') },
      {
        getattr(req) {
          if (req.ino === ROOT) return req.replyAttr(ROOT_ATTR, 0);
          const before = req.ctx.pid;
          req.replyAttr({ mode: S_IFREG | 0o644 }, 0);
          results.push(req.ctx.pid === before ? 'ctx cached' : 'ctx changed');
          try {
            req.groups();
            results.push('groups answered');
          } catch (error) {
            results.push((error as Error).message);
          }
        },
        open(req) {
          req.replyOpen(0);
          try {
            void req.ctx;
            results.push('ctx answered');
          } catch (error) {
            results.push((error as Error).message);
          }
        },
      },
      { attr: 0 },
    );
    await withSession(ops, async (dir) => {
      await sh(`stat ${dir}/f > /dev/null; cat ${dir}/f`);
      expect(results).toContain('ctx cached');
      expect(results).toContain('getattr: groups() must be called before the request is answered');
      expect(results).toContain('ctx answered');
      expect(results).not.toContain('groups answered');
    });
  });
});

describeMount('error replies and handler failures', () => {
  it('replyError, FuseError, Node errno errors and promises map to errnos; anything else is EIO and reported', async () => {
    const reported: { message: string; op: string }[] = [];
    const ops: Operations = {
      async lookup(req) {
        switch (req.name) {
          case 'name':
            return req.replyError('ENAMETOOLONG');
          case 'number':
            return req.replyError(13);
          case 'fuse':
            throw new FuseError('ENOTDIR');
          case 'node': {
            const { readFile } = await import('node:fs/promises');
            await readFile('/nonexistent/for/sure');
            return;
          }
          case 'async':
            await new Promise((r) => setTimeout(r, 5));
            throw new FuseError('ELOOP');
          default:
            throw new Error('boom');
        }
      },
    };
    await withSession(ops, async (dir, session) => {
      session.on('error', (error, op) => reported.push({ message: error.message, op }));
      const result = await py(
        `d = sys.argv[1]
print(json.dumps([attempt(lambda: os.stat(d + '/' + n)) for n in ['name', 'number', 'fuse', 'node', 'async', 'other']]))`,
        dir,
      );
      expect(result).toEqual([
        { error: 'ENAMETOOLONG' },
        { error: 'EACCES' },
        { error: 'ENOTDIR' },
        { error: 'ENOENT' },
        { error: 'ELOOP' },
        { error: 'EIO' },
      ]);
      expect(reported).toEqual([{ message: 'boom', op: 'lookup' }]);
    });
  });

  it('an operation without a handler answers ENOSYS', async () => {
    const ops = flatFs({ l: { ino: 2, attr: { mode: S_IFLNK | 0o777, nlink: 1 } } });
    delete ops.readlink;
    await withSession(ops, async (dir) => {
      const result = await py(`print(json.dumps(attempt(lambda: os.readlink(sys.argv[1]))))`, `${dir}/l`);
      expect(result).toEqual({ error: 'ENOSYS' });
    });
  });
});
