/**
 * ioctl, poll (with session.notifyPoll), bmap, and what the kernel and libfuse
 * do for the newer operations when a filesystem has no handler for them.
 * Clients are python3 child processes; this process only serves the mount.
 */
import { constants, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type Attr, IOCTL, type Operations, type PollHandle, type Session } from '../lib/index.js';
import { describeMount, python, run, sh, waitFor, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;
const POLLIN = 0x1;
const POLLOUT = 0x4;

/** Runs a python3 script in a child; it prints one JSON value. `argv[1..]` are `args`. */
const py = python();

/** Regular files (name → content) in the root directory, plus `overrides`. */
function flat(files: Record<string, Buffer>, overrides: Operations = {}): Operations {
  const names = Object.keys(files);
  const byIno = new Map(names.map((name, i) => [i + 2, files[name] as Buffer]));
  const attr = (ino: number): Attr =>
    ino === ROOT
      ? { mode: S_IFDIR | 0o755, nlink: 2 }
      : { mode: S_IFREG | 0o666, nlink: 1, size: byIno.get(ino)?.length ?? 0 };
  return {
    lookup(req) {
      const i = req.parent === ROOT ? names.indexOf(req.name) : -1;
      if (i < 0) return req.replyError('ENOENT');
      req.replyEntry({ ino: i + 2, attr: attr(i + 2), entryTimeout: 60, attrTimeout: 60 });
    },
    getattr(req) {
      req.replyAttr(attr(req.ino), 60);
    },
    read(req) {
      const content = byIno.get(req.ino) ?? Buffer.alloc(0);
      req.replyBuf(content.subarray(Math.min(req.offset, content.length), req.offset + req.size));
    },
    ...overrides,
  };
}

/** _IOC(dir, type, nr, size) of asm-generic/ioctl.h: dir 1 = write (in), 2 = read (out). */
const ioc = (dir: number, type: string, nr: number, size: number): number =>
  ((dir << 30) | (size << 16) | (type.charCodeAt(0) << 8) | nr) >>> 0;

describeMount('ioctl', () => {
  it('restricted ioctls: cmd, input bytes and outputSize arrive; replyIoctl result and output reach the caller', async () => {
    const seen: { ino: number; fh: number; cmd: number; input: string; outputSize: number; flags: number }[] = [];
    const errors: string[] = [];
    const ops = flat(
      { dev: Buffer.alloc(0) },
      {
        open: (req) => req.replyOpen(31),
        opendir: (req) => req.replyOpen(32),
        ioctl(req) {
          seen.push({
            ino: req.ino,
            fh: req.fh,
            cmd: req.cmd,
            input: req.input.toString('hex'),
            outputSize: req.outputSize,
            flags: req.flags,
          });
          switch (req.cmd & 0xff) {
            case 1: // _IOWR: answer the input reversed
              return req.replyIoctl(42, Buffer.from(req.input).reverse());
            case 2: // _IOR: fill only the first 4 of 16 bytes
              return req.replyIoctl(0, Buffer.alloc(4, 0xaa));
            case 3: // _IOW
              return req.replyIoctl(7);
            case 4: // _IO
              return req.replyIoctl(1_234_567);
            case 5: // more output than the caller can take
              try {
                req.replyIoctl(0, Buffer.alloc(req.outputSize + 1));
              } catch (error) {
                errors.push(`${(error as Error).name}: ${(error as Error).message}`);
              }
              return;
            case 6: // a retry is only for unrestricted ioctls: the kernel refuses it
              return req.replyIoctlRetry([{ base: req.arg, length: 4 }], [{ base: req.arg, length: 4 }]);
            case 7: // on a directory
              return req.replyIoctl(70);
            default:
              return req.replyError('ENOTTY');
          }
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py<unknown[]>(
        `def IOC(d, t, nr, size): return (d << 30) | (size << 16) | (ord(t) << 8) | nr
fd = os.open(sys.argv[1], os.O_RDWR)
a = bytearray(b'\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08')
ra = fcntl.ioctl(fd, IOC(3, 'q', 1, 8), a, True)
b = bytearray(16)
rb = fcntl.ioctl(fd, IOC(2, 'q', 2, 16), b, True)
c = bytearray(b'wxyz')
rc = fcntl.ioctl(fd, IOC(1, 'q', 3, 4), c, True)
rd = fcntl.ioctl(fd, IOC(0, 'q', 4, 0), 0)
re = attempt(lambda: fcntl.ioctl(fd, IOC(0, 'q', 99, 0), 0))
rf = attempt(lambda: fcntl.ioctl(fd, IOC(2, 'q', 5, 4), bytearray(4), True))
rg = attempt(lambda: fcntl.ioctl(fd, IOC(3, 'q', 6, 4), bytearray(4), True))
dfd = os.open(os.path.dirname(sys.argv[1]), os.O_RDONLY | os.O_DIRECTORY)
rh = fcntl.ioctl(dfd, IOC(0, 'q', 7, 0), 0)
print(json.dumps([ra, a.hex(), rb, b.hex(), rc, c.hex(), rd, re, rf, rg, rh]))`,
        `${dir}/dev`,
      );
      expect(result).toEqual([
        42,
        '0807060504030201',
        0,
        `${'aa'.repeat(4)}${'00'.repeat(12)}`,
        7,
        Buffer.from('wxyz').toString('hex'),
        1_234_567,
        { error: 'ENOTTY' },
        { error: 'EIO' },
        { error: 'EIO' },
        70,
      ]);
      const common = { ino: 2, fh: 31, flags: 0 };
      expect(seen).toEqual([
        { ...common, cmd: ioc(3, 'q', 1, 8), input: '0102030405060708', outputSize: 8 },
        { ...common, cmd: ioc(2, 'q', 2, 16), input: '', outputSize: 16 },
        { ...common, cmd: ioc(1, 'q', 3, 4), input: Buffer.from('wxyz').toString('hex'), outputSize: 0 },
        { ...common, cmd: ioc(0, 'q', 4, 0), input: '', outputSize: 0 },
        { ...common, cmd: ioc(0, 'q', 99, 0), input: '', outputSize: 0 },
        { ...common, cmd: ioc(2, 'q', 5, 4), input: '', outputSize: 4 },
        { ...common, cmd: ioc(3, 'q', 6, 4), input: '00000000', outputSize: 4 },
        { ino: ROOT, fh: 32, flags: IOCTL.DIR, cmd: ioc(0, 'q', 7, 0), input: '', outputSize: 0 },
      ]);
      expect(seen.every((s) => (s.flags & (IOCTL.UNRESTRICTED | IOCTL.COMPAT)) === 0)).toBe(true);
      expect(errors).toEqual([expect.stringMatching(/^RangeError: ioctl\.replyIoctl: output must be at most 4 bytes/)]);
    });
  });
});

describeMount('poll', () => {
  it('delivers the events; replyPoll(revents) is what poll(2) returns; a handle only when the caller will sleep', async () => {
    const seen: { ino: number; fh: number; events: number; handle: boolean }[] = [];
    const ops = flat(
      { f: Buffer.alloc(0) },
      {
        open: (req) => req.replyOpen(8),
        poll(req) {
          seen.push({ ino: req.ino, fh: req.fh, events: req.events, handle: req.handle !== undefined });
          req.replyPoll(req.events & POLLIN ? POLLOUT : POLLIN | POLLOUT);
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py(
        `fd = os.open(sys.argv[1], os.O_RDWR)
p = select.poll()
p.register(fd, select.POLLIN | select.POLLOUT)
r1 = p.poll(10000)
q = select.poll()
q.register(fd, select.POLLOUT)
r2 = q.poll(0)
print(json.dumps([[ev for f, ev in r1 if f == fd], [ev for f, ev in r2 if f == fd]]))`,
        `${dir}/f`,
      );
      // POLLIN|POLLOUT asked, POLLOUT answered; POLLOUT asked, POLLIN|POLLOUT answered (poll(2) masks it)
      expect(result).toEqual([[POLLOUT], [POLLOUT]]);
      expect(seen).toHaveLength(2);
      expect(seen[0]).toMatchObject({ ino: 2, fh: 8, handle: true });
      expect((seen[0]?.events ?? 0) & (POLLIN | POLLOUT)).toBe(POLLIN | POLLOUT);
      // poll(2) with timeout 0 never sleeps: no handle to notify
      expect(seen[1]).toMatchObject({ ino: 2, fh: 8, handle: false });
      expect((seen[1]?.events ?? 0) & (POLLIN | POLLOUT)).toBe(POLLOUT);
    });
  });

  it('keep the handle, answer 0, and session.notifyPoll(handle) later wakes the sleeping poller', async () => {
    const seen: { events: number; handle: PollHandle | undefined }[] = [];
    let mounted: Session | undefined;
    const ops = flat(
      { f: Buffer.alloc(0) },
      {
        poll(req) {
          seen.push({ events: req.events, handle: req.handle });
          // nothing ready the first time; ready once the poller was woken
          req.replyPoll(seen.length === 1 ? 0 : POLLIN);
        },
      },
    );
    await withSession(ops, async (dir, session) => {
      mounted = session;
      let finished = false;
      const poller = py<{ r: number[]; dt: number }>(
        `fd = os.open(sys.argv[1], os.O_RDONLY)
p = select.poll()
p.register(fd, select.POLLIN)
t = time.monotonic()
r = p.poll(20000)
print(json.dumps({'r': [ev for f, ev in r if f == fd], 'dt': time.monotonic() - t}))`,
        `${dir}/f`,
      );
      void poller.finally(() => (finished = true));
      await waitFor(() => seen.length === 1, 5000, 'the first poll');
      const handle = seen[0]?.handle;
      expect(handle).toBeDefined();
      // a round trip through the mount: the poller still sleeps, nobody asked again
      expect((await sh(`stat -c %s ${dir}/f`)).stdout).toBe('0\n');
      expect(seen).toHaveLength(1);
      expect(finished).toBe(false);
      expect(session.notifyPoll(handle as PollHandle)).toBe(true);
      const result = await poller;
      expect(result.r).toEqual([POLLIN]);
      expect(result.dt).toBeLessThan(10);
      // the kernel polled again after the wake-up
      expect(seen).toHaveLength(2);
      expect((seen[1]?.events ?? 0) & POLLIN).toBe(POLLIN);
      expect(() => session.notifyPoll({} as PollHandle)).toThrow(TypeError);
    });
    // after unmount the handle cannot be used
    expect(() => mounted?.notifyPoll(seen[0]?.handle as PollHandle)).toThrow(/closed/);
  });
});

/** Why a fuseblk mount (needed for bmap) cannot be made here, or undefined. */
function blkdevUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'bmap needs a fuseblk mount of a block device, which needs root';
  if (!readFileSync('/proc/filesystems', 'utf8').includes('fuseblk')) return 'the kernel has no fuseblk';
  if (!existsSync('/dev/loop-control')) return 'no loop devices to back a fuseblk mount';
  return undefined;
}

describeMount('bmap', () => {
  it('FIBMAP on a fuseblk (blkdev) mount: block size and index arrive; replyBmap is what the caller gets', async (ctx) => {
    const unavailable = blkdevUnavailable();
    if (unavailable !== undefined) ctx.skip(unavailable);
    const image = join(tmpdir(), `fuse-lowlevel-bmap-${process.pid}.img`);
    writeFileSync(image, Buffer.alloc(1 << 20));
    const attach = await run('losetup', ['-f', '--show', image]);
    const device = attach.stdout.trim();
    try {
      if (attach.code !== 0 || device === '') ctx.skip(`losetup could not attach a loop device: ${attach.stderr}`);
      const seen: { ino: number; blocksize: number; index: number }[] = [];
      const ops = flat(
        { f: Buffer.alloc(64 * 1024) },
        {
          bmap(req) {
            seen.push({ ino: req.ino, blocksize: req.blocksize, index: req.index });
            req.replyBmap(1000 + req.index);
          },
        },
      );
      await withSession(
        ops,
        async (dir) => {
          const result = await py(
            `fd = os.open(sys.argv[1], os.O_RDONLY)
FIBMAP = 1
print(json.dumps([struct.unpack('i', fcntl.ioctl(fd, FIBMAP, struct.pack('i', i)))[0] for i in (0, 5)]))`,
            `${dir}/f`,
          );
          expect(result).toEqual([1000, 1005]);
          expect(seen).toEqual([
            { ino: 2, blocksize: 4096, index: 0 },
            { ino: 2, blocksize: 4096, index: 5 },
          ]);
        },
        { fsName: device, mountOptions: ['blkdev', 'blksize=4096'] },
      );
    } finally {
      if (device !== '') await run('losetup', ['-d', device]);
      rmSync(image, { force: true });
    }
  });
});

describeMount('operations without a handler', () => {
  it('answer ENOSYS, and the kernel falls back to its defaults (or reports the error)', async () => {
    const SOURCE = Buffer.from('copied by the kernel through read and write');
    const writes: { ino: number; offset: number; data: string }[] = [];
    const mknods: string[] = [];
    // no fsync, setxattr, ioctl, poll, lseek, fallocate, copyFileRange, create, mkdir, flock, getlk/setlk
    const ops = flat(
      { src: SOURCE, dst: Buffer.alloc(0) },
      {
        write(req) {
          writes.push({ ino: req.ino, offset: req.offset, data: req.data.toString() });
          req.replyWrite(req.size);
        },
        mknod(req) {
          mknods.push(req.name);
          req.replyEntry({ ino: 4, attr: { mode: req.mode, nlink: 1 }, entryTimeout: 0, attrTimeout: 0 });
        },
      },
    );
    await withSession(ops, async (dir) => {
      const result = await py<Record<string, unknown>>(
        `d = sys.argv[1]
fd = os.open(d + '/src', os.O_RDWR)
out = os.open(d + '/dst', os.O_WRONLY)
p = select.poll()
p.register(fd, select.POLLIN | select.POLLOUT)
libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
r = {
  'fsync': attempt(lambda: os.fsync(fd)),
  'setxattr': attempt(lambda: os.setxattr(d + '/src', 'user.x', b'1')),
  'ioctl': attempt(lambda: fcntl.ioctl(fd, (2 << 30) | (4 << 16) | (ord('q') << 8) | 1, bytearray(4), True)),
  'poll': [ev for f, ev in p.poll(10000) if f == fd],
  'seekData': attempt(lambda: os.lseek(fd, 10, os.SEEK_DATA)),
  'seekHole': attempt(lambda: os.lseek(fd, 10, os.SEEK_HOLE)),
  'fallocate': errno.errorcode.get(ctypes.get_errno()) if libc.fallocate(fd, 0, 0, 10) != 0 else None,
  'copy': attempt(lambda: os.copy_file_range(fd, out, 100, 0, 3)),
  'mkdir': attempt(lambda: os.mkdir(d + '/dir')),
  'flock': attempt(lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)),
  'lockf': attempt(lambda: fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)),
}
os.close(out)
os.close(fd)
r['create'] = attempt(lambda: os.close(os.open(d + '/made', os.O_CREAT | os.O_WRONLY, 0o600)))
print(json.dumps(r))`,
        dir,
      );
      expect(result).toEqual({
        fsync: null, // ENOSYS: nothing to do, the kernel stops asking
        setxattr: { error: 'ENOTSUP' }, // python's name for EOPNOTSUPP
        ioctl: { error: 'ENOTTY' },
        poll: [POLLIN | POLLOUT], // the kernel's default: always ready
        seekData: 10, // the kernel's default: all data up to the size
        seekHole: SOURCE.length,
        fallocate: 'ENOTSUP',
        copy: SOURCE.length,
        mkdir: { error: 'ENOSYS' },
        flock: null, // kept by the kernel
        lockf: null,
        create: null, // without create, the kernel uses mknod then open
      });
      // copy_file_range fell back to reading src and writing dst
      expect(writes).toEqual([{ ino: 3, offset: 3, data: SOURCE.toString() }]);
      expect(mknods).toEqual(['made']);
    });
  });
});
