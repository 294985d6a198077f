/**
 * Bad input and abuse, on real mounts. Every reply method gets wrong types,
 * NaN, Infinity, negative and unsafe integers, strings with NUL or '/',
 * oversized buffers and names (one table, one mount, one client process for
 * all of it): the JS side gets a TypeError / RangeError in the library's
 * message style, the kernel caller gets EIO (never a hang), and the session
 * keeps serving. Also: session methods and mount() with bad values, replies
 * after unmount (also across sessions), handlers that never reply
 * (requestTimeout), reply twice or fail with values that are not Errors, and
 * the warning for requests that come from the serving process itself.
 * Clients are child processes; this process only serves its mounts (and uses
 * fs.promises where a test is about its own requests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  promises as fsp,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import {
  type Attr,
  CAP,
  type CreateRequest,
  type Entry,
  FuseError,
  type GetattrRequest,
  type GetlkRequest,
  type GetxattrRequest,
  type IoctlRequest,
  type LinkRequest,
  type ListxattrRequest,
  type LookupRequest,
  type LseekRequest,
  type MkdirRequest,
  type MknodRequest,
  type MountOptions,
  mount,
  type OpendirRequest,
  type OpenRequest,
  type Operations,
  PollHandle,
  type PollRequest,
  type ReaddirRequest,
  type ReadlinkRequest,
  type ReadRequest,
  type Request,
  type Session,
  type SetattrRequest,
  type StatfsRequest,
  type SymlinkRequest,
  type WriteRequest,
} from '../lib/index.js';
import {
  cleanup,
  client,
  describeMount,
  isMounted,
  run,
  tempMountpoint,
  waitFor,
  withSession,
} from './helpers/fuse.js';

const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const { S_IFDIR, S_IFREG, S_IFLNK } = constants;
const ROOT = 1;
const PLAIN = 2;

type ErrorClass = TypeErrorConstructor | RangeErrorConstructor | ErrorConstructor;

/** What a call threw (or what a promise it returned rejected with); fails if neither happened. */
async function failureOf(call: () => unknown): Promise<Error> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  try {
    await result;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw or a rejection, but the call succeeded');
}

/** What a synchronous call threw; fails if it did not throw. */
function thrownBy(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw, but nothing was thrown');
}

/** Collects a session's 'error' events. */
function errorsOf(session: Session): { error: Error; op: string }[] {
  const seen: { error: Error; op: string }[] = [];
  session.on('error', (error, op) => seen.push({ error, op }));
  return seen;
}

/** A regular file's entry, not cached at all (every access asks again). */
function fileEntry(ino: number, size = 3): Entry {
  return { ino, attr: { ino, mode: S_IFREG | 0o666, nlink: 1, size }, attrTimeout: 0, entryTimeout: 0 };
}

/** Runs a python3 script in a child (with the helpers below); it prints one JSON value. */
async function py<T = unknown>(script: string, timeoutMs = 20_000): Promise<T> {
  const prelude = `import os, sys, json, errno, fcntl, struct, select, ctypes, threading
libc = ctypes.CDLL(None, use_errno=True)
def outcome(f):
    try:
        r = f()
        return r if isinstance(r, str) else 'ok'
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
def checked(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r
def withfd(p, flags, f):
    fd = os.open(p, flags)
    try:
        return f(fd)
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
def rd(p): withfd(p, os.O_RDONLY, lambda fd: os.pread(fd, 10, 0))
def wr(p): withfd(p, os.O_WRONLY, lambda fd: os.pwrite(fd, b'hello', 0))
def probe(p): checked(libc.getxattr(p.encode(), b'user.x', None, ctypes.c_size_t(0)))
def lprobe(p): checked(libc.listxattr(p.encode(), None, ctypes.c_size_t(0)))
def getlk(p): withfd(p, os.O_RDWR, lambda fd: fcntl.fcntl(fd, 5, struct.pack('hh4xqqi4x', 1, 0, 0, 10, 0)))
def ioctl(p): withfd(p, os.O_RDWR, lambda fd: fcntl.ioctl(fd, (2 << 30) | (4 << 16) | (ord('q') << 8) | 1, bytearray(4), True))
def seekdata(p): withfd(p, os.O_RDONLY, lambda fd: os.lseek(fd, 0, os.SEEK_DATA))
def pollnow(p):
    def f(fd):
        q = select.poll()
        q.register(fd, select.POLLIN)
        ev = sum(e for (x, e) in q.poll(0) if x == fd)
        names = [n for (n, b) in [('POLLIN', select.POLLIN), ('POLLERR', select.POLLERR)] if ev & b]
        return ','.join(names) or 'none'
    return withfd(p, os.O_RDWR, f)
`;
  const result = await run('python3', ['-c', `${prelude}${script}`], timeoutMs);
  if (result.code !== 0) throw new Error(`python3 failed (${result.code ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

// ---------------------------------------------------------------------------
// The table: one row per bad value of a reply method.

/** The request each operation of the table hands its handler. */
interface RequestOf {
  lookup: LookupRequest;
  getattr: GetattrRequest;
  setattr: SetattrRequest;
  readlink: ReadlinkRequest;
  open: OpenRequest;
  opendir: OpendirRequest;
  read: ReadRequest;
  write: WriteRequest;
  readdir: ReaddirRequest;
  create: CreateRequest;
  mkdir: MkdirRequest;
  mknod: MknodRequest;
  symlink: SymlinkRequest;
  link: LinkRequest;
  statfs: StatfsRequest;
  getxattr: GetxattrRequest;
  listxattr: ListxattrRequest;
  getlk: GetlkRequest;
  ioctl: IoctlRequest;
  poll: PollRequest;
  lseek: LseekRequest;
}
type OpName = keyof RequestOf;

/** How the client makes each operation's request (`p` is the row's path, `d` the mountpoint). */
const ACTION: Record<OpName, string> = {
  lookup: 'os.stat(p)',
  getattr: 'os.stat(p)',
  setattr: 'os.truncate(p, 1)',
  readlink: 'os.readlink(p)',
  open: 'rd(p)',
  opendir: 'os.listdir(p)',
  read: 'rd(p)',
  write: 'wr(p)',
  readdir: 'os.listdir(p)',
  create: 'os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))',
  mkdir: 'os.mkdir(p)',
  mknod: 'os.mkfifo(p)',
  symlink: "os.symlink('target', p)",
  link: "os.link(d + '/plain', p)",
  statfs: 'os.statvfs(p)',
  getxattr: "os.getxattr(p, 'user.x')",
  listxattr: 'os.listxattr(p)',
  getlk: 'getlk(p)',
  ioctl: 'ioctl(p)',
  poll: 'pollnow(p)',
  lseek: 'seekdata(p)',
};

/** Operations that create their name: the row's name does not exist before. */
const CREATING = new Set<OpName>(['create', 'mkdir', 'mknod', 'symlink', 'link']);

interface ReplyCase {
  /** What is wrong, for the test name. */
  label: string;
  op: OpName;
  /** The entry's name in the root directory (and its inode, 100 + index). */
  name: string;
  ino: number;
  bad: (req: Request) => void;
  /** What the call must throw; undefined: it must not throw. */
  error: ErrorClass | undefined;
  message: string | RegExp | undefined;
  /** What the kernel caller sees. */
  caller: string;
  action: string;
  /** Whether the failing call answered the request itself (a reply does; add() leaves it to the session). */
  answers: boolean;
  /** Filled in by the handler: what each call threw, and whether the request was answered then. */
  thrown: { error: unknown; answered: boolean }[];
}

const CASES: ReplyCase[] = [];

/**
 * Rows for one reply method: `add(bad, error, tail)` expects `bad(req)` to throw
 * `error` with the message `<op>.<method>: <tail>` (or matching a RegExp).
 * `error` undefined: the call must not throw, and the caller sees `more.caller`.
 */
function rows<O extends OpName>(op: O, method: string, defaults: { caller?: string; action?: string } = {}) {
  return (
    bad: (req: RequestOf[O]) => void,
    error: ErrorClass | undefined,
    tail: string | RegExp,
    more: { caller?: string; action?: string; label?: string } = {},
  ): void => {
    const index = CASES.length;
    CASES.push({
      label: `${method}: ${more.label ?? String(tail)}`,
      op,
      name: `c${index}`,
      ino: 100 + index,
      bad: bad as (req: Request) => void,
      error,
      message: error === undefined ? undefined : typeof tail === 'string' ? `${op}.${method}: ${tail}` : tail,
      caller: more.caller ?? defaults.caller ?? 'EIO',
      action: more.action ?? defaults.action ?? ACTION[op],
      // add() does not answer: the session answers EIO when the handler throws.
      answers: method !== 'add',
      thrown: [],
    });
  };
}

/** Descriptors the replyFd rows use: of a directory, and write-only. Opened in beforeAll. */
const fds = { dir: -1, writeOnly: -1 };
const REG: Attr = { mode: S_IFREG | 0o644 };
const INF = Number.POSITIVE_INFINITY;
const NAN = Number.NaN;
const R = RangeError;
const T = TypeError;
const UINT = 'a non-negative safe integer';
const U64 = 'a non-negative integer below 2^64 (number or bigint)';
const U64T = 'a non-negative integer (number or bigint)';
const I63 = 'an integer from 0 to 9223372036854775807';
const MODE = 'an integer from 0 to 65535';
const U32 = 'an integer from 0 to 4294967295';
const SECONDS = 'a finite, non-negative number of seconds';
const NAME = "a non-empty name of at most 255 bytes without '/' or NUL";
const BYTES = 'a Buffer or Uint8Array';
const x57 = `"${'x'.repeat(57)}..."`;
const FILE_TYPE = 'a file type (S_IFREG, S_IFDIR, S_IFLNK …) with permission bits, e.g. 0o100644';
const TARGET = 'a non-empty path of at most 4095 bytes without NUL';
const e57 = `"${'é'.repeat(57)}..."`;

{
  const add = rows('lookup', 'replyEntry');
  add((r) => r.replyEntry({ ino: INF, attr: REG }), R, `entry.ino must be ${U64}, got Infinity`);
  add((r) => r.replyEntry({ ino: '5' as never, attr: REG }), T, `entry.ino must be ${U64T}, got "5"`);
  add((r) => r.replyEntry({ ino: -5n, attr: REG }), R, `entry.ino must be ${U64}, got -5n`);
  add((r) => r.replyEntry({ ino: 2n ** 64n, attr: REG }), R, `entry.ino must be ${U64}, got 18446744073709551616n`);
  add((r) => r.replyEntry({ ino: 5, attr: { mode: 0o644 } }), R, `attr.mode must be ${FILE_TYPE}, got 420`);
  add((r) => r.replyEntry(null as never), T, 'entry must be an object, got null');
  add((r) => r.replyEntry([] as never), T, 'entry must be an object, got an array');
  add(
    (r) => r.replyEntry({ ino: 5, attr: REG, entryTimeout: INF }),
    R,
    `entry.entryTimeout must be ${SECONDS}, got Infinity`,
  );
  add(
    (r) => r.replyEntry({ ino: 5, attr: REG, attrTimeout: '1' as never }),
    T,
    'entry.attrTimeout must be a non-negative number of seconds, got "1"',
  );
  add((r) => r.replyEntry({ ino: 5, attr: REG, generation: -1 }), R, `entry.generation must be ${U64}, got -1`);
  add((r) => r.replyEntry({ ino: 5, attr: { ...REG, uid: 2 ** 32 } }), R, `attr.uid must be ${U32}, got 4294967296`);
  add(
    (r) => r.replyEntry({ ino: 5, attr: { ...REG, mtime: 'yesterday' as never } }),
    T,
    'attr.mtime must be a Date, milliseconds (number) or nanoseconds (bigint), got "yesterday"',
  );
  add(
    (r) => r.replyEntry({ ino: 5, attr: { ...REG, ctime: new Date(NAN) } }),
    R,
    'attr.ctime must be a finite time, got an object',
  );
  add(
    (r) => r.replyEntry({ ino: 5, attr: { ...REG, atime: -INF } }),
    R,
    'attr.atime must be a finite time, got -Infinity',
  );
}
{
  const add = rows('lookup', 'replyError');
  for (const errno of [-1, 4096, NAN, 1.5, INF, 'enoent', 'toString', null]) {
    add(
      (r) => r.replyError(errno as never),
      R,
      `errno must be a known errno name or an integer 1..511, got ${String(errno)}`,
    );
  }
}
{
  const add = rows('getattr', 'replyAttr');
  add((r) => r.replyAttr(undefined as never), T, 'attr must be an object, got undefined');
  add((r) => r.replyAttr(REG, INF), R, `timeout must be ${SECONDS}, got Infinity`);
  add((r) => r.replyAttr(REG, '1' as never), T, 'timeout must be a non-negative number of seconds, got "1"');
  add((r) => r.replyAttr({ ...REG, blocks: -5 }), R, `attr.blocks must be ${I63}, got -5`);
  add((r) => r.replyAttr({ ...REG, nlink: NAN }), R, `attr.nlink must be ${U32}, got NaN`);
  add((r) => r.replyAttr({ ...REG, size: 2 ** 53 + 2 }), R, `attr.size must be ${I63}, got 9007199254740994`);
  add((r) => r.replyAttr({ ...REG, size: 2n ** 63n }), R, `attr.size must be ${I63}, got 9223372036854775808n`);
  add((r) => r.replyAttr({ mode: 2 ** 32 }), R, `attr.mode must be ${MODE}, got 4294967296`);
  add((r) => r.replyAttr({ mode: 0o644 }), R, `attr.mode must be ${FILE_TYPE}, got 420`);
  add((r) => r.replyAttr({ mode: 0o170644 }), R, `attr.mode must be ${FILE_TYPE}, got 61860`);
}
{
  const add = rows('setattr', 'replyAttr');
  add((r) => r.replyAttr({ ...REG, size: NAN }), R, `attr.size must be ${I63}, got NaN`);
  add((r) => r.replyAttr({ ...REG, gid: -1 }), R, `attr.gid must be ${U32}, got -1`);
}
{
  const add = rows('open', 'replyOpen');
  for (const fh of [-1, 2 ** 53, 1.5, NAN]) add((r) => r.replyOpen(fh), R, `fh must be ${U64}, got ${fh}`);
  add((r) => r.replyOpen('3' as never), T, `fh must be ${U64T}, got "3"`);
  add((r) => r.replyOpen(0, 'direct' as never), T, 'options must be an object, got "direct"');
  add((r) => r.replyOpen(0, null as never), T, 'options must be an object, got null');
  rows('opendir', 'replyOpen')((r) => r.replyOpen(INF), R, `fh must be ${U64}, got Infinity`);
}
{
  const add = rows('read', 'replyBuf');
  add(
    (r) => r.replyBuf(Buffer.alloc(1 << 20)),
    R,
    'data must be at most 10 bytes (the size the kernel asked for), got 1048576',
  );
  add((r) => r.replyBuf(null as never), T, `data must be ${BYTES}, got null`);
  add((r) => r.replyBuf(new Float64Array(1) as never), T, `data must be ${BYTES}, got an object`);
  add((r) => r.replyBuf(new ArrayBuffer(4) as never), T, `data must be ${BYTES}, got an object`);
  add((r) => r.replyBuf([104, 105] as never), T, `data must be ${BYTES}, got an array`);
}
{
  const add = rows('read', 'replyFd');
  add((r) => r.replyFd(-1), R, 'fd must be an integer from 0 to 2147483647, got -1');
  add((r) => r.replyFd(2 ** 31), R, 'fd must be an integer from 0 to 2147483647, got 2147483648');
  add((r) => r.replyFd('0' as never), T, `fd must be ${UINT}, got "0"`);
  add((r) => r.replyFd(fds.dir, NAN), R, `position must be ${I63}, got NaN`);
  add((r) => r.replyFd(fds.dir, 2 ** 53), R, `position must be ${I63}, got 9007199254740992`);
  add((r) => r.replyFd(fds.dir, 0, r.size + 1), R, 'size must be an integer from 0 to 10, got 11');
  // Valid values, but an fd that cannot be read: libfuse answers the read error itself.
  add((r) => r.replyFd(fds.dir), undefined, 'a directory fd: no throw, the caller gets EISDIR', { caller: 'EISDIR' });
  add((r) => r.replyFd(fds.writeOnly), undefined, 'a write-only fd: no throw, the caller gets EBADF', {
    caller: 'EBADF',
  });
}
{
  const add = rows('write', 'replyWrite');
  for (const count of [6, -1, NAN, INF])
    add((r) => r.replyWrite(count), R, `count must be an integer from 0 to 5, got ${count}`);
  add((r) => r.replyWrite('5' as never), T, `count must be ${UINT}, got "5"`);
}
{
  const add = rows('create', 'replyCreate');
  add((r) => r.replyCreate(null as never), T, 'entry must be an object, got null');
  add((r) => r.replyCreate({ ino: 9, attr: {} as Attr }), T, `attr.mode must be ${UINT}, got undefined`);
  add((r) => r.replyCreate(fileEntry(9), -1), R, `fh must be ${U64}, got -1`);
  add((r) => r.replyCreate(fileEntry(9), 0, 5 as never), T, 'options must be an object, got 5');
  const dir = { mode: S_IFDIR | 0o755 };
  rows('mkdir', 'replyEntry')(
    (r) => r.replyEntry({ ino: INF, attr: dir }),
    R,
    `entry.ino must be ${U64}, got Infinity`,
  );
  const fifo = { mode: constants.S_IFIFO | 0o644, rdev: 2 ** 32 };
  rows('mknod', 'replyEntry')(
    (r) => r.replyEntry({ ino: 9, attr: fifo }),
    R,
    'attr.rdev must be an integer from 0 to 4294967295, got 4294967296',
  );
  const link = { mode: S_IFLNK | 0o777, size: -1 };
  rows('symlink', 'replyEntry')((r) => r.replyEntry({ ino: 9, attr: link }), R, `attr.size must be ${I63}, got -1`);
  const entry = { ...fileEntry(PLAIN), generation: NAN } as Entry;
  rows('link', 'replyEntry')((r) => r.replyEntry(entry), R, `entry.generation must be ${U64}, got NaN`);
}
{
  const add = rows('readlink', 'replyReadlink');
  add((r) => r.replyReadlink('x'.repeat(4096)), R, `target must be ${TARGET}, got ${x57}`);
  add((r) => r.replyReadlink('é'.repeat(2048)), R, `target must be ${TARGET}, got ${e57}`);
  add((r) => r.replyReadlink(42 as never), T, 'target must be a string or a Buffer, got 42');
  add((r) => r.replyReadlink(''), R, `target must be ${TARGET}, got ""`);
  add((r) => r.replyReadlink(Buffer.from('a\0b')), R, `target must be ${TARGET}, got an object`);
  add((r) => r.replyReadlink('\ud800'), R, 'target has a lone surrogate that is not an escaped byte (U+DC80-U+DCFF)');
}
{
  const add = rows('readdir', 'add');
  add((r) => r.add('', 5, S_IFREG, 1), R, `name must be ${NAME}, got ""`);
  add((r) => r.add('/', 5, S_IFREG, 1), R, `name must be ${NAME}, got "/"`);
  add((r) => r.add('x'.repeat(256), 5, S_IFREG, 1), R, `name must be ${NAME}, got ${x57}`);
  add((r) => r.add('é'.repeat(128), 5, S_IFREG, 1), R, `name must be ${NAME}, got ${e57}`);
  add((r) => r.add(42 as never, 5, S_IFREG, 1), T, 'name must be a string or a Buffer, got 42');
  add((r) => r.add(Buffer.from('a/b'), 5, S_IFREG, 1), R, `name must be ${NAME}, got an object`);
  add((r) => r.add('a', 5, S_IFREG, 0), R, 'nextOffset must be a positive integer, got 0');
  for (const next of [-1, NAN, 2 ** 53])
    add((r) => r.add('a', 5, S_IFREG, next), R, `nextOffset must be ${I63}, got ${next}`);
  add((r) => r.add('a', 5, S_IFREG, '1' as never), T, `nextOffset must be ${U64T}, got "1"`);
  add((r) => r.add('a', -1, S_IFREG, 1), R, `ino must be ${U64}, got -1`);
  add(
    (r) => r.add('a', 0, S_IFREG, 1),
    R,
    'ino must be a positive integer (an entry with inode 0 is not listed), got 0',
  );
  add((r) => r.add('a', 5, '0' as never, 1), T, `mode must be ${UINT}, got "0"`);
}
{
  const add = rows('statfs', 'replyStatfs');
  add((r) => r.replyStatfs(null as never), T, 'stats must be an object, got null');
  add((r) => r.replyStatfs({ bsize: INF }), R, `stats.bsize must be ${U64}, got Infinity`);
  add((r) => r.replyStatfs({ namemax: -1 }), R, `stats.namemax must be ${U64}, got -1`);
  add((r) => r.replyStatfs({ files: '1' as never }), T, `stats.files must be ${U64T}, got "1"`);
}
{
  const notProbe =
    /^(get|list)xattr\.replyXattrSize: only a size-0 probe takes a size reply; this request has size \d+$/;
  const size = rows('getxattr', 'replyXattrSize', { action: 'probe(p)' });
  size((r) => r.replyXattrSize(4), R, notProbe, { action: ACTION.getxattr, label: 'on a request that is no probe' });
  size((r) => r.replyXattrSize(-1), R, `size must be ${U32}, got -1`);
  size((r) => r.replyXattrSize(2 ** 32), R, `size must be ${U32}, got 4294967296`);
  size((r) => r.replyXattrSize('3' as never), T, `size must be ${UINT}, got "3"`);
  rows('getxattr', 'replyValue')((r) => r.replyValue(42 as never), T, `data must be ${BYTES}, got 42`);
  const tooMuch = /^getxattr\.replyBuf: data must be at most \d+ bytes \(the size the kernel asked for\), got \d+$/;
  rows('getxattr', 'replyBuf')((r) => r.replyBuf(Buffer.alloc(r.size + 1)), R, tooMuch, { label: 'beyond req.size' });
  const lsize = rows('listxattr', 'replyXattrSize', { action: 'lprobe(p)' });
  lsize((r) => r.replyXattrSize(4), R, notProbe, { action: ACTION.listxattr, label: 'on a request that is no probe' });
  lsize((r) => r.replyXattrSize(NAN), R, `size must be ${U32}, got NaN`);
  const names = rows('listxattr', 'replyNames');
  const cstr = 'a non-empty name of at most 255 bytes without NUL';
  names((r) => r.replyNames(['user.a\0b']), R, `names[0] must be ${cstr}, got "user.a\\u0000b"`);
  names(
    (r) => r.replyNames([`user.${'x'.repeat(251)}`]),
    R,
    `names[0] must be ${cstr}, got "user.${'x'.repeat(52)}..."`,
  );
  names((r) => r.replyNames('user.a' as never), T, 'names must be an array of strings or Buffers, got "user.a"');
  names((r) => r.replyNames([42 as never]), T, 'names[0] must be a string or a Buffer, got 42');
}
{
  const add = rows('getlk', 'replyLock');
  const type = 'lock.type (F_RDLCK 0, F_WRLCK 1, F_UNLCK 2)';
  add((r) => r.replyLock({ type: 3, start: 0, length: 0 }), R, `${type} must be an integer from 0 to 2, got 3`);
  add((r) => r.replyLock({ type: '1' as never, start: 0, length: 0 }), T, `${type} must be ${UINT}, got "1"`);
  add((r) => r.replyLock({ type: 2, start: -1, length: 0 }), R, `lock.start must be ${I63}, got -1`);
  add((r) => r.replyLock({ type: 2, start: 0, length: NAN }), R, `lock.length must be ${I63}, got NaN`);
  add(
    (r) => r.replyLock({ type: 2, start: 0, length: 0, pid: 2 ** 31 }),
    R,
    'lock.pid must be an integer from 0 to 2147483647, got 2147483648',
  );
  add((r) => r.replyLock(undefined as never), T, 'lock must be an object, got undefined');
}
{
  const add = rows('ioctl', 'replyIoctl');
  add(
    (r) => r.replyIoctl(0, Buffer.alloc(r.outputSize + 1)),
    R,
    'output must be at most 4 bytes (the size the kernel asked for), got 5',
  );
  add((r) => r.replyIoctl(0, 'abcd' as never), T, `output must be ${BYTES}, got "abcd"`);
  add((r) => r.replyIoctl(2 ** 31), R, 'result must be a 32-bit integer, got 2147483648');
  add((r) => r.replyIoctl(NAN), R, 'result must be a 32-bit integer, got NaN');
  // A wrong type is a TypeError, and a string shows quoted (lib/validate.ts).
  add((r) => r.replyIoctl('0' as never), T, 'result must be a 32-bit integer, got "0"');
  const retry = rows('ioctl', 'replyIoctlRetry');
  retry(
    (r) => r.replyIoctlRetry('x' as never, []),
    T,
    /^ioctl\.replyIoctlRetry: input must be an array of \{ base, length \}/,
    { label: 'input not an array' },
  );
  retry((r) => r.replyIoctlRetry([{ base: -1, length: 4 }], []), R, `input[0].base must be ${UINT}, got -1`);
}
{
  // poll(2) reports an error answer to the poll request as POLLERR.
  const add = rows('poll', 'replyPoll', { caller: 'POLLERR' });
  for (const revents of [-1, 2 ** 32, NAN])
    add((r) => r.replyPoll(revents), R, `revents must be ${U32}, got ${revents}`);
  add((r) => r.replyPoll('1' as never), T, `revents must be ${UINT}, got "1"`);
}
{
  const add = rows('lseek', 'replyLseek');
  for (const offset of [-1, 2 ** 53, INF]) add((r) => r.replyLseek(offset), R, `offset must be ${I63}, got ${offset}`);
  add((r) => r.replyLseek('0' as never), T, `offset must be ${U64T}, got "0"`);
}

/**
 * The table's filesystem: the root holds `plain` (inode 2) and one entry per
 * row (`c<i>`, inode 100 + i; rows of creating operations do not exist yet).
 * A row's operation runs its bad call (and rethrows what it threw); every
 * other request is answered properly. Nothing is cached.
 */
function tableFs(cases: readonly ReplyCase[]): Operations {
  const byName = new Map(cases.map((c) => [c.name, c]));
  const byIno = new Map(cases.map((c) => [c.ino, c]));
  const kindOf = (c: ReplyCase) =>
    c.op === 'readdir' || c.op === 'opendir'
      ? S_IFDIR | 0o755
      : c.op === 'readlink'
        ? S_IFLNK | 0o777
        : S_IFREG | 0o666;
  const attrOf = (ino: number): Attr => {
    if (ino === ROOT) return { ino, mode: S_IFDIR | 0o755, nlink: 2 };
    const c = byIno.get(ino);
    return { ino, mode: c === undefined ? S_IFREG | 0o666 : kindOf(c), nlink: 1, size: 3 };
  };
  /** The row this request belongs to, if its operation is the row's. */
  const rowOf = (op: OpName, key: number | string | undefined): ReplyCase | undefined => {
    const c = typeof key === 'string' ? byName.get(key) : key === undefined ? undefined : byIno.get(key);
    return c?.op === op ? c : undefined;
  };
  const attack = (c: ReplyCase, req: Request): void => {
    try {
      c.bad(req);
    } catch (error) {
      c.thrown.push({ error, answered: req.answered });
      throw error;
    }
    c.thrown.push({ error: undefined, answered: req.answered });
  };
  const entryOf = (ino: number): Entry => ({ ino, attr: attrOf(ino), attrTimeout: 0, entryTimeout: 0 });
  return {
    lookup(req) {
      const c = req.parent === ROOT ? byName.get(req.name) : undefined;
      if (c?.op === 'lookup') return attack(c, req);
      if (c !== undefined && !CREATING.has(c.op)) return req.replyEntry(entryOf(c.ino));
      if (req.parent === ROOT && req.name === 'plain') return req.replyEntry(entryOf(PLAIN));
      req.replyError('ENOENT');
    },
    getattr(req) {
      const c = rowOf('getattr', req.ino);
      if (c) return attack(c, req);
      req.replyAttr(attrOf(req.ino), 0);
    },
    setattr(req) {
      const c = rowOf('setattr', req.ino);
      if (c) return attack(c, req);
      req.replyAttr(attrOf(req.ino), 0);
    },
    readlink(req) {
      const c = rowOf('readlink', req.ino);
      if (c) return attack(c, req);
      req.replyReadlink('target');
    },
    open(req) {
      const c = rowOf('open', req.ino);
      if (c) return attack(c, req);
      req.replyOpen(0, { directIo: true });
    },
    opendir(req) {
      const c = rowOf('opendir', req.ino);
      if (c) return attack(c, req);
      req.replyOpen(0);
    },
    read(req) {
      const c = rowOf('read', req.ino);
      if (c) return attack(c, req);
      req.replyBuf(Buffer.alloc(Math.min(3, req.size), 'a'));
    },
    write(req) {
      const c = rowOf('write', req.ino);
      if (c) return attack(c, req);
      req.replyWrite(req.size);
    },
    readdir(req) {
      const c = rowOf('readdir', req.ino);
      if (c) return attack(c, req);
      if (req.offset === 0) req.add('.', req.ino, S_IFDIR, 1);
      req.replyDirents();
    },
    create(req) {
      const c = req.parent === ROOT ? rowOf('create', req.name) : undefined;
      if (c) return attack(c, req);
      req.replyError('EACCES');
    },
    mkdir(req) {
      const c = req.parent === ROOT ? rowOf('mkdir', req.name) : undefined;
      if (c) return attack(c, req);
      req.replyError('EACCES');
    },
    mknod(req) {
      const c = req.parent === ROOT ? rowOf('mknod', req.name) : undefined;
      if (c) return attack(c, req);
      req.replyError('EACCES');
    },
    symlink(req) {
      const c = req.parent === ROOT ? rowOf('symlink', req.name) : undefined;
      if (c) return attack(c, req);
      req.replyError('EACCES');
    },
    link(req) {
      const c = req.newParent === ROOT ? rowOf('link', req.newName) : undefined;
      if (c) return attack(c, req);
      req.replyError('EACCES');
    },
    statfs(req) {
      const c = rowOf('statfs', req.ino);
      if (c) return attack(c, req);
      req.replyStatfs({});
    },
    getxattr(req) {
      const c = req.name === 'user.x' ? rowOf('getxattr', req.ino) : undefined;
      if (c) return attack(c, req);
      req.replyError('ENODATA');
    },
    listxattr(req) {
      const c = rowOf('listxattr', req.ino);
      if (c) return attack(c, req);
      req.replyNames([]);
    },
    getlk(req) {
      const c = rowOf('getlk', req.ino);
      if (c) return attack(c, req);
      req.replyLock({ ...req.lock, type: 2 });
    },
    setlk(req) {
      req.replyOk();
    },
    ioctl(req) {
      const c = rowOf('ioctl', req.ino);
      if (c) return attack(c, req);
      req.replyError('ENOTTY');
    },
    poll(req) {
      const c = rowOf('poll', req.ino);
      if (c) return attack(c, req);
      req.replyPoll(0);
    },
    lseek(req) {
      const c = rowOf('lseek', req.ino);
      if (c) return attack(c, req);
      req.replyLseek(req.offset);
    },
  };
}

describeMount('reply methods with bad values: one mount, one client, a row per value', () => {
  let dir = '';
  let scratch = '';
  let session: Session | undefined;
  let events: { error: Error; op: string }[] = [];
  let results: Record<string, string> = {};

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'fuse-lowlevel-abuse-fds-'));
    fds.dir = openSync(scratch, 'r');
    fds.writeOnly = openSync(join(scratch, 'write-only'), 'w');
    dir = tempMountpoint();
    session = await mount(dir, tableFs(CASES), { unmountTimeout: 2000 });
    events = errorsOf(session);
    const calls = CASES.map((c) => `r[${JSON.stringify(c.name)}] = outcome(lambda p=d + '/${c.name}': ${c.action})`);
    results = await py<Record<string, string>>(
      `d = ${JSON.stringify(dir)}
r = {}
${calls.join('\n')}
r['control stat'] = outcome(lambda: os.stat(d + '/plain'))
r['control read'] = outcome(lambda: rd(d + '/plain'))
print(json.dumps(r))`,
      25_000,
    );
  }, 30_000);

  afterAll(async () => {
    await cleanup(session, dir);
    for (const fd of [fds.dir, fds.writeOnly]) if (fd >= 0) closeSync(fd);
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.op} ${c.label.replaceAll('\0', '\\0')}`, () => {
      expect(results[c.name], 'what the kernel caller saw').toBe(c.caller);
      expect(c.thrown.length, 'the handler ran').toBeGreaterThanOrEqual(1);
      for (const { error, answered } of c.thrown) {
        if (c.error === undefined) {
          expect(error).toBeUndefined();
          continue;
        }
        expect(error).toBeInstanceOf(c.error);
        const message = (error as Error).message;
        if (typeof c.message === 'string') expect(message).toBe(c.message);
        else expect(message).toMatch(c.message as RegExp);
        expect(message.startsWith(`${c.op}.`), 'the message names the operation and the method').toBe(true);
        // A reply answers EIO itself before throwing; add() leaves the request to the session.
        expect(answered).toBe(c.answers);
        // Rethrown from the handler, it is reported once, as this operation's failure.
        const reported = events.filter((e) => e.error === error);
        expect(reported.map((e) => e.op)).toEqual([c.op]);
      }
    });
  }

  it('the session kept serving, nothing is pending, and nothing else was reported', () => {
    expect(results['control stat']).toBe('ok');
    expect(results['control read']).toBe('ok');
    expect(session?.mounted).toBe(true);
    expect(session?.inflight).toBe(0);
    const thrown = CASES.flatMap((c) => c.thrown.filter((t) => t.error !== undefined));
    expect(events).toHaveLength(thrown.length);
  });
});

// ---------------------------------------------------------------------------

describeMount('session methods with bad values', () => {
  it('notify* and retrieve: Infinity, unsafe integers, bigints, null, long names, bytes that are no Uint8Array', async () => {
    await withSession(helloOperations(), async (dir, session) => {
      // hello's data is now in the page cache (keepCache): a notification that slipped through would drop it.
      expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
      const s = session as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const cases: [string, unknown[], ErrorClass, string][] = [
        ['notifyInvalInode', [INF], RangeError, `notifyInvalInode: ino must be ${UINT}, got Infinity`],
        ['notifyInvalInode', [2 ** 53], RangeError, `notifyInvalInode: ino must be ${UINT}, got 9007199254740992`],
        ['notifyInvalInode', [2n], TypeError, `notifyInvalInode: ino must be ${UINT}, got 2n`],
        ['notifyInvalInode', [null], TypeError, `notifyInvalInode: ino must be ${UINT}, got null`],
        ['notifyInvalInode', [2, '0'], TypeError, `notifyInvalInode: offset must be ${UINT}, got "0"`],
        ['notifyInvalInode', [2, 0, INF], RangeError, `notifyInvalInode: length must be ${UINT}, got Infinity`],
        ['notifyInvalEntry', [ROOT, 'x'.repeat(256)], RangeError, `notifyInvalEntry: name must be ${NAME}, got ${x57}`],
        ['notifyInvalEntry', [ROOT, '/'], RangeError, `notifyInvalEntry: name must be ${NAME}, got "/"`],
        ['notifyInvalEntry', [ROOT, null], TypeError, 'notifyInvalEntry: name must be a string, got null'],
        [
          'notifyInvalEntry',
          [undefined, 'hello'],
          TypeError,
          `notifyInvalEntry: parent must be ${UINT}, got undefined`,
        ],
        ['notifyDelete', [ROOT, INF, 'hello'], RangeError, `notifyDelete: child must be ${UINT}, got Infinity`],
        ['notifyDelete', [ROOT, 2, 'hel\0lo'], RangeError, `notifyDelete: name must be ${NAME}, got "hel\\u0000lo"`],
        [
          'notifyDelete',
          [ROOT, 2, Buffer.from('hello')],
          TypeError,
          'notifyDelete: name must be a string, got an object',
        ],
        ['notifyDelete', [-1, 2, 'hello'], RangeError, `notifyDelete: parent must be ${UINT}, got -1`],
        [
          'notifyStore',
          [2, 0, new ArrayBuffer(4)],
          TypeError,
          'notifyStore: data must be a Buffer or Uint8Array, got an object',
        ],
        [
          'notifyStore',
          [2, 0, new Float64Array(1)],
          TypeError,
          'notifyStore: data must be a Buffer or Uint8Array, got an object',
        ],
        [
          'notifyStore',
          [2, 0, new DataView(new ArrayBuffer(1))],
          TypeError,
          'notifyStore: data must be a Buffer or Uint8Array, got an object',
        ],
        ['notifyStore', [2, 0, null], TypeError, 'notifyStore: data must be a Buffer or Uint8Array, got null'],
        [
          'notifyStore',
          [2, 2 ** 53, Buffer.from('x')],
          RangeError,
          `notifyStore: offset must be ${UINT}, got 9007199254740992`,
        ],
        ['notifyStore', [2, NAN, Buffer.from('x')], RangeError, `notifyStore: offset must be ${UINT}, got NaN`],
        ['notifyStore', [2.5, 0, Buffer.from('x')], RangeError, `notifyStore: ino must be ${UINT}, got 2.5`],
        ['retrieve', [2, INF, 1], RangeError, `retrieve: offset must be ${UINT}, got Infinity`],
        ['retrieve', [2, 0, NAN], RangeError, `retrieve: size must be ${U32}, got NaN`],
        ['retrieve', ['2', 0, 1], TypeError, `retrieve: ino must be ${UINT}, got "2"`],
      ];
      if (session.conn.canDo(CAP.EXPIRE_ONLY)) {
        cases.push(['notifyExpireEntry', [ROOT, ''], RangeError, `notifyExpireEntry: name must be ${NAME}, got ""`]);
        cases.push([
          'notifyExpireEntry',
          [0, 'hello'],
          RangeError,
          'notifyExpireEntry: parent must be a positive safe integer, got 0',
        ]);
      }
      for (const [method, args, type, message] of cases) {
        const error = await failureOf(() => (s[method] as (...a: unknown[]) => Promise<unknown>).apply(session, args));
        expect(error, `${method}(${args.map((a) => typeof a).join(', ')})`).toBeInstanceOf(type);
        expect(error.message).toBe(message);
      }
      // Nothing reached the kernel: the cached data is still there, and the session serves on.
      expect((await session.retrieve(2, 0, 13)).toString()).toBe('Hello World!\n');
      expect(await client(`out(fs.readFileSync('${dir}/hello', 'utf8'))`)).toBe('Hello World!\n');
      expect(session.inflight).toBe(0);
    });
  });

  it('notifyPoll: a non-handle is a TypeError; a handle of another session (or a forged one) is refused', async () => {
    const handles: PollHandle[] = [];
    const polled: number[] = [];
    const ops: Operations = {
      lookup(req) {
        if (req.name !== 'f') return req.replyError('ENOENT');
        req.replyEntry({
          ino: 2,
          attr: { mode: S_IFREG | 0o666, nlink: 1, size: 0 },
          attrTimeout: 60,
          entryTimeout: 60,
        });
      },
      open: (req) => req.replyOpen(0),
      poll(req) {
        polled.push(req.events);
        if (req.handle) handles.push(req.handle);
        req.replyPoll(polled.length === 1 ? 0 : 1 /* POLLIN */);
      },
    };
    await withSession(ops, async (dir, session) => {
      await withSession(helloOperations(), async (_other, other) => {
        for (const bad of [null, undefined, 42, 'handle', {}, { _owner: {}, _native: {} }]) {
          const error = await failureOf(() => session.notifyPoll(bad as never));
          expect(error).toBeInstanceOf(TypeError);
          expect(error.message).toMatch(/^notifyPoll: handle must be a PollHandle from a poll request, got /);
        }
        const forged = Object.create(PollHandle.prototype) as PollHandle;
        expect(() => session.notifyPoll(forged)).toThrow('notifyPoll: the handle belongs to another session');
        // A real handle: a poller sleeps in poll(2) on the file.
        const poller = py<string>(
          `fd = os.open(${JSON.stringify(`${dir}/f`)}, os.O_RDONLY)
q = select.poll()
q.register(fd, select.POLLIN)
print(json.dumps(','.join(str(e) for (x, e) in q.poll(15000) if x == fd)))`,
        );
        await waitFor(() => handles.length === 1, 5000, 'the poll request with a handle');
        const handle = handles[0] as PollHandle;
        expect(() => other.notifyPoll(handle)).toThrow('notifyPoll: the handle belongs to another session');
        expect(session.notifyPoll(handle)).toBe(true);
        expect(await poller).toBe('1');
      });
      expect(session.inflight).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------

describeMount('mount() with bad values', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempMountpoint();
  });
  afterAll(async () => {
    await cleanup(undefined, dir);
  });

  /** Raw -o options that have a typed option. */
  const TYPED: [string, string][] = [
    ['fsname=x', 'fsName'],
    ['subtype=x', 'subtype'],
    ['ro', 'readOnly'],
    ['rw', 'readOnly'],
    ['allow_other', 'allowOther'],
    ['default_permissions', 'defaultPermissions'],
    ['auto_unmount', 'autoUnmount'],
    ['max_read=4096', 'maxRead'],
    ['debug', 'debug'],
    ['-d', 'debug'],
    ['--debug', 'debug'],
    ['-odebug', 'debug'],
    ['-oallow_other', 'allowOther'],
  ];
  const cases: [string, unknown, ErrorClass, string | RegExp][] = [
    ['allowOther a string', { allowOther: 'yes' }, TypeError, 'mount: options.allowOther must be a boolean, got "yes"'],
    [
      'defaultPermissions a number',
      { defaultPermissions: 1 },
      TypeError,
      'mount: options.defaultPermissions must be a boolean, got 1',
    ],
    ['autoUnmount null', { autoUnmount: null }, TypeError, 'mount: options.autoUnmount must be a boolean, got null'],
    ['subtype a number', { subtype: 5 }, TypeError, 'mount: options.subtype must be a string, got 5'],
    [
      'subtype empty',
      { subtype: '' },
      TypeError,
      'mount: options.subtype must be a non-empty string without commas, got ""',
    ],
    [
      'fsName of 256 bytes',
      { fsName: 'x'.repeat(256) },
      RangeError,
      `mount: options.fsName must be a string of at most 255 bytes without NUL, got ${x57}`,
    ],
    ['maxRead a string', { maxRead: '4096' }, TypeError, `mount: options.maxRead must be ${UINT}, got "4096"`],
    ['maxRead NaN', { maxRead: NAN }, RangeError, `mount: options.maxRead must be ${U32}, got NaN`],
    ['maxRead 2^32', { maxRead: 2 ** 32 }, RangeError, `mount: options.maxRead must be ${U32}, got 4294967296`],
    [
      'threads Infinity',
      { threads: INF },
      RangeError,
      'mount: options.threads must be an integer from 0 to 64, got Infinity',
    ],
    ['threads -1', { threads: -1 }, RangeError, 'mount: options.threads must be an integer from 0 to 64, got -1'],
    [
      'unmountTimeout NaN',
      { unmountTimeout: NAN },
      RangeError,
      `mount: options.unmountTimeout must be ${UINT}, got NaN`,
    ],
    [
      'unmountTimeout Infinity',
      { unmountTimeout: INF },
      RangeError,
      `mount: options.unmountTimeout must be ${UINT}, got Infinity`,
    ],
    [
      'unmountTimeout a string',
      { unmountTimeout: '5' },
      TypeError,
      `mount: options.unmountTimeout must be ${UINT}, got "5"`,
    ],
    ['requestTimeout -1', { requestTimeout: -1 }, RangeError, `mount: options.requestTimeout must be ${UINT}, got -1`],
    [
      'requestTimeout 1.5',
      { requestTimeout: 1.5 },
      RangeError,
      `mount: options.requestTimeout must be ${UINT}, got 1.5`,
    ],
    [
      'requestTimeout 2^53',
      { requestTimeout: 2 ** 53 },
      RangeError,
      `mount: options.requestTimeout must be ${UINT}, got 9007199254740992`,
    ],
    [
      'requestTimeout a string',
      { requestTimeout: '200' },
      TypeError,
      `mount: options.requestTimeout must be ${UINT}, got "200"`,
    ],
    [
      'mountOptions [null]',
      { mountOptions: [null] },
      TypeError,
      'mount: options.mountOptions[0] must be a string, got null',
    ],
    [
      'mountOptions [""]',
      { mountOptions: [''] },
      TypeError,
      'mount: options.mountOptions[0] must be a non-empty string without commas, got ""',
    ],
    [
      'mountOptions with a NUL',
      { mountOptions: ['noatime\0ro'] },
      RangeError,
      'mount: options.mountOptions[0] must be a string of at most 255 bytes without NUL, got "noatime\\u0000ro"',
    ],
    [
      'mountOptions an object',
      { mountOptions: { 0: 'noatime' } },
      TypeError,
      'mount: options.mountOptions must be an array of strings, got an object',
    ],
    ...TYPED.map(([raw, typed]): [string, unknown, ErrorClass, string] => [
      `raw -o ${raw}`,
      { mountOptions: ['noatime', raw] },
      TypeError,
      `mount: options.mountOptions[1] must be an option without a typed equivalent (use options.${typed}), got "${raw}"`,
    ]),
    [
      'raw -o allow_root with allowOther',
      { allowOther: true, mountOptions: ['allow_root'] },
      TypeError,
      'mount: options.mountOptions[0] must be compatible with options.allowOther (allow_root conflicts), got "allow_root"',
    ],
    [
      'a command-line flag as an option',
      { mountOptions: ['-f'] },
      TypeError,
      'mount: options.mountOptions[0] must be a -o option name such as noatime (command-line flags are not options), got "-f"',
    ],
    ['a raw option libfuse does not know', { mountOptions: ['no_such_option'] }, Error, /no_such_option/],
    ['options an array', [], TypeError, 'mount: options must be an object, got an array'],
    ['options a number', 42, TypeError, 'mount: options must be an object, got 42'],
  ];

  it.each(cases)('%s: rejects, and nothing is mounted', async (_label, options, type, message) => {
    const outcome = await mount(dir, helloOperations(), options as MountOptions).then(
      async (session) => {
        await session.unmount();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(outcome, 'mount() must reject').toBeInstanceOf(type);
    if (typeof message === 'string') expect((outcome as Error).message).toBe(message);
    else expect((outcome as Error).message).toMatch(message);
    expect(await isMounted(dir)).toBe(false);
  });

  it('ops of the wrong shape reject with a TypeError, and nothing is mounted', async () => {
    const bad: [unknown, string][] = [
      [() => undefined, 'mount: ops must be an object, got a function'],
      [[], 'mount: ops must be an object, got an array'],
      [{ init: 'x' }, 'mount: ops.init must be a function, got "x"'],
      [{ lookup: null }, 'mount: ops.lookup must be a function, got null'],
    ];
    for (const [ops, message] of bad) {
      const error = await failureOf(() => mount(dir, ops as Operations));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(message);
    }
    expect(await isMounted(dir)).toBe(false);
  });

  it('a mountpoint with a NUL is a TypeError/RangeError in the library style, like every other string', async () => {
    const error = await failureOf(() => mount(`${dir}\0x`, helloOperations()));
    expect(
      [TypeError, RangeError].some((type) => error instanceof type),
      `${error.constructor.name}: ${error.message}`,
    ).toBe(true);
    expect(error.message).toMatch(/^mount: mountpoint must be .*, got ".*\\u0000x"$/);
    expect(await isMounted(dir)).toBe(false);
  });
});

// ---------------------------------------------------------------------------

describeMount('replies after unmount', () => {
  it('replies of every kind throw a clear error (a bad value its TypeError/RangeError), nothing crashes', async () => {
    const held = new Map<string, Request>();
    let holding = false;
    const NAMES = ['g', 'g2', 'r', 'w', 'l', 'x', 'sub'];
    const ops: Operations = {
      lookup(req) {
        if (req.name === 'held') return void held.set('lookup', req);
        const i = NAMES.indexOf(req.name);
        if (i < 0) return req.replyError('ENOENT');
        const mode = req.name === 'sub' ? S_IFDIR | 0o755 : req.name === 'l' ? S_IFLNK | 0o777 : S_IFREG | 0o666;
        // g and g2 keep no attributes: each stat asks getattr.
        const attrTimeout = req.name.startsWith('g') ? 0 : 60;
        req.replyEntry({ ino: 10 + i, attr: { mode, nlink: 1, size: 3 }, attrTimeout, entryTimeout: 60 });
      },
      getattr(req) {
        if (holding && req.ino === 10) return void held.set('getattr', req);
        if (holding && req.ino === 11) return void held.set('getattr2', req);
        req.replyAttr({ mode: req.ino === ROOT ? S_IFDIR | 0o755 : S_IFREG | 0o666, nlink: 1, size: 3 }, 0);
      },
      open: (req) => req.replyOpen(0, { directIo: true }),
      read: (req) => void held.set('read', req),
      write: (req) => void held.set('write', req),
      readlink: (req) => void held.set('readlink', req),
      getxattr: (req) => void (req.name === 'user.x' ? held.set('getxattr', req) : req.replyError('ENODATA')),
      readdir: (req) => void held.set('readdir', req),
      statfs: (req) => void held.set('statfs', req),
    };
    let closed: Session | undefined;
    await withSession(
      ops,
      async (dir, session) => {
        closed = session;
        const p = (name: string) => JSON.stringify(`${dir}/${name}`);
        // Look every name up first (cached for a minute): the held lookup then blocks nothing else.
        expect(
          await py(
            `for n in ${JSON.stringify(NAMES)}: os.lstat(${JSON.stringify(dir)} + '/' + n)\nprint(json.dumps('ok'))`,
          ),
        ).toBe('ok');
        holding = true;
        const callers = py<Record<string, string>>(
          `calls = {
  'lookup': lambda: os.stat(${p('held')}),
  'getattr': lambda: os.stat(${p('g')}),
  'getattr2': lambda: os.stat(${p('g2')}),
  'read': lambda: rd(${p('r')}),
  'write': lambda: wr(${p('w')}),
  'readlink': lambda: os.readlink(${p('l')}),
  'getxattr': lambda: os.getxattr(${p('x')}, 'user.x'),
  'readdir': lambda: os.listdir(${p('sub')}),
  'statfs': lambda: os.statvfs(${p('sub')}),
}
r = {}
def go(k):
    r[k] = outcome(calls[k])
ts = [threading.Thread(target=go, args=(k,)) for k in calls]
for t in ts: t.start()
for t in ts: t.join(15)
print(json.dumps(r))`,
        );
        await waitFor(() => held.size === 9, 8000, 'all 9 requests to be held');
        await session.unmount();
        expect(await callers).toEqual(Object.fromEntries([...held.keys()].map((k) => [k, 'EIO'])));
      },
      { unmountTimeout: 100 },
    );
    expect(closed?.mounted).toBe(false);
    const replies: [string, (req: never) => void][] = [
      ['lookup', (req: LookupRequest) => req.replyEntry(fileEntry(5))],
      ['getattr', (req: GetattrRequest) => req.replyAttr(REG, 1)],
      ['read', (req: ReadRequest) => req.replyBuf(Buffer.from('abc'))],
      ['write', (req: WriteRequest) => req.replyWrite(req.size)],
      ['readlink', (req: ReadlinkRequest) => req.replyReadlink('target')],
      ['getxattr', (req: GetxattrRequest) => req.replyValue(Buffer.from('v'))],
      [
        'readdir',
        (req: ReaddirRequest) => {
          req.add('a', 5, S_IFREG, 1);
          req.replyDirents();
        },
      ],
      ['statfs', (req: StatfsRequest) => req.replyStatfs({})],
    ];
    for (const [key, reply] of replies) {
      const req = held.get(key) as Request;
      expect(req.answered, key).toBe(false);
      const error = thrownBy(() => reply(req as never));
      expect(error.constructor, key).toBe(Error);
      expect(error.message).toBe(`${req.op}: the request is no longer pending (its session was closed)`);
      // It counts as answered now: a second try says so.
      expect(thrownBy(() => req.replyError('EIO')).message).toBe(
        `${req.op}.replyError: the request was already answered`,
      );
    }
    // A bad value after unmount is still its own RangeError, not a crash.
    const late = thrownBy(() => (held.get('getattr2') as GetattrRequest).replyAttr({ mode: -1 }));
    expect(late).toBeInstanceOf(RangeError);
    expect(late.message).toBe(`getattr.replyAttr: attr.mode must be ${MODE}, got -1`);
    expect(closed?.inflight).toBe(0);
  });

  it("a stale request of a closed session never answers another session's request (ids are not reused)", async () => {
    const stale: LookupRequest[] = [];
    const fresh: LookupRequest[] = [];
    /** Holds the first lookup of 'held'; a later one (none is expected) finds nothing. */
    const holder = (into: LookupRequest[]): Operations => ({
      lookup(req) {
        if (req.name === 'held' && into.length === 0) return void into.push(req);
        req.replyError('ENOENT');
      },
      getattr: (req) => req.replyAttr({ mode: req.ino === ROOT ? S_IFDIR | 0o755 : S_IFREG | 0o666, size: 1 }, 60),
    });
    await withSession(
      holder(stale),
      async (dir, session) => {
        const caller = client<{ error?: string }>(`fs.statSync('${dir}/held'); out({})`, 10_000);
        await waitFor(() => stale.length === 1, 5000, 'the first lookup');
        await session.unmount();
        expect(await caller).toEqual({ error: 'EIO' });
      },
      { unmountTimeout: 50 },
    );
    await withSession(holder(fresh), async (dir, session) => {
      const caller = client<{ ino?: number; size?: number; error?: string }>(
        `const s = fs.statSync('${dir}/held'); out({ ino: s.ino, size: s.size })`,
        10_000,
      );
      await waitFor(() => fresh.length === 1, 5000, 'the second lookup');
      const old = stale[0] as LookupRequest;
      expect(() => old.replyEntry(fileEntry(99, 1))).toThrow(
        'lookup: the request is no longer pending (its session was closed)',
      );
      expect(session.inflight).toBe(1);
      expect(fresh[0]?.answered).toBe(false);
      fresh[0]?.replyEntry({ ...fileEntry(7, 4242), attrTimeout: 60, entryTimeout: 60 });
      expect(await caller).toEqual({ ino: 7, size: 4242 });
      expect(session.inflight).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------

describeMount('handlers that never reply (requestTimeout: 200)', () => {
  it('the caller gets EIO within a deadline, an error event names the op, a late reply throws, the session serves on', async () => {
    const held: Request[] = [];
    const ops: Operations = {
      lookup(req) {
        if (req.name === 'never') return void held.push(req); // sync handler, no reply
        if (req.name === 'f' || req.name === 'ok') return req.replyEntry(fileEntry(req.name === 'f' ? 2 : 3));
        req.replyError('ENOENT');
      },
      getattr: (req) => req.replyAttr({ mode: req.ino === ROOT ? S_IFDIR | 0o755 : S_IFREG | 0o666, size: 3 }, 0),
      open: (req) => req.replyOpen(0, { directIo: true }),
      async read(req) {
        held.push(req);
        await new Promise<void>(() => undefined); // an async handler that never settles
      },
    };
    await withSession(
      ops,
      async (dir, session) => {
        const errors = errorsOf(session);
        const result = await client<Record<string, string | number>>(
          `const code = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
           const t0 = Date.now(); const lookup = code(() => fs.statSync('${dir}/never')); const t1 = Date.now();
           const fd = fs.openSync('${dir}/f', 'r');
           const read = code(() => fs.readSync(fd, Buffer.alloc(10), 0, 10, 0)); const t2 = Date.now();
           fs.closeSync(fd);
           out({ lookup, lookupMs: t1 - t0, read, readMs: t2 - t1, ok: code(() => fs.statSync('${dir}/ok')) });`,
          15_000,
        );
        expect(result).toMatchObject({ lookup: 'EIO', read: 'EIO', ok: 'ok' });
        for (const ms of [result.lookupMs, result.readMs] as number[]) {
          expect(ms).toBeGreaterThanOrEqual(150);
          expect(ms).toBeLessThan(3000);
        }
        expect(errors.map((e) => [e.op, e.error.message])).toEqual([
          ['lookup', 'lookup: no reply within 200 ms (requestTimeout); answered EIO'],
          ['read', 'read: no reply within 200 ms (requestTimeout); answered EIO'],
        ]);
        expect(held.map((r) => r.answered)).toEqual([true, true]);
        expect(() => (held[0] as LookupRequest).replyEntry(fileEntry(9))).toThrow(
          'lookup.replyEntry: the request was already answered',
        );
        expect(() => (held[1] as ReadRequest).replyBuf(Buffer.from('abc'))).toThrow(
          'read.replyBuf: the request was already answered',
        );
        expect(session.inflight).toBe(0);
        expect(session.mounted).toBe(true);
      },
      { requestTimeout: 200 },
    );
  });
});

// ---------------------------------------------------------------------------

describeMount('handlers that misbehave', () => {
  it('throw or reject with values that are not Errors (undefined, null, 42, a string, an object, a symbol): EIO and a clear error', async () => {
    const values: Record<string, () => unknown> = {
      undefined: () => undefined,
      null: () => null,
      number: () => 42,
      string: () => 'a string',
      object: () => ({ reason: 'an object' }),
      'non-errno-code': () => ({ code: 'ENOTANERRNO' }),
      symbol: () => Symbol('sym'),
    };
    const ops: Operations = {
      lookup(req) {
        const match = /^(sync|async)-(.+)$/.exec(req.name);
        const make = match ? values[match[2] as string] : undefined;
        if (make === undefined) {
          if (req.name === 'ok') return req.replyEntry(fileEntry(2));
          return req.replyError('ENOENT');
        }
        if (match?.[1] === 'sync') throw make();
        return (async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw make();
        })();
      },
      getattr: (req) => req.replyAttr({ mode: req.ino === ROOT ? S_IFDIR | 0o755 : S_IFREG | 0o666 }, 0),
    };
    await withSession(ops, async (dir, session) => {
      const errors = errorsOf(session);
      const names = Object.keys(values).flatMap((v) => [`sync-${v}`, `async-${v}`]);
      const result = await client<Record<string, string>>(
        `const r = {};
         for (const n of ${JSON.stringify([...names, 'ok'])}) { try { fs.statSync('${dir}/' + n); r[n] = 'ok'; } catch (e) { r[n] = e.code; } }
         out(r);`,
      );
      expect(result).toEqual({ ...Object.fromEntries(names.map((n) => [n, 'EIO'])), ok: 'ok' });
      expect(errors).toHaveLength(names.length);
      for (const { error, op } of errors) {
        expect(op).toBe('lookup');
        expect(error).toBeInstanceOf(Error);
        expect(error.message).toMatch(/^lookup: a handler threw a non-Error value: ./);
      }
      const messages = errors.map((e) => e.error.message);
      for (const shown of ['undefined', 'null', '42', 'a string', 'Symbol(sym)'])
        expect(
          messages.filter((m) => m.endsWith(`: ${shown}`)),
          shown,
        ).toHaveLength(2);
      expect(session.inflight).toBe(0);
      expect(session.mounted).toBe(true);
    });
  });

  it('an invalid reply consumes the request: a valid reply after it throws, and the caller keeps EIO', async () => {
    const thrown: Error[] = [];
    const ops: Operations = {
      lookup(req) {
        if (req.name === 'ok') return req.replyEntry(fileEntry(2));
        if (req.name !== 'bad-then-good') return req.replyError('ENOENT');
        for (const reply of [() => req.replyEntry({ ino: -1, attr: REG }), () => req.replyEntry(fileEntry(3))]) {
          try {
            reply();
          } catch (error) {
            thrown.push(error as Error);
          }
        }
      },
      readdir(req) {
        req.replyDirents();
        try {
          req.replyDirents();
        } catch (error) {
          thrown.push(error as Error);
        }
      },
      getattr: (req) => req.replyAttr({ mode: req.ino === ROOT ? S_IFDIR | 0o755 : S_IFREG | 0o666 }, 0),
    };
    await withSession(ops, async (dir, session) => {
      const result = await client<Record<string, string>>(
        `const code = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
         out({ bad: code(() => fs.statSync('${dir}/bad-then-good')), list: code(() => fs.readdirSync('${dir}')), ok: code(() => fs.statSync('${dir}/ok')) });`,
      );
      expect(result).toEqual({ bad: 'EIO', list: 'ok', ok: 'ok' });
      expect(thrown.map((e) => `${e.constructor.name}: ${e.message}`)).toEqual([
        `RangeError: lookup.replyEntry: entry.ino must be ${U64}, got -1`,
        'Error: lookup.replyEntry: the request was already answered',
        'Error: readdir.replyDirents: the request was already answered',
      ]);
      expect(session.inflight).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------

describeMount('errno values the kernel refuses', () => {
  // The kernel refuses a reply whose error is 512 or more (fs/fuse/dev.c) and
  // leaves its caller waiting, uninterruptibly; libfuse turns 1000 and more into ERANGE.
  it('replyError(512..999), or a FuseError of one: a RangeError in JS and EIO for the caller, never a stuck caller', async () => {
    const thrown = new Map<string, unknown>();
    const ops: Operations = {
      lookup(req) {
        const match = /^(reply|throw)-(\d+)$/.exec(req.name);
        if (match === null) return req.name === 'ok' ? req.replyEntry(fileEntry(2)) : req.replyError('ENOENT');
        const errno = Number(match[2]);
        if (match[1] === 'throw') throw new FuseError(errno);
        try {
          req.replyError(errno);
        } catch (error) {
          thrown.set(req.name, error);
        }
      },
      getattr: (req) => req.replyAttr({ mode: req.ino === ROOT ? S_IFDIR | 0o755 : S_IFREG | 0o666 }, 0),
    };
    await withSession(ops, async (dir, session) => {
      const names = ['reply-512', 'reply-999', 'throw-600', 'ok'];
      // One process per name: a caller the kernel leaves waiting is freed only by the unmount.
      const callers = names.map((name) =>
        py<string>(`print(json.dumps(outcome(lambda: os.stat(${JSON.stringify(`${dir}/${name}`)}))))`),
      );
      let settled = false;
      const all = Promise.all(callers).finally(() => {
        settled = true;
      });
      await waitFor(() => settled, 3000, 'every caller to get an answer').catch(() => undefined);
      expect(settled, 'a caller is stuck waiting for a reply the kernel refused').toBe(true);
      expect(await all).toEqual(['EIO', 'EIO', 'EIO', 'ok']);
      for (const name of ['reply-512', 'reply-999']) {
        const error = thrown.get(name);
        expect(error, name).toBeInstanceOf(RangeError);
        expect((error as Error).message).toMatch(
          new RegExp(`^lookup\\.replyError: errno must be .*, got ${name.slice(6)}$`),
        );
      }
      expect(session.inflight).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------
// Values whose very description throws: the server runs in its own process,
// since a crash is exactly what must not happen.

const UNPRINTABLE_SERVER = `
import { mount } from ${JSON.stringify(join(ROOT_DIR, 'dist', 'lib', 'index.js'))};
import { helloOperations } from ${JSON.stringify(join(ROOT_DIR, 'dist', 'examples', 'hello.js'))};
const dir = process.argv[2];
const print = (v) => process.stdout.write(JSON.stringify(v) + '\\n');
const values = {
  'null-prototype': () => Object.create(null),
  'throwing-tostring': () => ({ toString() { throw new Error('no string for you'); } }),
  'revoked-proxy': () => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; },
};
const hello = helloOperations();
const session = await mount(dir, {
  ...hello,
  lookup(req) {
    const m = /^(sync|async)-(.+)$/.exec(req.name);
    const make = m ? values[m[2]] : undefined;
    if (make === undefined) return hello.lookup(req);
    if (m[1] === 'sync') throw make();
    return Promise.reject(make());
  },
}, { unmountTimeout: 1000 });
session.on('error', (error, op) => print({ event: op, isError: error instanceof Error }));
process.on('SIGTERM', () => session.unmount().then(() => process.exit(0), () => process.exit(3)));
print({ ready: true });
`;

describeMount('handlers that fail with values that cannot even be printed', () => {
  let child: ChildProcess | undefined;
  let work = '';
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    if (work !== '') {
      await run('fusermount3', ['-u', '-z', join(work, 'mnt')], 5000);
      rmSync(work, { recursive: true, force: true });
      work = '';
    }
  });

  it('Object.create(null), a throwing toString, a revoked proxy: EIO, an error event, and the process never crashes', async () => {
    work = tempMountpoint();
    const dir = join(work, 'mnt');
    mkdirSync(dir);
    writeFileSync(join(work, 'server.mjs'), UNPRINTABLE_SERVER);
    const server = spawn(process.execPath, [join(work, 'server.mjs'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    const lines: Record<string, unknown>[] = [];
    let stderr = '';
    let buffered = '';
    server.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
        buffered = buffered.slice(nl + 1);
      }
    });
    server.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const killer = setTimeout(() => server.kill('SIGKILL'), 20_000);
    try {
      await waitFor(() => lines.some((l) => l.ready === true) || server.exitCode !== null, 10_000, 'the server');
      expect(
        lines.some((l) => l.ready === true),
        stderr,
      ).toBe(true);
      const names = ['null-prototype', 'throwing-tostring', 'revoked-proxy'].flatMap((v) => [
        `sync-${v}`,
        `async-${v}`,
      ]);
      const result = await client<Record<string, string>>(
        `const r = {};
         for (const n of ${JSON.stringify(names)}) { try { fs.statSync('${dir}/' + n); r[n] = 'ok'; } catch (e) { r[n] = e.code; } }
         try { r.hello = fs.readFileSync('${dir}/hello', 'utf8'); } catch (e) { r.hello = e.code; }
         out(r);`,
      );
      expect(result, stderr).toEqual({ ...Object.fromEntries(names.map((n) => [n, 'EIO'])), hello: 'Hello World!\n' });
      expect(server.exitCode, `the server died: ${stderr}`).toBeNull();
      await waitFor(
        () => lines.filter((l) => 'event' in l).length >= names.length,
        2000,
        'an error event per failure',
      ).catch(() => undefined);
      expect(
        lines.filter((l) => 'event' in l),
        stderr,
      ).toEqual(names.map(() => ({ event: 'lookup', isError: true })));
      server.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(await isMounted(dir)).toBe(false);
    } finally {
      clearTimeout(killer);
    }
  });
});

// ---------------------------------------------------------------------------

describeMount('requests from the serving process itself', () => {
  it('emit exactly one FUSE_LOWLEVEL_SELF_REQUEST warning per session (fs.promises here), none for other processes', async () => {
    const warnings: (Error & { code?: string })[] = [];
    const onWarning = (w: Error & { code?: string }) => {
      if (w.code === 'FUSE_LOWLEVEL_SELF_REQUEST') warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      await withSession(helloOperations(), async (a) => {
        // Another process: no warning.
        expect(await client(`out(fs.readFileSync('${a}/hello', 'utf8'))`)).toBe('Hello World!\n');
        await new Promise((r) => setImmediate(r));
        expect(warnings).toHaveLength(0);
        // This process, many requests of several kinds: one warning.
        for (let i = 0; i < 3; i++) {
          await fsp.stat(join(a, 'hello'));
          expect(await fsp.readFile(join(a, 'hello'), 'utf8')).toBe('Hello World!\n');
          await expect(fsp.stat(join(a, `missing-${i}`))).rejects.toThrow(/ENOENT/);
        }
        await waitFor(() => warnings.length > 0, 2000, 'the self-request warning');
        await withSession(helloOperations(), async (b) => {
          expect(await fsp.readdir(b)).toEqual(['hello']);
          await expect(fsp.stat(join(b, 'missing'))).rejects.toThrow(/ENOENT/);
          await waitFor(() => warnings.length > 1, 2000, "the second session's warning");
          await fsp.stat(join(a, 'missing-again')).catch(() => undefined);
          await fsp.stat(join(b, 'missing-again')).catch(() => undefined);
          await new Promise((r) => setImmediate(r));
          expect(warnings).toHaveLength(2);
          expect(warnings[0]?.message).toContain(a);
          expect(warnings[1]?.message).toContain(b);
          for (const w of warnings) expect(w.message).toContain(`pid ${process.pid}`);
        });
      });
    } finally {
      process.off('warning', onWarning);
    }
  });
});
