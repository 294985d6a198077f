/**
 * readdir and readdirplus through real mounts: paging through thousands of
 * entries in the kernel's buffer size, offset cookies, add() reporting a full
 * buffer, attributes from readdirplus, and the lookups it counts.
 */
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import { type Attr, CAP, type Entry, type ForgetItem, type Operations } from '../lib/index.js';
import { describeMount, python, sh, waitFor, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG, S_IFLNK } = constants;
const ROOT = 1;

const ROOT_ATTR: Attr = { ino: ROOT, mode: S_IFDIR | 0o755, nlink: 2 };

const py = python();

/** The bytes one entry takes in the kernel's buffer (fuse_kernel.h: FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen)). */
const direntBytes = (name: string, plus: boolean): number => ((plus ? 152 : 24) + Buffer.byteLength(name) + 7) & ~7;

/** 5000 distinct names: plain, with spaces, unicode, and 255-byte long ones (ASCII and multi-byte). */
function makeNames(count: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 3) {
      const head = `long-${i}-`;
      names.push(head + 'x'.repeat(255 - head.length));
    } else if (i % 10 === 7) {
      let name = `ü-${i}-`;
      while (Buffer.byteLength(name) + 2 <= 255) name += 'é';
      if (Buffer.byteLength(name) < 255) name += 'y';
      names.push(name); // exactly 255 bytes, mostly two-byte characters
    } else if (i % 7 === 0) {
      names.push(`日本語 ファイル ${i} 🎉`);
    } else if (i % 5 === 0) {
      names.push(`with space ${i}.txt`);
    } else {
      names.push(`file-${i}`);
    }
  }
  return names;
}

interface Listing {
  names: string[];
  /** The cookie of entry i (0 = '.', 1 = '..', 2… = names). */
  cookie(i: number): number;
  /** The index of the entry after the one with this cookie, or undefined for an unknown cookie. */
  resume(offset: number): number | undefined;
  inoOf(i: number): number;
  modeOf(i: number): number;
}

/** Entries with sparse, non-sequential cookies, so a wrong resume point shows. */
function listing(names: string[]): Listing {
  const cookie = (i: number): number => 1_000_000 + i * 37;
  const byCookie = new Map<number, number>();
  for (let i = 0; i < names.length + 2; i++) byCookie.set(cookie(i), i);
  return {
    names,
    cookie,
    resume(offset) {
      if (offset === 0) return 0;
      const i = byCookie.get(offset);
      return i === undefined ? undefined : i + 1;
    },
    inoOf: (i) => (i < 2 ? ROOT : 100 + i),
    modeOf: (i) => (i < 2 || i % 100 === 50 ? S_IFDIR | 0o755 : i % 100 === 60 ? S_IFLNK | 0o777 : S_IFREG | 0o644),
  };
}

const nameAt = (l: Listing, i: number): string => (i === 0 ? '.' : i === 1 ? '..' : (l.names[i - 2] as string));

interface ReplyLog {
  offset: number;
  size: number;
  added: number;
  used: number;
  /** Bytes of the entry that did not fit, when add() returned false. */
  refused?: number;
}

describeMount('readdir', () => {
  it('pages through 5000 entries (long and unicode names) in the kernel buffer size; add() says when it is full', async () => {
    const l = listing(makeNames(5000));
    const replies: ReplyLog[] = [];
    const badOffsets: number[] = [];
    let lookups = 0;
    const ops: Operations = {
      lookup(req) {
        lookups++;
        req.replyError('ENOENT');
      },
      getattr(req) {
        req.replyAttr(ROOT_ATTR);
      },
      readdir(req) {
        const start = l.resume(req.offset);
        if (start === undefined) {
          badOffsets.push(req.offset);
          return req.replyError('EINVAL');
        }
        const log: ReplyLog = { offset: req.offset, size: req.size, added: 0, used: 0 };
        for (let i = start; i < l.names.length + 2; i++) {
          const name = nameAt(l, i);
          if (!req.add(name, l.inoOf(i), l.modeOf(i), l.cookie(i))) {
            log.refused = direntBytes(name, false);
            // still full: add() changed nothing
            expect(req.add(name, l.inoOf(i), l.modeOf(i), l.cookie(i))).toBe(false);
            break;
          }
          log.added++;
          log.used += direntBytes(name, false);
        }
        replies.push(log);
        req.replyDirents();
      },
    };
    await withSession(ops, async (dir) => {
      const count = await sh(`ls -f ${dir} | wc -l`);
      expect(count.stdout.trim()).toBe('5002');

      const listed = await py<{ names: string[]; entries: [string, number, boolean, boolean][] }>(
        `d = sys.argv[1]
names = os.listdir(d)
entries = [[e.name, e.inode(), e.is_dir(follow_symlinks=False), e.is_symlink()] for e in os.scandir(d)]
print(json.dumps({'names': names, 'entries': entries}))`,
        dir,
      );
      expect(listed.names).toHaveLength(5000);
      expect(new Set(listed.names)).toEqual(new Set(l.names));
      // d_ino and d_type came with the entries: no lookup was needed
      expect(lookups).toBe(0);
      const expected = l.names.map((name, k): [string, number, boolean, boolean] => [
        name,
        l.inoOf(k + 2),
        (l.modeOf(k + 2) & 0o170000) === S_IFDIR,
        (l.modeOf(k + 2) & 0o170000) === S_IFLNK,
      ]);
      expect(listed.entries).toEqual(expected);

      expect(badOffsets).toEqual([]);
      expect(replies.length).toBeGreaterThan(10);
      const full = replies.filter((r) => r.refused !== undefined);
      expect(full.length).toBeGreaterThan(5);
      for (const r of replies) {
        expect(r.used).toBeLessThanOrEqual(r.size);
        // add() refused only what really did not fit
        if (r.refused !== undefined) expect(r.used + r.refused).toBeGreaterThan(r.size);
      }
      // every listing ends with an empty reply
      expect(replies.some((r) => r.added === 0)).toBe(true);
    });
  });

  it('resumes from the cookie of the last entry the caller took, mid-reply and after lseek', async () => {
    const l = listing(
      makeNames(300)
        .map((n) => n.slice(0, 40))
        .map((n, i) => `${i}-${n}`),
    );
    const offsets: number[] = [];
    const ops: Operations = {
      getattr(req) {
        req.replyAttr(ROOT_ATTR);
      },
      readdir(req) {
        offsets.push(req.offset);
        const start = l.resume(req.offset);
        if (start === undefined) return req.replyError('EINVAL');
        for (let i = start; i < l.names.length + 2; i++) {
          if (!req.add(nameAt(l, i), l.inoOf(i), l.modeOf(i), l.cookie(i))) break;
        }
        req.replyDirents();
      },
    };
    await withSession(ops, async (dir) => {
      // getdents64 with a buffer that holds only a few entries, then lseek to a cookie
      const got = await py<{ walk: [string, number][]; after: string[]; calls: number }>(
        `libc = ctypes.CDLL(None, use_errno=True)
def getdents(fd, size):
    buf = ctypes.create_string_buffer(size)
    n = libc.syscall(217, fd, buf, size)
    if n < 0:
        raise OSError(ctypes.get_errno(), 'getdents64')
    out, pos = [], 0
    while pos < n:
        ino, off, reclen, typ = struct.unpack_from('<QqHB', buf.raw, pos)
        name = buf.raw[pos + 19:pos + reclen].split(b'\\0', 1)[0].decode()
        out.append((name, off))
        pos += reclen
    return out
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
walk, calls = [], 0
while True:
    chunk = getdents(fd, 200)
    calls += 1
    if not chunk:
        break
    walk += chunk
target = walk[150][1]
os.lseek(fd, target, os.SEEK_SET)
after = [n for n, _ in getdents(fd, 200)]
print(json.dumps({'walk': walk, 'after': after, 'calls': calls}))`,
        dir,
      );
      // the d_off of every entry is the filesystem's cookie
      expect(got.walk).toEqual(Array.from({ length: l.names.length + 2 }, (_, i) => [nameAt(l, i), l.cookie(i)]));
      expect(got.calls).toBeGreaterThan(30);
      // every request resumed at a cookie the caller had taken, never skipping or repeating
      const walked = got.walk.map(([, off]) => off);
      for (const off of offsets) if (off !== 0) expect(walked).toContain(off);
      // mid-reply resumption happened: more requests than full buffers would need
      expect(offsets.length).toBeGreaterThan(got.walk.length / 50);
      expect(got.after[0]).toBe(nameAt(l, 151));
      expect(offsets).toContain(l.cookie(150));
    });
  });

  it('add() validates names and cookies (RangeError), and the request can still be answered', async () => {
    const errors: string[] = [];
    const ops: Operations = {
      getattr(req) {
        req.replyAttr(ROOT_ATTR);
      },
      readdir(req) {
        if (req.offset > 0) return req.replyDirents();
        for (const [name, next] of [
          ['a/b', 1],
          ['nul\0', 1],
          ['', 1],
          ['x'.repeat(256), 1],
          ['zero-cookie', 0],
          ['negative-cookie', -1],
        ] as const) {
          try {
            req.add(name, 5, S_IFREG, next);
            errors.push(`accepted ${JSON.stringify(name)}`);
          } catch (error) {
            errors.push((error as Error).name);
          }
        }
        req.add('.', ROOT, S_IFDIR, 1);
        req.add('..', ROOT, S_IFDIR, 2);
        req.add('ok', 5, S_IFREG, 3);
        req.replyDirents();
      },
    };
    await withSession(ops, async (dir) => {
      const ls = await sh(`ls -fa ${dir}`);
      expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['.', '..', 'ok']);
      expect(errors).toEqual(Array(6).fill('RangeError'));
    });
  });
});

describeMount('readdirplus', () => {
  const N = 1500;
  const attrOf = (i: number): Attr => ({
    mode: S_IFREG | (i % 2 === 0 ? 0o640 : 0o604),
    nlink: 1,
    uid: 1000 + (i % 3),
    gid: 2000 + (i % 5),
    size: i * 3 + 1,
    mtime: (1_600_000_000 + i) * 1000,
  });
  const nameOf = (i: number): string => `plus-${String(i).padStart(4, '0')}`;

  /** Root with N files; readdirplus only; inode numbers change with `generation()`. */
  function plusFs(opts: {
    generation: () => number;
    onSent: (ino: number) => void;
    onForget?: (f: readonly ForgetItem[]) => void;
  }) {
    const calls = { lookup: 0, getattr: 0, readdir: 0, readdirplus: 0, bad: 0 };
    const inoOf = (i: number): number => 10_000 * opts.generation() + i + 2;
    const ops: Operations = {
      init(conn) {
        // always readdirplus, not only for the first batch
        conn.want &= ~CAP.READDIRPLUS_AUTO;
      },
      lookup(req) {
        calls.lookup++;
        req.replyError('ENOENT');
      },
      getattr(req) {
        if (req.ino !== ROOT) calls.getattr++;
        req.replyAttr(ROOT_ATTR, 60);
      },
      readdir(req) {
        calls.readdir++;
        req.replyError('EIO');
      },
      readdirplus(req) {
        calls.readdirplus++;
        if (req.offset > N + 2) {
          calls.bad++;
          return req.replyError('EINVAL');
        }
        for (let i = req.offset; i < N + 2; i++) {
          const entry: Entry =
            i < 2
              ? { ino: ROOT, attr: ROOT_ATTR }
              : { ino: inoOf(i - 2), generation: 1, attr: attrOf(i - 2), attrTimeout: 60, entryTimeout: 60 };
          if (!req.add(i === 0 ? '.' : i === 1 ? '..' : nameOf(i - 2), entry, i + 1)) break;
          if (i >= 2) opts.onSent(Number(entry.ino));
        }
        req.replyDirents();
      },
      forget(req) {
        opts.onForget?.(req.forgets);
      },
    };
    return { ops, calls };
  }

  it('entries carry their attributes: ls -l needs no lookup or getattr', async () => {
    const { ops, calls } = plusFs({ generation: () => 1, onSent: () => {} });
    await withSession(ops, async (dir) => {
      const ls = await sh(`ls -ln --time-style=+%s ${dir}`);
      expect(ls.code).toBe(0);
      const lines = ls.stdout.split('\n').filter((line) => line.includes('plus-'));
      expect(lines).toHaveLength(N);
      lines.forEach((line, i) => {
        const [mode, nlink, uid, gid, size, mtime, name] = line.trim().split(/\s+/);
        const a = attrOf(i);
        expect({ mode, nlink, uid, gid, size, mtime, name }).toEqual({
          mode: i % 2 === 0 ? '-rw-r-----' : '-rw----r--',
          nlink: '1',
          uid: String(a.uid),
          gid: String(a.gid),
          size: String(a.size),
          mtime: String(1_600_000_000 + i),
          name: nameOf(i),
        });
      });
      const inos = await sh(`stat -c %i ${dir}/${nameOf(0)} ${dir}/${nameOf(N - 1)}`);
      expect(inos.stdout).toBe(`${10_000 + 2}\n${10_000 + N + 1}\n`);
      expect(calls).toMatchObject({ lookup: 0, getattr: 0, readdir: 0, bad: 0 });
      // 1500 entries of 168 bytes do not fit one buffer
      expect(calls.readdirplus).toBeGreaterThan(1);
    });
  });

  it("each sent entry but '.' and '..' counts one lookup, balanced by forget when the kernel drops it", async () => {
    let generation = 1;
    const sent = new Map<number, number>();
    const forgotten = new Map<number, number>();
    const { ops } = plusFs({
      generation: () => generation,
      onSent: (ino) => sent.set(ino, (sent.get(ino) ?? 0) + 1),
      onForget: (items) => {
        for (const { ino, nlookup } of items) forgotten.set(Number(ino), (forgotten.get(Number(ino)) ?? 0) + nlookup);
      },
    });
    await withSession(ops, async (dir) => {
      expect((await sh(`ls -fa ${dir} | wc -l`)).stdout.trim()).toBe(String(N + 2));
      const firstListing = new Map(sent);
      expect(firstListing.size).toBe(N);
      expect(firstListing.has(ROOT)).toBe(false);
      // new inode numbers for the same names: the kernel drops the old inodes
      generation = 2;
      expect((await sh(`ls -f ${dir} | wc -l`)).stdout.trim()).toBe(String(N + 2));
      const total = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
      await waitFor(() => total(forgotten) >= total(firstListing), 10_000, 'forgets of the first listing');
      expect(forgotten).toEqual(firstListing);
      expect(forgotten.has(ROOT)).toBe(false);
    });
  });
});
