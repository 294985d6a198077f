/**
 * memfs-specific behaviour through real mounts: inode lifetime (lookup counts,
 * forget, reuse), sparse files and writes that never truncate, directory
 * bookkeeping, its own permission checks (defaultPermissions off) against an
 * unprivileged client, locks, statfs/ENOSPC, and real tools (cp, find, gcc).
 * The shared POSIX suite in test/posix/ covers the generic semantics.
 * Clients are child processes; this process only serves the mount.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { createMemfs, type MemfsOptions } from '../examples/memfs/index.js';
import type { InodeTable } from '../examples/memfs/inodes.js';
import type { MountOptions, Session } from '../lib/index.js';
import { describeMount, type Outcome, run, sh, waitFor, withSession } from './helpers/fuse.js';

const NOBODY = 65534;
/** Runs a command as uid/gid 65534 with no supplementary groups (or `groups`). */
const AS_NOBODY = (groups?: number[]): string[] => [
  'setpriv',
  `--reuid=${NOBODY}`,
  `--regid=${NOBODY}`,
  groups === undefined ? '--clear-groups' : `--groups=${groups.join(',')}`,
];

const PRELUDE = `import os, sys, json, errno, fcntl, struct, time, signal, ctypes
FL = 'hh4xqqi4x'  # struct flock on 64-bit Linux
def attempt(f):
    try:
        r = f()
        return True if r is None else r
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
`;

/** `prefix` (such as setpriv …) and a command line, as run() takes them. */
function command(prefix: string[], cmd: string, ...args: string[]): [string, string[]] {
  const [first, ...rest] = [...prefix, cmd, ...args];
  return [first ?? cmd, rest];
}

/** Runs python3 (as `prefix`, e.g. setpriv …) in `cwd`; the script prints one JSON value. */
async function py<T = unknown>(cwd: string, script: string, prefix: string[] = []): Promise<T> {
  const code = `import os\nos.chdir(${JSON.stringify(cwd)})\n${PRELUDE}${script}`;
  const result = await run(...command(prefix, PYTHON, '-c', code), 20_000);
  if (result.code !== 0) throw new Error(`python3 failed (${result.code ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs a shell script in `cwd` (as `prefix`); returns the outcome. */
function shIn(cwd: string, script: string, prefix: string[] = [], timeoutMs?: number): Promise<Outcome> {
  return run(...command(prefix, 'sh', '-c', `cd ${JSON.stringify(cwd)} && ${script}`), timeoutMs);
}

/** Asserts a shell script succeeded and returns its stdout. */
async function ok(outcome: Promise<Outcome>): Promise<string> {
  const o = await outcome;
  expect(o.stderr, o.stderr).toBe('');
  expect(o.code).toBe(0);
  return o.stdout;
}

/** Mounts a fresh memfs and runs `fn` with the mountpoint and its inode table. */
async function withMemfs<T>(
  fn: (dir: string, inodes: InodeTable, session: Session) => Promise<T>,
  options: MemfsOptions = {},
  mountOptions: MountOptions = {},
): Promise<T> {
  const memfs = createMemfs(options);
  return withSession(memfs.operations, (dir, session) => fn(dir, memfs.inodes, session), {
    fsName: 'memfs',
    ...mountOptions,
  });
}

/** The inode number of `path` (stat in a child). */
async function inoOf(path: string): Promise<number> {
  return Number((await ok(sh(`stat -c %i ${JSON.stringify(path)}`))).trim());
}

/** Python names errno 95 ENOTSUP. */
const EOPNOTSUPP = /^E(OPNOTSUPP|NOTSUP)$/;
/** A python3 every uid can run (a pyenv shim under /root is not). */
const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p)) ?? 'python3';
const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
/** Tests that need an unprivileged client (setpriv). */
const itNobody = hasSetpriv ? it : it.skip;

describeMount('memfs: inode lifetime', () => {
  it('keeps an unlinked file readable while open, then frees it after release and forget', async () => {
    await withMemfs(async (dir, inodes) => {
      const baseline = inodes.count;
      const result = await py<{ nlink: number; data: string; ino: number }>(
        dir,
        `fd = os.open('ghost', os.O_CREAT | os.O_RDWR, 0o600)
os.write(fd, b'boo' * 2000)
ino = os.fstat(fd).st_ino
os.unlink('ghost')
nlink = os.fstat(fd).st_nlink
os.write(fd, b'!')
data = os.pread(fd, 4, 5997).decode()
print(json.dumps({'nlink': nlink, 'data': data, 'ino': ino}))
os.close(fd)`,
      );
      expect(result).toEqual({ nlink: 0, data: 'boo!', ino: expect.any(Number) });
      await waitFor(() => inodes.count === baseline, 5000, 'the unlinked inode to be freed');
      expect(inodes.get(result.ino)).toBeUndefined();
      expect(inodes.openHandles).toBe(0);
      expect(inodes.space.usedPages).toBe(0);
      expect(inodes.excessForgets).toBe(0);
    });
  });

  it('keeps a hard-linked inode until its last name goes, and reuses the number with a new generation', async () => {
    await withMemfs(async (dir, inodes) => {
      await ok(shIn(dir, 'echo data > a && ln a b && rm a'));
      const ino = await inoOf(`${dir}/b`);
      expect(inodes.get(ino)?.nlink).toBe(1);
      expect(await ok(shIn(dir, 'cat b'))).toBe('data\n');
      await ok(shIn(dir, 'rm b'));
      await waitFor(() => inodes.get(ino) === undefined, 5000, 'the inode to be freed');
      await ok(shIn(dir, 'touch c'));
      expect(await inoOf(`${dir}/c`)).toBe(ino);
      expect(inodes.get(ino)?.generation).toBe(1);
    });
  });

  it.runIf(isRoot)('balances lookups: once the kernel drops its caches, no inode holds a lookup', async () => {
    await withMemfs(async (dir, inodes) => {
      // Entries from lookup, mkdir, create, symlink, link, mknod and readdirplus (ls -l) all count.
      await ok(
        shIn(
          dir,
          'mkdir -p d/e && touch d/f d/e/g && ln -s f d/s && ln d/f d/h && mkfifo d/p && mv d/h d/e/h && ' +
            'ls -laR . > /dev/null && find . > /dev/null',
        ),
      );
      const ino = await inoOf(`${dir}/d/e/g`);
      expect(inodes.get(ino)?.lookups).toBeGreaterThan(0);
      await waitFor(
        async () => {
          await sh('echo 2 > /proc/sys/vm/drop_caches');
          return inodes.get(ino)?.lookups === 0;
        },
        10_000,
        'forgets after drop_caches',
      );
      await waitFor(
        () => [...Array(inodes.count + 16).keys()].every((i) => i <= 1 || (inodes.get(i)?.lookups ?? 0) === 0),
        10_000,
        'every inode forgotten',
      );
      expect(inodes.excessForgets).toBe(0);
      // Forgotten but linked: still there, and found again by a fresh lookup.
      expect(await ok(shIn(dir, 'ls d/e'))).toBe('g\nh\n');
      expect(inodes.get(ino)?.lookups).toBeGreaterThan(0);
    });
  });
});

describeMount('memfs: sparse files', () => {
  it('never truncates on write: a header written last keeps the body (as assemblers do)', async () => {
    await withMemfs(async (dir) => {
      const result = await py<{ head: string; tail: string; size: number; middle: number[] }>(
        dir,
        `fd = os.open('a.out', os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o755)
os.pwrite(fd, b'BODY', 100000)
os.pwrite(fd, b'\\x7fELF', 0)
os.close(fd)
data = open('a.out', 'rb').read()
print(json.dumps({'head': data[:4].decode('latin1'), 'tail': data[100000:].decode(), 'size': len(data),
  'middle': sorted(set(data[4:100000]))}))`,
      );
      expect(result).toEqual({ head: '\x7fELF', tail: 'BODY', size: 100004, middle: [0] });
    });
  });

  it('patches in place with dd conv=notrunc, extends with seek past the end, and truncates only when asked', async () => {
    await withMemfs(async (dir) => {
      await ok(shIn(dir, 'printf 0123456789 > f'));
      await ok(shIn(dir, 'printf AB | dd of=f bs=1 seek=3 conv=notrunc status=none'));
      expect(await ok(shIn(dir, 'cat f'))).toBe('012AB56789');
      await ok(shIn(dir, 'printf Z | dd of=f bs=1 seek=12 conv=notrunc status=none'));
      expect(await ok(shIn(dir, 'od -An -c f | tr -s " "'))).toBe(' 0 1 2 A B 5 6 7 8 9 \\0 \\0 Z\n');
      await ok(shIn(dir, 'truncate -s 4 f && truncate -s 8 f'));
      expect(await ok(shIn(dir, 'od -An -c f | tr -s " "'))).toBe(' 0 1 2 A \\0 \\0 \\0 \\0\n');
    });
  });

  it('stores holes as nothing: a 1 GiB file with two pages uses two pages, and SEEK_DATA/SEEK_HOLE find them', async () => {
    await withMemfs(async (dir, inodes) => {
      const GiB = 1 << 30;
      const result = await py<Record<string, number | string>>(
        dir,
        `fd = os.open('sparse', os.O_CREAT | os.O_RDWR, 0o644)
os.pwrite(fd, b'start', 0)
os.pwrite(fd, b'end', ${GiB} - 3)
st = os.fstat(fd)
r = {'size': st.st_size, 'blocks': st.st_blocks,
  'data0': os.lseek(fd, 0, os.SEEK_DATA), 'hole0': os.lseek(fd, 0, os.SEEK_HOLE),
  'data1': os.lseek(fd, 4096, os.SEEK_DATA), 'hole1': os.lseek(fd, ${GiB} - 2, os.SEEK_HOLE),
  'past': attempt(lambda: os.lseek(fd, ${GiB}, os.SEEK_DATA)),
  'zeros': os.pread(fd, 8, 1 << 20).hex()}
print(json.dumps(r))`,
      );
      expect(result).toEqual({
        size: GiB,
        blocks: 16,
        data0: 0,
        hole0: 4096,
        data1: GiB - 4096,
        hole1: GiB,
        past: 'ENXIO',
        zeros: '0000000000000000',
      });
      expect(inodes.space.usedPages).toBe(2);
    });
  });

  it('punches holes, allocates with fallocate, and copy_file_range keeps holes', async () => {
    await withMemfs(async (dir) => {
      const result = await py<Record<string, unknown>>(
        dir,
        `libc = ctypes.CDLL(None, use_errno=True)
def falloc(fd, mode, off, n):
    r = libc.fallocate(fd, mode, ctypes.c_long(off), ctypes.c_long(n))
    return True if r == 0 else errno.errorcode[ctypes.get_errno()]
fd = os.open('f', os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b'x' * 40960)
punched = falloc(fd, 3, 4096, 8192)  # PUNCH_HOLE | KEEP_SIZE
st = os.fstat(fd)
r = {'punched': punched, 'size': st.st_size, 'blocks': st.st_blocks,
  'hole': os.lseek(fd, 0, os.SEEK_HOLE), 'data': os.lseek(fd, 4096, os.SEEK_DATA),
  'bytes': os.pread(fd, 2, 4095).hex() + os.pread(fd, 2, 12287).hex()}
r['collapse'] = falloc(fd, 8, 0, 4096)
os.posix_fallocate(fd, 0, 65536)
r['extended'] = os.fstat(fd).st_size
out = os.open('g', os.O_CREAT | os.O_WRONLY, 0o644)
r['copied'] = os.copy_file_range(fd, out, 1 << 20, 0, 0)
g = os.open('g', os.O_RDONLY)
r['g_hole'] = os.lseek(g, 0, os.SEEK_HOLE)
r['same'] = open('f', 'rb').read() == open('g', 'rb').read()
print(json.dumps(r))`,
      );
      expect(result).toEqual({
        punched: true,
        size: 40960,
        blocks: 64,
        hole: 4096,
        data: 12288,
        bytes: '78000078',
        collapse: expect.stringMatching(EOPNOTSUPP),
        extended: 65536,
        copied: 65536,
        g_hole: 65536, // posix_fallocate allocated the punched pages again
        same: true,
      });
    });
  });

  it('appends at the end for every O_APPEND descriptor, and O_TRUNC empties the file', async () => {
    await withMemfs(async (dir) => {
      const result = await py<{ text: string; truncated: number }>(
        dir,
        `a = os.open('log', os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o644)
b = os.open('log', os.O_WRONLY | os.O_APPEND)
for i in range(50):
    os.write(a if i % 2 else b, b'line %d\\n' % i)
os.close(a); os.close(b)
text = open('log').read()
os.close(os.open('log', os.O_WRONLY | os.O_TRUNC))
print(json.dumps({'text': text, 'truncated': os.stat('log').st_size}))`,
      );
      expect(result.text).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''));
      expect(result.truncated).toBe(0);
    });
  });
});

describeMount('memfs: directories', () => {
  it('counts directory links as 2 + subdirectories, so find without -noleaf lists everything', async () => {
    await withMemfs(async (dir) => {
      await ok(shIn(dir, 'mkdir -p a/b/c a/d a/e/f && touch a/x a/b/y a/e/f/z && ln a/x a/e/x2'));
      expect(await ok(shIn(dir, 'stat -c "%n %h" . a a/b a/b/c a/e a/e/f a/x'))).toBe(
        '. 3\na 5\na/b 3\na/b/c 2\na/e 3\na/e/f 2\na/x 2\n',
      );
      expect(await ok(shIn(dir, 'find . -type f | sort'))).toBe('./a/b/y\n./a/e/f/z\n./a/e/x2\n./a/x\n');
      await ok(shIn(dir, 'mv a/b a/e/f/ && rmdir a/d'));
      expect(await ok(shIn(dir, 'stat -c "%n %h" a a/e/f a/e/f/b'))).toBe('a 3\na/e/f 3\na/e/f/b 3\n');
      expect(await ok(shIn(dir, 'find . | wc -l'))).toBe('10\n');
    });
  });

  it('keeps readdir offsets valid while entries are unlinked mid-listing', async () => {
    await withMemfs(async (dir) => {
      const result = await py<{ listed: number; unique: number; survivorsListed: boolean }>(
        dir,
        `os.mkdir('d')
for i in range(3000):
    open('d/file-with-a-long-name-%04d' % i, 'w').close()
names = []
with os.scandir('d') as it:
    for n, entry in enumerate(it):
        names.append(entry.name)
        if n == 100:
            for k in range(0, 3000, 2):
                name = 'd/file-with-a-long-name-%04d' % k
                if os.path.exists(name): os.unlink(name)
survivors = ['file-with-a-long-name-%04d' % k for k in range(1, 3000, 2)]
print(json.dumps({'listed': len(names), 'unique': len(set(names)), 'survivorsListed': all(s in names for s in survivors)}))`,
      );
      expect(result.unique).toBe(result.listed);
      expect(result.survivorsListed).toBe(true);
      expect(result.listed).toBeLessThan(3000);
    });
  });

  it('rename keeps link counts: moving and exchanging directories across parents', async () => {
    await withMemfs(async (dir) => {
      const result = await py<Record<string, unknown>>(
        dir,
        `libc = ctypes.CDLL(None, use_errno=True)
def rename2(a, b, flags):
    r = libc.renameat2(-100, a.encode(), -100, b.encode(), flags)
    return True if r == 0 else errno.errorcode[ctypes.get_errno()]
os.makedirs('p/sub'); os.makedirs('q'); open('q/file', 'w').close()
r = {}
r['exchange'] = rename2('p/sub', 'q/file', 2)
r['links'] = [os.stat(p).st_nlink for p in ['p', 'q', 'q/file']]
r['kinds'] = [os.path.isdir('q/file'), os.path.isfile('p/sub')]
r['dotdot'] = os.stat('q/file/..').st_ino == os.stat('q').st_ino
r['into_self'] = attempt(lambda: os.rename('q', 'q/file/inner'))
os.mkdir('empty')
r['over_empty'] = attempt(lambda: os.rename('q/file', 'empty'))
r['links_after'] = [os.stat(p).st_nlink for p in ['.', 'q']]
print(json.dumps(r))`,
      );
      expect(result).toEqual({
        exchange: true,
        links: [2, 3, 2],
        kinds: [true, true],
        dotdot: true,
        into_self: 'EINVAL',
        over_empty: true,
        links_after: [5, 2], // ., p, q, empty; q lost its subdirectory
      });
    });
  });
});

describeMount('memfs: timestamps', () => {
  it('keeps nanoseconds and follows the update rules', async () => {
    await withMemfs(
      async (dir) => {
        const result = await py<Record<string, unknown>>(
          dir,
          `def ns(p):
    s = os.stat(p)
    return {'a': s.st_atime_ns, 'm': s.st_mtime_ns, 'c': s.st_ctime_ns}
os.mkdir('d')
open('d/f', 'w').write('x')
os.utime('d/f', ns=(1000000000123456789, 1100000000987654321))
r = {'set': {k: str(v) for k, v in ns('d/f').items()}}
d0 = ns('d'); f0 = ns('d/f')
time.sleep(0.01)
with open('d/f', 'r+') as fh: fh.write('y')
f1 = ns('d/f')
r['write'] = [f1['m'] > f0['m'], f1['c'] > f0['c'], f1['a'] == f0['a']]
time.sleep(0.01)
os.chmod('d/f', 0o600)
f2 = ns('d/f')
r['chmod'] = [f2['m'] == f1['m'], f2['c'] > f1['c']]
time.sleep(0.01)
os.link('d/f', 'd/g')
f3 = ns('d/f'); d1 = ns('d')
r['link'] = [f3['c'] > f2['c'], d1['m'] > d0['m'], d1['c'] > d0['c']]
print(json.dumps(r))`,
        );
        expect(result).toEqual({
          set: { a: '1000000000123456789', m: '1100000000987654321', c: expect.stringMatching(/^\d{19}$/) },
          write: [true, true, true],
          chmod: [true, true],
          link: [true, true, true],
        });
      },
      { timeout: 0 },
    );
  });
});

describeMount('memfs: permission checks of its own (defaultPermissions off)', () => {
  /** A mount with no attribute caching, so each check reaches memfs; root's tree is set up by `setup`. */
  const withPermFs = (fn: (dir: string, inodes: InodeTable) => Promise<void>): Promise<void> =>
    withMemfs(fn, { timeout: 0 }, { allowOther: true });

  itNobody('grants by owner, group (supplementary groups too) and other bits', async () => {
    await withPermFs(async (dir) => {
      await ok(
        shIn(
          dir,
          'echo s > secret && chmod 600 secret && echo g > grp && chgrp 100 grp && chmod 640 grp && ' +
            'echo o > open && chmod 604 open && mkdir -m 700 private && mkdir -m 711 passage && echo in > passage/f',
        ),
      );
      const script = `r = {}
for p in ['secret', 'grp', 'open', 'passage/f']:
    r[p] = attempt(lambda: open(p).read().strip())
r['ls_private'] = attempt(lambda: os.listdir('private'))
r['ls_passage'] = attempt(lambda: os.listdir('passage'))
r['write_open'] = attempt(lambda: open('open', 'a').close())
r['create_in_root'] = attempt(lambda: open('mine', 'w').close())
r['access'] = [os.access('open', os.R_OK), os.access('open', os.W_OK), os.access('secret', os.F_OK)]
print(json.dumps(r))`;
      expect(await py(dir, script, AS_NOBODY())).toEqual({
        secret: 'EACCES',
        grp: 'EACCES',
        open: 'o',
        'passage/f': 'in',
        ls_private: 'EACCES',
        ls_passage: 'EACCES',
        write_open: 'EACCES',
        create_in_root: 'EACCES',
        access: [true, false, true],
      });
      // In group 100 (a supplementary group), the group bits apply.
      expect(await py(dir, `print(json.dumps(attempt(lambda: open('grp').read().strip())))`, AS_NOBODY([100]))).toBe(
        'g',
      );
    });
  });

  itNobody(
    'keeps the search check for names root just looked up (no entry caching in private directories)',
    async () => {
      // Default caching (1 s): names are cached only in directories everyone may search.
      await withMemfs(
        async (dir) => {
          await ok(shIn(dir, 'mkdir -m 700 private && touch private/f && mkdir -m 755 public && touch public/f'));
          await ok(shIn(dir, 'stat private/f public/f > /dev/null && ls -l private public > /dev/null'));
          const result = await py(
            dir,
            "print(json.dumps([attempt(lambda: os.stat('private/f') and None), attempt(lambda: os.stat('public/f') and None)]))",
            AS_NOBODY(),
          );
          expect(result).toEqual(['EACCES', true]);
        },
        {},
        { allowOther: true },
      );
    },
  );

  itNobody('runs a program with only the x bit for the caller, and refuses one with only r', async () => {
    await withPermFs(async (dir) => {
      await ok(shIn(dir, 'cp /bin/true xonly && chmod 711 xonly && cp /bin/true ronly && chmod 744 ronly'));
      expect((await shIn(dir, './xonly', AS_NOBODY())).code).toBe(0);
      const denied = await shIn(dir, './ronly', AS_NOBODY());
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/Permission denied/);
    });
  });

  it('lets root read and write anything, but execute only what has an x bit', async () => {
    await withPermFs(async (dir) => {
      await ok(
        shIn(dir, 'printf "#!/bin/sh\\necho ran\\n" > s && chmod 000 s && cat s > /dev/null && echo "# more" >> s'),
      );
      const denied = await shIn(dir, './s');
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/Permission denied/);
      await ok(shIn(dir, 'chmod 001 s'));
      expect(await ok(shIn(dir, './s'))).toBe('ran\n');
    });
  });

  itNobody(
    'in a sticky directory only the owner of the file or the directory (or root) removes or renames',
    async () => {
      await withPermFs(async (dir) => {
        await ok(shIn(dir, 'mkdir -m 1777 tmp && touch tmp/roots && chmod 666 tmp/roots'));
        const result = await py(
          dir,
          `r = {}
open('tmp/mine', 'w').close()
r['unlink_other'] = attempt(lambda: os.unlink('tmp/roots'))
r['rename_other'] = attempt(lambda: os.rename('tmp/roots', 'tmp/x'))
r['replace_other'] = attempt(lambda: os.rename('tmp/mine', 'tmp/roots'))
r['write_other'] = attempt(lambda: open('tmp/roots', 'a').write('ok'))
r['rename_own'] = attempt(lambda: os.rename('tmp/mine', 'tmp/mine2'))
r['unlink_own'] = attempt(lambda: os.unlink('tmp/mine2'))
print(json.dumps(r))`,
          AS_NOBODY(),
        );
        expect(result).toEqual({
          unlink_other: 'EPERM',
          rename_other: 'EPERM',
          replace_other: 'EPERM',
          write_other: 2,
          rename_own: true,
          unlink_own: true,
        });
        await ok(shIn(dir, 'rm tmp/roots')); // root may
      });
    },
  );

  itNobody('gives new entries of a setgid directory its group, and subdirectories the setgid bit', async () => {
    await withPermFs(async (dir) => {
      await ok(shIn(dir, 'mkdir -m 2777 shared && chgrp 100 shared'));
      await ok(shIn(dir, 'mkdir -m 777 open'));
      await ok(shIn(dir, 'touch shared/f2 && mkdir shared/d2 && touch open/f3', AS_NOBODY()));
      expect(await ok(shIn(dir, 'stat -c "%n %u:%g %A" shared/f2 shared/d2 open/f3'))).toBe(
        `shared/f2 ${NOBODY}:100 -rw-r--r--\nshared/d2 ${NOBODY}:100 drwxr-sr-x\nopen/f3 ${NOBODY}:${NOBODY} -rw-r--r--\n`,
      );
    });
  });

  itNobody('lets only the owner chmod, only root chown, and the owner chgrp to its own groups', async () => {
    await withPermFs(async (dir) => {
      await ok(shIn(dir, 'mkdir -m 777 w && touch w/roots && chmod 666 w/roots'));
      const result = await py(
        dir,
        `open('w/mine', 'w').close()
r = {}
r['chmod_other'] = attempt(lambda: os.chmod('w/roots', 0o777))
r['chown_other'] = attempt(lambda: os.chown('w/roots', ${NOBODY}, -1))
r['chmod_own'] = attempt(lambda: os.chmod('w/mine', 0o640))
r['give_away'] = attempt(lambda: os.chown('w/mine', 0, -1))
r['chgrp_foreign'] = attempt(lambda: os.chown('w/mine', -1, 0))
r['chgrp_own'] = attempt(lambda: os.chown('w/mine', -1, 100))
r['utime_explicit_other'] = attempt(lambda: os.utime('w/roots', (1, 1)))
r['utime_now_writable'] = attempt(lambda: os.utime('w/roots', None))
r['setgid_dropped'] = attempt(lambda: os.chmod('w/mine', 0o2755)) and oct(os.stat('w/mine').st_mode & 0o7777)
print(json.dumps(r))`,
        AS_NOBODY([100]),
      );
      expect(result).toEqual({
        chmod_other: 'EPERM',
        chown_other: 'EPERM',
        chmod_own: true,
        give_away: 'EPERM',
        chgrp_foreign: 'EPERM',
        chgrp_own: true,
        utime_explicit_other: 'EPERM',
        utime_now_writable: true,
        setgid_dropped: '0o2755', // in group 100, which owns the file now
      });
      // Not in the file's group: chmod g+s is silently dropped.
      await ok(shIn(dir, `touch w/theirs && chown ${NOBODY}:100 w/theirs`));
      await ok(shIn(dir, 'chmod 2755 w/theirs', AS_NOBODY()));
      expect(await ok(shIn(dir, 'stat -c %a w/theirs'))).toBe('755\n');
    });
  });

  itNobody('clears setuid and setgid when an unprivileged user writes, truncates or when anyone chowns', async () => {
    await withPermFs(async (dir) => {
      await ok(shIn(dir, 'for f in a b c; do touch $f; chmod 6777 $f; done && touch d && chmod 4755 d'));
      await ok(shIn(dir, 'echo x >> a && truncate -s 1 b', AS_NOBODY()));
      await ok(shIn(dir, 'echo x >> c && chown 1 d'));
      expect(await ok(shIn(dir, 'stat -c "%n %a" a b c d'))).toBe('a 777\nb 777\nc 6777\nd 755\n');
    });
  });

  itNobody('guards xattr namespaces: user.* by file permission, trusted.* for root only', async () => {
    await withPermFs(async (dir) => {
      await ok(shIn(dir, 'touch ro rw && chmod 644 ro && chmod 666 rw && setfattr -n trusted.t -v 1 rw'));
      const result = await py(
        dir,
        `r = {}
r['set_ro'] = attempt(lambda: os.setxattr('ro', 'user.a', b'1'))
r['set_rw'] = attempt(lambda: os.setxattr('rw', 'user.a', b'1'))
r['set_trusted'] = attempt(lambda: os.setxattr('rw', 'trusted.x', b'1'))
r['list'] = attempt(lambda: os.listxattr('rw'))
r['get_trusted'] = attempt(lambda: os.getxattr('rw', 'trusted.t'))
r['system'] = attempt(lambda: os.setxattr('rw', 'system.x', b'1'))
print(json.dumps(r))`,
        AS_NOBODY(),
      );
      expect(result).toEqual({
        set_ro: 'EACCES',
        set_rw: true,
        set_trusted: 'EPERM',
        list: ['user.a'],
        get_trusted: 'ENODATA',
        system: expect.stringMatching(EOPNOTSUPP),
      });
      expect(await ok(shIn(dir, 'getfattr --absolute-names -d -m - rw | sort'))).toBe(
        '\n# file: rw\ntrusted.t="1"\nuser.a="1"\n',
      );
    });
  });
});

describeMount('memfs: defaultPermissions on', () => {
  itNobody('leaves the checks to the kernel, which reads the attributes memfs reports', async () => {
    await withMemfs(
      async (dir) => {
        await ok(shIn(dir, 'echo s > secret && chmod 600 secret && mkdir -m 1777 tmp && touch tmp/roots'));
        const result = await py(
          dir,
          `print(json.dumps([attempt(lambda: open('secret').read()), attempt(lambda: os.unlink('tmp/roots')),
  attempt(lambda: os.chmod('secret', 0o777)), attempt(lambda: open('tmp/mine', 'w').close())]))`,
          AS_NOBODY(),
        );
        expect(result).toEqual(['EACCES', 'EPERM', 'EPERM', true]);
      },
      { defaultPermissions: true },
      { allowOther: true, defaultPermissions: true },
    );
  });
});

describeMount('memfs: locks', () => {
  it('POSIX locks: conflicts, F_GETLK, a blocked F_SETLKW that waits, one interrupted with EINTR, release on any close', async () => {
    await withMemfs(async (dir, inodes) => {
      const result = await py<Record<string, unknown>>(
        dir,
        `open('f', 'w').write('x' * 100)
def lock(fd, cmd, type, start, length):
    return fcntl.fcntl(fd, cmd, struct.pack(FL, type, 0, start, length, 0))
r = {}
fd = os.open('f', os.O_RDWR)
lock(fd, fcntl.F_SETLK, fcntl.F_WRLCK, 0, 10)
rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    out = {}
    c = os.open('f', os.O_RDWR)
    out['conflict'] = attempt(lambda: lock(c, fcntl.F_SETLK, fcntl.F_WRLCK, 5, 1) and None)
    out['free_range'] = attempt(lambda: lock(c, fcntl.F_SETLK, fcntl.F_WRLCK, 10, 10) and None)
    t, w, s, l, p = struct.unpack(FL, lock(c, fcntl.F_GETLK, fcntl.F_RDLCK, 0, 0))
    out['getlk'] = [t, s, l, p == os.getppid()]
    def raise_(*a): raise TimeoutError()
    signal.signal(signal.SIGALRM, raise_)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        lock(c, fcntl.F_SETLKW, fcntl.F_WRLCK, 0, 10); out['interrupted'] = False
    except TimeoutError:
        out['interrupted'] = True
    os.write(wr, b'.')
    lock(c, fcntl.F_SETLKW, fcntl.F_WRLCK, 0, 10)
    out['acquired_at'] = time.monotonic()
    os.write(wr, json.dumps(out).encode())
    os._exit(0)
os.read(rd, 1)
time.sleep(0.2)  # let the child block in F_SETLKW
other = os.open('f', os.O_RDONLY)
released_at = time.monotonic()
os.close(other)  # closing ANY descriptor of the file drops this process' locks
child = json.loads(os.read(rd, 4096))
os.waitpid(pid, 0)
child['waited'] = child.pop('acquired_at') >= released_at
print(json.dumps(child))`,
      );
      expect(result).toEqual({
        conflict: 'EAGAIN',
        free_range: true,
        getlk: [1, 0, 10, true],
        interrupted: true,
        waited: true,
      });
      await waitFor(() => inodes.openHandles === 0, 5000, 'handles to close');
    });
  });

  it('flock: exclusive per open file, shared locks coexist, blocking waits, released on close', async () => {
    await withMemfs(async (dir) => {
      await ok(shIn(dir, 'touch f'));
      // The second exclusive flock starts once the first holds the lock (the 'go' file says so).
      const script =
        'flock -n f -c "flock -n f true && echo nested || echo busy"; ' +
        'flock -s f -c "flock -s -n f echo shared"; ' +
        '(flock f -c "echo held; touch go; sleep 0.3; echo first-done") & ' +
        'while [ ! -e go ]; do sleep 0.01; done; flock f -c "echo second"; wait';
      expect(await ok(shIn(dir, script))).toBe('busy\nshared\nheld\nfirst-done\nsecond\n');
    });
  });
});

describeMount('memfs: statfs and capacity', () => {
  it('reports its size and free space, counts inodes, and answers ENOSPC when full', async () => {
    await withMemfs(
      async (dir) => {
        const before = (await ok(shIn(dir, 'stat -f -c "%S %b %f %c %d %l" .'))).trim();
        expect(before).toBe('4096 256 256 64 63 255');
        const full = await shIn(dir, 'head -c 2000000 /dev/zero > big');
        expect(full.stderr).toMatch(/No space left on device/);
        expect((await ok(shIn(dir, 'stat -f -c "%f %d" . && rm big'))).trim()).toMatch(/^\d{1,2} 62$/);
        // The space comes back once the kernel forgets the unlinked inode, which it does on its own time.
        await waitFor(
          async () => (await ok(shIn(dir, 'stat -f -c "%f %d" .'))).trim() === '256 63',
          10_000,
          "the unlinked file's space and inode to come back",
        );
        const many = await shIn(dir, 'for i in $(seq 100); do touch f$i || exit 1; done');
        expect(many.code).not.toBe(0);
        expect(many.stderr).toMatch(/No space left on device/);
      },
      { size: 1 << 20, inodes: 64 },
    );
  });
});

describeMount('memfs: real tools', () => {
  it('copies a tree with cp -a and reads it back identical', async () => {
    await withMemfs(async (dir) => {
      await ok(sh(`cp -a /usr/include/linux ${dir}/linux`));
      expect(await ok(sh(`diff -r /usr/include/linux ${dir}/linux && echo same`))).toBe('same\n');
      const counts = await ok(sh(`find /usr/include/linux | wc -l; find ${dir}/linux | wc -l`));
      const [a, b] = counts.split('\n');
      expect(b).toBe(a);
    });
  });

  it.runIf(hasGcc)('compiles a two-file C program with gcc, and the binary runs', async () => {
    await withMemfs(async (dir) => {
      const program = `mkdir src && cd src && cat > main.c <<'EOF'
#include <stdio.h>
int add(int, int);
int main(void) { printf("%d\\n", add(40, 2)); return 0; }
EOF
cat > add.c <<'EOF'
int add(int a, int b) { return a + b; }
EOF
gcc -O2 -c main.c && gcc -O2 -c add.c && gcc -o prog main.o add.o && gcc -g -save-temps -o prog2 main.c add.c`;
      await ok(shIn(dir, program));
      expect(await ok(shIn(dir, './src/prog && ./src/prog2'))).toBe('42\n42\n');
    });
  });
});
