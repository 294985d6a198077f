/**
 * 64-bit values are exact across the library (issue 11, section 2): inode
 * numbers, generations, handles, sizes, offsets and statfs counts past 2^53
 * travel both ways without rounding — replies take bigints, requests give
 * `…Big` accessors, and the number getters refuse with a RangeError that
 * names the accessor to use. Before fcfae97 such requests were answered
 * EOVERFLOW and such replies refused. A minimal in-test filesystem with one
 * huge file; python3 children are the callers.
 */
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import type { Attr, Operations } from '../lib/index.js';
import { describeMount, python, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1n;
const INO = 2n ** 60n + 1n;
const SIZE = 2n ** 62n;
const FH = 2n ** 63n + 5n;
const GENERATION = 2n ** 62n + 7n;

const py = python(`
d = sys.argv[1]
`);

/** What the handlers saw. */
interface Seen {
  op: string;
  ino?: bigint;
  fh?: bigint;
  offset?: bigint;
  length?: bigint;
  refused?: string;
}

/** The message the number getter threw, or 'no throw'. */
function refusal(read: () => unknown): string {
  try {
    read();
    return 'no throw';
  } catch (error) {
    return error instanceof RangeError ? error.message : `not a RangeError: ${String(error)}`;
  }
}

/** A root holding one file `big`: inode 2^60 + 1, 2^62 bytes, opened as handle 2^63 + 5, uncached (direct I/O). */
function bigFile(seen: Seen[]): Operations {
  const attr: Attr = { ino: INO, mode: S_IFREG | 0o644, nlink: 1, size: SIZE, blocks: 2n ** 54n };
  return {
    lookup(req) {
      if (req.name !== 'big') return req.replyEntry({ ino: 0 });
      req.replyEntry({ ino: INO, generation: GENERATION, attr, attrTimeout: 0, entryTimeout: 0 });
    },
    getattr(req) {
      if (req.inoBig === ROOT) return req.replyAttr({ mode: S_IFDIR | 0o755, nlink: 2 }, 0);
      seen.push({ op: 'getattr', ino: req.inoBig, refused: refusal(() => req.ino) });
      req.replyAttr(attr, 0);
    },
    open(req) {
      req.replyOpen(FH, { directIo: true });
    },
    read(req) {
      seen.push({ op: 'read', fh: req.fhBig, offset: req.offsetBig, refused: refusal(() => req.offset) });
      req.replyBuf(Buffer.from('R'.repeat(req.size)));
    },
    write(req) {
      seen.push({ op: 'write', fh: req.fhBig, offset: req.offsetBig, refused: refusal(() => req.fh) });
      req.replyWrite(req.data.length);
    },
    fallocate(req) {
      seen.push({ op: 'fallocate', offset: req.offsetBig, length: req.lengthBig, refused: refusal(() => req.offset) });
      req.replyOk();
    },
    lseek(req) {
      seen.push({ op: 'lseek', offset: req.offsetBig, refused: refusal(() => req.offset) });
      req.replyLseek(req.offsetBig + 1n);
    },
    copyFileRange(req) {
      seen.push({ op: 'copy in', offset: req.offsetInBig, fh: req.fhBig, refused: refusal(() => req.offsetIn) });
      seen.push({ op: 'copy out', offset: req.offsetOutBig, fh: req.fhOutBig, refused: refusal(() => req.offsetOut) });
      req.replyWrite(Math.min(Number(req.lengthBig), 3));
    },
    flush(req) {
      req.replyOk();
    },
    release(req) {
      seen.push({ op: 'release', fh: req.fhBig });
      req.replyOk();
    },
    statfs(req) {
      req.replyStatfs({
        bsize: 4096,
        frsize: 4096,
        blocks: 2n ** 60n + 3n,
        bfree: 2n ** 59n + 1n,
        bavail: 2n ** 58n + 1n,
        files: 2n ** 62n + 9n,
        ffree: 2n ** 61n + 1n,
        favail: 2n ** 54n + 1n,
        namemax: 255,
      });
    },
  };
}

describeMount('64-bit values are exact', () => {
  it('ino 2^60 + 1, size 2^62 and st_blocks 2^54 reach stat exactly; the ino getter throws naming inoBig', async () => {
    const seen: Seen[] = [];
    await withSession(bigFile(seen), async (mnt) => {
      const r = await py<string[]>(
        `s = os.stat(d + '/big')
print(json.dumps([str(s.st_ino), str(s.st_size), str(s.st_blocks)]))`,
        mnt,
      );
      expect(r).toEqual([String(INO), String(SIZE), String(2n ** 54n)]);
    });
    const getattr = seen.find((s) => s.op === 'getattr');
    expect(getattr?.ino).toBe(INO);
    expect(getattr?.refused).toMatch(
      /^getattr\.ino is 1152921504606846977, beyond Number\.MAX_SAFE_INTEGER: read inoBig/,
    );
  }, 60_000);

  it('a bigint fh comes back in every later request; read, write, fallocate, lseek and copy_file_range get offsets past 2^53 exactly', async () => {
    const seen: Seen[] = [];
    await withSession(bigFile(seen), async (mnt) => {
      const r = await py<Record<string, unknown>>(
        `lib = ctypes.CDLL('libc.so.6', use_errno=True)
lib.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
fd = os.open(d + '/big', os.O_RDWR)
res = {'read': os.pread(fd, 2, 2**60 + 3).decode(), 'write': os.pwrite(fd, b'w', 2**61 + 7),
       'fallocate': lib.fallocate(fd, 1, 2**55 + 1, 2**56 + 3),
       'lseek': str(os.lseek(fd, 2**59 + 11, os.SEEK_DATA)),
       'copy': os.copy_file_range(fd, fd, 10, 2**57 + 1, 2**58 + 2)}
os.close(fd)
print(json.dumps(res))`,
        mnt,
      );
      expect(r).toEqual({ read: 'RR', write: 1, fallocate: 0, lseek: String(2n ** 59n + 12n), copy: 3 });
    });
    const BIG = 'beyond Number.MAX_SAFE_INTEGER: read';
    expect(seen.filter((s) => s.op !== 'getattr')).toEqual([
      {
        op: 'read',
        fh: FH,
        offset: 2n ** 60n + 3n,
        refused: `read.offset is ${2n ** 60n + 3n}, ${BIG} offsetBig (a bigint) instead`,
      },
      { op: 'write', fh: FH, offset: 2n ** 61n + 7n, refused: `write.fh is ${FH}, ${BIG} fhBig (a bigint) instead` },
      {
        op: 'fallocate',
        offset: 2n ** 55n + 1n,
        length: 2n ** 56n + 3n,
        refused: `fallocate.offset is ${2n ** 55n + 1n}, ${BIG} offsetBig (a bigint) instead`,
      },
      {
        op: 'lseek',
        offset: 2n ** 59n + 11n,
        refused: `lseek.offset is ${2n ** 59n + 11n}, ${BIG} offsetBig (a bigint) instead`,
      },
      {
        op: 'copy in',
        offset: 2n ** 57n + 1n,
        fh: FH,
        refused: `copyFileRange.offsetIn is ${2n ** 57n + 1n}, ${BIG} offsetInBig (a bigint) instead`,
      },
      {
        op: 'copy out',
        offset: 2n ** 58n + 2n,
        fh: FH,
        refused: `copyFileRange.offsetOut is ${2n ** 58n + 2n}, ${BIG} offsetOutBig (a bigint) instead`,
      },
      { op: 'release', fh: FH },
    ]);
  }, 60_000);

  // (FUSE carries no favail: the kernel reports ffree for it.)
  it('statfs counts past 2^53 reach statvfs(3) exactly', async () => {
    await withSession(bigFile([]), async (mnt) => {
      const r = await py<string[]>(
        `s = os.statvfs(d)
print(json.dumps([str(x) for x in (s.f_blocks, s.f_bfree, s.f_bavail, s.f_files, s.f_ffree)]))`,
        mnt,
      );
      expect(r).toEqual([2n ** 60n + 3n, 2n ** 59n + 1n, 2n ** 58n + 1n, 2n ** 62n + 9n, 2n ** 61n + 1n].map(String));
    });
  }, 60_000);
});
