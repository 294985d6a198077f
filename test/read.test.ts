/**
 * read: replies from memory (replyBuf) and zero-copy from a file descriptor
 * (replyFd), checked byte for byte by child processes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Attr, CAP, type Operations, type ReadRequest } from '../lib/index.js';
import { describeMount, python, run, sh, waitFor, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;

const MiB = 1024 * 1024;

const py = python();

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** sha256 of a file on the mount, computed by a child. */
async function childSha(path: string): Promise<string> {
  const out = await sh(`sha256sum ${path}`, 30_000);
  if (out.code !== 0) throw new Error(`sha256sum failed: ${out.stderr}`);
  return out.stdout.split(' ')[0] as string;
}

interface ServedFile {
  ino: number;
  size: number;
  read(req: ReadRequest): void | Promise<void>;
  directIo?: boolean;
}

/** A root directory with `files`; each file reads through its own handler. */
function filesFs(files: Record<string, ServedFile>, extra: Operations = {}): Operations {
  const byIno = new Map(Object.values(files).map((f) => [f.ino, f]));
  const attrOf = (ino: number): Attr | undefined => {
    if (ino === ROOT) return { ino, mode: S_IFDIR | 0o755, nlink: 2 };
    const f = byIno.get(ino);
    return f && { ino, mode: S_IFREG | 0o444, nlink: 1, size: f.size, mtime: 1_700_000_000_000 };
  };
  return {
    lookup(req) {
      const f = req.parent === ROOT ? files[req.name] : undefined;
      if (f === undefined) return req.replyError('ENOENT');
      req.replyEntry({ ino: f.ino, attr: attrOf(f.ino) as Attr, attrTimeout: 60, entryTimeout: 60 });
    },
    getattr(req) {
      const attr = attrOf(req.ino);
      if (attr === undefined) return req.replyError('ENOENT');
      req.replyAttr(attr, 60);
    },
    open(req) {
      req.replyOpen(req.ino, { directIo: byIno.get(req.ino)?.directIo === true });
    },
    read(req) {
      const f = byIno.get(req.ino);
      if (f === undefined) return req.replyError('EIO');
      return f.read(req);
    },
    ...extra,
  };
}

/**
 * A 10-byte direct-I/O file (ino 2) whose reads run `reply`; what it throws is
 * recorded in `thrown` as "Name: message".
 */
function throwingFile(thrown: string[], reply: (req: ReadRequest) => void): ServedFile {
  return {
    ino: 2,
    size: 10,
    directIo: true,
    read(req) {
      try {
        reply(req);
      } catch (error) {
        thrown.push(`${(error as Error).name}: ${(error as Error).message}`);
      }
    },
  };
}

/** The slice of `data` a read of `req` should return. */
const sliceFor = (data: Buffer, req: ReadRequest): Buffer =>
  data.subarray(Math.min(req.offset, data.length), Math.min(req.offset + req.size, data.length));

let srcDir: string;
let srcPath: string;
let src: Buffer;
let srcFd: number;
const SRC_SIZE = 8 * MiB + 12_345;

beforeAll(() => {
  srcDir = mkdtempSync(join(tmpdir(), 'fuse-lowlevel-read-src-'));
  srcPath = join(srcDir, 'source.bin');
  src = randomBytes(SRC_SIZE);
  writeFileSync(srcPath, src);
  srcFd = openSync(srcPath, 'r');
});

afterAll(() => {
  if (srcFd !== undefined) closeSync(srcFd);
  if (srcDir !== undefined) rmSync(srcDir, { recursive: true, force: true });
});

describeMount('read: replyBuf', () => {
  it('serves a multi-MB file byte-exact through the page cache, in reads of at most req.size', async () => {
    const reads: { offset: number; size: number }[] = [];
    const ops = filesFs({
      big: {
        ino: 2,
        size: src.length,
        read(req) {
          reads.push({ offset: req.offset, size: req.size });
          req.replyBuf(sliceFor(src, req));
        },
      },
    });
    await withSession(ops, async (dir) => {
      expect(await childSha(`${dir}/big`)).toBe(sha256(src));
      expect(reads.length).toBeGreaterThan(1);
      // the whole file was asked for, never past its end
      const covered = reads.reduce((end, r) => (r.offset <= end ? Math.max(end, r.offset + r.size) : end), 0);
      expect(covered).toBeGreaterThanOrEqual(src.length);
      for (const r of reads) expect(r.offset).toBeLessThan(src.length);
    });
  });

  it('a short reply means end of file, whatever the size attribute says', async () => {
    const CONTENT = Buffer.from('short file\n'.repeat(300)); // 3300 bytes
    const reads: number[] = [];
    const ops = filesFs({
      f: {
        ino: 2,
        size: 100_000,
        read(req) {
          reads.push(req.offset);
          req.replyBuf(sliceFor(CONTENT, req));
        },
      },
      empty: { ino: 3, size: 5000, read: (req) => req.replyBuf(Buffer.alloc(0)) },
    });
    await withSession(ops, async (dir) => {
      const cat = await sh(`cat ${dir}/f`);
      expect(cat.stdout).toBe(CONTENT.toString());
      expect((await sh(`cat ${dir}/empty | wc -c`)).stdout.trim()).toBe('0');
      // nothing past the short reply was asked for: the kernel took it as the end
      expect(reads.every((offset) => offset < CONTENT.length)).toBe(true);
    });
  });

  it('with direct_io every pread reaches the handler at its exact offset and size', async () => {
    const seen: { offset: number; size: number }[] = [];
    const ops = filesFs({
      f: {
        ino: 2,
        size: src.length,
        directIo: true,
        read(req) {
          seen.push({ offset: req.offset, size: req.size });
          req.replyBuf(sliceFor(src, req));
        },
      },
    });
    await withSession(ops, async (dir) => {
      const got = await py<string[]>(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps([os.pread(fd, n, off).hex() for off, n in [(1, 1), (4097, 10), (${SRC_SIZE - 5}, 100), (${SRC_SIZE + 10}, 10)]]))`,
        `${dir}/f`,
      );
      expect(got).toEqual([
        src.subarray(1, 2).toString('hex'),
        src.subarray(4097, 4107).toString('hex'),
        src.subarray(SRC_SIZE - 5).toString('hex'),
        '',
      ]);
      expect(seen).toEqual([
        { offset: 1, size: 1 },
        { offset: 4097, size: 10 },
        { offset: SRC_SIZE - 5, size: 100 },
        { offset: SRC_SIZE + 10, size: 10 },
      ]);
    });
  });

  it('one large read(2) arrives as requests up to the kernel maximum, each answered in full', async () => {
    const sizes: number[] = [];
    const ops = filesFs({
      f: {
        ino: 2,
        size: src.length,
        directIo: true,
        read(req) {
          sizes.push(req.size);
          req.replyBuf(sliceFor(src, req));
        },
      },
    });
    await withSession(ops, async (dir, session) => {
      const got = await py<{ n: number; sha: string }>(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
data = os.read(fd, ${4 * MiB})
print(json.dumps({'n': len(data), 'sha': hashlib.sha256(data).hexdigest()}))`,
        `${dir}/f`,
      );
      expect(got).toEqual({ n: 4 * MiB, sha: sha256(src.subarray(0, 4 * MiB)) });
      const largest = Math.max(...sizes);
      expect(sizes.length).toBeGreaterThan(1);
      expect(largest).toBeGreaterThanOrEqual(128 * 1024);
      expect(largest).toBeLessThanOrEqual(session.conn.maxWrite);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(4 * MiB);
    });
  });

  it('the maxRead option caps each read request (and conn.maxRead reports it)', async () => {
    const sizes: number[] = [];
    const ops = filesFs({
      f: {
        ino: 2,
        size: 1 * MiB,
        read(req) {
          sizes.push(req.size);
          req.replyBuf(sliceFor(src.subarray(0, MiB), req));
        },
      },
    });
    await withSession(
      ops,
      async (dir, session) => {
        expect(session.conn.maxRead).toBe(65536);
        expect(await childSha(`${dir}/f`)).toBe(sha256(src.subarray(0, MiB)));
        expect(Math.max(...sizes)).toBe(65536);
      },
      { maxRead: 65536 },
    );
  });

  it('async handlers overlap: concurrent readers of a file read with fs.promises, on 2 loop threads', async () => {
    const handle = await openFile(srcPath, 'r');
    let inflight = 0;
    let maxInflight = 0;
    let heldFirst = false;
    try {
      const ops = filesFs(
        {
          f: {
            ino: 2,
            size: 2 * MiB,
            directIo: true,
            async read(req) {
              inflight++;
              maxInflight = Math.max(maxInflight, inflight);
              // The first read waits for a second one to arrive (the four readers are independent), so
              // the overlap does not depend on how the scheduler staggers them; after 10 s it goes on.
              if (!heldFirst) {
                heldFirst = true;
                await waitFor(() => maxInflight > 1, 10_000).catch(() => undefined);
              }
              const length = Math.max(0, Math.min(req.size, 2 * MiB - req.offset));
              const { bytesRead, buffer } = await handle.read(Buffer.alloc(length), 0, length, req.offset);
              inflight--;
              req.replyBuf(buffer.subarray(0, bytesRead));
            },
          },
        },
        {},
      );
      await withSession(
        ops,
        async (dir) => {
          const out = await sh(`for i in 1 2 3 4; do sha256sum ${dir}/f & done; wait`, 30_000);
          const shas = out.stdout
            .trim()
            .split('\n')
            .map((l) => l.split(' ')[0]);
          expect(shas).toEqual(Array(4).fill(sha256(src.subarray(0, 2 * MiB))));
          expect(maxInflight).toBeGreaterThan(1);
        },
        { threads: 2 },
      );
    } finally {
      await handle.close();
    }
  });

  it('replyBuf with more than req.size bytes throws RangeError and the reader gets EIO', async () => {
    const thrown: string[] = [];
    const ops = filesFs({ f: throwingFile(thrown, (req) => req.replyBuf(Buffer.alloc(req.size + 1, 'x'))) });
    await withSession(ops, async (dir) => {
      const got = await py(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps(attempt(lambda: os.pread(fd, 10, 0).hex())))`,
        `${dir}/f`,
      );
      expect(got).toEqual({ error: 'EIO' });
      expect(thrown).toEqual([expect.stringMatching(/^RangeError: read\.replyBuf: data must be at most 10 bytes/)]);
    });
  });
});

describeMount('read: replyBufs', () => {
  it('sends the parts as one reply, byte-exact, through the page cache and with direct_io', async () => {
    // Each read answered in uneven pieces, empty ones included.
    const pieces = (req: ReadRequest): Buffer[] => {
      const data = sliceFor(src, req);
      const cut1 = Math.floor(data.length / 3);
      const cut2 = Math.floor((data.length * 2) / 3);
      return [data.subarray(0, cut1), Buffer.alloc(0), data.subarray(cut1, cut2), data.subarray(cut2)];
    };
    const ops = filesFs({
      big: { ino: 2, size: src.length, read: (req) => req.replyBufs(pieces(req)) },
      direct: { ino: 3, size: src.length, directIo: true, read: (req) => req.replyBufs(pieces(req)) },
      empty: { ino: 4, size: 10, read: (req) => req.replyBufs([]) },
    });
    await withSession(ops, async (dir) => {
      expect(await childSha(`${dir}/big`)).toBe(sha256(src));
      expect(await childSha(`${dir}/direct`)).toBe(sha256(src));
      const got = await py(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps(os.pread(fd, 10, 0).hex()))`,
        `${dir}/empty`,
      );
      expect(got).toBe('');
    });
  });

  it('bad parts throw TypeError or RangeError and the reader gets EIO', async () => {
    const thrown: string[] = [];
    const attempts: ((req: ReadRequest) => void)[] = [
      (req) => req.replyBufs(Buffer.alloc(1) as never),
      (req) => req.replyBufs([Buffer.alloc(1), 'x' as never]),
      (req) => req.replyBufs([Buffer.alloc(req.size), Buffer.alloc(1)]),
      (req) => req.replyBufs(Array.from({ length: 257 }, () => Buffer.alloc(0))),
    ];
    let call = 0;
    const ops = filesFs({ f: throwingFile(thrown, (req) => (attempts[call++] as (req: ReadRequest) => void)(req)) });
    await withSession(ops, async (dir) => {
      const got = await py(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps([attempt(lambda: os.pread(fd, 10, 0).hex()) for _ in range(4)]))`,
        `${dir}/f`,
      );
      expect(got).toEqual([{ error: 'EIO' }, { error: 'EIO' }, { error: 'EIO' }, { error: 'EIO' }]);
      expect(thrown).toEqual([
        'TypeError: read.replyBufs: parts must be an array of Buffers or Uint8Arrays, got an object',
        'TypeError: read.replyBufs: parts[1] must be a Buffer or Uint8Array, got "x"',
        'RangeError: read.replyBufs: parts must be at most 10 bytes (the size the kernel asked for), got 11',
        'RangeError: read.replyBufs: parts must be at most 256 Buffers or Uint8Arrays, got 257',
      ]);
    });
  });
});

describeMount('read: replyFd (zero-copy)', () => {
  it('splices a multi-MB file from a real fd byte-exact', async () => {
    let reads = 0;
    const ops = filesFs({
      copy: {
        ino: 2,
        size: SRC_SIZE,
        read(req) {
          reads++;
          req.replyFd(srcFd); // position = req.offset, size = req.size
        },
      },
    });
    await withSession(ops, async (dir) => {
      const cmp = await run('cmp', [srcPath, `${dir}/copy`], 30_000);
      expect(cmp).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(await childSha(`${dir}/copy`)).toBe(sha256(src));
      expect(reads).toBeGreaterThan(1);
    });
  });

  it('position and size select any window of the fd; fewer bytes than asked is end of file', async () => {
    const WIN_START = 1_234_567;
    const WIN_LEN = 3 * MiB + 77;
    const CUT = 300_001;
    const ops = filesFs({
      window: {
        ino: 2,
        size: WIN_LEN,
        read(req) {
          req.replyFd(srcFd, WIN_START + req.offset, Math.min(req.size, Math.max(0, WIN_LEN - req.offset)));
        },
      },
      // the attributes promise 1 MiB, the replies stop at CUT bytes
      cut: {
        ino: 3,
        size: MiB,
        read(req) {
          req.replyFd(srcFd, req.offset, Math.min(req.size, Math.max(0, CUT - req.offset)));
        },
      },
      exact: {
        ino: 4,
        size: SRC_SIZE,
        directIo: true,
        read(req) {
          req.replyFd(srcFd, SRC_SIZE - 1000 - req.offset, req.size); // served backwards, by window
        },
      },
    });
    await withSession(ops, async (dir) => {
      expect(await childSha(`${dir}/window`)).toBe(sha256(src.subarray(WIN_START, WIN_START + WIN_LEN)));
      const cut = await py<{ n: number; sha: string }>(
        `data = open(sys.argv[1], 'rb').read()
print(json.dumps({'n': len(data), 'sha': hashlib.sha256(data).hexdigest()}))`,
        `${dir}/cut`,
      );
      expect(cut).toEqual({ n: CUT, sha: sha256(src.subarray(0, CUT)) });
      const exact = await py<string[]>(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps([os.pread(fd, 16, 0).hex(), os.pread(fd, 8, 500).hex()]))`,
        `${dir}/exact`,
      );
      expect(exact).toEqual([
        src.subarray(SRC_SIZE - 1000, SRC_SIZE - 1000 + 16).toString('hex'),
        src.subarray(SRC_SIZE - 1500, SRC_SIZE - 1500 + 8).toString('hex'),
      ]);
    });
  });

  it('reading past the end of the fd gives a short read, and nothing at all beyond it', async () => {
    const ops = filesFs({
      overhang: { ino: 2, size: SRC_SIZE + 5000, read: (req) => req.replyFd(srcFd) },
      direct: { ino: 3, size: SRC_SIZE + 5000, directIo: true, read: (req) => req.replyFd(srcFd) },
    });
    await withSession(ops, async (dir) => {
      const whole = await sh(`cat ${dir}/overhang | wc -c`, 30_000);
      expect(whole.stdout.trim()).toBe(String(SRC_SIZE));
      expect(await childSha(`${dir}/overhang`)).toBe(sha256(src));
      const tail = await py<string[]>(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
print(json.dumps([os.pread(fd, 100, ${SRC_SIZE - 10}).hex(), os.pread(fd, 100, ${SRC_SIZE}).hex(), os.pread(fd, 100, ${SRC_SIZE + 100}).hex()]))`,
        `${dir}/direct`,
      );
      expect(tail).toEqual([src.subarray(SRC_SIZE - 10).toString('hex'), '', '']);
    });
  });

  it('still byte-exact when init turns splice off (libfuse copies instead), with 2 loop threads and concurrent readers', async () => {
    const ops = filesFs(
      { f: { ino: 2, size: SRC_SIZE, directIo: true, read: (req) => req.replyFd(srcFd) } },
      {
        init(conn) {
          conn.want &= ~(CAP.SPLICE_WRITE | CAP.SPLICE_MOVE);
        },
      },
    );
    await withSession(
      ops,
      async (dir, session) => {
        expect(session.conn.want & CAP.SPLICE_WRITE).toBe(0);
        const out = await sh(`for i in 1 2 3; do sha256sum ${dir}/f & done; wait`, 30_000);
        expect(
          out.stdout
            .trim()
            .split('\n')
            .map((l) => l.split(' ')[0]),
        ).toEqual(Array(3).fill(sha256(src)));
      },
      { threads: 2 },
    );
  });

  it('an invalid position or size throws RangeError and the reader gets EIO; a bad fd fails the read', async () => {
    const thrown: string[] = [];
    let badFdReplies = 0;
    const ops = filesFs({
      big: {
        ino: 2,
        size: 100,
        directIo: true,
        read(req) {
          try {
            req.replyFd(srcFd, req.offset, req.size + 1);
          } catch (error) {
            thrown.push((error as Error).name);
          }
        },
      },
      negative: {
        ino: 3,
        size: 100,
        directIo: true,
        read(req) {
          try {
            req.replyFd(srcFd, -1);
          } catch (error) {
            thrown.push((error as Error).name);
          }
        },
      },
      badfd: {
        ino: 4,
        size: 100,
        directIo: true,
        read(req) {
          badFdReplies++;
          req.replyFd(0x7ffffff0);
        },
      },
    });
    await withSession(ops, async (dir) => {
      const got = await py(
        `r = []
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY)
    r.append(attempt(lambda: os.pread(fd, 10, 0).hex()))
print(json.dumps(r))`,
        `${dir}/big`,
        `${dir}/negative`,
        `${dir}/badfd`,
      );
      expect(got).toEqual([{ error: 'EIO' }, { error: 'EIO' }, { error: 'EBADF' }]);
      expect(thrown).toEqual(['RangeError', 'RangeError']);
      await waitFor(() => badFdReplies === 1, 1000, 'the bad-fd read');
    });
  });
});
