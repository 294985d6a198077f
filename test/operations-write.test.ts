/**
 * The operations that change a filesystem, through real mounts: each request
 * carries what the caller's syscall said, and each reply kind reaches the
 * caller. Clients are child processes (python3, coreutils); this process only
 * serves the mount.
 */
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import {
  type Attr,
  CAP,
  type Entry,
  FuseError,
  type Operations,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  SEEK_DATA,
  SEEK_HOLE,
  SETATTR,
  XATTR_CREATE,
  XATTR_REPLACE,
} from '../lib/index.js';
import { describeMount, python, sh, withSession } from './helpers/fuse.js';

const {
  S_IFMT,
  S_IFDIR,
  S_IFREG,
  S_IFLNK,
  S_IFIFO,
  S_IFCHR,
  O_ACCMODE = 3,
  O_WRONLY,
  O_RDWR,
  O_APPEND,
  O_CREAT,
  O_EXCL,
} = constants as typeof constants & { O_ACCMODE?: number };
const ROOT = 1;

/** Runs a python3 script in a child; it prints one JSON value. `argv[1..]` are `args`. */
const py = python();

interface Node {
  ino: number;
  attr: Attr;
  children?: Map<string, number>;
  content?: Buffer;
  target?: string;
}

/**
 * A small mutable tree. Its handlers serve lookup, getattr (attr timeout 0),
 * readlink, read and readdir from `nodes`; a test adds the handlers it is
 * about with `ops(overrides)`, which may change the tree with `add`/`remove`.
 */
function tree() {
  const nodes = new Map<number, Node>([
    [ROOT, { ino: ROOT, attr: { ino: ROOT, mode: S_IFDIR | 0o755, nlink: 2 }, children: new Map() }],
  ]);
  let nextIno = 2;
  const node = (ino: number): Node => {
    const n = nodes.get(ino);
    if (n === undefined) throw new FuseError('ENOENT');
    return n;
  };
  const children = (ino: number): Map<string, number> => {
    const c = node(ino).children;
    if (c === undefined) throw new FuseError('ENOTDIR');
    return c;
  };
  return {
    nodes,
    node,
    children,
    /** Adds `name` under `parent`; a directory gets an empty child map. */
    add(parent: number, name: string, attr: Omit<Attr, 'ino'>, extra: Partial<Node> = {}): Node {
      const ino = nextIno++;
      const n: Node = { ino, attr: { nlink: 1, ...attr, ino }, ...extra };
      if ((attr.mode & S_IFMT) === S_IFDIR) n.children ??= new Map();
      nodes.set(ino, n);
      children(parent).set(name, ino);
      return n;
    },
    remove(parent: number, name: string): void {
      children(parent).delete(name);
    },
    /** The entry the tree replies with: names cached for 60 s, attributes not at all. */
    entry(n: Node): Entry {
      return { ino: n.ino, attr: n.attr, entryTimeout: 60, attrTimeout: 0 };
    },
    ops(overrides: Operations = {}): Operations {
      return {
        lookup(req) {
          const ino = children(req.parent).get(req.name);
          if (ino === undefined) return req.replyError('ENOENT');
          req.replyEntry({ ino, attr: node(ino).attr, entryTimeout: 60, attrTimeout: 0 });
        },
        getattr(req) {
          req.replyAttr(node(req.ino).attr, 0);
        },
        readlink(req) {
          const target = node(req.ino).target;
          if (target === undefined) return req.replyError('EINVAL');
          req.replyReadlink(target);
        },
        read(req) {
          const content = node(req.ino).content ?? Buffer.alloc(0);
          req.replyBuf(content.subarray(Math.min(req.offset, content.length), req.offset + req.size));
        },
        readdir(req) {
          const list = [...children(req.ino)].map(([name, ino]): [string, number] => [name, ino]);
          for (let i = req.offset; i < list.length; i++) {
            const [name, ino] = list[i] as [string, number];
            if (!req.add(name, ino, node(ino).attr.mode, i + 1)) break;
          }
          req.replyDirents();
        },
        ...overrides,
      };
    },
  };
}

/** A file node's attributes. */
const reg = (mode = 0o644, size = 0): Omit<Attr, 'ino'> => ({ mode: S_IFREG | mode, nlink: 1, size });

/** The `name: message` of what `fn` throws, or undefined. */
function thrown(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return undefined;
}

describeMount('setattr', () => {
  it('chmod, chown, truncate and ftruncate set only their bits; ftruncate carries the handle; stat shows the reply', async () => {
    const FH = 2 ** 36 + 9;
    const t = tree();
    const f = t.add(ROOT, 'f', reg(0o644, 10));
    const seen: Record<string, unknown>[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(FH),
      setattr(req) {
        seen.push({ toSet: req.toSet, fh: req.fh, mode: req.mode, uid: req.uid, gid: req.gid, size: req.size });
        const a = t.node(req.ino).attr;
        if (req.mode !== undefined) a.mode = req.mode;
        if (req.uid !== undefined) a.uid = req.uid;
        if (req.gid !== undefined) a.gid = req.gid;
        if (req.size !== undefined) a.size = req.size;
        // blocks only ever comes from this reply, which stat may use for 60 s
        req.replyAttr({ ...a, blocks: 4242 + seen.length }, 60);
      },
    });
    await withSession(ops, async (dir) => {
      const stats = await py<number[][]>(
        `p = sys.argv[1]
def st(s): return [s.st_mode, s.st_uid, s.st_gid, s.st_size, s.st_blocks]
out = []
os.chmod(p, 0o640); out.append(st(os.stat(p)))
os.chown(p, 1234, 5678); out.append(st(os.stat(p)))
os.chown(p, -1, 99); out.append(st(os.stat(p)))
os.truncate(p, 100); out.append(st(os.stat(p)))
fd = os.open(p, os.O_RDWR)
os.ftruncate(fd, 50); out.append(st(os.fstat(fd)))
os.close(fd)
print(json.dumps(out))`,
        `${dir}/f`,
      );
      expect(seen).toEqual([
        { toSet: SETATTR.MODE, fh: undefined, mode: S_IFREG | 0o640, uid: undefined, gid: undefined, size: undefined },
        { toSet: SETATTR.UID | SETATTR.GID, fh: undefined, mode: undefined, uid: 1234, gid: 5678, size: undefined },
        { toSet: SETATTR.GID, fh: undefined, mode: undefined, uid: undefined, gid: 99, size: undefined },
        { toSet: SETATTR.SIZE, fh: undefined, mode: undefined, uid: undefined, gid: undefined, size: 100 },
        { toSet: SETATTR.SIZE, fh: FH, mode: undefined, uid: undefined, gid: undefined, size: 50 },
      ]);
      expect(stats).toEqual([
        [S_IFREG | 0o640, 0, 0, 10, 4243],
        [S_IFREG | 0o640, 1234, 5678, 10, 4244],
        [S_IFREG | 0o640, 1234, 99, 10, 4245],
        [S_IFREG | 0o640, 1234, 99, 100, 4246],
        [S_IFREG | 0o640, 1234, 99, 50, 4247],
      ]);
      expect(f.attr.size).toBe(50);
    });
  });

  it('a size beyond 2^53 reaches the handler exactly (sizeBig) and back to the caller, never rounded', async () => {
    const t = tree();
    t.add(ROOT, 'f', reg(0o644, 10));
    const sizes: (bigint | undefined)[] = [];
    const errors: unknown[] = [];
    const ops = t.ops({
      setattr(req) {
        sizes.push(req.sizeBig);
        const a = t.node(req.ino).attr;
        if (req.sizeBig !== undefined) a.size = req.sizeBig;
        req.replyAttr(a, 0);
      },
    });
    await withSession(ops, async (dir, session) => {
      session.on('error', (error) => errors.push(error));
      const result = await py(
        `p = sys.argv[1]
print(json.dumps([attempt(lambda: os.truncate(p, 2 ** 60 + 1)), attempt(lambda: os.truncate(p, 2 ** 53 - 1)),
  os.stat(p).st_size]))`,
        `${dir}/f`,
      );
      expect(result).toEqual([null, null, 2 ** 53 - 1]);
      expect(sizes).toEqual([2n ** 60n + 1n, 2n ** 53n - 1n]);
      expect(errors).toEqual([]);
    });
  });

  it('utimensat: exact nanoseconds (before the epoch too), UTIME_NOW as "now", one time alone', async () => {
    const t = tree();
    t.add(ROOT, 'f', { ...reg(), atime: 0n, mtime: 0n });
    const seen: { toSet: number; atime: unknown; mtime: unknown; ctime: unknown }[] = [];
    const ops = t.ops({
      setattr(req) {
        seen.push({ toSet: req.toSet, atime: req.atime, mtime: req.mtime, ctime: req.ctime });
        const a = t.node(req.ino).attr;
        const now = BigInt(Date.now()) * 1_000_000n;
        if (req.atime !== undefined) a.atime = req.atime === 'now' ? now : req.atime;
        if (req.mtime !== undefined) a.mtime = req.mtime === 'now' ? now : req.mtime;
        req.replyAttr(a, 60);
      },
    });
    await withSession(ops, async (dir) => {
      const p = `${dir}/f`;
      const times = await py<string[][]>(
        `p = sys.argv[1]
def st():
    s = os.stat(p)
    return [str(s.st_atime_ns), str(s.st_mtime_ns)]
out = []
os.utime(p, ns=(1600000000123456789, -1500000001)); out.append(st())
os.utime(p); out.append(st())
print(json.dumps(out))`,
        p,
      );
      const touched = await sh(`touch -a -d @1500000000.000000007 ${p} && touch -m ${p} && stat -c '%X %Y' ${p}`);
      expect(touched.stderr).toBe('');
      expect(seen).toHaveLength(4);
      expect(seen[0]).toEqual({
        toSet: SETATTR.ATIME | SETATTR.MTIME,
        atime: 1_600_000_000_123_456_789n,
        mtime: -1_500_000_001n,
        ctime: undefined,
      });
      // the reply's times, to the nanosecond, are what stat shows
      expect(times[0]).toEqual(['1600000000123456789', '-1500000001']);
      expect(seen[1]).toEqual({
        toSet: SETATTR.ATIME | SETATTR.MTIME | SETATTR.ATIME_NOW | SETATTR.MTIME_NOW,
        atime: 'now',
        mtime: 'now',
        ctime: undefined,
      });
      const nowish = BigInt(Date.now()) * 1_000_000n;
      for (const ns of times[1] ?? []) expect(nowish - BigInt(ns)).toBeLessThan(60_000_000_000n);
      expect(seen[2]).toEqual({
        toSet: SETATTR.ATIME,
        atime: 1_500_000_000_000_000_007n,
        mtime: undefined,
        ctime: undefined,
      });
      expect(seen[3]).toEqual({
        toSet: SETATTR.MTIME | SETATTR.MTIME_NOW,
        atime: undefined,
        mtime: 'now',
        ctime: undefined,
      });
      expect(touched.stdout.split(' ')[0]).toBe('1500000000');
    });
  });

  it('with writeback caching the kernel keeps ctime and sends it (SETATTR.CTIME)', async (ctx) => {
    const t = tree();
    t.add(ROOT, 'f', reg());
    const seen: { toSet: number; ctime: bigint | undefined; mode: number | undefined }[] = [];
    let writeback = false;
    const ops: Operations = {
      ...t.ops({
        setattr(req) {
          seen.push({ toSet: req.toSet, ctime: req.ctime, mode: req.mode });
          req.replyAttr(t.node(req.ino).attr, 0);
        },
      }),
      init(conn) {
        writeback = conn.canDo(CAP.WRITEBACK_CACHE);
        if (writeback) conn.want |= CAP.WRITEBACK_CACHE;
      },
    };
    await withSession(ops, async (dir) => {
      if (!writeback) ctx.skip('the kernel does not offer WRITEBACK_CACHE');
      const before = BigInt(Date.now() - 2000) * 1_000_000n;
      await py(`os.chmod(sys.argv[1], 0o600); print('null')`, `${dir}/f`);
      const after = BigInt(Date.now() + 2000) * 1_000_000n;
      const chmod = seen.find((s) => s.mode !== undefined);
      expect(chmod?.toSet).toBe(SETATTR.MODE | SETATTR.CTIME);
      expect(chmod?.mode).toBe(S_IFREG | 0o600);
      expect(chmod?.ctime).toBeGreaterThan(before);
      expect(chmod?.ctime).toBeLessThan(after);
    });
  });
});

describeMount('mknod, mkdir and create: modes and the umask', () => {
  for (const dontMask of [false, true]) {
    it(`${dontMask ? 'with DONT_MASK the mode arrives unmasked' : 'the kernel applies the umask'}; ctx.umask carries it`, async () => {
      const t = tree();
      const seen: { op: string; name: string; mode: number; umask: number }[] = [];
      let offered = false;
      const ops: Operations = {
        ...t.ops({
          mknod(req) {
            seen.push({ op: 'mknod', name: req.name, mode: req.mode, umask: req.ctx.umask });
            req.replyEntry(t.entry(t.add(req.parent, req.name, { mode: req.mode })));
          },
          mkdir(req) {
            seen.push({ op: 'mkdir', name: req.name, mode: req.mode, umask: req.ctx.umask });
            req.replyEntry(t.entry(t.add(req.parent, req.name, { mode: S_IFDIR | (req.mode & 0o7777), nlink: 2 })));
          },
          create(req) {
            seen.push({ op: 'create', name: req.name, mode: req.mode, umask: req.ctx.umask });
            req.replyCreate(t.entry(t.add(req.parent, req.name, { mode: req.mode })), 1);
          },
        }),
        init(conn) {
          offered = conn.canDo(CAP.DONT_MASK);
          if (dontMask) conn.want |= CAP.DONT_MASK;
        },
      };
      await withSession(ops, async (dir) => {
        expect(offered).toBe(true);
        const modes = await py<number[]>(
          `import stat
d = sys.argv[1]
os.umask(0o027)
os.mknod(d + '/fifo', stat.S_IFIFO | 0o666)
os.mkdir(d + '/dir', 0o777)
os.close(os.open(d + '/file', os.O_CREAT | os.O_WRONLY, 0o666))
print(json.dumps([os.stat(d + '/' + n).st_mode for n in ['fifo', 'dir', 'file']]))`,
          dir,
        );
        const want = dontMask ? 0o666 : 0o640;
        const wantDir = dontMask ? 0o777 : 0o750;
        expect(seen).toEqual([
          { op: 'mknod', name: 'fifo', mode: S_IFIFO | want, umask: 0o027 },
          { op: 'mkdir', name: 'dir', mode: expect.any(Number), umask: 0o027 },
          { op: 'create', name: 'file', mode: S_IFREG | want, umask: 0o027 },
        ]);
        expect((seen[1]?.mode ?? 0) & 0o7777).toBe(wantDir);
        // the entries replied are what stat shows
        expect(modes).toEqual([S_IFIFO | want, S_IFDIR | wantDir, S_IFREG | want]);
      });
    });
  }
});

describeMount('mknod', () => {
  it('delivers a device number; the entry with it reaches stat; an error reaches mknod(2)', async () => {
    const t = tree();
    const sub = t.add(ROOT, 'sub', { mode: S_IFDIR | 0o755, nlink: 2 });
    const seen: { parent: number; name: string; mode: number; rdev: number }[] = [];
    const ops = t.ops({
      mknod(req) {
        seen.push({ parent: req.parent, name: req.name, mode: req.mode, rdev: req.rdev });
        if (req.name === 'nospace') return req.replyError('ENOSPC');
        req.replyEntry(t.entry(t.add(req.parent, req.name, { mode: req.mode, rdev: req.rdev })));
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py<Record<string, unknown>>(
        `import stat
d = sys.argv[1]
os.umask(0)
dev = os.makedev(4, 0x105)
os.mknod(d + '/sub/tty', stat.S_IFCHR | 0o620, dev)
s = os.stat(d + '/sub/tty')
print(json.dumps({'dev': dev, 'mode': s.st_mode, 'major': os.major(s.st_rdev), 'minor': os.minor(s.st_rdev),
  'err': attempt(lambda: os.mknod(d + '/nospace', stat.S_IFIFO | 0o600))}))`,
        dir,
      );
      expect(result).toEqual({
        dev: 0x100405,
        mode: S_IFCHR | 0o620,
        major: 4,
        minor: 0x105,
        err: { error: 'ENOSPC' },
      });
      expect(seen).toEqual([
        { parent: sub.ino, name: 'tty', mode: S_IFCHR | 0o620, rdev: 0x100405 },
        { parent: ROOT, name: 'nospace', mode: S_IFIFO | 0o600, rdev: 0 },
      ]);
    });
  });
});

describeMount('mkdir', () => {
  it('delivers parent and name; the new directory is usable; an error reaches mkdir(2)', async () => {
    const t = tree();
    const seen: { parent: number; name: string }[] = [];
    const ops = t.ops({
      mkdir(req) {
        seen.push({ parent: req.parent, name: req.name });
        if (req.name === 'taken') return req.replyError('EEXIST');
        req.replyEntry(t.entry(t.add(req.parent, req.name, { mode: S_IFDIR | req.mode, nlink: 2 })));
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
os.mkdir(d + '/a')
os.mkdir(d + '/a/dïr ✓')
print(json.dumps([os.listdir(d + '/a'), attempt(lambda: os.mkdir(d + '/a/taken'))]))`,
        dir,
      );
      expect(result).toEqual([['dïr ✓'], { error: 'EEXIST' }]);
      const a = t.children(ROOT).get('a');
      expect(seen).toEqual([
        { parent: ROOT, name: 'a' },
        { parent: a, name: 'dïr ✓' },
        { parent: a, name: 'taken' },
      ]);
    });
  });
});

describeMount('unlink and rmdir', () => {
  it('deliver parent and name; ok removes the name, an error reaches the caller', async () => {
    const t = tree();
    const sub = t.add(ROOT, 'sub', { mode: S_IFDIR | 0o755, nlink: 2 });
    t.add(sub.ino, 'ünï ✓', reg());
    t.add(ROOT, 'busy', reg());
    t.add(ROOT, 'empty', { mode: S_IFDIR | 0o755, nlink: 2 });
    const seen: string[] = [];
    const ops = t.ops({
      unlink(req) {
        seen.push(`unlink ${req.parent} ${req.name}`);
        if (req.name === 'busy') return req.replyError('EBUSY');
        t.remove(req.parent, req.name);
        req.replyOk();
      },
      rmdir(req) {
        seen.push(`rmdir ${req.parent} ${req.name}`);
        if (t.children(t.children(req.parent).get(req.name) ?? 0).size > 0) return req.replyError('ENOTEMPTY');
        t.remove(req.parent, req.name);
        req.replyOk();
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
print(json.dumps([
  attempt(lambda: os.rmdir(d + '/sub')),
  attempt(lambda: os.unlink(d + '/sub/ünï ✓')),
  attempt(lambda: os.stat(d + '/sub/ünï ✓')),
  attempt(lambda: os.rmdir(d + '/sub')),
  attempt(lambda: os.unlink(d + '/busy')),
  attempt(lambda: os.rmdir(d + '/busy')),
  attempt(lambda: os.unlink(d + '/empty')),
  attempt(lambda: os.rmdir(d + '/empty')),
  sorted(os.listdir(d)),
]))`,
        dir,
      );
      expect(result).toEqual([
        { error: 'ENOTEMPTY' },
        null,
        { error: 'ENOENT' },
        null,
        { error: 'EBUSY' },
        { error: 'ENOTDIR' }, // the kernel knows the type: rmdir of a file never reaches the filesystem
        { error: 'EISDIR' },
        null,
        ['busy'],
      ]);
      expect(seen).toEqual([
        `rmdir ${ROOT} sub`,
        `unlink ${sub.ino} ünï ✓`,
        `rmdir ${ROOT} sub`,
        `unlink ${ROOT} busy`,
        `rmdir ${ROOT} empty`,
      ]);
    });
  });
});

describeMount('symlink', () => {
  it('delivers the name and the exact target (unicode, long); readlink then serves it', async () => {
    const t = tree();
    const seen: { parent: number; name: string; target: string }[] = [];
    const ops = t.ops({
      symlink(req) {
        seen.push({ parent: req.parent, name: req.name, target: req.target });
        const node = t.add(req.parent, req.name, { mode: S_IFLNK | 0o777, size: Buffer.byteLength(req.target) });
        node.target = req.target;
        req.replyEntry(t.entry(node));
      },
    });
    const UNICODE = '../ünïcødé/✓ target with spaces';
    const LONG = `/${'x/'.repeat(1999)}end`; // 4002 bytes
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
os.symlink(sys.argv[2], d + '/link ✓')
os.symlink(sys.argv[3], d + '/long')
print(json.dumps([os.readlink(d + '/link ✓'), os.readlink(d + '/long'), os.lstat(d + '/link ✓').st_mode,
  os.lstat(d + '/link ✓').st_size]))`,
        dir,
        UNICODE,
        LONG,
      );
      expect(result).toEqual([UNICODE, LONG, S_IFLNK | 0o777, Buffer.byteLength(UNICODE)]);
      expect(seen).toEqual([
        { parent: ROOT, name: 'link ✓', target: UNICODE },
        { parent: ROOT, name: 'long', target: LONG },
      ]);
    });
  });
});

describeMount('rename', () => {
  it('delivers both directories and names, and the RENAME_NOREPLACE / RENAME_EXCHANGE flags', async () => {
    const t = tree();
    const a = t.add(ROOT, 'a', reg());
    const b = t.add(ROOT, 'b', reg());
    const sub = t.add(ROOT, 'sub', { mode: S_IFDIR | 0o755, nlink: 2 });
    t.add(ROOT, 'refuse', reg());
    const seen: { parent: number; name: string; newParent: number; newName: string; flags: number }[] = [];
    const ops = t.ops({
      rename(req) {
        seen.push({
          parent: req.parent,
          name: req.name,
          newParent: req.newParent,
          newName: req.newName,
          flags: req.flags,
        });
        if (req.name === 'refuse') return req.replyError('EINVAL');
        const from = t.children(req.parent);
        const to = t.children(req.newParent);
        const ino = from.get(req.name) ?? 0;
        if (req.flags & RENAME_EXCHANGE) {
          from.set(req.name, to.get(req.newName) ?? 0);
        } else {
          from.delete(req.name);
        }
        to.set(req.newName, ino);
        req.replyOk();
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `libc = ctypes.CDLL(None, use_errno=True)
def rename2(a, b, flags):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), flags) != 0:
        return {'error': errno.errorcode[ctypes.get_errno()]}
    return None
d = sys.argv[1]
ino = lambda p: os.stat(d + p).st_ino
print(json.dumps([
  attempt(lambda: os.rename(d + '/a', d + '/sub/a2')),
  rename2(d + '/b', d + '/sub/b ✓', 1),
  rename2(d + '/sub/a2', d + '/sub/b ✓', 1),
  rename2(d + '/sub/a2', d + '/sub/b ✓', 2),
  [ino('/sub/a2'), ino('/sub/b ✓')],
  rename2(d + '/refuse', d + '/other', 1),
]))`,
        dir,
      );
      expect(result).toEqual([
        null,
        null,
        { error: 'EEXIST' }, // the kernel sees the target: RENAME_NOREPLACE never reaches the filesystem
        null,
        [b.ino, a.ino],
        { error: 'EINVAL' },
      ]);
      expect(seen).toEqual([
        { parent: ROOT, name: 'a', newParent: sub.ino, newName: 'a2', flags: 0 },
        { parent: ROOT, name: 'b', newParent: sub.ino, newName: 'b ✓', flags: RENAME_NOREPLACE },
        { parent: sub.ino, name: 'a2', newParent: sub.ino, newName: 'b ✓', flags: RENAME_EXCHANGE },
        { parent: ROOT, name: 'refuse', newParent: ROOT, newName: 'other', flags: RENAME_NOREPLACE },
      ]);
    });
  });
});

describeMount('link', () => {
  it('delivers the inode and the new name; the entry reaches stat; an error reaches link(2)', async () => {
    const t = tree();
    const f = t.add(ROOT, 'f', reg());
    const sub = t.add(ROOT, 'sub', { mode: S_IFDIR | 0o755, nlink: 2 });
    const seen: { ino: number; newParent: number; newName: string }[] = [];
    const ops = t.ops({
      link(req) {
        seen.push({ ino: req.ino, newParent: req.newParent, newName: req.newName });
        if (req.newName === 'full') return req.replyError('EMLINK');
        const node = t.node(req.ino);
        node.attr.nlink = Number(node.attr.nlink ?? 1) + 1;
        t.children(req.newParent).set(req.newName, req.ino);
        req.replyEntry(t.entry(node));
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
os.link(d + '/f', d + '/sub/hård')
s = os.stat(d + '/sub/hård')
print(json.dumps([s.st_ino, s.st_nlink, attempt(lambda: os.link(d + '/f', d + '/full')),
  attempt(lambda: os.link(d + '/sub', d + '/dirlink'))]))`,
        dir,
      );
      expect(result).toEqual([f.ino, 2, { error: 'EMLINK' }, { error: 'EPERM' }]);
      expect(seen).toEqual([
        { ino: f.ino, newParent: sub.ino, newName: 'hård' },
        { ino: f.ino, newParent: ROOT, newName: 'full' },
      ]);
    });
  });
});

describeMount('write', () => {
  it('delivers offset, the exact bytes, the handle and the open flags; O_APPEND writes at the end', async () => {
    const FH = 2 ** 35 + 1;
    const t = tree();
    t.add(ROOT, 'f', reg(0o644, 1000));
    const seen: { ino: number; fh: number; offset: number; size: number; flags: number; writepage: boolean }[] = [];
    const datas: Buffer[] = [];
    const owners: bigint[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(FH),
      write(req) {
        seen.push({
          ino: req.ino,
          fh: req.fh,
          offset: req.offset,
          size: req.size,
          flags: req.flags,
          writepage: req.writepage,
        });
        datas.push(req.data);
        owners.push(req.lockOwner);
        req.replyWrite(req.data.length);
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `p = sys.argv[1]
fd = os.open(p, os.O_WRONLY)
a = os.pwrite(fd, b'hello\\x00w\\xc3\\xb6rld\\xff', 3)
os.close(fd)
fd = os.open(p, os.O_WRONLY | os.O_APPEND)
b = os.write(fd, b'tail')
os.close(fd)
print(json.dumps([a, b]))`,
        `${dir}/f`,
      );
      expect(result).toEqual([13, 4]);
      const f = t.children(ROOT).get('f');
      expect(seen).toHaveLength(2);
      expect(seen[0]).toEqual({ ino: f, fh: FH, offset: 3, size: 13, flags: expect.any(Number), writepage: false });
      expect((seen[0]?.flags ?? -1) & (O_ACCMODE | O_APPEND)).toBe(O_WRONLY);
      expect(seen[1]).toEqual({ ino: f, fh: FH, offset: 1000, size: 4, flags: expect.any(Number), writepage: false });
      expect((seen[1]?.flags ?? -1) & (O_ACCMODE | O_APPEND)).toBe(O_WRONLY | O_APPEND);
      // the Buffers belong to the handler: intact after the replies
      expect(datas.map((d) => Buffer.isBuffer(d))).toEqual([true, true]);
      expect(datas[0]?.toString('hex')).toBe(
        Buffer.from([...Buffer.from('hello\0w'), 0xc3, 0xb6, ...Buffer.from('rld'), 0xff]).toString('hex'),
      );
      expect(datas[1]?.toString()).toBe('tail');
      for (const o of owners) expect(typeof o).toBe('bigint');
    });
  });

  it('one write(2) of max_write bytes is one request; larger writes split at max_write (also one set in init)', async () => {
    const TOTAL = 1024 * 1024 + 100;
    const expected = Buffer.alloc(TOTAL);
    for (let i = 0; i < TOTAL; i++) expected[i] = i % 251;
    for (const chosen of [undefined, 64 * 1024]) {
      const t = tree();
      t.add(ROOT, 'f', reg());
      let offered = 0;
      let maxWrite = 0;
      const writes: { offset: number; data: Buffer }[] = [];
      const ops: Operations = {
        ...t.ops({
          write(req) {
            writes.push({ offset: req.offset, data: req.data });
            req.replyWrite(req.size);
          },
        }),
        init(conn) {
          offered = conn.maxWrite;
          if (chosen !== undefined) conn.maxWrite = chosen;
        },
      };
      await withSession(ops, async (dir, session) => {
        maxWrite = session.conn.maxWrite;
        const written = await py(
          `fd = os.open(sys.argv[1], os.O_WRONLY)
data = bytes(i % 251 for i in range(${TOTAL}))
n = os.write(fd, data)
os.close(fd)
print(json.dumps(n))`,
          `${dir}/f`,
        );
        expect(written).toBe(TOTAL);
      });
      expect(offered).toBe(1024 * 1024); // libfuse's buffer: 256 pages
      expect(maxWrite).toBe(chosen ?? offered);
      const sizes = writes.map((w) => w.data.length);
      expect(sizes).toEqual([...Array(Math.floor(TOTAL / maxWrite)).fill(maxWrite), TOTAL % maxWrite]);
      expect(writes.map((w) => w.offset)).toEqual(sizes.map((_, i) => i * maxWrite));
      expect(Buffer.concat(writes.map((w) => w.data)).equals(expected)).toBe(true);
    }
  });

  it('with writeback caching, data reaches write later from the page cache (writepage)', async (ctx) => {
    const t = tree();
    t.add(ROOT, 'f', reg());
    const writes: { offset: number; data: Buffer; writepage: boolean }[] = [];
    let writeback = false;
    const ops: Operations = {
      ...t.ops({
        write(req) {
          writes.push({ offset: req.offset, data: req.data, writepage: req.writepage });
          req.replyWrite(req.size);
        },
        fsync: (req) => req.replyOk(),
        // the kernel keeps c/mtime and flushes them with setattr on close
        setattr: (req) => req.replyAttr(t.node(req.ino).attr, 0),
      }),
      init(conn) {
        writeback = conn.canDo(CAP.WRITEBACK_CACHE);
        if (writeback) conn.want |= CAP.WRITEBACK_CACHE;
      },
    };
    await withSession(ops, async (dir) => {
      if (!writeback) ctx.skip('the kernel does not offer WRITEBACK_CACHE');
      const n = await py(
        `fd = os.open(sys.argv[1], os.O_RDWR)
n = os.write(fd, b'w' * 8192)
os.fsync(fd)
os.close(fd)
print(json.dumps(n))`,
        `${dir}/f`,
      );
      expect(n).toBe(8192);
    });
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((w) => w.writepage)).toBe(true);
    expect(writes[0]?.offset).toBe(0);
    expect(Buffer.concat(writes.map((w) => w.data)).equals(Buffer.alloc(8192, 'w'))).toBe(true);
  });

  it('replyWrite: a short count is what write(2) returns, 0 is EIO (page cache) or 0 (directIo); too many throws', async () => {
    const t = tree();
    const names = ['short', 'zero', 'over', 'direct-short', 'direct-zero'];
    for (const name of names) t.add(ROOT, name, reg());
    const byIno = new Map(names.map((n) => [t.children(ROOT).get(n), n]));
    const errors: string[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(0, { directIo: byIno.get(req.ino)?.startsWith('direct') }),
      write(req) {
        const name = byIno.get(req.ino) ?? '';
        if (name.endsWith('short')) return req.replyWrite(req.size / 2);
        if (name.endsWith('zero')) return req.replyWrite(0);
        const error = thrown(() => req.replyWrite(req.size + 1));
        if (error !== undefined) errors.push(error);
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `def w(name):
    fd = os.open(sys.argv[1] + '/' + name, os.O_WRONLY)
    try:
        return attempt(lambda: os.write(fd, b'x' * 100))
    finally:
        os.close(fd)
print(json.dumps([w(n) for n in sys.argv[2:]]))`,
        dir,
        ...names,
      );
      expect(result).toEqual([50, { error: 'EIO' }, { error: 'EIO' }, 50, 0]);
      expect(errors).toEqual([expect.stringMatching(/^RangeError: write\.replyWrite: count must be/)]);
    });
  });
});

describeMount('fsync and fsyncdir', () => {
  it('carry the handle and the datasync flag; an error reaches fsync(2)', async () => {
    const t = tree();
    t.add(ROOT, 'f', reg());
    t.add(ROOT, 'bad', reg());
    const d = t.add(ROOT, 'd', { mode: S_IFDIR | 0o755, nlink: 2 });
    const seen: string[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(1000 + req.ino),
      opendir: (req) => req.replyOpen(2000 + req.ino),
      fsync(req) {
        seen.push(`fsync ${req.ino} ${req.fh} ${req.datasync}`);
        if (req.fh === 1000 + (t.children(ROOT).get('bad') ?? 0)) return req.replyError('ENOSPC');
        req.replyOk();
      },
      fsyncdir(req) {
        seen.push(`fsyncdir ${req.ino} ${req.fh} ${req.datasync}`);
        req.replyOk();
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
fd = os.open(d + '/f', os.O_RDWR)
r = [attempt(lambda: os.fsync(fd)), attempt(lambda: os.fdatasync(fd))]
os.close(fd)
fd = os.open(d + '/bad', os.O_RDWR)
r.append(attempt(lambda: os.fsync(fd)))
os.close(fd)
fd = os.open(d + '/d', os.O_RDONLY | os.O_DIRECTORY)
r += [attempt(lambda: os.fsync(fd)), attempt(lambda: os.fdatasync(fd))]
os.close(fd)
print(json.dumps(r))`,
        dir,
      );
      expect(result).toEqual([null, null, { error: 'ENOSPC' }, null, null]);
      const f = t.children(ROOT).get('f') ?? 0;
      const bad = t.children(ROOT).get('bad') ?? 0;
      expect(seen).toEqual([
        `fsync ${f} ${1000 + f} false`,
        `fsync ${f} ${1000 + f} true`,
        `fsync ${bad} ${1000 + bad} false`,
        `fsyncdir ${d.ino} ${2000 + d.ino} false`,
        `fsyncdir ${d.ino} ${2000 + d.ino} true`,
      ]);
    });
  });
});

describeMount('create', () => {
  it('delivers name, mode and O_CREAT|O_EXCL flags; the handle reaches later requests; an error reaches open(2)', async () => {
    const FH = 2 ** 41 + 7;
    const t = tree();
    const seen: { parent: number; name: string; mode: number; flags: number }[] = [];
    const fhs: string[] = [];
    const ops = t.ops({
      create(req) {
        seen.push({ parent: req.parent, name: req.name, mode: req.mode, flags: req.flags });
        if (req.name === 'raced') return req.replyError('EEXIST');
        req.replyCreate(t.entry(t.add(req.parent, req.name, { mode: req.mode })), FH);
      },
      write(req) {
        fhs.push(`write ${req.fh}`);
        req.replyWrite(req.size);
      },
      release(req) {
        fhs.push(`release ${req.fh}`);
        req.replyOk();
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
os.umask(0o022)
fd = os.open(d + '/new ✓', os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o666)
n = os.write(fd, b'abc')
os.close(fd)
print(json.dumps([n, attempt(lambda: os.open(d + '/raced', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)),
  attempt(lambda: os.open(d + '/new ✓', os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))]))`,
        dir,
      );
      // the last open never reaches create: the kernel knows the name exists
      expect(result).toEqual([3, { error: 'EEXIST' }, { error: 'EEXIST' }]);
      expect(seen).toEqual([
        { parent: ROOT, name: 'new ✓', mode: S_IFREG | 0o644, flags: expect.any(Number) },
        { parent: ROOT, name: 'raced', mode: S_IFREG | 0o600, flags: expect.any(Number) },
      ]);
      const [first, second] = seen.map((s) => s.flags) as [number, number];
      expect(first & (O_ACCMODE | O_CREAT | O_EXCL)).toBe(O_RDWR | O_CREAT | O_EXCL);
      expect(second & (O_ACCMODE | O_CREAT | O_EXCL)).toBe(O_WRONLY | O_CREAT | O_EXCL);
      expect(fhs).toEqual([`write ${FH}`, `release ${FH}`]);
    });
  });

  it('replyCreate with directIo: reads reach the filesystem at the caller offset and size, uncached', async () => {
    const CONTENT = Buffer.from('0123456789'.repeat(10));
    for (const directIo of [true, false]) {
      const t = tree();
      const reads: { offset: number; size: number }[] = [];
      const ops = t.ops({
        create(req) {
          const node = t.add(req.parent, req.name, { mode: req.mode, size: CONTENT.length }, { content: CONTENT });
          req.replyCreate(t.entry(node), 5, { directIo });
        },
        read(req) {
          reads.push({ offset: req.offset, size: req.size });
          req.replyBuf(CONTENT.subarray(Math.min(req.offset, CONTENT.length), req.offset + req.size));
        },
      });
      await withSession(ops, async (dir) => {
        const result = await py(
          `fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o644)
r = [os.pread(fd, 10, 3).decode(), os.pread(fd, 10, 3).decode()]
os.close(fd)
print(json.dumps(r))`,
          `${dir}/f`,
        );
        expect(result).toEqual(['3456789012', '3456789012']);
      });
      if (directIo) {
        expect(reads).toEqual([
          { offset: 3, size: 10 },
          { offset: 3, size: 10 },
        ]);
      } else {
        // through the page cache: whole pages from 0, once
        expect(reads).toHaveLength(1);
        expect(reads[0]?.offset).toBe(0);
        expect((reads[0]?.size ?? 0) % 4096).toBe(0);
      }
    }
  });
});

describeMount('setxattr and removexattr', () => {
  it('deliver name, XATTR_CREATE/XATTR_REPLACE and the exact value bytes (empty, binary, 64 KiB); errors reach the caller', async () => {
    const t = tree();
    const f = t.add(ROOT, 'f', reg());
    const store = new Map<string, Buffer>();
    const seen: { op: string; ino: number; name: string; flags?: number; value?: Buffer }[] = [];
    const ops = t.ops({
      setxattr(req) {
        seen.push({ op: 'set', ino: req.ino, name: req.name, flags: req.flags, value: req.value });
        if (req.flags === XATTR_CREATE && store.has(req.name)) return req.replyError('EEXIST');
        if (req.flags === XATTR_REPLACE && !store.has(req.name)) return req.replyError('ENODATA');
        store.set(req.name, req.value);
        req.replyOk();
      },
      removexattr(req) {
        seen.push({ op: 'remove', ino: req.ino, name: req.name });
        if (!store.delete(req.name)) return req.replyError('ENODATA');
        req.replyOk();
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `p = sys.argv[1]
big = bytes(i % 256 for i in range(65536))
print(json.dumps([
  attempt(lambda: os.setxattr(p, 'user.a', b'\\x00\\x01bin\\xff\\x00', 0)),
  attempt(lambda: os.setxattr(p, 'user.a', b'', os.XATTR_REPLACE)),
  attempt(lambda: os.setxattr(p, 'user.a', b'x', os.XATTR_CREATE)),
  attempt(lambda: os.setxattr(p, 'user.missing', b'y', os.XATTR_REPLACE)),
  attempt(lambda: os.setxattr(p, 'trusted.big ✓', big, os.XATTR_CREATE)),
  attempt(lambda: os.removexattr(p, 'user.a')),
  attempt(lambda: os.removexattr(p, 'user.a')),
]))`,
        `${dir}/f`,
      );
      expect(result).toEqual([null, null, { error: 'EEXIST' }, { error: 'ENODATA' }, null, null, { error: 'ENODATA' }]);
      expect(seen.map(({ value, ...rest }) => rest)).toEqual([
        { op: 'set', ino: f.ino, name: 'user.a', flags: 0 },
        { op: 'set', ino: f.ino, name: 'user.a', flags: XATTR_REPLACE },
        { op: 'set', ino: f.ino, name: 'user.a', flags: XATTR_CREATE },
        { op: 'set', ino: f.ino, name: 'user.missing', flags: XATTR_REPLACE },
        { op: 'set', ino: f.ino, name: 'trusted.big ✓', flags: XATTR_CREATE },
        { op: 'remove', ino: f.ino, name: 'user.a' },
        { op: 'remove', ino: f.ino, name: 'user.a' },
      ]);
      const values = seen.map((s) => s.value);
      for (const v of values.slice(0, 5)) expect(Buffer.isBuffer(v)).toBe(true);
      expect(values[0]).toEqual(Buffer.from([0, 1, 0x62, 0x69, 0x6e, 0xff, 0]));
      expect(values[1]).toEqual(Buffer.alloc(0));
      expect(values[2]).toEqual(Buffer.from('x'));
      const big = Buffer.alloc(65536);
      for (let i = 0; i < big.length; i++) big[i] = i % 256;
      expect(values[4]?.equals(big)).toBe(true);
      expect(store.get('trusted.big ✓')?.length).toBe(65536);
    });
  });
});

describeMount('fallocate', () => {
  it('delivers offset, length and the mode bits (0, KEEP_SIZE, PUNCH_HOLE); an error reaches the caller', async () => {
    const t = tree();
    t.add(ROOT, 'f', reg(0o644, 1 << 20));
    t.add(ROOT, 'nope', reg(0o644, 1 << 20));
    const seen: { ino: number; fh: number; offset: bigint; length: bigint; mode: number }[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(300 + req.ino),
      fallocate(req) {
        seen.push({ ino: req.ino, fh: req.fh, offset: req.offsetBig, length: req.lengthBig, mode: req.mode });
        if (req.ino === t.children(ROOT).get('nope')) return req.replyError('EOPNOTSUPP');
        req.replyOk();
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
def falloc(fd, mode, off, length):
    if libc.fallocate(fd, mode, off, length) != 0:
        return {'error': errno.errorcode[ctypes.get_errno()]}
    return None
fd = os.open(sys.argv[1] + '/f', os.O_RDWR)
r = [attempt(lambda: os.posix_fallocate(fd, 4096, 8192)), falloc(fd, 1, 2 ** 40, 100), falloc(fd, 1, 2 ** 60, 1)]
os.close(fd)
fd = os.open(sys.argv[1] + '/nope', os.O_RDWR)
r.append(falloc(fd, 0, 0, 10))
os.close(fd)
print(json.dumps(r))`,
        dir,
      );
      // an offset beyond 2^53 reaches the handler exactly
      expect(result).toEqual([null, null, null, { error: 'ENOTSUP' }]); // ENOTSUP: python's name for EOPNOTSUPP
      const punched = await sh(`fallocate --punch-hole -o 65536 -l 12288 ${dir}/f`);
      expect(punched.code).toBe(0);
      const f = t.children(ROOT).get('f') ?? 0;
      const nope = t.children(ROOT).get('nope') ?? 0;
      expect(seen).toEqual([
        { ino: f, fh: 300 + f, offset: 4096n, length: 8192n, mode: 0 },
        { ino: f, fh: 300 + f, offset: 2n ** 40n, length: 100n, mode: 1 }, // FALLOC_FL_KEEP_SIZE
        { ino: f, fh: 300 + f, offset: 2n ** 60n, length: 1n, mode: 1 },
        { ino: nope, fh: 300 + nope, offset: 0n, length: 10n, mode: 0 },
        { ino: f, fh: 300 + f, offset: 65536n, length: 12288n, mode: 3 }, // PUNCH_HOLE | KEEP_SIZE
      ]);
    });
  });
});

describeMount('copyFileRange', () => {
  it('delivers both inodes, handles and offsets; replyWrite is what copy_file_range(2) returns', async () => {
    const t = tree();
    const src = t.add(ROOT, 'src', reg(0o644, 100_000));
    const dst = t.add(ROOT, 'dst', reg(0o644, 0));
    const seen: Record<string, number>[] = [];
    const errors: string[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(700 + req.ino),
      copyFileRange(req) {
        seen.push({
          ino: req.ino,
          fh: req.fh,
          offsetIn: req.offsetIn,
          inoOut: req.inoOut,
          fhOut: req.fhOut,
          offsetOut: req.offsetOut,
          length: req.length,
          flags: req.flags,
        });
        if (req.offsetIn === 0) {
          const error = thrown(() => req.replyWrite(req.length + 1));
          if (error !== undefined) errors.push(error);
          return;
        }
        req.replyWrite(Math.min(req.length, 1000));
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `d = sys.argv[1]
fin = os.open(d + '/src', os.O_RDONLY)
fout = os.open(d + '/dst', os.O_WRONLY)
print(json.dumps([os.copy_file_range(fin, fout, 1234, 100, 5000), os.copy_file_range(fin, fout, 10, 2000, 0),
  attempt(lambda: os.copy_file_range(fin, fout, 10, 0, 0))]))`,
        dir,
      );
      expect(result).toEqual([1000, 10, { error: 'EIO' }]);
      const common = { ino: src.ino, fh: 700 + src.ino, inoOut: dst.ino, fhOut: 700 + dst.ino, flags: 0 };
      expect(seen).toEqual([
        { ...common, offsetIn: 100, offsetOut: 5000, length: 1234 },
        { ...common, offsetIn: 2000, offsetOut: 0, length: 10 },
        { ...common, offsetIn: 0, offsetOut: 0, length: 10 },
      ]);
      expect(errors).toEqual([expect.stringMatching(/^RangeError: copyFileRange\.replyWrite: count must be/)]);
    });
  });
});

describeMount('lseek', () => {
  it('SEEK_DATA and SEEK_HOLE reach the filesystem; replyLseek is the new offset; ENXIO reaches the caller', async () => {
    const t = tree();
    const f = t.add(ROOT, 'f', reg(0o644, 10_000));
    const seen: { ino: number; fh: number; offset: bigint; whence: number }[] = [];
    const ops = t.ops({
      open: (req) => req.replyOpen(42),
      lseek(req) {
        seen.push({ ino: req.ino, fh: req.fh, offset: req.offsetBig, whence: req.whence });
        if (req.offsetBig >= 8192n) return req.replyError('ENXIO');
        req.replyLseek(req.whence === SEEK_DATA ? 4096 : 8192);
      },
    });
    await withSession(ops, async (dir) => {
      const result = await py(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
r = [os.lseek(fd, 100, os.SEEK_DATA), os.lseek(fd, 0, os.SEEK_CUR), os.lseek(fd, 5000, os.SEEK_HOLE),
  attempt(lambda: os.lseek(fd, 9000, os.SEEK_DATA)), os.lseek(fd, 0, os.SEEK_CUR), os.lseek(fd, 7, os.SEEK_SET),
  attempt(lambda: os.lseek(fd, 2 ** 60, os.SEEK_HOLE))]
os.close(fd)
print(json.dumps(r))`,
        `${dir}/f`,
      );
      expect(result).toEqual([4096, 4096, 8192, { error: 'ENXIO' }, 8192, 7, { error: 'ENXIO' }]);
      // SEEK_SET / SEEK_CUR stay in the kernel; an offset past 2^53 arrives exactly
      expect(seen).toEqual([
        { ino: f.ino, fh: 42, offset: 100n, whence: SEEK_DATA },
        { ino: f.ino, fh: 42, offset: 5000n, whence: SEEK_HOLE },
        { ino: f.ino, fh: 42, offset: 9000n, whence: SEEK_DATA },
        { ino: f.ino, fh: 42, offset: 2n ** 60n, whence: SEEK_HOLE },
      ]);
    });
  });
});
