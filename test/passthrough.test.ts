/**
 * The passthrough example: a real directory mirrored through real mounts,
 * driven from child processes. Generic POSIX behaviour belongs to the shared
 * suite (test/posix); these tests cover what is passthrough's own: the source
 * reflects every change, reads are spliced from the source file, new entries
 * belong to their creator, and the inode table stays right across hard links,
 * renames and changes made behind the mount's back.
 *
 * The source directory is not the mount, so this process may read it with
 * sync calls; the mount itself is only ever touched by children.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { utimesArg, utimesUnit } from '../examples/passthrough/attrs.js';
import { passthroughMountOptions, passthroughOperations } from '../examples/passthrough/index.js';
import { InodeTable } from '../examples/passthrough/inodes.js';
import { ReadRequest } from '../lib/index.js';
import { describeMount, run, sh, withSession } from './helpers/fuse.js';

const MiB = 1024 * 1024;
const NOBODY = 65534;
const AS_NOBODY = `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups`;

interface PassthroughSetup {
  /** Cache timeout in seconds (default 1). Long timeouts make the kernel reuse its inodes. */
  timeout?: number;
  /** Fills the source before mounting. */
  prepare?: (src: string) => void;
}

/**
 * Mounts a passthrough of a fresh source directory (mode 0755) with the
 * recommended options plus allowOther, runs `fn`, then unmounts and removes it.
 */
async function withPassthrough(
  fn: (mnt: string, src: string) => Promise<void>,
  { timeout = 1, prepare }: PassthroughSetup = {},
): Promise<void> {
  const src = mkdtempSync(join(tmpdir(), 'fuse-lowlevel-passthrough-src-'));
  try {
    chmodSync(src, 0o755);
    prepare?.(src);
    await withSession(passthroughOperations(src, { timeout }), (mnt) => fn(mnt, src), {
      ...passthroughMountOptions(src),
      allowOther: true,
    });
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

/** Runs a shell script (`set -e`) in a child and returns its stdout; fails with its stderr. */
/**
 * Expects time `actual` on the source after the passthrough set `ns` there:
 * with a libuv that keeps microseconds, the one at or before `ns`; with one
 * that keeps nanoseconds, the nearest that the double Node passes reaches —
 * within 61 ns up to 2004 (doubles are 2^-23 s apart there).
 */
async function expectTimeSet(actual: bigint, ns: bigint): Promise<void> {
  if ((await utimesUnit()) === 1000n) {
    expect(actual).toBe(ns - (((ns % 1000n) + 1000n) % 1000n));
  } else {
    expect(actual > ns ? actual - ns : ns - actual, `${actual} for ${ns}`).toBeLessThanOrEqual(61n);
  }
}

async function shOk(script: string, timeoutMs?: number): Promise<string> {
  const result = await sh(`set -e\n${script}`, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`script failed (${result.code ?? result.signal}): ${result.stderr}\n--- script:\n${script}`);
  }
  return result.stdout;
}

/** Runs python3 in a child (errno names via attempt()) and returns what it printed as JSON. */
async function py<T = unknown>(script: string, timeoutMs?: number): Promise<T> {
  const prelude = `import os, sys, json, errno, ctypes, socket, stat
def attempt(f):
    try:
        r = f()
        return 'ok' if r is None else r
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
`;
  const result = await run('python3', ['-c', `${prelude}${script}`], timeoutMs);
  if (result.code !== 0) throw new Error(`python3 failed (${result.code ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** `find` of a tree: type, mode, size, links, relative path and symlink target, sorted. */
function listing(root: string, extra = ''): Promise<string> {
  return shOk(`cd '${root}' && find . -printf '%y %m %s %n ${extra} %p -> %l\\n' | LC_ALL=C sort`);
}

describe('passthrough handlers', () => {
  it('implement the operations that map onto Node calls, and leave out xattrs, locks, flush and lseek', () => {
    expect(Object.keys(passthroughOperations('/tmp')).sort()).toEqual(
      [
        'access',
        'copyFileRange',
        'create',
        'destroy',
        'fallocate',
        'forget',
        'fsync',
        'fsyncdir',
        'getattr',
        'init',
        'link',
        'lookup',
        'mkdir',
        'mknod',
        'open',
        'opendir',
        'read',
        'readdir',
        'readdirplus',
        'readlink',
        'release',
        'releasedir',
        'rename',
        'rmdir',
        'setattr',
        'statfs',
        'symlink',
        'unlink',
        'write',
      ].sort(),
    );
  });

  it('reject a negative timeout', () => {
    expect(() => passthroughOperations('/tmp', { timeout: -1 })).toThrow(RangeError);
  });

  it('recommend defaultPermissions and name the mount after the source', () => {
    expect(passthroughMountOptions('/srv/data')).toEqual({
      fsName: '/srv/data',
      subtype: 'passthrough',
      defaultPermissions: true,
    });
  });

  it('pass times to utimes centred on the unit libuv keeps, before 1970 too', () => {
    // libuv truncates towards zero to its unit; the value must land on the right one.
    expect(utimesArg(1_700_000_000_123_456_789n, 1000n)).toBeCloseTo(1_700_000_000.1234565, 6);
    expect(utimesArg(0n, 1000n)).toBe(0.0000005);
    // Node reads negative numbers as "now": earlier times go as numeric strings.
    expect(utimesArg(-1_500_000_000n, 1000n)).toBe('-1.5000005');
    expect(utimesArg(-1n, 1000n)).toBe('-0.0000015');
    // To the nanosecond: half a nanosecond is below what a double holds of a 2010 time.
    expect(utimesArg(1_262_304_000_000_000_000n, 1n)).toBe(1_262_304_000);
    expect(utimesArg(1n, 1n)).toBe(0.0000000015);
    expect(utimesArg(-1n, 1n)).toBe('-0.0000000015');
    expect(utimesArg(-315_619_199_750_000_000n, 1n)).toBe('-315619199.7500000005');
  });

  it("find the unit this Node's utimes keeps: µs before libuv 1.52, ns since", async () => {
    const [major = 0, minor = 0] = process.versions.uv.split('.').map(Number);
    expect(await utimesUnit()).toBe(major > 1 || minor >= 52 ? 1n : 1000n);
  });

  it('land utimes on the time asked for, to the unit libuv keeps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuse-lowlevel-utimes-'));
    try {
      const file = join(dir, 'f');
      writeFileSync(file, '');
      const unit = await utimesUnit();
      for (const ns of [981_173_106_987_654_321n, 1_262_304_000_000_000_000n, -315_619_199_750_000_000n, -1n, 0n]) {
        utimesSync(file, utimesArg(ns, unit), utimesArg(ns, unit));
        await expectTimeSet(lstatSync(file, { bigint: true }).mtimeNs, ns);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('passthrough inode table', () => {
  const stats = (dev: number, ino: number, mode = constants.S_IFREG) =>
    ({ dev: BigInt(dev), ino: BigInt(ino), mode: BigInt(mode) }) as unknown as BigIntStats;

  it('maps a source file to one inode of its own numbering, whatever name it is found by', () => {
    const table = new InodeTable();
    const a = table.intern(stats(1, 2 ** 60), 'a');
    expect(a.ino).toBe(2);
    expect(table.intern(stats(1, 2 ** 60), 'b')).toBe(a);
    expect(a.paths).toEqual(['b', 'a']);
    expect(table.intern(stats(2, 2 ** 60), 'c').ino).toBe(3); // same st_ino, other device
    table.unlink('b');
    expect(a.paths).toEqual(['a']);
    expect(table.at('b')).toBeUndefined();
  });

  it('renames a directory with every name recorded below it; renaming onto a hard link of itself is a no-op', () => {
    const table = new InodeTable();
    const dir = table.intern(stats(1, 10, constants.S_IFDIR), 'd');
    const sub = table.intern(stats(1, 11, constants.S_IFDIR), 'd/s');
    const file = table.intern(stats(1, 12), 'd/s/f');
    const other = table.intern(stats(1, 13), 'de'); // a sibling whose name starts the same
    table.rename('d', 'x/y');
    expect([dir.paths, sub.paths, file.paths, other.paths]).toEqual([['x/y'], ['x/y/s'], ['x/y/s/f'], ['de']]);
    table.intern(stats(1, 12), 'x/y/s/g'); // a hard link
    table.rename('x/y/s/f', 'x/y/s/g');
    expect(file.paths).toEqual(['x/y/s/g', 'x/y/s/f']);
    table.rename('de', 'x/y/s/g'); // replaces one name of the file
    expect(file.paths).toEqual(['x/y/s/f']);
    expect(table.at('x/y/s/g')).toBe(other);
  });

  it('drops an inode when the kernel forgets its last lookup, and never the root', () => {
    const table = new InodeTable();
    const a = table.intern(stats(1, 5), 'a');
    table.addLookup(a);
    table.addLookup(a);
    table.forget(a.ino, 1);
    expect(table.get(a.ino)).toBe(a);
    table.forget(a.ino, 1);
    expect(() => table.get(a.ino)).toThrow(/ESTALE|unknown inode/);
    expect(table.at('a')).toBeUndefined();
    table.forget(1, 100);
    expect(table.get(1)).toBe(table.root);
    const unused = table.intern(stats(1, 6), 'b');
    table.dropUnused(unused);
    expect(table.size).toBe(1);
  });

  it('follows a directory moved behind its back, names below it included', () => {
    const table = new InodeTable();
    const dir = table.intern(stats(1, 20, constants.S_IFDIR), 'old');
    const file = table.intern(stats(1, 21), 'old/f');
    expect(table.intern(stats(1, 20, constants.S_IFDIR), 'new')).toBe(dir);
    expect([dir.paths, file.paths]).toEqual([['new'], ['new/f']]);
  });
});

describeMount('passthrough: mirroring', () => {
  it('cp -a of a tree into the mount lands in the source; diff -r and find agree on source, mount and original', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'fuse-lowlevel-passthrough-tree-'));
    try {
      mkdirSync(join(tree, 'sub/deeper'), { recursive: true });
      writeFileSync(join(tree, 'empty'), '');
      writeFileSync(join(tree, 'one byte'), 'x');
      writeFileSync(join(tree, 'sub/page'), randomBytes(4096));
      writeFileSync(join(tree, 'sub/deeper/large'), randomBytes(3 * MiB + 7));
      writeFileSync(join(tree, 'ünïcødé ✓'), 'utf-8 name\n');
      writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
      await shOk(
        `cd '${tree}' && ln -s sub/page link && ln -s nowhere dangling && ln sub/page hardlink && chmod 700 sub/deeper`,
      );

      await withPassthrough(async (mnt, src) => {
        await shOk(`cp -a '${tree}' '${mnt}/copy'`, 30_000);
        await shOk(`diff -r --no-dereference '${tree}' '${src}/copy'`);
        await shOk(`diff -r --no-dereference '${tree}' '${mnt}/copy'`);
        const original = await listing(tree);
        expect(await listing(`${src}/copy`)).toBe(original);
        // Through the mount, owners and nanosecond mtimes too are the source's.
        expect(await listing(`${mnt}/copy`, '%U:%G %T@')).toBe(await listing(`${src}/copy`, '%U:%G %T@'));
        expect(original.split('\n')).toContain('l 777 8 1  ./link -> sub/page');
        expect(original).toMatch(/^f 644 4096 2 {2}\.\/hardlink -> $/m);
        expect(await shOk(`'${mnt}/copy/run.sh'`)).toBe('ran\n');
      });
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('every change through the mount is made on the source', async () => {
    await withPassthrough(async (mnt, src) => {
      await shOk(`cd '${mnt}'; export TZ=UTC
        echo hello > f && mv f g && ln g h && ln -s g s && chmod 640 g
        truncate -s 3 h
        touch -d '2001-02-03 04:05:06.123456789' g
        mkdir -p d/e && rmdir d/e && echo x > d/gone && rm d/gone
        echo data > d/kept && mkdir moved && mv d/kept moved/kept`);
      const g = lstatSync(join(src, 'g'), { bigint: true });
      expect(readFileSync(join(src, 'g'), 'utf8')).toBe('hel');
      expect(lstatSync(join(src, 'h'), { bigint: true }).ino).toBe(g.ino);
      expect(g.nlink).toBe(2n);
      expect(Number(g.mode) & 0o7777).toBe(0o640);
      await expectTimeSet(g.mtimeNs, 981_173_106_123_456_789n);
      expect(readlinkSync(join(src, 's'))).toBe('g');
      expect(existsSync(join(src, 'f'))).toBe(false);
      expect(existsSync(join(src, 'd/e'))).toBe(false);
      expect(existsSync(join(src, 'd/gone'))).toBe(false);
      expect(readFileSync(join(src, 'moved/kept'), 'utf8')).toBe('data\n');
    });
  });

  it('changes made in the source behind the mount show through, even within long cache timeouts', async () => {
    await withPassthrough(
      async (mnt, src) => {
        // The kernel caches these inodes for 60 s; then the source changes under them.
        const before = await shOk(`cd '${mnt}'; cat f; cat a/b/f; stat -c '%s %i' f`);
        expect(before).toMatch(/^one\ninside\n4 \d+\n$/);
        const oldIno = Number(before.split('\n')[2]?.split(' ')[1]);
        writeFileSync(join(src, 'f.tmp'), 'replaced\n');
        renameSync(join(src, 'f.tmp'), join(src, 'f')); // another file now has the name
        renameSync(join(src, 'a'), join(src, 'z')); // a directory moved
        writeFileSync(join(src, 'new'), 'new\n');
        const after = await shOk(`cd '${mnt}'; cat f; cat z/b/f; cat new; ls; test ! -e a`);
        expect(after).toBe('replaced\ninside\nnew\nf\nnew\nz\n');
        // A getattr the kernel must send (statx AT_STATX_FORCE_SYNC) finds the old
        // inode's name holding another file: ESTALE, and the kernel looks it up again.
        const fresh = await py<{ size: number; ino: number }>(`
class Statx(ctypes.Structure):
    _fields_ = [('mask', ctypes.c_uint32), ('blksize', ctypes.c_uint32), ('attributes', ctypes.c_uint64),
                ('nlink', ctypes.c_uint32), ('uid', ctypes.c_uint32), ('gid', ctypes.c_uint32),
                ('mode', ctypes.c_uint16), ('pad', ctypes.c_uint16), ('ino', ctypes.c_uint64),
                ('size', ctypes.c_uint64), ('rest', ctypes.c_uint8 * 200)]
libc = ctypes.CDLL(None, use_errno=True)
buf = Statx()
AT_STATX_FORCE_SYNC = 0x2000
if libc.statx(-100, b'${mnt}/f', AT_STATX_FORCE_SYNC, 0x7ff, ctypes.byref(buf)) != 0:
    raise OSError(ctypes.get_errno(), 'statx')
print(json.dumps({'size': buf.size, 'ino': buf.ino}))`);
        expect(fresh.size).toBe(9);
        expect(fresh.ino).not.toBe(oldIno);
      },
      {
        timeout: 60,
        prepare: (src) => {
          writeFileSync(join(src, 'f'), 'one\n');
          mkdirSync(join(src, 'a/b'), { recursive: true });
          writeFileSync(join(src, 'a/b/f'), 'inside\n');
        },
      },
    );
  });

  it('readdir offsets are stable while the directory changes; rewinddir lists afresh', async () => {
    const names = Array.from({ length: 600 }, (_, i) => `entry-${i}`);
    await withPassthrough(
      async (mnt) => {
        const result = await py<{ seen: number; unique: number; rewound: string[] }>(`
d = '${mnt}/dir'
it = os.scandir(d)
seen = [next(it).name for _ in range(100)]
for name in seen:
    os.unlink(os.path.join(d, name))  # what rm -r does: remove what was listed, then go on
for i in range(50):
    open(os.path.join(d, 'new-%d' % i), 'w').close()
seen += [e.name for e in it]
seen = [name for name in seen if name.startswith('entry-')]
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
before = os.listdir(fd)
open(os.path.join(d, 'late'), 'w').close()
rewound = os.listdir(fd)  # rewinds the same open directory
os.close(fd)
print(json.dumps({'seen': len(seen), 'unique': len(set(seen)), 'rewound': sorted(set(rewound) - set(before))}))`);
        expect(result).toEqual({ seen: names.length, unique: names.length, rewound: ['late'] });
      },
      {
        prepare: (src) => {
          mkdirSync(join(src, 'dir'));
          for (const name of names) writeFileSync(join(src, 'dir', name), '');
        },
      },
    );
  });

  it('statfs reports the source filesystem', async () => {
    await withPassthrough(async (mnt, src) => {
      const fields = (dir: string) => shOk(`stat -f -c '%S %b %c %l' '${dir}'`);
      expect(await fields(mnt)).toBe(await fields(src));
    });
  });
});

describeMount('passthrough: zero-copy reads', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a multi-MB file reads back byte-exact, every read answered with replyFd', async () => {
    const data = randomBytes(24 * MiB + 12_345);
    const replyFd = vi.spyOn(ReadRequest.prototype, 'replyFd');
    const replyBuf = vi.spyOn(ReadRequest.prototype, 'replyBuf');
    await withPassthrough(
      async (mnt) => {
        const sum = await shOk(`sha256sum '${mnt}/big'`, 30_000);
        expect(sum.split(' ')[0]).toBe(sha256(data));
        // Unaligned ranges, and across the end of file.
        const ranges: [number, number][] = [
          [0, 1],
          [4095, 3],
          [MiB - 1, 2 * MiB + 3],
          [data.length - 5, 100],
          [data.length + 10, 10],
        ];
        const hashes = await py<string[]>(`
import hashlib
fd = os.open('${mnt}/big', os.O_RDONLY)
out = [hashlib.sha256(os.pread(fd, n, off)).hexdigest() for off, n in ${JSON.stringify(ranges)}]
os.close(fd)
print(json.dumps(out))`);
        expect(hashes).toEqual(ranges.map(([off, n]) => sha256(data.subarray(off, off + n))));
      },
      { prepare: (src) => writeFileSync(join(src, 'big'), data) },
    );
    expect(replyFd.mock.calls.length).toBeGreaterThan(0);
    expect(replyBuf).not.toHaveBeenCalled();
  });
});

describeMount('passthrough: ownership', () => {
  it('what another user creates belongs to that user, with exactly the mode asked for', async () => {
    await withPassthrough(
      async (mnt, src) => {
        const out = await shOk(`${AS_NOBODY} sh -c '
          set -e; umask 027; cd "${mnt}/pub"
          echo x > file; mkdir dir; ln -s file link
          python3 -c "import os, stat, socket; os.mknod(\\"node\\", 0o604 | stat.S_IFREG); socket.socket(socket.AF_UNIX).bind(\\"sock\\")"
          mkfifo fifo 2>&1 || true'`);
        expect(out).toMatch(/Operation not permitted/); // Node cannot make FIFOs: EPERM
        const owned = (name: string) => {
          const st = lstatSync(join(src, 'pub', name));
          return [st.uid, st.gid, (st.mode & constants.S_IFMT) >> 12, st.mode & 0o7777];
        };
        expect({
          file: owned('file'),
          dir: owned('dir'),
          link: owned('link').slice(0, 3),
          node: owned('node'),
          sock: owned('sock'),
        }).toEqual({
          file: [NOBODY, NOBODY, constants.S_IFREG >> 12, 0o640],
          dir: [NOBODY, NOBODY, constants.S_IFDIR >> 12, 0o750],
          link: [NOBODY, NOBODY, constants.S_IFLNK >> 12],
          node: [NOBODY, NOBODY, constants.S_IFREG >> 12, 0o604 & ~0o027],
          sock: [NOBODY, NOBODY, constants.S_IFSOCK >> 12, 0o750],
        });
        expect(existsSync(join(src, 'pub/fifo'))).toBe(false);
        // The mount shows the same owners.
        expect(await shOk(`stat -c '%u:%g %a %n' '${mnt}/pub/file' '${mnt}/pub/dir'`)).toBe(
          `${NOBODY}:${NOBODY} 640 ${mnt}/pub/file\n${NOBODY}:${NOBODY} 750 ${mnt}/pub/dir\n`,
        );
      },
      {
        prepare: (src) => {
          mkdirSync(join(src, 'pub'));
          chmodSync(join(src, 'pub'), 0o1777);
        },
      },
    );
  });

  it("in a set-group-ID directory new entries take the directory's group (and a new directory the bit)", async () => {
    await withPassthrough(
      async (mnt, src) => {
        await shOk(`${AS_NOBODY} sh -c 'set -e; umask 022; cd "${mnt}/shared"; echo x > file; mkdir dir'`);
        const file = lstatSync(join(src, 'shared/file'));
        const dir = lstatSync(join(src, 'shared/dir'));
        expect([file.uid, file.gid, file.mode & 0o7777]).toEqual([NOBODY, 50, 0o644]);
        expect([dir.uid, dir.gid, dir.mode & 0o7777]).toEqual([NOBODY, 50, 0o2755]);
      },
      {
        prepare: (src) => {
          mkdirSync(join(src, 'shared'));
          chownSync(join(src, 'shared'), 0, 50);
          chmodSync(join(src, 'shared'), 0o2777);
        },
      },
    );
  });

  it('a write or truncate by another user clears set-user-ID and set-group-ID bits, as on the source', async () => {
    await withPassthrough(
      async (mnt, src) => {
        await shOk(`${AS_NOBODY} sh -c 'set -e; echo more >> "${mnt}/w"; truncate -s 1 "${mnt}/t"'`);
        expect(lstatSync(join(src, 'w')).mode & 0o7777).toBe(0o777);
        expect(lstatSync(join(src, 't')).mode & 0o7777).toBe(0o777);
      },
      {
        prepare: (src) => {
          for (const name of ['w', 't']) {
            writeFileSync(join(src, name), 'x\n');
            chownSync(join(src, name), 1000, 1000);
            chmodSync(join(src, name), 0o6777);
          }
        },
      },
    );
  });
});

describeMount('passthrough: the inode table', () => {
  it('hard links are one inode: same st_ino, shared data, and the other name lives on after an unlink', async () => {
    await withPassthrough(
      async (mnt, src) => {
        const out = await shOk(`cd '${mnt}'
          echo one > a; ln a b; stat -c '%i %h' a b
          echo two >> b; cat a
          rm a; echo three >> b; cat b; stat -c '%h' b`);
        const [inoA, inoB, ...rest] = out.split('\n');
        expect(inoA).toBe(inoB);
        expect(inoA).toMatch(/ 2$/);
        expect(rest.join('\n')).toBe('one\ntwo\none\ntwo\nthree\n1\n');
        // A link made in the source is found as the same inode too.
        await shOk(`ln '${src}/b' '${src}/c'`);
        const [b, c] = (await shOk(`stat -c %i '${mnt}/b' '${mnt}/c'`)).split('\n');
        expect(b).toBe(c);
      },
      { timeout: 60 },
    );
  });

  it('renames keep every cached inode reaching its file: moved directories, replaced names, moves back and forth', async () => {
    await withPassthrough(
      async (mnt, src) => {
        // With 60 s timeouts the kernel keeps its dentries and sends requests for
        // the inodes it knows: each must find its file under its new name.
        const script = `cd '${mnt}'
          mkdir -p a/b/c && echo f > a/b/c/f && ino=$(stat -c %i a/b/c/f)
          mv a z && echo g >> z/b/c/f && test "$(stat -c %i z/b/c/f)" = "$ino"
          mv z/b/c/f z/moved && echo h >> z/moved
          echo other > o && mv o z/moved && cat z/moved
          mkdir empty && mv -T z/b empty && ls empty
          mv empty/c back && mv back empty/c && echo i > empty/c/new
          mv z zz && mv zz z && cat z/moved`;
        expect(await shOk(script)).toBe('other\nc\nother\n');
        // The mount and the source agree on every name, type and content.
        expect(await listing(mnt)).toBe(await listing(src));
        expect(await shOk(`cd '${mnt}' && find . -type f | LC_ALL=C sort | xargs cat`)).toBe(
          await shOk(`cd '${src}' && find . -type f | LC_ALL=C sort | xargs cat`),
        );
        expect(readFileSync(join(src, 'empty/c/new'), 'utf8')).toBe('i\n');
      },
      { timeout: 60 },
    );
  });

  it('an open file stays usable after its last name is gone (fstat, pwrite, ftruncate)', async () => {
    await withPassthrough(async (mnt) => {
      const result = await py<{ nlink: number; size: number; data: string; truncated: number; reopen: string }>(`
fd = os.open('${mnt}/f', os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b'hello')
os.unlink('${mnt}/f')
os.pwrite(fd, b' world', 5)
st = os.fstat(fd)
data = os.pread(fd, 100, 0).decode()
os.ftruncate(fd, 4)
truncated = os.fstat(fd).st_size
reopen = attempt(lambda: os.close(os.open('/proc/self/fd/%d' % fd, os.O_RDONLY)))
os.close(fd)
print(json.dumps({'nlink': st.st_nlink, 'size': st.st_size, 'data': data, 'truncated': truncated, 'reopen': reopen}))`);
      expect(result).toEqual({ nlink: 0, size: 11, data: 'hello world', truncated: 4, reopen: 'ESTALE' });
    });
  });
});

describeMount('passthrough: what Node cannot do', () => {
  it('rename flags answer EINVAL; xattrs EOPNOTSUPP; fallocate extends in mode 0 only; copy_file_range copies', async () => {
    await withPassthrough(
      async (mnt, src) => {
        const result = await py<Record<string, unknown>>(`
libc = ctypes.CDLL(None, use_errno=True)
def renameat2(a, b, flags):
    if libc.renameat2(-100, a.encode(), -100, b.encode(), flags) != 0:
        return errno.errorcode[ctypes.get_errno()]
    return 'ok'
m = '${mnt}'
r = {}
r['noreplace'] = renameat2(m + '/a', m + '/x', 1)
r['exchange'] = renameat2(m + '/a', m + '/b', 2)
r['plain'] = renameat2(m + '/a', m + '/x', 0)
r['setxattr'] = attempt(lambda: os.setxattr(m + '/x', 'user.k', b'v'))
r['getxattr'] = attempt(lambda: os.getxattr(m + '/x', 'user.k'))
fd = os.open(m + '/x', os.O_RDWR)
r['allocate'] = attempt(lambda: os.posix_fallocate(fd, 0, 10000))
r['size'] = os.fstat(fd).st_size
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
r['punch'] = 'ok' if libc.fallocate(fd, 3, 0, 10) == 0 else errno.errorcode[ctypes.get_errno()]
out = os.open(m + '/copy', os.O_WRONLY | os.O_CREAT, 0o644)
r['copied'] = os.copy_file_range(fd, out, 1000, 1, 0)
os.close(out)
os.close(fd)
print(json.dumps(r))`);
        expect(result).toEqual({
          noreplace: 'EINVAL',
          exchange: 'EINVAL',
          plain: 'ok',
          setxattr: 'ENOTSUP',
          getxattr: 'ENOTSUP',
          allocate: 'ok',
          size: 10000,
          punch: 'ENOTSUP',
          copied: 1000,
        });
        expect(readFileSync(join(src, 'copy'))).toEqual(Buffer.concat([Buffer.from('bcdef'), Buffer.alloc(995)]));
      },
      {
        prepare: (src) => {
          writeFileSync(join(src, 'a'), 'abcdef');
          writeFileSync(join(src, 'b'), 'b');
        },
      },
    );
  });

  it('times: set to the unit libuv keeps, before 1970 too; setting one keeps the other', async () => {
    await withPassthrough(async (mnt, src) => {
      const mtime = (name: string): bigint => lstatSync(join(src, name), { bigint: true }).mtimeNs;
      await shOk(`cd '${mnt}'; export TZ=UTC
        touch -d '2001-02-03 04:05:06.987654321' f
        touch -m -d '1960-01-01 00:00:00.25' old`);
      const set = mtime('f');
      await expectTimeSet(set, 981_173_106_987_654_321n);
      expect(mtime('old')).toBe(-315_619_199_750_000_000n);
      await shOk(`cd '${mnt}'; export TZ=UTC
        touch -a -d '2010-01-01' f
        ln -s f l && touch -h -d '2005-05-05' l`);
      expect(lstatSync(join(src, 'f'), { bigint: true }).atimeNs).toBe(1_262_304_000_000_000_000n);
      expect(mtime('f')).toBe(set); // kept by the atime change, and not followed from the link
      expect(mtime('l')).toBe(1_115_251_200_000_000_000n);
    });
  });
});
