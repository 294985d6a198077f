/**
 * The POSIX conformance suite (in the manner of go-fuse's posixtest), for any
 * filesystem: `definePosixSuite(name, target)` defines, with vitest, one
 * `describe` per operation and per rule — open flags, offsets, sparse files,
 * truncate, mmap, unlink, rename and its flags, links, symlinks, directories,
 * readdir, stat, timestamps, permissions for an unprivileged user, xattrs,
 * locks, statfs, fsync, fallocate, copy_file_range, SEEK_DATA, mknod, `find` —
 * plus the real clients users run on filesystems (gcc, git, tar, fio,
 * stress-ng).
 *
 * Every file operation runs in a child process (python3 with prelude.py, or
 * the client itself), never in the vitest process, which serves the mount. A
 * failure names the operation, the path and the errno. A test is skipped,
 * with the reason in its name, when the filesystem does not claim its feature,
 * when a `skip` rule matches it, when its tool is missing, or when it needs
 * root; the whole suite is skipped, loudly, where /dev/fuse is missing.
 *
 * Needs vitest (an optional peer dependency: loaded only if installed, so the
 * rest of `fuse-lowlevel/testing` works without it) and python3.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Operations } from '../../operations.js';
import { describeFailure } from '../child.js';
import { fuseUnavailableReason } from '../environment.js';
import { mountTemp, type TempMountOptions } from '../temp-mount.js';
import { baseEnv, findTools, PYTHON, spawnChild, Workdir } from './harness.js';

/**
 * What a filesystem claims to support. Each claim is checked; the tests of a
 * feature that is not claimed (false or left out) are skipped, with the reason
 * in their names.
 */
export interface PosixFeatures {
  /** Permission bits are enforced for non-root callers (default_permissions or the filesystem's own checks). */
  permissions: boolean;
  /** link(2): several names for one inode, and nlink counting. */
  hardlinks: boolean;
  /** symlink(2) and readlink(2). */
  symlinks: boolean;
  /** user.* extended attributes. */
  xattrs: boolean;
  /** fcntl record locks between processes (served by the filesystem or kernel-local). */
  posixLocks: boolean;
  /** flock(2) between open files. */
  flock: boolean;
  /** renameat2 RENAME_NOREPLACE and RENAME_EXCHANGE (without it they may fail with EINVAL, never misbehave). */
  renameFlags: boolean;
  /** SEEK_DATA/SEEK_HOLE report real holes (without it the whole file may count as data). */
  seekData: boolean;
  /** fallocate(2) modes FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE (posix_fallocate is always tested). */
  fallocate: boolean;
  /** mknod of character and block devices. */
  deviceNodes: boolean;
  /** mkfifo, and FIFOs that carry data. */
  fifo: boolean;
  /** Timestamps keep nanoseconds (without it, whole seconds are checked). */
  nsTimestamps: boolean;
}

/** Every feature claimed: for a filesystem that means to be fully POSIX. */
export const ALL_POSIX_FEATURES: Readonly<PosixFeatures> = Object.freeze({
  permissions: true,
  hardlinks: true,
  symlinks: true,
  xattrs: true,
  posixLocks: true,
  flock: true,
  renameFlags: true,
  seekData: true,
  fallocate: true,
  deviceNodes: true,
  fifo: true,
  nsTimestamps: true,
});

/** No feature claimed. */
const NO_FEATURES: PosixFeatures = {
  permissions: false,
  hardlinks: false,
  symlinks: false,
  xattrs: false,
  posixLocks: false,
  flock: false,
  renameFlags: false,
  seekData: false,
  fallocate: false,
  deviceNodes: false,
  fifo: false,
  nsTimestamps: false,
};

/** Tests to skip, by name: every test whose full name (`section > title`) matches `test`. */
export interface PosixSkipRule {
  /** A substring of the full test name, or a pattern it matches. */
  test: string | RegExp;
  /** Why: shown in the skipped test's name. */
  reason: string;
}

/** What every target says about itself. */
interface TargetClaims {
  /** The features the filesystem claims; the rest are skipped. */
  features: Partial<PosixFeatures>;
  /** Further tests to skip, each with its reason. */
  skip?: readonly PosixSkipRule[];
}

/**
 * A filesystem for the suite to mount: a fresh instance per suite run, on a
 * temporary directory, unmounted at the end.
 */
export interface MountedPosixTarget extends TargetClaims {
  /** Makes the filesystem's operations (called once, before the suite mounts). */
  operations: () => Operations | Promise<Operations>;
  /**
   * Mount options. Default: `{ allowOther: true }` when running as root (the
   * suite's unprivileged clients must get in; the filesystem, or
   * `defaultPermissions`, enforces the permissions).
   */
  mountOptions?: TempMountOptions;
  /** Called after unmounting (e.g. to remove a directory the filesystem mirrored). */
  cleanup?: () => Promise<void>;
}

/** Any directory to run the suite in, made (and undone) by the target itself. */
export interface DirectoryPosixTarget extends TargetClaims {
  /** Makes the directory to run in (mounting if needed). */
  setup(): Promise<PosixDirectory>;
}

/** A directory a {@link DirectoryPosixTarget} made for the suite. */
export interface PosixDirectory {
  /** The absolute path the suite runs in (it makes one subdirectory per test). */
  dir: string;
  /** Undoes everything setup did (called once, after the last test). */
  teardown(): Promise<void>;
}

/** A place to run the suite: a filesystem to mount, or a directory. */
export type PosixTarget = MountedPosixTarget | DirectoryPosixTarget;

/** vitest, or why it could not be loaded. */
const vitest: typeof import('vitest') | Error = await import('vitest').catch((error: unknown) =>
  error instanceof Error ? error : new Error(String(error)),
);
/** The tools the suite uses, found once (the first time a suite is defined). */
let tools: Set<string> | undefined;
const IS_ROOT = process.getuid?.() === 0;

/** The errno name python reports for EOPNOTSUPP/ENOTSUP (the same number on Linux). */
const EOPNOTSUPP = 'EOPNOTSUPP';

/** Mounts a MountedPosixTarget: the directory-target form of it. */
function mountedSetup(target: MountedPosixTarget): DirectoryPosixTarget['setup'] {
  return async () => {
    const m = await mountTemp(await target.operations(), { allowOther: IS_ROOT, ...target.mountOptions });
    return {
      dir: m.mountpoint,
      async teardown() {
        try {
          await m.unmount();
        } finally {
          await target.cleanup?.();
        }
      },
    };
  };
}

/**
 * Defines the whole suite for one target, as a vitest `describe` named
 * `POSIX suite on <name>`. Call it at the top level of a test file.
 * @example
 * definePosixSuite('myfs', {
 *   operations: () => myFilesystem(),
 *   features: { hardlinks: true, symlinks: true, xattrs: true, nsTimestamps: true },
 *   skip: [{ test: 'client: fio', reason: 'too slow for this CI' }],
 * });
 */
export function definePosixSuite(name: string, target: PosixTarget): void {
  if (vitest instanceof Error) {
    throw new Error(`definePosixSuite needs vitest (npm install --save-dev vitest): ${vitest.message}`);
  }
  const { afterAll, beforeAll, expect, it } = vitest;
  tools ??= findTools([PYTHON, 'setpriv', 'find', 'ls', 'df', 'gcc', 'ar', 'git', 'tar', 'fio', 'stress-ng']);
  const found = tools;
  const features: PosixFeatures = { ...NO_FEATURES, ...target.features };
  const mounted = 'operations' in target;
  const setup = mounted ? mountedSetup(target) : target.setup.bind(target);
  const noFuse = mounted ? fuseUnavailableReason() : undefined;
  if (noFuse !== undefined) {
    vitest.describe.skip(`POSIX suite on ${name} [SKIPPED: ${noFuse}]`, () => {
      it('mounts the filesystem', () => {});
    });
    return;
  }

  /** The path of sections (describe names) being defined, for skip rules. */
  let path: string[] = [];
  /** vitest's `describe`, keeping `path` (vitest may run section bodies after their parents return). */
  const describe = (title: string, body: () => void) => {
    const own = [...path, title];
    vitest.describe(title, () => {
      const outer = path;
      path = own;
      try {
        body();
      } finally {
        path = outer;
      }
    });
  };
  /** The reason of the first skip rule matching a test's full name. */
  const ruled = (title: string) => {
    const full = [...path, title].join(' > ');
    const rule = target.skip?.find((r) => (typeof r.test === 'string' ? full.includes(r.test) : r.test.test(full)));
    return rule?.reason;
  };

  /** `it`, or a skip that says why in its name. */
  const check =
    (...reasons: (string | undefined)[]) =>
    (title: string, fn: () => Promise<void>, timeout?: number) => {
      const why = [...reasons, ruled(title)].filter((r): r is string => r !== undefined);
      if (why.length > 0) it.skip(`${title} [SKIPPED: ${why.join('; ')}]`, fn, timeout);
      else it(title, fn, timeout);
    };
  const claims = (feature: keyof PosixFeatures) =>
    features[feature] ? undefined : `${name} does not claim ${feature}`;
  const tool = (t: string) => (found.has(t) ? undefined : `${t} is not installed`);
  const py = tool(PYTHON) === undefined ? undefined : 'python3 is not installed';
  const root = IS_ROOT ? undefined : 'needs root (to chown and to switch to uid 65534)';
  const test = check(py);

  let base = '';
  let teardown: (() => Promise<void>) | undefined;
  let counter = 0;
  /** Set once the filesystem stops answering: later tests then fail at once instead of each timing out. */
  let hung: string | undefined;

  /** After a child timed out: does the filesystem still answer a stat of its root? */
  async function checkAlive(what: string): Promise<void> {
    const r = await spawnChild('stat', [base], { timeoutMs: 5000 });
    if (r.timedOut) hung = `${what} timed out, and then stat ${base} did not answer within 5 s`;
  }

  /** A fresh directory (mode 0755) for one test. */
  async function fresh(slug: string): Promise<Workdir> {
    if (hung !== undefined) throw new Error(`[${name}] not run: the filesystem stopped answering earlier: ${hung}`);
    counter += 1;
    const path = join(base, `${String(counter).padStart(3, '0')}-${slug}`);
    const r = await spawnChild('mkdir', ['-m', '0755', path], { timeoutMs: 10_000 });
    if (r.timedOut) hung = `mkdir ${path} timed out`;
    if (r.code !== 0) throw new Error(describeFailure(`[${name}] mkdir ${path}`, r, 10_000));
    return new Workdir(name, path, checkAlive);
  }

  describe(`POSIX suite on ${name}`, () => {
    beforeAll(async () => {
      const s = await setup();
      base = s.dir;
      teardown = s.teardown;
    }, 30_000);
    afterAll(async () => {
      await teardown?.();
    }, 30_000);

    describe('open: O_CREAT and O_EXCL', () => {
      test('O_CREAT|O_EXCL creates a new file once, then fails with EEXIST', async () => {
        const t = await fresh('excl');
        const r = await t.py`
          flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
          os.mkdir(p('dir'))
          out({
            'create f': err(os.open, p('f'), flags, 0o644),
            'is a regular file': stat.S_ISREG(os.lstat(p('f')).st_mode),
            'create f again': err(os.open, p('f'), flags, 0o644),
            'create over a directory': err(os.open, p('dir'), flags, 0o644),
          })`;
        expect(r, `${t}`).toEqual({
          'create f': 'ok',
          'is a regular file': true,
          'create f again': 'EEXIST',
          'create over a directory': 'EEXIST',
        });
      });

      test('O_CREAT without O_EXCL opens an existing file and keeps its data', async () => {
        const t = await fresh('creat');
        const r = await t.py`
          write_file(p('f'), 'keep me')
          ino = os.stat(p('f')).st_ino
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o600)
          data = os.read(fd, 100)
          os.close(fd)
          out({'data': data.decode(), 'same inode': os.stat(p('f')).st_ino == ino,
               'mode unchanged': oct(stat.S_IMODE(os.stat(p('f')).st_mode))})`;
        expect(r, `${t}`).toEqual({ data: 'keep me', 'same inode': true, 'mode unchanged': '0o644' });
      });

      test('O_CREAT applies the mode and the umask', async () => {
        const t = await fresh('umask');
        const r = await t.py`
          os.umask(0o027)
          os.close(os.open(p('a'), os.O_WRONLY | os.O_CREAT, 0o777))
          os.umask(0)
          os.close(os.open(p('b'), os.O_WRONLY | os.O_CREAT, 0o640))
          os.close(os.open(p('c'), os.O_WRONLY | os.O_CREAT, 0o000))
          out({n: oct(stat.S_IMODE(os.stat(p(n)).st_mode)) for n in 'abc'})`;
        expect(r, `${t}`).toEqual({ a: '0o750', b: '0o640', c: '0o0' });
      });
    });

    describe('open: O_TRUNC', () => {
      test('O_TRUNC empties an existing file and later writes start at 0', async () => {
        const t = await fresh('trunc');
        const r = await t.py`
          write_file(p('f'), 'hello world, this is long')
          fd = os.open(p('f'), os.O_WRONLY | os.O_TRUNC)
          size_after_open = os.fstat(fd).st_size
          os.write(fd, b'abc')
          os.close(fd)
          fd = os.open(p('empty'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
          os.close(fd)
          out({'size after open': size_after_open, 'content': read_file(p('f')).decode(),
               'stat size': os.stat(p('f')).st_size, 'empty file': os.stat(p('empty')).st_size})`;
        expect(r, `${t}`).toEqual({ 'size after open': 0, content: 'abc', 'stat size': 3, 'empty file': 0 });
      });

      test('O_TRUNC is seen by a descriptor opened before it', async () => {
        const t = await fresh('trunc-other');
        const r = await t.py`
          write_file(p('f'), 'x' * 10000)
          reader = os.open(p('f'), os.O_RDONLY)
          os.close(os.open(p('f'), os.O_WRONLY | os.O_TRUNC))
          out({'fstat size': os.fstat(reader).st_size, 'read': len(os.pread(reader, 100, 0))})`;
        expect(r, `${t}`).toEqual({ 'fstat size': 0, read: 0 });
      });
    });

    describe('open: O_APPEND', () => {
      test('every write lands at the end, even after lseek to 0', async () => {
        const t = await fresh('append');
        const r = await t.py`
          write_file(p('f'), 'abc')
          fd = os.open(p('f'), os.O_WRONLY | os.O_APPEND)
          os.lseek(fd, 0, os.SEEK_SET)
          os.write(fd, b'def')
          os.lseek(fd, 1, os.SEEK_SET)
          os.write(fd, b'gh')
          pos = os.lseek(fd, 0, os.SEEK_CUR)
          os.close(fd)
          out({'content': read_file(p('f')).decode(), 'position': pos})`;
        expect(r, `${t}`).toEqual({ content: 'abcdefgh', position: 8 });
      });

      test('two processes appending at once lose no record', async () => {
        const t = await fresh('append-2');
        const r = await t.py`
          import subprocess
          touch(p('log'))
          writer = '''
          import os, sys
          fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
          for i in range(300):
              rec = f'{sys.argv[2]}{i:05d}'.ljust(63, '.') + chr(10)
              assert os.write(fd, rec.encode()) == 64
          os.close(fd)
          '''
          procs = [subprocess.Popen([sys.executable, '-I', '-S', '-c', textwrap.dedent(writer), p('log'), w]) for w in 'AB']
          codes = [q.wait(timeout=30) for q in procs]
          lines = read_file(p('log')).decode().split('\n')[:-1]
          out({'exit codes': codes, 'size': os.stat(p('log')).st_size, 'records': len(lines),
               'distinct': len(set(lines)), 'all intact': all(len(x) == 63 and x[0] in 'AB' for x in lines)})`;
        expect(r, `${t}`).toEqual({
          'exit codes': [0, 0],
          size: 600 * 64,
          records: 600,
          distinct: 600,
          'all intact': true,
        });
      });
    });

    describe('open: O_DIRECTORY and O_NOFOLLOW', () => {
      test('O_DIRECTORY opens a directory and fails with ENOTDIR on a file', async () => {
        const t = await fresh('odir');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          out({'directory': err(os.open, p('d'), os.O_RDONLY | os.O_DIRECTORY),
               'file': err(os.open, p('f'), os.O_RDONLY | os.O_DIRECTORY)})`;
        expect(r, `${t}`).toEqual({ directory: 'ok', file: 'ENOTDIR' });
      });

      check(py, claims('symlinks'))('O_NOFOLLOW fails with ELOOP on a symlink; O_DIRECTORY follows one', async () => {
        const t = await fresh('nofollow');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          os.symlink('f', p('lf'))
          os.symlink('d', p('ld'))
          out({'O_NOFOLLOW on symlink': err(os.open, p('lf'), os.O_RDONLY | os.O_NOFOLLOW),
               'O_NOFOLLOW on file': err(os.open, p('f'), os.O_RDONLY | os.O_NOFOLLOW),
               'O_DIRECTORY on symlink to dir': err(os.open, p('ld'), os.O_RDONLY | os.O_DIRECTORY),
               'O_DIRECTORY|O_NOFOLLOW on symlink to dir': err(os.open, p('ld'), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)})`;
        expect(r, `${t}`).toEqual({
          'O_NOFOLLOW on symlink': 'ELOOP',
          'O_NOFOLLOW on file': 'ok',
          'O_DIRECTORY on symlink to dir': 'ok',
          // Linux checks O_DIRECTORY first: ENOTDIR; POSIX's O_NOFOLLOW rule says ELOOP.
          'O_DIRECTORY|O_NOFOLLOW on symlink to dir': expect.stringMatching(/^(ELOOP|ENOTDIR)$/),
        });
      });
    });

    describe('open: errors on paths', () => {
      test('ENOENT, ENOTDIR and EISDIR where POSIX says', async () => {
        const t = await fresh('open-errors');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          out({'open missing': err(os.open, p('missing'), os.O_RDONLY),
               'create in missing dir': err(os.open, p('nodir', 'x'), os.O_WRONLY | os.O_CREAT, 0o644),
               'file as a directory': err(os.open, p('f', 'x'), os.O_RDONLY),
               'create under a file': err(os.open, p('f', 'x'), os.O_WRONLY | os.O_CREAT, 0o644),
               'directory for writing': err(os.open, p('d'), os.O_WRONLY),
               'directory for reading': err(os.open, p('d'), os.O_RDONLY)})`;
        expect(r, `${t}`).toEqual({
          'open missing': 'ENOENT',
          'create in missing dir': 'ENOENT',
          'file as a directory': 'ENOTDIR',
          'create under a file': 'ENOTDIR',
          'directory for writing': 'EISDIR',
          'directory for reading': 'ok',
        });
      });

      test('names up to statvfs f_namemax work; longer ones fail with ENAMETOOLONG', async () => {
        const t = await fresh('namemax');
        const r = await t.py`
          m = os.statvfs(D).f_namemax
          flags = os.O_WRONLY | os.O_CREAT
          out({'f_namemax at least 255': m >= 255,
               'create f_namemax bytes': err(os.open, p('n' * m), flags, 0o644),
               'listed': ('n' * m) in os.listdir(D),
               'create f_namemax + 1 bytes': err(os.open, p('n' * (m + 1)), flags, 0o644),
               'mkdir f_namemax + 1 bytes': err(os.mkdir, p('d' * (m + 1))),
               'lookup f_namemax + 1 bytes': err(os.stat, p('s' * (m + 1)))})`;
        expect(r, `${t}`).toEqual({
          'f_namemax at least 255': true,
          'create f_namemax bytes': 'ok',
          listed: true,
          'create f_namemax + 1 bytes': 'ENAMETOOLONG',
          'mkdir f_namemax + 1 bytes': 'ENAMETOOLONG',
          'lookup f_namemax + 1 bytes': 'ENAMETOOLONG',
        });
      });
    });

    describe('read and write at offsets', () => {
      test('pwrite then pread at offsets returns what was written, zeros between, short reads at EOF', async () => {
        const t = await fresh('rw');
        const r = await t.py`
          a, b = pattern(1000, 1), pattern(777, 2)
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          pwrite_all(fd, a, 0)
          pwrite_all(fd, b, 5000)
          out({'size': os.fstat(fd).st_size,
               'first': os.pread(fd, 1000, 0) == a,
               'gap is zeros': os.pread(fd, 4000, 1000) == bytes(4000),
               'second': os.pread(fd, 777, 5000) == b,
               'read across EOF is short': len(os.pread(fd, 1000, 5500)),
               'read at EOF': len(os.pread(fd, 10, 5777)),
               'read past EOF': len(os.pread(fd, 10, 100000))})`;
        expect(r, `${t}`).toEqual({
          size: 5777,
          first: true,
          'gap is zeros': true,
          second: true,
          'read across EOF is short': 277,
          'read at EOF': 0,
          'read past EOF': 0,
        });
      });

      test('writes never truncate: a write at 0 after writes further in keeps them', async () => {
        const t = await fresh('no-truncate');
        const r = await t.py`
          far = pattern(4096, 3)
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          pwrite_all(fd, far, 8192)
          pwrite_all(fd, b'head', 0)
          os.close(fd)
          fd = os.open(p('f'), os.O_WRONLY)
          os.write(fd, b'H')
          os.lseek(fd, 9000, os.SEEK_SET)
          os.write(fd, b'mid')
          os.close(fd)
          data = read_file(p('f'))
          expect_far = far[:9000 - 8192] + b'mid' + far[9000 - 8192 + 3:]
          out({'size': os.stat(p('f')).st_size, 'head': data[:4].decode(), 'far data kept': data[8192:] == expect_far,
               'zeros between': data[4:8192] == bytes(8188)})`;
        expect(r, `${t}`).toEqual({ size: 12288, head: 'Head', 'far data kept': true, 'zeros between': true });
      });

      test('large writes and reads spanning many requests keep every byte', async () => {
        const t = await fresh('large');
        const r = await t.py`
          import hashlib
          data = pattern(3 * 1024 * 1024 + 7, 4)
          write_file(p('big'), data)
          fd = os.open(p('big'), os.O_RDONLY)
          pieces, off = [], 0
          while True:
              chunk = os.pread(fd, 4093, off)
              if not chunk:
                  break
              pieces.append(chunk)
              off += len(chunk)
          os.close(fd)
          out({'size': os.stat(p('big')).st_size, 'whole read matches': read_file(p('big')) == data,
               'odd-sized reads match': b''.join(pieces) == data})`;
        expect(r, `${t}`).toEqual({
          size: 3 * 1024 * 1024 + 7,
          'whole read matches': true,
          'odd-sized reads match': true,
        });
      });

      test('what one descriptor writes another reads at once', async () => {
        const t = await fresh('coherent');
        const r = await t.py`
          w = os.open(p('f'), os.O_WRONLY | os.O_CREAT, 0o644)
          rd = os.open(p('f'), os.O_RDONLY)
          os.write(w, b'first')
          a = os.pread(rd, 100, 0)
          os.pwrite(w, b'SECOND', 2)
          b = os.pread(rd, 100, 0)
          out({'after first write': a.decode(), 'after second write': b.decode(), 'stat size': os.stat(p('f')).st_size})`;
        expect(r, `${t}`).toEqual({ 'after first write': 'first', 'after second write': 'fiSECOND', 'stat size': 8 });
      });

      test('reading a directory fails with EISDIR', async () => {
        const t = await fresh('read-dir');
        const r = await t.py`
          fd = os.open(D, os.O_RDONLY | os.O_DIRECTORY)
          out({'read': err(os.read, fd, 10)})`;
        expect(r, `${t}`).toEqual({ read: 'EISDIR' });
      });
    });

    describe('sparse files', () => {
      test('a write far past EOF leaves a hole that reads as zeros', async () => {
        const t = await fresh('sparse');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.pwrite(fd, b'end', 1 << 20)
          out({'size': os.fstat(fd).st_size, 'hole': os.pread(fd, 1 << 20, 0) == bytes(1 << 20),
               'tail': os.pread(fd, 10, 1 << 20).decode()})`;
        expect(r, `${t}`).toEqual({ size: (1 << 20) + 3, hole: true, tail: 'end' });
      });

      test('offsets past 4 GiB work (64-bit offsets and sizes)', async () => {
        const t = await fresh('sparse-4g');
        const r = await t.py`
          off = 5 * (1 << 30) + 1
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.pwrite(fd, b'far away', off)
          res = {'size': str(os.fstat(fd).st_size), 'read back': os.pread(fd, 8, off).decode(),
                 'zeros at 4 GiB': os.pread(fd, 4096, 1 << 32) == bytes(4096),
                 'SEEK_END': str(os.lseek(fd, 0, os.SEEK_END))}
          os.ftruncate(fd, 0)
          out(res)`;
        const size = String(5 * 2 ** 30 + 1 + 8);
        expect(r, `${t}`).toEqual({ size, 'read back': 'far away', 'zeros at 4 GiB': true, SEEK_END: size });
      });
    });

    describe('truncate and ftruncate', () => {
      test('shrinking discards data; extending again reads zeros, not the old bytes', async () => {
        const t = await fresh('truncate');
        const r = await t.py`
          write_file(p('f'), 'abcdefgh')
          os.truncate(p('f'), 4)
          a = read_file(p('f'))
          os.truncate(p('f'), 10)
          b = read_file(p('f'))
          fd = os.open(p('f'), os.O_RDWR)
          os.ftruncate(fd, 2)
          c = os.pread(fd, 100, 0)
          os.ftruncate(fd, 100000)
          d = os.pread(fd, 200000, 0)
          os.close(fd)
          out({'after truncate 4': a.decode(), 'after truncate 10': b.hex(), 'after ftruncate 2': c.decode(),
               'ftruncate 100000 size': os.stat(p('f')).st_size, 'zero filled': d == b'ab' + bytes(99998)})`;
        expect(r, `${t}`).toEqual({
          'after truncate 4': 'abcd',
          'after truncate 10': '61626364000000000000',
          'after ftruncate 2': 'ab',
          'ftruncate 100000 size': 100000,
          'zero filled': true,
        });
      });

      test('truncate fails with EISDIR on a directory, ENOENT when missing, EINVAL when negative', async () => {
        const t = await fresh('truncate-errors');
        const r = await t.py`
          os.mkdir(p('d'))
          touch(p('f'))
          out({'directory': err(os.truncate, p('d'), 0), 'missing': err(os.truncate, p('missing'), 0),
               'negative': err(os.truncate, p('f'), -1)})`;
        expect(r, `${t}`).toEqual({ directory: 'EISDIR', missing: 'ENOENT', negative: 'EINVAL' });
      });
    });

    describe('mmap', () => {
      test('a shared mapping reads the file and its writes reach read()', async () => {
        const t = await fresh('mmap');
        const r = await t.py`
          import mmap
          data = pattern(3 * 4096, 5)
          write_file(p('f'), data)
          fd = os.open(p('f'), os.O_RDWR)
          m = mmap.mmap(fd, len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
          seen = m[:] == data
          m[5000:5005] = b'HELLO'
          m.flush()
          m.close()
          os.close(fd)
          after = read_file(p('f'))
          out({'mapping sees the file': seen, 'write through the mapping': after[5000:5005].decode(),
               'rest unchanged': after[:5000] == data[:5000] and after[5005:] == data[5005:]})`;
        expect(r, `${t}`).toEqual({
          'mapping sees the file': true,
          'write through the mapping': 'HELLO',
          'rest unchanged': true,
        });
      });
    });

    describe('unlink', () => {
      test('an open file stays readable and writable after unlink; the name can be reused', async () => {
        const t = await fresh('unlink-open');
        const r = await t.py`
          write_file(p('f'), 'still here')
          fd = os.open(p('f'), os.O_RDWR)
          os.unlink(p('f'))
          gone = err(os.lstat, p('f'))
          os.pwrite(fd, b'!', 10)
          write_file(p('f'), 'new file')
          res = {'stat after unlink': gone, 'read through fd': os.pread(fd, 100, 0).decode(),
                 'fstat nlink': os.fstat(fd).st_nlink, 'new file': read_file(p('f')).decode(),
                 'listed': sorted(os.listdir(D))}
          os.close(fd)
          out(res)`;
        expect(r, `${t}`).toEqual({
          'stat after unlink': 'ENOENT',
          'read through fd': 'still here!',
          'fstat nlink': 0,
          'new file': 'new file',
          listed: ['f'],
        });
      });

      test('unlink fails with ENOENT when missing, EISDIR on a directory, ENOTDIR through a file', async () => {
        const t = await fresh('unlink-errors');
        const r = await t.py`
          os.mkdir(p('d'))
          touch(p('f'))
          out({'missing': err(os.unlink, p('missing')), 'directory': err(os.unlink, p('d')),
               'through a file': err(os.unlink, p('f', 'x'))})`;
        expect(r, `${t}`).toEqual({ missing: 'ENOENT', directory: 'EISDIR', 'through a file': 'ENOTDIR' });
      });
    });

    describe('rename', () => {
      test('renames a file, keeping its inode and data', async () => {
        const t = await fresh('rename');
        const r = await t.py`
          write_file(p('a'), 'data')
          ino = os.stat(p('a')).st_ino
          os.mkdir(p('sub'))
          os.rename(p('a'), p('b'))
          step1 = {'old name': err(os.lstat, p('a')), 'same inode': os.stat(p('b')).st_ino == ino}
          os.rename(p('b'), p('sub', 'c'))
          out({**step1, 'moved to subdir': read_file(p('sub', 'c')).decode(), 'listing': sorted(os.listdir(D)),
               'same inode after move': os.stat(p('sub', 'c')).st_ino == ino})`;
        expect(r, `${t}`).toEqual({
          'old name': 'ENOENT',
          'same inode': true,
          'moved to subdir': 'data',
          listing: ['sub'],
          'same inode after move': true,
        });
      });

      test('replaces an existing file; the replaced file stays readable through an open fd', async () => {
        const t = await fresh('rename-replace');
        const r = await t.py`
          write_file(p('a'), 'new')
          write_file(p('b'), 'old')
          fd = os.open(p('b'), os.O_RDONLY)
          os.rename(p('a'), p('b'))
          out({'b': read_file(p('b')).decode(), 'a': err(os.lstat, p('a')), 'old through fd': os.pread(fd, 10, 0).decode(),
               'old nlink': os.fstat(fd).st_nlink, 'listing': sorted(os.listdir(D))})`;
        expect(r, `${t}`).toEqual({ b: 'new', a: 'ENOENT', 'old through fd': 'old', 'old nlink': 0, listing: ['b'] });
      });

      test('a directory replaces an empty directory but not a non-empty one (ENOTEMPTY)', async () => {
        const t = await fresh('rename-dirs');
        const r = await t.py`
          os.makedirs(p('src', 'inner'))
          os.mkdir(p('empty'))
          os.makedirs(p('full', 'x'))
          res = {'over non-empty': err(os.rename, p('src'), p('full')),
                 'over empty': err(os.rename, p('src'), p('empty'))}
          res['moved content'] = os.listdir(p('empty'))
          res['listing'] = sorted(os.listdir(D))
          out(res)`;
        expect(r, `${t}`).toEqual({
          'over non-empty': 'ENOTEMPTY',
          'over empty': 'ok',
          'moved content': ['inner'],
          listing: ['empty', 'full'],
        });
      });

      test('type mismatches fail: file over directory EISDIR, directory over file ENOTDIR; into its own subtree EINVAL', async () => {
        const t = await fresh('rename-errors');
        const r = await t.py`
          touch(p('f'))
          os.makedirs(p('d', 'sub'))
          out({'file over directory': err(os.rename, p('f'), p('d')),
               'directory over file': err(os.rename, p('d'), p('f')),
               'into own subtree': err(os.rename, p('d'), p('d', 'sub', 'x')),
               'missing source': err(os.rename, p('missing'), p('y')),
               'listing': sorted(os.listdir(D))})`;
        expect(r, `${t}`).toEqual({
          'file over directory': 'EISDIR',
          'directory over file': 'ENOTDIR',
          'into own subtree': 'EINVAL',
          'missing source': 'ENOENT',
          listing: ['d', 'f'],
        });
      });

      test("moving a directory updates both parents' nlink and its ..", async () => {
        const t = await fresh('rename-nlink');
        const r = await t.py`
          os.makedirs(p('p1', 'child'))
          os.mkdir(p('p2'))
          before = (os.stat(p('p1')).st_nlink, os.stat(p('p2')).st_nlink)
          os.rename(p('p1', 'child'), p('p2', 'child'))
          out({'nlink before': before, 'nlink after': (os.stat(p('p1')).st_nlink, os.stat(p('p2')).st_nlink),
               '.. is the new parent': os.stat(p('p2', 'child', '..')).st_ino == os.stat(p('p2')).st_ino})`;
        expect(r, `${t}`).toEqual({ 'nlink before': [3, 2], 'nlink after': [2, 3], '.. is the new parent': true });
      });

      check(py, claims('hardlinks'))('renaming onto another link of the same file does nothing', async () => {
        const t = await fresh('rename-same');
        const r = await t.py`
          write_file(p('a'), 'x')
          os.link(p('a'), p('b'))
          os.rename(p('a'), p('b'))
          out({'listing': sorted(os.listdir(D)), 'nlink': os.stat(p('b')).st_nlink})`;
        expect(r, `${t}`).toEqual({ listing: ['a', 'b'], nlink: 2 });
      });
    });

    describe('rename flags: RENAME_NOREPLACE and RENAME_EXCHANGE', () => {
      const support = features.renameFlags
        ? 'supported'
        : 'not claimed, so they may fail with EINVAL but never misbehave';
      test(`RENAME_NOREPLACE never replaces an existing name (${support})`, async () => {
        const t = await fresh('noreplace');
        const r = await t.py`
          write_file(p('a'), 'A')
          write_file(p('b'), 'B')
          res = {'onto existing': err(renameat2, p('a'), p('b'), RENAME_NOREPLACE)}
          res['contents'] = [read_file(p('a')).decode(), read_file(p('b')).decode()]
          res['onto new name'] = err(renameat2, p('a'), p('c'), RENAME_NOREPLACE)
          res['listing'] = sorted(os.listdir(D))
          out(res)`;
        if (features.renameFlags) {
          expect(r, `${t}`).toEqual({
            'onto existing': 'EEXIST',
            contents: ['A', 'B'],
            'onto new name': 'ok',
            listing: ['b', 'c'],
          });
        } else {
          expect(['EEXIST', 'EINVAL'], `${t}: RENAME_NOREPLACE onto an existing name`).toContain(r['onto existing']);
          expect(r.contents, `${t}`).toEqual(['A', 'B']);
          expect(r.listing, `${t}`).toEqual(r['onto new name'] === 'ok' ? ['b', 'c'] : ['a', 'b']);
        }
      });

      test(`RENAME_EXCHANGE swaps two names atomically (${support})`, async () => {
        const t = await fresh('exchange');
        const r = await t.py`
          write_file(p('a'), 'A')
          os.mkdir(p('d'))
          ia, id_ = os.stat(p('a')).st_ino, os.stat(p('d')).st_ino
          res = {'exchange file and directory': err(renameat2, p('a'), p('d'), RENAME_EXCHANGE)}
          res['a is now the directory'] = os.stat(p('a')).st_ino == id_ and stat.S_ISDIR(os.stat(p('a')).st_mode)
          res['d is now the file'] = os.stat(p('d')).st_ino == ia and read_file(p('d')) == b'A'
          res['with a missing name'] = err(renameat2, p('a'), p('missing'), RENAME_EXCHANGE)
          out(res)`;
        if (features.renameFlags || r['exchange file and directory'] === 'ok') {
          expect(r, `${t}`).toEqual({
            'exchange file and directory': 'ok',
            'a is now the directory': true,
            'd is now the file': true,
            'with a missing name': 'ENOENT',
          });
        } else {
          expect(r, `${t}`).toEqual({
            'exchange file and directory': 'EINVAL',
            'a is now the directory': false,
            'd is now the file': false,
            'with a missing name': expect.stringMatching(/^(EINVAL|ENOENT)$/),
          });
        }
      });
    });

    describe('link and nlink', () => {
      const test_ = check(py, claims('hardlinks'));
      test_('a hard link shares the inode and data and counts in nlink', async () => {
        const t = await fresh('link');
        const r = await t.py`
          write_file(p('a'), 'one')
          os.mkdir(p('sub'))
          os.link(p('a'), p('sub', 'b'))
          sa, sb = os.stat(p('a')), os.stat(p('sub', 'b'))
          write_file(p('sub', 'b'), 'two', flags=os.O_WRONLY | os.O_TRUNC)
          res = {'same inode': sa.st_ino == sb.st_ino, 'nlink': [sa.st_nlink, sb.st_nlink],
                 'write through b, read through a': read_file(p('a')).decode()}
          os.unlink(p('a'))
          res['nlink after unlink'] = os.stat(p('sub', 'b')).st_nlink
          res['data after unlink'] = read_file(p('sub', 'b')).decode()
          out(res)`;
        expect(r, `${t}`).toEqual({
          'same inode': true,
          nlink: [2, 2],
          'write through b, read through a': 'two',
          'nlink after unlink': 1,
          'data after unlink': 'two',
        });
      });

      test_('nlink counts many links up and down, and an open fd sees it', async () => {
        const t = await fresh('nlink');
        const r = await t.py`
          touch(p('f'))
          fd = os.open(p('f'), os.O_RDONLY)
          for i in range(20):
              os.link(p('f'), p(f'l{i}'))
          up = (os.stat(p('f')).st_nlink, os.fstat(fd).st_nlink)
          for i in range(10):
              os.unlink(p(f'l{i}'))
          os.rename(p('l10'), p('l11'))
          down = (os.stat(p('f')).st_nlink, os.fstat(fd).st_nlink)
          out({'after 20 links': up, 'after 10 unlinks and a rename onto a link': down})`;
        expect(r, `${t}`).toEqual({
          'after 20 links': [21, 21],
          'after 10 unlinks and a rename onto a link': [11, 11],
        });
      });

      test_('link fails with EEXIST onto an existing name, EPERM on a directory, ENOENT when missing', async () => {
        const t = await fresh('link-errors');
        const r = await t.py`
          touch(p('f'))
          touch(p('g'))
          os.mkdir(p('d'))
          out({'existing name': err(os.link, p('f'), p('g')), 'directory': err(os.link, p('d'), p('d2')),
               'missing source': err(os.link, p('missing'), p('x')), 'nlink unchanged': os.stat(p('f')).st_nlink})`;
        expect(r, `${t}`).toEqual({
          'existing name': 'EEXIST',
          directory: 'EPERM',
          'missing source': 'ENOENT',
          'nlink unchanged': 1,
        });
      });
    });

    describe('symlink and readlink', () => {
      const test_ = check(py, claims('symlinks'));
      test_('readlink returns the target exactly; lstat reports a link of that size', async () => {
        const t = await fresh('symlink');
        const r = await t.py`
          targets = ['rel/x', '/absolute/path', 'dangling', '../up', 'ü/日本語', 'a' * 1000]
          res = []
          for i, target in enumerate(targets):
              os.symlink(target, p(f'l{i}'))
              s = os.lstat(p(f'l{i}'))
              res.append({'target ok': os.readlink(p(f'l{i}')) == target, 'is link': stat.S_ISLNK(s.st_mode),
                          'size': s.st_size == len(target.encode()), 'nlink': s.st_nlink})
          out({'links': res})`;
        expect(r.links, `${t}`).toEqual(
          Array.from({ length: 6 }, () => ({ 'target ok': true, 'is link': true, size: true, nlink: 1 })),
        );
      });

      test_('stat, open and path walks follow symlinks; lstat does not', async () => {
        const t = await fresh('symlink-follow');
        const r = await t.py`
          write_file(p('f'), 'through the link')
          os.makedirs(p('d', 'e'))
          write_file(p('d', 'e', 'g'), 'deep')
          os.symlink('f', p('lf'))
          os.symlink('d', p('ld'))
          os.symlink('ld/e', p('le'))
          out({'stat follows': os.stat(p('lf')).st_ino == os.stat(p('f')).st_ino,
               'lstat does not': os.lstat(p('lf')).st_ino != os.stat(p('f')).st_ino,
               'read through link': read_file(p('lf')).decode(),
               'walk through two links': read_file(p('le', 'g')).decode(),
               'listdir through link': os.listdir(p('ld'))})`;
        expect(r, `${t}`).toEqual({
          'stat follows': true,
          'lstat does not': true,
          'read through link': 'through the link',
          'walk through two links': 'deep',
          'listdir through link': ['e'],
        });
      });

      test_('O_CREAT through a dangling symlink creates its target; O_CREAT|O_EXCL fails with EEXIST', async () => {
        const t = await fresh('symlink-creat');
        const r = await t.py`
          os.symlink('target', p('link'))
          excl = err(os.open, p('link'), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
          fd = os.open(p('link'), os.O_WRONLY | os.O_CREAT, 0o644)
          os.write(fd, b'made')
          os.close(fd)
          out({'O_EXCL': excl, 'target content': read_file(p('target')).decode(),
               'link is still a link': os.path.islink(p('link'))})`;
        expect(r, `${t}`).toEqual({ O_EXCL: 'EEXIST', 'target content': 'made', 'link is still a link': true });
      });

      test_('readlink of a non-link fails with EINVAL; symlink onto a name EEXIST; a loop ELOOP', async () => {
        const t = await fresh('symlink-errors');
        const r = await t.py`
          touch(p('f'))
          os.symlink('b', p('a'))
          os.symlink('a', p('b'))
          out({'readlink of a file': err(os.readlink, p('f')), 'readlink of missing': err(os.readlink, p('m')),
               'symlink onto existing': err(os.symlink, 'x', p('f')), 'open a loop': err(os.open, p('a'), os.O_RDONLY)})`;
        expect(r, `${t}`).toEqual({
          'readlink of a file': 'EINVAL',
          'readlink of missing': 'ENOENT',
          'symlink onto existing': 'EEXIST',
          'open a loop': 'ELOOP',
        });
      });
    });

    describe('mkdir and rmdir', () => {
      test("a new directory has nlink 2 and adds 1 to its parent's; files do not count", async () => {
        const t = await fresh('mkdir-nlink');
        const r = await t.py`
          os.mkdir(p('P'))
          n = lambda *x: os.stat(p(*x)).st_nlink
          steps = {'empty': n('P')}
          os.mkdir(p('P', 'a'))
          steps['after mkdir a'] = [n('P'), n('P', 'a')]
          os.mkdir(p('P', 'a', 'b'))
          touch(p('P', 'file'))
          steps['after mkdir a/b and a file'] = [n('P'), n('P', 'a'), n('P', 'a', 'b')]
          os.rmdir(p('P', 'a', 'b'))
          steps['after rmdir a/b'] = [n('P'), n('P', 'a')]
          os.rmdir(p('P', 'a'))
          steps['after rmdir a'] = n('P')
          out(steps)`;
        expect(r, `${t}`).toEqual({
          empty: 2,
          'after mkdir a': [3, 2],
          'after mkdir a/b and a file': [3, 3, 2],
          'after rmdir a/b': [3, 2],
          'after rmdir a': 2,
        });
      });

      test('mkdir applies the mode, the umask and the sticky bit', async () => {
        const t = await fresh('mkdir-mode');
        const r = await t.py`
          os.umask(0o027)
          os.mkdir(p('a'), 0o777)
          os.umask(0)
          os.mkdir(p('b'), 0o1777)
          os.mkdir(p('c'), 0o500)
          out({n: oct(stat.S_IMODE(os.stat(p(n)).st_mode)) for n in 'abc'})`;
        expect(r, `${t}`).toEqual({ a: '0o750', b: '0o1777', c: '0o500' });
      });

      test('mkdir and rmdir fail where POSIX says', async () => {
        const t = await fresh('mkdir-errors');
        const r = await t.py`
          os.makedirs(p('full', 'x'))
          touch(p('f'))
          out({'mkdir existing dir': err(os.mkdir, p('full')), 'mkdir over file': err(os.mkdir, p('f')),
               'mkdir in missing parent': err(os.mkdir, p('no', 'x')),
               'rmdir non-empty': err(os.rmdir, p('full')), 'rmdir a file': err(os.rmdir, p('f')),
               'rmdir missing': err(os.rmdir, p('missing')), 'rmdir dot': err(os.rmdir, p('full', 'x', '.'))})`;
        expect(r, `${t}`).toEqual({
          'mkdir existing dir': 'EEXIST',
          'mkdir over file': 'EEXIST',
          'mkdir in missing parent': 'ENOENT',
          'rmdir non-empty': 'ENOTEMPTY',
          'rmdir a file': 'ENOTDIR',
          'rmdir missing': 'ENOENT',
          'rmdir dot': 'EINVAL',
        });
      });

      test('a removed directory is gone and its name can be reused', async () => {
        const t = await fresh('rmdir');
        const r = await t.py`
          os.mkdir(p('d'))
          os.rmdir(p('d'))
          gone = err(os.stat, p('d'))
          write_file(p('d'), 'now a file')
          out({'stat after rmdir': gone, 'reused as a file': read_file(p('d')).decode()})`;
        expect(r, `${t}`).toEqual({ 'stat after rmdir': 'ENOENT', 'reused as a file': 'now a file' });
      });
    });

    describe('readdir', () => {
      test('lists every entry once, with . and .., right d_type and d_ino', async () => {
        const t = await fresh('readdir');
        const links = features.symlinks;
        const r = await t.py`
          import subprocess
          os.mkdir(p('d'))
          expected = {}
          for i in range(20):
              touch(p('d', f'file{i}')); expected[f'file{i}'] = 'file'
          for i in range(5):
              os.mkdir(p('d', f'dir{i}')); expected[f'dir{i}'] = 'dir'
          if ${links ? 'True' : 'False'}:
              for i in range(3):
                  os.symlink('file0', p('d', f'link{i}')); expected[f'link{i}'] = 'symlink'
          got, inos_ok = {}, True
          with os.scandir(p('d')) as it:
              for e in it:
                  kind = 'symlink' if e.is_symlink() else 'dir' if e.is_dir(follow_symlinks=False) else 'file' if e.is_file(follow_symlinks=False) else '?'
                  got[e.name] = kind
                  inos_ok = inos_ok and e.inode() == os.lstat(e.path).st_ino
          ls = subprocess.run(['ls', '-1a', p('d')], capture_output=True, text=True, timeout=10).stdout.split('\n')[:-1]
          out({'types match': got == expected, 'missing': sorted(set(expected) - set(got)),
               'extra': sorted(set(got) - set(expected)), 'd_ino matches st_ino': inos_ok,
               'ls -a count': len(ls), 'ls -a has . and .. once': [ls.count('.'), ls.count('..')],
               'empty dir': subprocess.run(['ls', '-1a', p('d', 'dir0')], capture_output=True, text=True, timeout=10).stdout.split()})`;
        expect(r, `${t}`).toEqual({
          'types match': true,
          missing: [],
          extra: [],
          'd_ino matches st_ino': true,
          'ls -a count': (links ? 28 : 25) + 2,
          'ls -a has . and .. once': [1, 1],
          'empty dir': ['.', '..'],
        });
      });

      test('lists 3000 entries, each exactly once', async () => {
        const t = await fresh('readdir-3000');
        const r = await t.py`
          names = [f'{i:05d}-' + 'x' * (i % 60) for i in range(3000)]
          for n in names:
              touch(p(n))
          listed = os.listdir(D)
          out({'count': len(listed), 'distinct': len(set(listed)), 'missing': sorted(set(names) - set(listed))[:10],
               'extra': sorted(set(listed) - set(names))[:10]})`;
        expect(r, `${t}`).toEqual({ count: 3000, distinct: 3000, missing: [], extra: [] });
      }, 60_000);

      test('entries added and removed during iteration do not duplicate or skip the others', async () => {
        const t = await fresh('readdir-mutate');
        const r = await t.py`
          from collections import Counter
          names = [f'entry-{i:05d}' for i in range(2000)]
          for n in names:
              touch(p(n))
          seen, removed, added = [], set(), set()
          with os.scandir(D) as it:
              for k, e in enumerate(it):
                  seen.append(e.name)
                  if k in (700, 1400):
                      seen_set = set(seen)
                      old = [n for n in seen if n.startswith('entry-') and n not in removed][:100]
                      unseen = [n for n in names if n not in seen_set and n not in removed][-100:]
                      for n in old + unseen:
                          os.unlink(p(n))
                          removed.add(n)
                      for j in range(100):
                          n = f'added-{k}-{j:03d}'
                          touch(p(n))
                          added.add(n)
          counts = Counter(seen)
          final = set(os.listdir(D))
          out({'listed twice': sorted(n for n, c in counts.items() if c > 1)[:10],
               'untouched but skipped': sorted(set(names) - removed - set(seen))[:10],
               'never created': sorted(set(seen) - set(names) - added)[:10],
               'final listing is exact': final == (set(names) - removed) | added})`;
        expect(r, `${t}`).toEqual({
          'listed twice': [],
          'untouched but skipped': [],
          'never created': [],
          'final listing is exact': true,
        });
      }, 60_000);
    });

    describe('stat', () => {
      test('files, directories and symlinks report type, size and nlink', async () => {
        const t = await fresh('stat');
        const r = await t.py`
          write_file(p('f'), 'abc')
          os.mkdir(p('d'))
          if ${features.symlinks ? 'True' : 'False'}:
              os.symlink('f', p('l'))
          f, d = os.lstat(p('f')), os.lstat(p('d'))
          res = {'file': [stat.S_ISREG(f.st_mode), f.st_size, f.st_nlink],
                 'dir': [stat.S_ISDIR(d.st_mode), d.st_nlink],
                 'blksize positive': f.st_blksize > 0,
                 'fstat equals stat': tuple(os.fstat(os.open(p('f'), os.O_RDONLY)))[:7] == tuple(os.stat(p('f')))[:7]}
          if os.path.lexists(p('l')):
              l = os.lstat(p('l'))
              res['symlink'] = [stat.S_ISLNK(l.st_mode), l.st_size]
          out(res)`;
        expect(r, `${t}`).toEqual({
          file: [true, 3, 1],
          dir: [true, 2],
          'blksize positive': true,
          'fstat equals stat': true,
          ...(features.symlinks ? { symlink: [true, 1] } : {}),
        });
      });

      test('inode numbers are unique and stable; st_dev is the same across the filesystem', async () => {
        const t = await fresh('stat-ino');
        const r = await t.py`
          paths = []
          for i in range(30):
              touch(p(f'f{i}')); paths.append(p(f'f{i}'))
              os.mkdir(p(f'd{i}')); paths.append(p(f'd{i}'))
          first = [os.stat(x).st_ino for x in paths]
          second = [os.stat(x).st_ino for x in paths]
          devs = {os.stat(x).st_dev for x in paths + [D]}
          out({'unique': len(set(first)) == len(paths), 'stable': first == second, 'one st_dev': len(devs) == 1})`;
        expect(r, `${t}`).toEqual({ unique: true, stable: true, 'one st_dev': true });
      });

      test('st_blocks accounts for written data (st_blocks * 512 >= size)', async () => {
        const t = await fresh('stat-blocks');
        const r = await t.py`
          write_file(p('f'), pattern(65537, 6))
          os.fsync(os.open(p('f'), os.O_RDONLY))
          s = os.stat(p('f'))
          out({'blocks cover size': s.st_blocks * 512 >= s.st_size, 'blocks': s.st_blocks})`;
        expect(r['blocks cover size'], `${t}: st_blocks=${r.blocks} for 65537 bytes`).toBe(true);
      });

      test("a new file and directory belong to the creator's uid and gid", async () => {
        const t = await fresh('stat-owner');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          out({n: [os.stat(p(n)).st_uid == os.geteuid(), os.stat(p(n)).st_gid == os.getegid()] for n in 'fd'})`;
        expect(r, `${t}`).toEqual({ f: [true, true], d: [true, true] });
      });
    });

    describe('timestamps', () => {
      test('a new file has atime = mtime = ctime, close to the wall clock', async () => {
        const t = await fresh('times-new');
        const r = await t.py`
          touch(p('f'))
          s = os.stat(p('f'))
          out({'atime = mtime = ctime': s.st_atime_ns == s.st_mtime_ns == s.st_ctime_ns,
               'within 60 s of time.time()': abs(s.st_mtime_ns - time.time_ns()) < 60 * 10**9,
               'mtime': str(s.st_mtime_ns), 'now': str(time.time_ns())})`;
        expect({ ...r, mtime: undefined, now: undefined }, `${t}: mtime ${r.mtime}, now ${r.now}`).toEqual({
          'atime = mtime = ctime': true,
          'within 60 s of time.time()': true,
          mtime: undefined,
          now: undefined,
        });
      });

      test('write updates mtime and ctime; read changes neither', async () => {
        const t = await fresh('times-write');
        const r = await t.py`
          write_file(p('f'), 'data')
          fd = os.open(p('f'), os.O_RDWR)
          out({'read': stamps(lambda: os.pread(fd, 10, 0), {'file': p('f')}),
               'write': stamps(lambda: os.pwrite(fd, b'x', 2), {'file': p('f')}),
               'write, then mtime near the wall clock': abs(os.stat(p('f')).st_mtime_ns - time.time_ns()) < 60 * 10**9})`;
        expect(r, `${t}`).toEqual({
          read: { file: 'neither' },
          write: { file: 'mtime+ctime' },
          'write, then mtime near the wall clock': true,
        });
      });

      test('truncate, ftruncate and O_TRUNC update mtime and ctime', async () => {
        const t = await fresh('times-trunc');
        const r = await t.py`
          write_file(p('f'), 'data' * 100)
          fd = os.open(p('f'), os.O_RDWR)
          out({'truncate': stamps(lambda: os.truncate(p('f'), 10), {'file': p('f')}),
               'ftruncate': stamps(lambda: os.ftruncate(fd, 5), {'file': p('f')}),
               'open O_TRUNC': stamps(lambda: os.close(os.open(p('f'), os.O_WRONLY | os.O_TRUNC)), {'file': p('f')})})`;
        expect(r, `${t}`).toEqual({
          truncate: { file: 'mtime+ctime' },
          ftruncate: { file: 'mtime+ctime' },
          'open O_TRUNC': { file: 'mtime+ctime' },
        });
      });

      check(py, root)('chmod and chown change ctime only', async () => {
        const t = await fresh('times-chmod');
        const r = await t.py`
          touch(p('f'))
          out({'chmod': stamps(lambda: os.chmod(p('f'), 0o600), {'file': p('f')}),
               'chown': stamps(lambda: os.chown(p('f'), 65534, 65534), {'file': p('f')}),
               'utime': stamps(lambda: os.utime(p('f'), ns=(5 * 10**17, 5 * 10**17)), {'file': p('f')})})`;
        // utime sets mtime itself (not to PAST), and always changes ctime.
        expect(r, `${t}`).toEqual({
          chmod: { file: 'ctime' },
          chown: { file: 'ctime' },
          utime: { file: 'mtime+ctime' },
        });
      });

      test("creating and removing entries update the directory's mtime and ctime", async () => {
        const t = await fresh('times-dir');
        const r = await t.py`
          os.mkdir(p('d'))
          touch(p('d', 'gone'))
          os.mkdir(p('d', 'gonedir'))
          d = {'dir': p('d')}
          res = {'create file': stamps(lambda: touch(p('d', 'f')), d),
                 'mkdir': stamps(lambda: os.mkdir(p('d', 'sub')), d),
                 'unlink': stamps(lambda: os.unlink(p('d', 'gone')), d),
                 'rmdir': stamps(lambda: os.rmdir(p('d', 'gonedir')), d),
                 'write to a file in it': stamps(lambda: write_file(p('d', 'f'), 'x', flags=os.O_WRONLY), d)}
          if ${features.symlinks ? 'True' : 'False'}:
              res['symlink'] = stamps(lambda: os.symlink('f', p('d', 'l')), d)
          out(res)`;
        const both = { dir: 'mtime+ctime' };
        expect(r, `${t}`).toEqual({
          'create file': both,
          mkdir: both,
          unlink: both,
          rmdir: both,
          'write to a file in it': { dir: 'neither' },
          ...(features.symlinks ? { symlink: both } : {}),
        });
      });

      test("rename changes the file's ctime and both parents' mtime and ctime", async () => {
        const t = await fresh('times-rename');
        const r = await t.py`
          os.mkdir(p('A'))
          os.mkdir(p('B'))
          touch(p('A', 'f'))
          out({'across directories': stamps(lambda: os.rename(p('A', 'f'), p('B', 'g')),
                   {'file': (p('A', 'f'), p('B', 'g')), 'source dir': p('A'), 'target dir': p('B')}),
               'within a directory': stamps(lambda: os.rename(p('B', 'g'), p('B', 'h')),
                   {'file': (p('B', 'g'), p('B', 'h')), 'dir': p('B'), 'other dir': p('A')})})`;
        expect(r, `${t}`).toEqual({
          'across directories': { file: 'ctime', 'source dir': 'mtime+ctime', 'target dir': 'mtime+ctime' },
          'within a directory': { file: 'ctime', dir: 'mtime+ctime', 'other dir': 'neither' },
        });
      });

      check(py, claims('hardlinks'))("link and unlink change the file's ctime and the directory's mtime", async () => {
        const t = await fresh('times-link');
        const r = await t.py`
          os.mkdir(p('A'))
          os.mkdir(p('B'))
          touch(p('A', 'f'))
          w = {'file': p('A', 'f'), 'dir of the file': p('A'), 'dir of the link': p('B')}
          out({'link': stamps(lambda: os.link(p('A', 'f'), p('B', 'g')), w),
               'unlink the link': stamps(lambda: os.unlink(p('B', 'g')), w)})`;
        const expected = { file: 'ctime', 'dir of the file': 'neither', 'dir of the link': 'mtime+ctime' };
        expect(r, `${t}`).toEqual({ link: expected, 'unlink the link': expected });
      });

      check(py, claims('xattrs'))('setxattr changes ctime only', async () => {
        const t = await fresh('times-xattr');
        const r = await t.py`
          touch(p('f'))
          out({'setxattr': stamps(lambda: os.setxattr(p('f'), 'user.t', b'v'), {'file': p('f')})})`;
        expect(r, `${t}`).toEqual({ setxattr: { file: 'ctime' } });
      });
    });

    describe('utimensat', () => {
      const ns = features.nsTimestamps;
      test(`utime sets atime and mtime ${ns ? 'to the nanosecond' : 'to the second'}`, async () => {
        const t = await fresh('utime');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          A, M = 1_600_000_000_123_456_789, 1_500_000_000_987_654_321
          res = {}
          for n in 'fd':
              os.utime(p(n), ns=(A, M))
              s = os.stat(p(n))
              res[n] = [str(s.st_atime_ns), str(s.st_mtime_ns)]
          out(res)`;
        const expected = ns
          ? ['1600000000123456789', '1500000000987654321']
          : [expect.stringMatching(/^1600000000\d{9}$/), expect.stringMatching(/^1500000000\d{9}$/)];
        expect(r, `${t}`).toEqual({ f: expected, d: expected });
      });

      test('UTIME_OMIT leaves a time alone; UTIME_NOW sets the current time', async () => {
        const t = await fresh('utimens');
        const r = await t.py`
          touch(p('f'))
          A, M = 1_600_000_000_000_000_000, 1_500_000_000_000_000_000
          os.utime(p('f'), ns=(A, M))
          get = lambda: os.stat(p('f'))
          near_now = lambda v: abs(v - time.time_ns()) < 60 * 10**9
          utimens(p('f'), UTIME_OMIT, M + 10**9)
          s1 = get()
          utimens(p('f'), UTIME_NOW, UTIME_OMIT)
          s2 = get()
          utimens(p('f'), UTIME_OMIT, UTIME_NOW)
          s3 = get()
          c0 = s3.st_ctime_ns
          tick(c0)
          utimens(p('f'), UTIME_OMIT, UTIME_OMIT)
          out({'omit atime, set mtime': [s1.st_atime_ns == A, s1.st_mtime_ns == M + 10**9],
               'now atime, omit mtime': [near_now(s2.st_atime_ns), s2.st_mtime_ns == M + 10**9],
               'omit atime, now mtime': [near_now(s3.st_atime_ns), near_now(s3.st_mtime_ns)],
               'omit both keeps the times': [get().st_atime_ns == s3.st_atime_ns, get().st_mtime_ns == s3.st_mtime_ns]})`;
        expect(r, `${t}`).toEqual({
          'omit atime, set mtime': [true, true],
          'now atime, omit mtime': [true, true],
          'omit atime, now mtime': [true, true],
          'omit both keeps the times': [true, true],
        });
      });

      check(py, claims('symlinks'))('utimensat AT_SYMLINK_NOFOLLOW sets the times of the link itself', async () => {
        const t = await fresh('lutimes');
        const r = await t.py`
          touch(p('f'))
          os.symlink('f', p('l'))
          os.utime(p('f'), ns=(PAST, PAST))
          utimens(p('l'), 1_200_000_000 * 10**9, 1_300_000_000 * 10**9, follow=False)
          out({'link mtime': str(os.lstat(p('l')).st_mtime_ns // 10**9), 'target untouched': os.stat(p('f')).st_mtime_ns == PAST})`;
        expect(r, `${t}`).toEqual({ 'link mtime': '1300000000', 'target untouched': true });
      });
    });

    describe('chmod and chown', () => {
      test('chmod sets all twelve permission bits and keeps the file type', async () => {
        const t = await fresh('chmod');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          res = {}
          for mode in (0o7777, 0o640, 0o000, 0o4755):
              os.chmod(p('f'), mode)
              s = os.stat(p('f'))
              res[oct(mode)] = [oct(stat.S_IMODE(s.st_mode)), stat.S_ISREG(s.st_mode)]
          fd = os.open(p('f'), os.O_RDONLY)
          os.fchmod(fd, 0o600)
          res['fchmod 0o600'] = oct(stat.S_IMODE(os.fstat(fd).st_mode))
          os.chmod(p('d'), 0o1777)
          res['dir 0o1777'] = [oct(stat.S_IMODE(os.stat(p('d')).st_mode)), stat.S_ISDIR(os.stat(p('d')).st_mode)]
          out(res)`;
        expect(r, `${t}`).toEqual({
          '0o7777': ['0o7777', true],
          '0o640': ['0o640', true],
          '0o0': ['0o0', true],
          '0o4755': ['0o4755', true],
          'fchmod 0o600': '0o600',
          'dir 0o1777': ['0o1777', true],
        });
      });

      check(py, claims('symlinks'))('chmod through a symlink changes the target', async () => {
        const t = await fresh('chmod-link');
        const r = await t.py`
          touch(p('f'))
          os.symlink('f', p('l'))
          os.chmod(p('l'), 0o600)
          out({'target mode': oct(stat.S_IMODE(os.stat(p('f')).st_mode)), 'link is a link': stat.S_ISLNK(os.lstat(p('l')).st_mode)})`;
        expect(r, `${t}`).toEqual({ 'target mode': '0o600', 'link is a link': true });
      });

      check(py, root)('chown changes owner and group; -1 keeps one; lchown changes a link itself', async () => {
        const t = await fresh('chown');
        const links = features.symlinks;
        const r = await t.py`
          touch(p('f'))
          owner = lambda x, follow=True: [os.stat(x, follow_symlinks=follow).st_uid, os.stat(x, follow_symlinks=follow).st_gid]
          res = {}
          os.chown(p('f'), 65534, 65534); res['chown 65534:65534'] = owner(p('f'))
          os.chown(p('f'), -1, 0); res['chown -1:0'] = owner(p('f'))
          fd = os.open(p('f'), os.O_RDONLY)
          os.fchown(fd, 0, -1); res['fchown 0:-1'] = owner(p('f'))
          if ${links ? 'True' : 'False'}:
              os.symlink('f', p('l'))
              os.lchown(p('l'), 65534, 65534)
              res['lchown: link, target'] = [owner(p('l'), False), owner(p('f'))]
          out(res)`;
        expect(r, `${t}`).toEqual({
          'chown 65534:65534': [65534, 65534],
          'chown -1:0': [65534, 0],
          'fchown 0:-1': [0, 0],
          ...(links
            ? {
                'lchown: link, target': [
                  [65534, 65534],
                  [0, 0],
                ],
              }
            : {}),
        });
      });
    });

    describe('set-group-ID directories', () => {
      check(py, root)('entries take the directory group; subdirectories keep the bit', async () => {
        const t = await fresh('setgid');
        const r = await t.py`
          os.mkdir(p('g'))
          os.chown(p('g'), 0, 65534)
          os.chmod(p('g'), 0o2775)
          touch(p('g', 'f'))
          os.mkdir(p('g', 'sub'))
          f, sub = os.stat(p('g', 'f')), os.stat(p('g', 'sub'))
          out({'file gid': f.st_gid, 'subdir gid': sub.st_gid, 'subdir has S_ISGID': bool(sub.st_mode & stat.S_ISGID),
               'file has no S_ISGID': not f.st_mode & stat.S_ISGID})`;
        expect(r, `${t}`).toEqual({
          'file gid': 65534,
          'subdir gid': 65534,
          'subdir has S_ISGID': true,
          'file has no S_ISGID': true,
        });
      });
    });

    describe('permissions for an unprivileged user (uid/gid 65534, no groups)', () => {
      const test_ = check(py, claims('permissions'), root, tool('setpriv'));
      const setup = async (t: Workdir) => {
        await t.py`
          def f(name, mode, content='content', owner=(0, 0)):
              write_file(p(name), content)
              os.chown(p(name), *owner)
              os.chmod(p(name), mode)
          def d(name, mode, owner=(0, 0)):
              os.mkdir(p(name))
              os.chown(p(name), *owner)
              os.chmod(p(name), mode)
          f('secret', 0o600)
          f('public', 0o644)
          f('shared', 0o666)
          f('group-read', 0o640, owner=(0, 65534))
          f('group-deny', 0o604, owner=(0, 65534))
          f('script', 0o644, '#!/bin/sh\necho ran\n')
          f('script-x', 0o755, '#!/bin/sh\necho ran\n')
          d('closed', 0o700)
          f('closed/inner', 0o644)
          d('searchonly', 0o711)
          f('searchonly/known', 0o644)
          d('sticky', 0o1777)
          f('sticky/roots', 0o666)
          d('open', 0o777)
          f('open/roots', 0o644)
          f('nobodys', 0o600, 'mine', owner=(65534, 65534))`;
      };

      test_('reading, writing and searching follow the owner, group and other bits', async () => {
        const t = await fresh('perm-rw');
        await setup(t);
        const r = await t.nobody`
          import subprocess
          def run(path):
              try:
                  return subprocess.run([path], capture_output=True, text=True, timeout=10).stdout.strip()
              except OSError as e:
                  return errno.errorcode[e.errno]
          out({'read own 0600 file': err(read_file, p('nobodys')),
               'read 0600 file of root': err(read_file, p('secret')),
               'read 0644 file of root': err(read_file, p('public')),
               'write 0644 file of root': err(os.open, p('public'), os.O_WRONLY),
               'truncate 0644 file of root': err(os.truncate, p('public'), 0),
               'write 0666 file of root': err(write_file, p('shared'), 'nobody was here', flags=os.O_WRONLY),
               'read 0640 file of group 65534': err(read_file, p('group-read')),
               'read 0604 file of group 65534 (the group class denies)': err(read_file, p('group-deny')),
               'access R_OK 0600 file of root': os.access(p('secret'), os.R_OK),
               'access W_OK 0666 file of root': os.access(p('shared'), os.W_OK),
               'stat inside a 0700 dir': err(os.stat, p('closed', 'inner')),
               'list a 0700 dir': err(os.listdir, p('closed')),
               'list a 0711 dir': err(os.listdir, p('searchonly')),
               'stat a known name in a 0711 dir': err(os.stat, p('searchonly', 'known')),
               'exec a 0644 script': run(p('script')),
               'exec a 0755 script': run(p('script-x'))})`;
        expect(r, `${t}`).toEqual({
          'read own 0600 file': 'ok',
          'read 0600 file of root': 'EACCES',
          'read 0644 file of root': 'ok',
          'write 0644 file of root': 'EACCES',
          'truncate 0644 file of root': 'EACCES',
          'write 0666 file of root': 'ok',
          'read 0640 file of group 65534': 'ok',
          'read 0604 file of group 65534 (the group class denies)': 'EACCES',
          'access R_OK 0600 file of root': false,
          'access W_OK 0666 file of root': true,
          'stat inside a 0700 dir': 'EACCES',
          'list a 0700 dir': 'EACCES',
          'list a 0711 dir': 'EACCES',
          'stat a known name in a 0711 dir': 'ok',
          'exec a 0644 script': 'EACCES',
          'exec a 0755 script': 'ran',
        });
      });

      test_('creating, removing and renaming need write permission on the directory', async () => {
        const t = await fresh('perm-dir');
        await setup(t);
        const r = await t.nobody`
          out({'create in a 0755 dir of root': err(touch, p('mine')),
               'mkdir in a 0755 dir of root': err(os.mkdir, p('mydir')),
               'unlink in a 0755 dir of root': err(os.unlink, p('public')),
               'rename in a 0755 dir of root': err(os.rename, p('public'), p('public2')),
               'create in a 0777 dir': err(touch, p('open', 'mine')),
               "unlink root's file in a 0777 dir": err(os.unlink, p('open', 'roots'))})`;
        expect(r, `${t}`).toEqual({
          'create in a 0755 dir of root': 'EACCES',
          'mkdir in a 0755 dir of root': 'EACCES',
          'unlink in a 0755 dir of root': 'EACCES',
          'rename in a 0755 dir of root': 'EACCES',
          'create in a 0777 dir': 'ok',
          "unlink root's file in a 0777 dir": 'ok',
        });
      });

      test_("a sticky directory protects other users' entries (EPERM)", async () => {
        const t = await fresh('perm-sticky');
        await setup(t);
        const r = await t.nobody`
          out({'create in a 1777 dir': err(touch, p('sticky', 'mine')),
               'rename own file': err(os.rename, p('sticky', 'mine'), p('sticky', 'mine2')),
               'unlink own file': err(os.unlink, p('sticky', 'mine2')),
               "write root's 0666 file": err(write_file, p('sticky', 'roots'), 'x', flags=os.O_WRONLY),
               "unlink root's file": err(os.unlink, p('sticky', 'roots')),
               "rename root's file": err(os.rename, p('sticky', 'roots'), p('sticky', 'stolen')),
               'listing': sorted(os.listdir(p('sticky')))})`;
        expect(r, `${t}`).toEqual({
          'create in a 1777 dir': 'ok',
          'rename own file': 'ok',
          'unlink own file': 'ok',
          "write root's 0666 file": 'ok',
          "unlink root's file": 'EPERM',
          "rename root's file": 'EPERM',
          listing: ['roots'],
        });
      });

      test_('new entries belong to the caller, who may chmod and chgrp them but not give them away', async () => {
        const t = await fresh('perm-owner');
        await setup(t);
        const r = await t.nobody`
          fd = os.open(p('open', 'new'), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
          os.write(fd, b'x')
          os.close(fd)
          os.mkdir(p('open', 'newdir'))
          s, sd = os.stat(p('open', 'new')), os.stat(p('open', 'newdir'))
          out({'file owner': [s.st_uid, s.st_gid], 'dir owner': [sd.st_uid, sd.st_gid],
               'reopen own 0600 file read-write': err(os.open, p('open', 'new'), os.O_RDWR),
               'chmod own file': err(os.chmod, p('open', 'new'), 0o640),
               'chgrp own file to own group': err(os.chown, p('open', 'new'), -1, 65534),
               'chown own file to root': err(os.chown, p('open', 'new'), 0, -1),
               'chgrp own file to group 0': err(os.chown, p('open', 'new'), -1, 0),
               "chmod root's file": err(os.chmod, p('public'), 0o777),
               "chown root's file": err(os.chown, p('public'), 65534, 65534)})`;
        expect(r, `${t}`).toEqual({
          'file owner': [65534, 65534],
          'dir owner': [65534, 65534],
          'reopen own 0600 file read-write': 'ok',
          'chmod own file': 'ok',
          'chgrp own file to own group': 'ok',
          'chown own file to root': 'EPERM',
          'chgrp own file to group 0': 'EPERM',
          "chmod root's file": 'EPERM',
          "chown root's file": 'EPERM',
        });
      });

      test_('explicit times need ownership (EPERM); "now" needs write permission (EACCES)', async () => {
        const t = await fresh('perm-utime');
        await setup(t);
        const r = await t.nobody`
          out({"explicit times on root's 0666 file": err(os.utime, p('shared'), ns=(0, 0)),
               "now on root's 0666 file": err(os.utime, p('shared')),
               "now on root's 0644 file": err(os.utime, p('public')),
               'explicit times on own file': err(os.utime, p('nobodys'), ns=(10**18, 10**18))})`;
        expect(r, `${t}`).toEqual({
          "explicit times on root's 0666 file": 'EPERM',
          "now on root's 0666 file": 'ok',
          "now on root's 0644 file": 'EACCES',
          'explicit times on own file': 'ok',
        });
      });

      test_('root may read and write regardless of the bits, but not execute a file with no x bit', async () => {
        const t = await fresh('perm-root');
        await setup(t);
        const r = await t.py`
          import subprocess
          os.chmod(p('nobodys'), 0o000)
          try:
              ran = subprocess.run([p('script')], capture_output=True, timeout=10).returncode
          except OSError as e:
              ran = errno.errorcode[e.errno]
          out({"read nobody's 0000 file": err(read_file, p('nobodys')),
               "write nobody's 0000 file": err(os.open, p('nobodys'), os.O_WRONLY),
               'list a 0700 dir': err(os.listdir, p('closed')),
               'exec a 0644 script': ran})`;
        expect(r, `${t}`).toEqual({
          "read nobody's 0000 file": 'ok',
          "write nobody's 0000 file": 'ok',
          'list a 0700 dir': 'ok',
          'exec a 0644 script': 'EACCES',
        });
      });
    });

    describe('xattrs', () => {
      const test_ = check(py, claims('xattrs'));
      test_('set, get, list and remove on files and directories, including binary and empty values', async () => {
        const t = await fresh('xattr');
        const r = await t.py`
          touch(p('f'))
          os.mkdir(p('d'))
          res = {}
          for n in 'fd':
              os.setxattr(p(n), 'user.a', b'1')
              os.setxattr(p(n), 'user.bin', b'\x00bin\xff\x00')
              os.setxattr(p(n), 'user.empty', b'')
              got = [os.getxattr(p(n), 'user.a').hex(), os.getxattr(p(n), 'user.bin').hex(), os.getxattr(p(n), 'user.empty').hex()]
              listed = sorted(x for x in os.listxattr(p(n)) if x.startswith('user.'))
              os.removexattr(p(n), 'user.a')
              res[n] = {'values': got, 'listed': listed, 'get removed': err(os.getxattr, p(n), 'user.a'),
                        'listed after remove': sorted(x for x in os.listxattr(p(n)) if x.startswith('user.'))}
          out(res)`;
        const each = {
          values: ['31', '0062696eff00', ''],
          listed: ['user.a', 'user.bin', 'user.empty'],
          'get removed': 'ENODATA',
          'listed after remove': ['user.bin', 'user.empty'],
        };
        expect(r, `${t}`).toEqual({ f: each, d: each });
      });

      test_('a size-0 probe returns the size; a buffer too small fails with ERANGE', async () => {
        const t = await fresh('xattr-probe');
        const r = await t.py`
          touch(p('f'))
          value = pattern(100, 7)
          os.setxattr(p('f'), 'user.big', value)
          big = pattern(3000, 8)
          os.setxattr(p('f'), 'user.huge', big)
          size = raw_getxattr(p('f'), 'user.big', 0)
          list_size = raw_listxattr(p('f'), 0)
          out({'getxattr size 0': size, 'getxattr size 10': err(raw_getxattr, p('f'), 'user.big', 10),
               'getxattr exact size': raw_getxattr(p('f'), 'user.big', 100) == value,
               'listxattr size 0 fits the names': list_size >= len('user.big\0user.huge\0'),
               'listxattr one byte short': err(raw_listxattr, p('f'), list_size - 1),
               'listxattr exact size': sorted(x for x in raw_listxattr(p('f'), list_size) if x.startswith('user.')),
               'os.getxattr of 3000 bytes (retries after ERANGE)': os.getxattr(p('f'), 'user.huge') == big})`;
        expect(r, `${t}`).toEqual({
          'getxattr size 0': 100,
          'getxattr size 10': 'ERANGE',
          'getxattr exact size': true,
          'listxattr size 0 fits the names': true,
          'listxattr one byte short': 'ERANGE',
          'listxattr exact size': ['user.big', 'user.huge'],
          'os.getxattr of 3000 bytes (retries after ERANGE)': true,
        });
      });

      test_('XATTR_CREATE fails with EEXIST, XATTR_REPLACE with ENODATA; missing names ENODATA', async () => {
        const t = await fresh('xattr-flags');
        const r = await t.py`
          touch(p('f'))
          os.setxattr(p('f'), 'user.x', b'1')
          res = {'create existing': err(os.setxattr, p('f'), 'user.x', b'2', os.XATTR_CREATE),
                 'replace missing': err(os.setxattr, p('f'), 'user.y', b'2', os.XATTR_REPLACE),
                 'create new': err(os.setxattr, p('f'), 'user.z', b'3', os.XATTR_CREATE),
                 'replace existing': err(os.setxattr, p('f'), 'user.x', b'4', os.XATTR_REPLACE),
                 'get missing': err(os.getxattr, p('f'), 'user.missing'),
                 'remove missing': err(os.removexattr, p('f'), 'user.missing')}
          res['values'] = [os.getxattr(p('f'), 'user.x').decode(), os.getxattr(p('f'), 'user.z').decode()]
          out(res)`;
        expect(r, `${t}`).toEqual({
          'create existing': 'EEXIST',
          'replace missing': 'ENODATA',
          'create new': 'ok',
          'replace existing': 'ok',
          'get missing': 'ENODATA',
          'remove missing': 'ENODATA',
          values: ['4', '3'],
        });
      });

      check(py, features.xattrs ? `${name} claims xattrs` : undefined)(
        'without xattr support, xattr calls fail cleanly with EOPNOTSUPP',
        async () => {
          const t = await fresh('xattr-none');
          const r = await t.py`
            touch(p('f'))
            out({'setxattr': err(os.setxattr, p('f'), 'user.a', b'1'), 'getxattr': err(os.getxattr, p('f'), 'user.a'),
                 'listxattr': err(os.listxattr, p('f'))})`;
          expect(r.setxattr, `${t}`).toBe(EOPNOTSUPP);
          expect([EOPNOTSUPP, 'ENODATA'], `${t}: getxattr`).toContain(r.getxattr);
          expect([EOPNOTSUPP, 'ok'], `${t}: listxattr`).toContain(r.listxattr);
        },
      );
    });

    describe('POSIX record locks (fcntl)', () => {
      const test_ = check(py, claims('posixLocks'));
      test_('a write lock conflicts across processes, F_GETLK reports the holder, unlock releases it', async () => {
        const t = await fresh('lockf');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.write(fd, bytes(100))
          fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
          other = '''
          import struct
          fd = os.open(p('f'), os.O_RDWR)
          def lock(kind, length, start):
              code = err(fcntl.lockf, fd, kind | fcntl.LOCK_NB, length, start)
              return 'conflict' if code in ('EAGAIN', 'EACCES') else code
          q = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, os.SEEK_SET, 0, 100, 0))
          kind, whence, start, length, pid = struct.unpack('hhqqi4x', q)
          out({'overlapping write lock': lock(fcntl.LOCK_EX, 5, 5), 'overlapping read lock': lock(fcntl.LOCK_SH, 1, 9),
               'disjoint write lock': lock(fcntl.LOCK_EX, 10, 50),
               'F_GETLK': {'type': 'F_WRLCK' if kind == fcntl.F_WRLCK else kind, 'start': start, 'len': length, 'pid': pid}})
          '''
          held = child(other)
          holder_ok = held['F_GETLK']['pid'] == os.getpid()
          held['F_GETLK']['pid'] = 'the holder' if holder_ok else held['F_GETLK']['pid']
          fcntl.lockf(fd, fcntl.LOCK_UN, 10, 0)
          released = child(other)
          out({'while held': held, 'after unlock': released['overlapping write lock'],
               'F_GETLK after unlock': released['F_GETLK']['type']})`;
        expect(r, `${t}`).toEqual({
          'while held': {
            'overlapping write lock': 'conflict',
            'overlapping read lock': 'conflict',
            'disjoint write lock': 'ok',
            F_GETLK: { type: 'F_WRLCK', start: 0, len: 10, pid: 'the holder' },
          },
          'after unlock': 'ok',
          'F_GETLK after unlock': 2, // F_UNLCK
        });
      });

      test_('read locks share; a write lock conflicts with them', async () => {
        const t = await fresh('lockf-shared');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 0, 0)
          out(child('''
          fd = os.open(p('f'), os.O_RDWR)
          sh = err(fcntl.lockf, fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 0, 0)
          fcntl.lockf(fd, fcntl.LOCK_UN, 0, 0)
          ex = err(fcntl.lockf, fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0)
          out({'second read lock': sh, 'write lock': 'conflict' if ex in ('EAGAIN', 'EACCES') else ex})
          '''))`;
        expect(r, `${t}`).toEqual({ 'second read lock': 'ok', 'write lock': 'conflict' });
      });
    });

    describe('flock', () => {
      check(py, claims('flock'))('LOCK_EX excludes other open files until LOCK_UN', async () => {
        const t = await fresh('flock');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          fd2 = os.open(p('f'), os.O_RDWR)
          fcntl.flock(fd, fcntl.LOCK_EX)
          other = '''
          fd = os.open(p('f'), os.O_RDWR)
          out({'LOCK_EX': err(fcntl.flock, fd, fcntl.LOCK_EX | fcntl.LOCK_NB),
               'LOCK_SH': err(fcntl.flock, fd, fcntl.LOCK_SH | fcntl.LOCK_NB)})
          '''
          res = {'same process, other open file': err(fcntl.flock, fd2, fcntl.LOCK_EX | fcntl.LOCK_NB),
                 'other process while held': child(other)}
          fcntl.flock(fd, fcntl.LOCK_UN)
          res['other process after LOCK_UN'] = child(other)
          out(res)`;
        expect(r, `${t}`).toEqual({
          'same process, other open file': 'EAGAIN',
          'other process while held': { LOCK_EX: 'EAGAIN', LOCK_SH: 'EAGAIN' },
          'other process after LOCK_UN': { LOCK_EX: 'ok', LOCK_SH: 'ok' },
        });
      });
    });

    describe('statfs', () => {
      check(py, tool('df'))('statvfs reports consistent sizes and df works', async () => {
        const t = await fresh('statfs');
        const r = await t.py`
          import subprocess
          v = os.statvfs(D)
          df = subprocess.run(['df', '-P', D], capture_output=True, text=True, timeout=10)
          out({'f_bsize > 0': v.f_bsize > 0, 'f_frsize > 0': v.f_frsize > 0, 'f_blocks > 0': v.f_blocks > 0,
               'f_blocks >= f_bfree >= f_bavail': v.f_blocks >= v.f_bfree >= v.f_bavail,
               'f_files >= f_ffree': v.f_files >= v.f_ffree, 'f_namemax >= 255': v.f_namemax >= 255,
               'fstatvfs = statvfs': tuple(os.fstatvfs(os.open(D, os.O_RDONLY)))[:2] == tuple(v)[:2],
               'df exit code': df.returncode})`;
        expect(r, `${t}`).toEqual({
          'f_bsize > 0': true,
          'f_frsize > 0': true,
          'f_blocks > 0': true,
          'f_blocks >= f_bfree >= f_bavail': true,
          'f_files >= f_ffree': true,
          'f_namemax >= 255': true,
          'fstatvfs = statvfs': true,
          'df exit code': 0,
        });
      });
    });

    describe('fsync and fdatasync', () => {
      test('succeed on files (written or read-only), directories and O_SYNC writes', async () => {
        const t = await fresh('fsync');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.write(fd, b'durable')
          res = {'fsync': err(os.fsync, fd), 'fdatasync': err(os.fdatasync, fd)}
          ro = os.open(p('f'), os.O_RDONLY)
          res['fsync read-only fd'] = err(os.fsync, ro)
          dfd = os.open(D, os.O_RDONLY | os.O_DIRECTORY)
          res['fsync directory'] = err(os.fsync, dfd)
          sfd = os.open(p('s'), os.O_WRONLY | os.O_CREAT | os.O_SYNC, 0o644)
          res['O_SYNC write'] = os.write(sfd, b'sync')
          os.close(fd)
          res['data'] = [read_file(p('f')).decode(), read_file(p('s')).decode()]
          out(res)`;
        expect(r, `${t}`).toEqual({
          fsync: 'ok',
          fdatasync: 'ok',
          'fsync read-only fd': 'ok',
          'fsync directory': 'ok',
          'O_SYNC write': 4,
          data: ['durable', 'sync'],
        });
      });
    });

    describe('fallocate', () => {
      test('posix_fallocate extends with zeros and keeps existing data', async () => {
        const t = await fresh('posix-fallocate');
        const r = await t.py`
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.write(fd, b'abc')
          os.posix_fallocate(fd, 0, 1 << 20)
          size1 = os.fstat(fd).st_size
          os.posix_fallocate(fd, 0, 10)
          out({'size after 1 MiB': size1, 'size after a smaller range': os.fstat(fd).st_size,
               'data kept': os.pread(fd, 3, 0).decode(), 'zeros after': os.pread(fd, (1 << 20) - 3, 3) == bytes((1 << 20) - 3)})`;
        expect(r, `${t}`).toEqual({
          'size after 1 MiB': 1 << 20,
          'size after a smaller range': 1 << 20,
          'data kept': 'abc',
          'zeros after': true,
        });
      });

      const claim = features.fallocate ? 'supported' : 'not claimed, so they may fail with EOPNOTSUPP';
      test(`FALLOC_FL_KEEP_SIZE keeps the size; FALLOC_FL_PUNCH_HOLE zeroes a range (${claim})`, async () => {
        const t = await fresh('fallocate');
        const r = await t.py`
          data = pattern(65536, 9)
          write_file(p('f'), data)
          fd = os.open(p('f'), os.O_RDWR)
          keep = err(fallocate, fd, FALLOC_FL_KEEP_SIZE, 0, 1 << 20)
          size = os.fstat(fd).st_size
          punch = err(fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 8192)
          now = os.pread(fd, 1 << 20, 0)
          out({'keep size': keep, 'size after keep size': size, 'punch hole': punch, 'size after punch': len(now),
               'punched range': 'zeros' if now[4096:12288] == bytes(8192) else 'old data' if now[4096:12288] == data[4096:12288] else 'garbage',
               'outside the hole unchanged': now[:4096] == data[:4096] and now[12288:] == data[12288:]})`;
        const supported = features.fallocate || (r['keep size'] === 'ok' && r['punch hole'] === 'ok');
        expect(r, `${t}`).toEqual({
          'keep size': supported ? 'ok' : expect.stringMatching(/^(ok|EOPNOTSUPP)$/),
          'size after keep size': 65536,
          'punch hole': supported ? 'ok' : expect.stringMatching(/^(ok|EOPNOTSUPP)$/),
          'size after punch': 65536,
          'punched range': r['punch hole'] === 'ok' ? 'zeros' : 'old data',
          'outside the hole unchanged': true,
        });
      });
    });

    describe('copy_file_range', () => {
      test('copies ranges between files and within one file, at offsets', async () => {
        const t = await fresh('copy-file-range');
        const r = await t.py`
          src = pattern(300 * 1024 + 5, 10)
          write_file(p('src'), src)
          write_file(p('dst'), b'X' * 10)
          s = os.open(p('src'), os.O_RDONLY)
          d = os.open(p('dst'), os.O_RDWR)
          want, done = len(src) - 1000, 0
          while done < want:
              n = os.copy_file_range(s, d, want - done, 1000 + done, 5 + done)
              if n == 0:
                  break
              done += n
          dst = read_file(p('dst'))
          past_eof = os.copy_file_range(s, d, 100, len(src) + 10, 0)
          w = os.open(p('self'), os.O_RDWR | os.O_CREAT, 0o644)
          os.write(w, b'0123456789' + bytes(10))
          same = os.copy_file_range(w, w, 10, 0, 10)
          out({'copied': done, 'dst size': len(dst), 'head kept': dst[:5].decode(), 'copied bytes match': dst[5:] == src[1000:],
               'from past EOF': past_eof, 'within one file': [same, os.pread(w, 20, 0).decode()]})`;
        expect(r, `${t}`).toEqual({
          copied: 300 * 1024 + 5 - 1000,
          'dst size': 300 * 1024 + 10 - 1000,
          'head kept': 'XXXXX',
          'copied bytes match': true,
          'from past EOF': 0,
          'within one file': [10, '01234567890123456789'],
        });
      });
    });

    describe('lseek SEEK_DATA and SEEK_HOLE', () => {
      test('a dense file is data up to EOF, with the implicit hole at EOF; ENXIO past it', async () => {
        const t = await fresh('seek-dense');
        const r = await t.py`
          write_file(p('f'), pattern(10000, 11))
          fd = os.open(p('f'), os.O_RDONLY)
          out({'SEEK_DATA 0': os.lseek(fd, 0, os.SEEK_DATA), 'SEEK_HOLE 0': os.lseek(fd, 0, os.SEEK_HOLE),
               'SEEK_DATA 5000': os.lseek(fd, 5000, os.SEEK_DATA), 'SEEK_DATA at EOF': err(os.lseek, fd, 10000, os.SEEK_DATA),
               'SEEK_HOLE past EOF': err(os.lseek, fd, 20000, os.SEEK_HOLE), 'SEEK_END': os.lseek(fd, -10, os.SEEK_END),
               'SEEK_CUR': os.lseek(fd, 5, os.SEEK_CUR)})`;
        expect(r, `${t}`).toEqual({
          'SEEK_DATA 0': 0,
          'SEEK_HOLE 0': 10000,
          'SEEK_DATA 5000': 5000,
          'SEEK_DATA at EOF': 'ENXIO',
          'SEEK_HOLE past EOF': 'ENXIO',
          SEEK_END: 9990,
          SEEK_CUR: 9995,
        });
      });

      check(py, claims('seekData'))('SEEK_HOLE and SEEK_DATA find the hole in a sparse file', async () => {
        const t = await fresh('seek-sparse');
        const r = await t.py`
          M = 1 << 20
          fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
          os.pwrite(fd, pattern(4096, 12), 0)
          os.pwrite(fd, pattern(4096, 13), 4 * M)
          os.fsync(fd)
          hole = os.lseek(fd, 0, os.SEEK_HOLE)
          data = os.lseek(fd, hole, os.SEEK_DATA)
          out({'first hole starts after the first data, before the second': 4096 <= hole < 4 * M,
               'next data starts in the hole, at the latest at the second write': hole < data <= 4 * M,
               'hole at EOF': os.lseek(fd, 4 * M, os.SEEK_HOLE) == 4 * M + 4096, 'hole': hole, 'data': data})`;
        expect({ ...r, hole: undefined, data: undefined }, `${t}: SEEK_HOLE ${r.hole}, SEEK_DATA ${r.data}`).toEqual({
          'first hole starts after the first data, before the second': true,
          'next data starts in the hole, at the latest at the second write': true,
          'hole at EOF': true,
          hole: undefined,
          data: undefined,
        });
      });
    });

    describe('mknod: regular files, FIFOs and device nodes', () => {
      test('mknod S_IFREG creates an empty regular file', async () => {
        const t = await fresh('mknod-reg');
        const r = await t.py`
          os.mknod(p('f'), stat.S_IFREG | 0o640)
          s = os.lstat(p('f'))
          out({'regular': stat.S_ISREG(s.st_mode), 'mode': oct(stat.S_IMODE(s.st_mode)), 'size': s.st_size,
               'again': err(os.mknod, p('f'), stat.S_IFREG | 0o640)})`;
        expect(r, `${t}`).toEqual({ regular: true, mode: '0o640', size: 0, again: 'EEXIST' });
      });

      check(py, claims('fifo'))('mkfifo creates a FIFO that carries data between a writer and a reader', async () => {
        const t = await fresh('fifo');
        const r = await t.py`
          os.mkfifo(p('q'), 0o600)
          s = os.lstat(p('q'))
          rd = os.open(p('q'), os.O_RDONLY | os.O_NONBLOCK)
          wr = os.open(p('q'), os.O_WRONLY | os.O_NONBLOCK)
          os.write(wr, b'through the fifo')
          out({'is a fifo': stat.S_ISFIFO(s.st_mode), 'mode': oct(stat.S_IMODE(s.st_mode)), 'size': s.st_size,
               'read': os.read(rd, 100).decode(), 'listed': os.listdir(D)})`;
        expect(r, `${t}`).toEqual({
          'is a fifo': true,
          mode: '0o600',
          size: 0,
          read: 'through the fifo',
          listed: expect.arrayContaining(['q']),
        });
      });

      check(
        py,
        claims('deviceNodes'),
        root,
      )('mknod creates character and block devices with st_rdev', async () => {
        const t = await fresh('mknod-dev');
        const r = await t.py`
          os.mknod(p('null'), stat.S_IFCHR | 0o600, os.makedev(1, 3))
          os.mknod(p('loop'), stat.S_IFBLK | 0o600, os.makedev(7, 200))
          c, b = os.lstat(p('null')), os.lstat(p('loop'))
          out({'char': [stat.S_ISCHR(c.st_mode), os.major(c.st_rdev), os.minor(c.st_rdev)],
               'block': [stat.S_ISBLK(b.st_mode), os.major(b.st_rdev), os.minor(b.st_rdev)]})`;
        expect(r, `${t}`).toEqual({ char: [true, 1, 3], block: [true, 7, 200] });
      });
    });

    describe('find without -noleaf', () => {
      check(py, tool('find'))('lists every entry of a tree, trusting directory nlink', async () => {
        const t = await fresh('find');
        const r = await t.py`
          import subprocess
          expected = {'tree'}
          for a in range(4):
              for b in range(4):
                  d = os.path.join('tree', f'a{a}', f'b{b}')
                  os.makedirs(p(d), exist_ok=True)
                  expected |= {os.path.join('tree', f'a{a}'), d}
                  for c in range(3):
                      touch(p(d, f'f{c}'))
                      expected.add(os.path.join(d, f'f{c}'))
              touch(p('tree', f'a{a}', 'file'))
              expected.add(os.path.join('tree', f'a{a}', 'file'))
          def find(*args):
              r = subprocess.run(['find', 'tree', *args], cwd=D, capture_output=True, text=True, timeout=20)
              return {'exit': r.returncode, 'stderr': r.stderr, 'paths': r.stdout.split('\n')[:-1]}
          plain, noleaf, dirs = find(), find('-noleaf'), find('-type', 'd')
          out({'find exit': plain['exit'], 'stderr': plain['stderr'], 'missing': sorted(expected - set(plain['paths'])),
               'extra': sorted(set(plain['paths']) - expected), 'count': len(plain['paths']),
               'same as -noleaf': sorted(plain['paths']) == sorted(noleaf['paths']), '-type d count': len(dirs['paths'])})`;
        expect(r, `${t}`).toEqual({
          'find exit': 0,
          stderr: '',
          missing: [],
          extra: [],
          count: 1 + 4 + 16 + 48 + 4,
          'same as -noleaf': true,
          '-type d count': 1 + 4 + 16,
        });
      });
    });

    describe('client: gcc builds a multi-file C program on the filesystem and it runs', () => {
      check(tool('gcc'), tool('ar'))(
        'gcc -c each file, ar a library, link, run',
        async () => {
          const t = await fresh('gcc');
          await t.sh(
            String.raw`
mkdir -p src include tmp
cat > include/util.h <<'EOF'
#ifndef UTIL_H
#define UTIL_H
#include <stddef.h>
unsigned long fib(unsigned n);
unsigned long checksum(const char *path);
size_t write_squares(const char *path, unsigned n);
#endif
EOF
cat > src/fib.c <<'EOF'
#include "util.h"
unsigned long fib(unsigned n) { unsigned long a = 0, b = 1; while (n--) { unsigned long t = a + b; a = b; b = t; } return a; }
EOF
cat > src/io.c <<'EOF'
#include <stdio.h>
#include "util.h"
size_t write_squares(const char *path, unsigned n) {
  FILE *f = fopen(path, "w+");
  if (!f) { perror(path); return 0; }
  for (unsigned i = 0; i < n; i++) fprintf(f, "%u\n", i * i);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  return (size_t)size;
}
unsigned long checksum(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); return 0; }
  unsigned long sum = 0; int c;
  while ((c = fgetc(f)) != EOF) sum = sum * 31 + (unsigned char)c;
  fclose(f);
  return sum;
}
EOF
cat > src/main.c <<'EOF'
#include <stdio.h>
#include "util.h"
int main(void) {
  size_t size = write_squares("squares.txt", 1000);
  printf("fib(50)=%lu size=%zu sum=%lu\n", fib(50), size, checksum("squares.txt"));
  return size == 0;
}
EOF
export TMPDIR="$PWD/tmp"
gcc -O2 -Wall -Werror -Iinclude -c src/fib.c -o fib.o
gcc -O2 -Wall -Werror -Iinclude -c src/io.c -o io.o
gcc -O2 -Wall -Werror -Iinclude -c src/main.c -o main.o
ar rcs libutil.a fib.o io.o
gcc -o prog main.o -L. -lutil
gcc -O0 -g -Iinclude -o prog2 src/main.c src/fib.c src/io.c
`,
            { timeoutMs: 60_000 },
          );
          const run1 = await t.sh('./prog && test -s squares.txt');
          const run2 = await t.sh('./prog2');
          expect(run1.stdout, `${t}`).toMatch(/^fib\(50\)=12586269025 size=\d+ sum=\d+\n$/);
          expect(run2.stdout, `${t}`).toBe(run1.stdout);
        },
        90_000,
      );
    });

    describe('client: git', () => {
      check(tool('git'))(
        'init, add, commit, log, mv, rm, gc, fsck and clone',
        async () => {
          const t = await fresh('git');
          const env = baseEnv({
            HOME: t.p('home'),
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_AUTHOR_NAME: 'POSIX Suite',
            GIT_AUTHOR_EMAIL: 'suite@example.com',
            GIT_COMMITTER_NAME: 'POSIX Suite',
            GIT_COMMITTER_EMAIL: 'suite@example.com',
            GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
            GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z',
          });
          const r = await t.sh(
            String.raw`
mkdir home
git init -q -b main repo
cd repo
mkdir -p src/sub docs
for i in $(seq 1 30); do printf 'line %s\n' $(seq 1 $i) > src/file$i.txt; done
for i in $(seq 1 5); do echo "doc $i" > docs/doc$i.md; echo "sub $i" > src/sub/s$i; done
echo readme > README
git add -A
git commit -q -m first
echo more >> README
git rm -q src/file1.txt
git mv src/file2.txt src/renamed.txt
chmod +x src/file3.txt
git add -A
git commit -q -m second
echo "log: $(git log --format=%s | tr '\n' ' ')"
echo "status: [$(git status --porcelain)]"
echo "files: $(git ls-files | wc -l)"
git gc -q
git fsck --strict --no-progress
cd ..
git clone -q repo clone
cd clone
echo "clone log: $(git log --format=%s | tr '\n' ' ')"
echo "clone mode: $(git ls-files -s src/file3.txt | cut -c1-6)"
diff -r -x .git ../repo .
echo "diff: same"
`,
            { env, timeoutMs: 60_000 },
          );
          expect(r.stdout, `${t}`).toBe(
            [
              'log: second first ',
              'status: []',
              'files: 40',
              'clone log: second first ',
              'clone mode: 100755',
              'diff: same',
              '',
            ].join('\n'),
          );
        },
        90_000,
      );
    });

    describe('client: tar', () => {
      let archive = '';
      let local = '';
      beforeAll(async () => {
        if (!found.has('tar') || !found.has(PYTHON)) return;
        local = await mkdtemp(join(tmpdir(), 'posix-suite-tar-'));
        const maker = new Workdir('local disk', local);
        // The tree: every size class, a sparse file, long and unicode names,
        // nested and empty dirs, odd modes, fixed mtimes with nanoseconds,
        // and (when claimed) symlinks, hard links and a FIFO.
        await maker.py`
          import random
          rng = random.Random(42)
          root = p('src')
          os.makedirs(os.path.join(root, 'a', 'b', 'c', 'd'))
          os.makedirs(os.path.join(root, 'empty'))
          os.makedirs(os.path.join(root, 'dir with spaces', 'ünïcödé'))
          sizes = [0, 1, 511, 512, 513, 4095, 4096, 4097, 65536 + 7, 1 << 20, (1 << 20) + 3, 3 * 1024 * 1024 + 11]
          for i, n in enumerate(sizes + [rng.randrange(1, 200000) for _ in range(20)]):
              sub = ['', 'a', os.path.join('a', 'b'), os.path.join('a', 'b', 'c', 'd'), 'dir with spaces'][i % 5]
              write_file(os.path.join(root, sub, f'file{i:02d}.bin'), pattern(n, 100 + i))
          write_file(os.path.join(root, 'dir with spaces', 'ünïcödé', '日本語.txt'), 'unicode\n')
          write_file(os.path.join(root, 'l' * 200), 'long name\n')
          fd = os.open(os.path.join(root, 'sparse.img'), os.O_WRONLY | os.O_CREAT, 0o644)
          os.pwrite(fd, b'start', 0)
          os.pwrite(fd, b'middle', 3 << 20)
          os.ftruncate(fd, 8 << 20)
          os.close(fd)
          os.chmod(os.path.join(root, 'file10.bin'), 0o600)
          os.chmod(os.path.join(root, 'file15.bin'), 0o755)
          os.chmod(os.path.join(root, 'file20.bin'), 0o444)
          os.chmod(os.path.join(root, 'a', 'b', 'c'), 0o700)
          if ${features.symlinks ? 'True' : 'False'}:
              os.symlink('file00.bin', os.path.join(root, 'link-rel'))
              os.symlink('a/b/c/d', os.path.join(root, 'link-dir'))
              os.symlink('nowhere', os.path.join(root, 'link-dangling'))
          if ${features.hardlinks ? 'True' : 'False'}:
              os.link(os.path.join(root, 'file05.bin'), os.path.join(root, 'a', 'hard1'))
              os.link(os.path.join(root, 'file05.bin'), os.path.join(root, 'a', 'b', 'hard2'))
          if ${features.fifo ? 'True' : 'False'}:
              os.mkfifo(os.path.join(root, 'fifo'))
          stamp = 1_234_567_890_123_456_789
          for dirpath, dirnames, filenames in os.walk(root, topdown=False):
              for name in dirnames + filenames + ['']:
                  path = os.path.join(dirpath, name) if name else dirpath
                  stamp += 1_000_000_007
                  os.utime(path, ns=(stamp, stamp), follow_symlinks=False)`;
        archive = join(local, 'tree.tar');
        await maker.sh(`tar --format=posix --sparse -C src -cf ${archive} . && mkdir x && tar -xpf ${archive} -C x`);
      }, 60_000);
      afterAll(async () => {
        if (local) await rm(local, { recursive: true, force: true });
      });

      check(py, tool('tar'))(
        'extracts an archive with the same checksums, modes, links and times as on local disk; tar -d agrees; it archives back',
        async () => {
          const t = await fresh('tar');
          await t.sh(`mkdir x && tar -xpf ${archive} -C x`, { timeoutMs: 60_000 });
          // tar -d compares with the archive's nanosecond mtimes; a target without them may differ only there.
          const ns = features.nsTimestamps;
          const compare = await t.sh(`tar -df ${archive} -C x || true`, { timeoutMs: 60_000 });
          const differences = compare.stdout
            .split('\n')
            .filter((line) => line !== '' && (ns || !line.endsWith(': Mod time differs')));
          expect(differences, `${t}: tar -d`).toEqual([]);
          await t.sh(
            `mkdir ${local}/back && tar -C x --format=posix --sparse -cf ${local}/back.tar . && tar -xpf ${local}/back.tar -C ${local}/back`,
            { timeoutMs: 60_000 },
          );

          const r = await t.py`
            ns = ${ns ? 'True' : 'False'}
            local, here, back = manifest('${local}/x', ns), manifest(p('x'), ns), manifest('${local}/back', ns)
            diff = lambda a, b: {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
            out({'entries': len(local), 'differences from local disk': diff(local, here),
                 'round trip differences': diff(local, back)})`;
          expect(r['differences from local disk'], `${t}`).toEqual({});
          expect(r['round trip differences'], `${t}`).toEqual({});
          expect(r.entries).toBeGreaterThan(40);
        },
        90_000,
      );
    });

    describe('client: fio', () => {
      check(tool('fio'))(
        'random reads and writes verified with crc32c, aligned and unaligned, two jobs at once',
        async () => {
          const t = await fresh('fio');
          const job = [
            '[global]',
            `directory=${t.path}`,
            'ioengine=psync',
            'fallocate=none',
            'verify=crc32c',
            'verify_fatal=1',
            'do_verify=1',
            'randrepeat=1',
            'size=8m',
            '',
            '[aligned-randrw]',
            'rw=randrw',
            'rwmixread=50',
            'bs=4k',
            'numjobs=2',
            '',
            '[unaligned-randwrite]',
            'rw=randwrite',
            'bsrange=1k-64k',
            'bs_unaligned=1',
            'verify=crc32c',
            '',
          ].join('\n');
          const r = await t.sh(`cat > job.fio <<'EOF'\n${job}EOF\nfio --output-format=normal job.fio`, {
            timeoutMs: 60_000,
          });
          const errors = [...r.stdout.matchAll(/err=\s*(\d+)/g)].map((m) => Number(m[1]));
          expect(errors.length, `${t}: fio output\n${r.stdout}`).toBeGreaterThanOrEqual(3);
          expect(
            errors.every((e) => e === 0),
            `${t}: fio output\n${r.stdout}`,
          ).toBe(true);
          expect(r.stdout + r.stderr, `${t}`).not.toMatch(/verify:|bad magic|crc32c: verify failed/i);
        },
        90_000,
      );
    });

    describe('client: stress-ng filesystem stressors', () => {
      const stressors = [
        '--dir 1',
        '--dentry 1',
        '--rename 1',
        '--hdd 1 --hdd-bytes 8m',
        '--chmod 1',
        '--utime 1',
        '--seek 1 --seek-size 4m',
        '--open 1',
        features.hardlinks ? '--link 1' : '',
        features.symlinks ? '--symlink 1' : '',
        features.xattrs ? '--xattr 1' : '',
        features.posixLocks ? '--lockf 1' : '',
        features.flock ? '--flock 1' : '',
        features.fallocate ? '--fallocate 1 --fallocate-bytes 16m' : '',
      ].filter(Boolean);
      check(tool('stress-ng'))(
        `runs ${stressors.map((s) => s.split(' ')[0]?.slice(2)).join(', ')} for 8 s with --verify and no failure`,
        async () => {
          const t = await fresh('stress-ng');
          const r = await t.sh(
            `stress-ng --temp-path . --timeout 8 --verify --metrics-brief --log-brief ${stressors.join(' ')} 2>&1`,
            { timeoutMs: 60_000 },
          );
          expect(r.stdout, `${t}`).toMatch(/^successful run completed/m);
          expect(r.stdout, `${t}`).not.toMatch(/failed: [1-9]|fail:|error:/i);
        },
        90_000,
      );
    });
  });
}
