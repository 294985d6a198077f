/**
 * getxattr and listxattr through real mounts, driven by python3 (os.getxattr,
 * and libc through ctypes for exact buffer sizes) and getfattr: the size-0
 * probe, ERANGE, ENODATA, replyValue/replyNames and the low-level replies.
 */
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import type { Attr, GetxattrRequest, ListxattrRequest, Operations } from '../lib/index.js';
import { describeMount, run, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;
const FILE = 2;

async function py<T = unknown>(script: string, ...args: string[]): Promise<T> {
  const prelude = `import os, sys, json, errno, ctypes
libc = ctypes.CDLL(None, use_errno=True)
def attempt(f):
    try:
        return f()
    except OSError as e:
        return {'error': errno.errorcode.get(e.errno, str(e.errno))}
def getx(path, name, size):
    """getxattr(2) with exactly \`size\` bytes of buffer: the hex value, the size for a probe, or the errno name."""
    buf = ctypes.create_string_buffer(max(size, 1))
    n = libc.getxattr(path.encode(), name.encode(), buf if size else None, ctypes.c_size_t(size))
    if n < 0:
        return {'error': errno.errorcode.get(ctypes.get_errno(), '?')}
    return buf.raw[:n].hex() if size else n
def listx(path, size):
    """listxattr(2) with exactly \`size\` bytes: the names, the size for a probe, or the errno name."""
    buf = ctypes.create_string_buffer(max(size, 1))
    n = libc.listxattr(path.encode(), buf if size else None, ctypes.c_size_t(size))
    if n < 0:
        return {'error': errno.errorcode.get(ctypes.get_errno(), '?')}
    return [x.decode() for x in buf.raw[:n].split(b'\\0')[:-1]] if size else n
`;
  const result = await run('python3', ['-c', `${prelude}${script}`, ...args]);
  if (result.code !== 0) throw new Error(`python3 failed (${result.code ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A root directory holding one file, `f`, with the given xattr handlers. */
function xattrFs(handlers: Pick<Operations, 'getxattr' | 'listxattr'>): Operations {
  const attrOf = (ino: number): Attr =>
    ino === ROOT ? { mode: S_IFDIR | 0o755, nlink: 2 } : { mode: S_IFREG | 0o644, nlink: 1, size: 0 };
  return {
    lookup(req) {
      if (req.parent !== ROOT || req.name !== 'f') return req.replyError('ENOENT');
      req.replyEntry({ ino: FILE, attr: attrOf(FILE), attrTimeout: 60, entryTimeout: 60 });
    },
    getattr(req) {
      req.replyAttr(attrOf(req.ino), 60);
    },
    ...handlers,
  };
}

const VALUES: Record<string, Buffer> = {
  'user.text': Buffer.from('hello, xattr ✓'),
  'user.binary': Buffer.from([0, 1, 2, 0xff, 0, 0x80]),
  'user.empty': Buffer.alloc(0),
  'user.big': Buffer.alloc(60_000, 'b'),
  'trusted.secret': Buffer.from('root only'),
};

describeMount('getxattr', () => {
  it('replyValue: the size for a size-0 probe, ERANGE when the buffer is too small, else the bytes', async () => {
    const seen: { ino: number; name: string; size: number }[] = [];
    const ops = xattrFs({
      getxattr(req) {
        seen.push({ ino: req.ino, name: req.name, size: req.size });
        const value = VALUES[req.name];
        if (value === undefined) return req.replyError('ENODATA');
        req.replyValue(value);
      },
    });
    await withSession(ops, async (dir) => {
      const text = VALUES['user.text'] as Buffer;
      const got = await py(
        `p = sys.argv[1]
print(json.dumps([
  getx(p, 'user.text', 0),
  getx(p, 'user.text', ${text.length - 1}),
  getx(p, 'user.text', ${text.length}),
  getx(p, 'user.text', 1000),
  getx(p, 'user.binary', 0),
  getx(p, 'user.binary', 6),
  getx(p, 'user.empty', 0),
  getx(p, 'user.empty', 10),
  getx(p, 'trusted.secret', 100),
  getx(p, 'user.missing', 0),
  getx(p, 'user.missing', 10),
]))`,
        `${dir}/f`,
      );
      expect(got).toEqual([
        text.length,
        { error: 'ERANGE' },
        text.toString('hex'),
        text.toString('hex'),
        6,
        '000102ff0080',
        0,
        '',
        Buffer.from('root only').toString('hex'),
        { error: 'ENODATA' },
        { error: 'ENODATA' },
      ]);
      expect(seen.map((s) => [s.name, s.size])).toEqual([
        ['user.text', 0],
        ['user.text', text.length - 1],
        ['user.text', text.length],
        ['user.text', 1000],
        ['user.binary', 0],
        ['user.binary', 6],
        ['user.empty', 0],
        ['user.empty', 10],
        ['trusted.secret', 100],
        ['user.missing', 0],
        ['user.missing', 10],
      ]);
      for (const s of seen) expect(s.ino).toBe(FILE);
    });
  });

  it("python's os.getxattr and getfattr read values, large ones included", async () => {
    const ops = xattrFs({
      async getxattr(req) {
        await new Promise((r) => setImmediate(r)); // answered later: async is fine
        const value = VALUES[req.name];
        if (value === undefined) return req.replyError('ENODATA');
        req.replyValue(value);
      },
    });
    await withSession(ops, async (dir) => {
      const got = await py<string[]>(
        `print(json.dumps([os.getxattr(sys.argv[1], n).hex() for n in ['user.text', 'user.big', 'user.binary']] + [attempt(lambda: os.getxattr(sys.argv[1], 'user.nope'))]))`,
        `${dir}/f`,
      );
      expect(got).toEqual([
        (VALUES['user.text'] as Buffer).toString('hex'),
        (VALUES['user.big'] as Buffer).toString('hex'),
        (VALUES['user.binary'] as Buffer).toString('hex'),
        { error: 'ENODATA' },
      ]);
      const fattr = await run('getfattr', ['--only-values', '-n', 'user.text', `${dir}/f`]);
      expect(fattr.code).toBe(0);
      expect(fattr.stdout).toBe('hello, xattr ✓');
      const missing = await run('getfattr', ['-n', 'user.nope', `${dir}/f`]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/No such attribute/);
    });
  });

  it('low level: replyXattrSize answers a probe, replyBuf the value; replyBuf refuses more than size', async () => {
    const thrown: string[] = [];
    const ops = xattrFs({
      getxattr(req: GetxattrRequest) {
        const value = Buffer.from('low-level value');
        if (req.name === 'user.lie') {
          // a probe answered with any size the filesystem likes
          if (req.size === 0) return req.replyXattrSize(12_345);
          return req.replyBuf(value);
        }
        if (req.size === 0) return req.replyXattrSize(value.length);
        if (req.name === 'user.overflow') {
          try {
            req.replyBuf(Buffer.alloc(req.size + 1));
          } catch (error) {
            thrown.push((error as Error).name);
          }
          return;
        }
        req.replyBuf(value.subarray(0, Math.min(value.length, req.size)));
      },
    });
    await withSession(ops, async (dir) => {
      const got = await py(
        `p = sys.argv[1]
print(json.dumps([getx(p, 'user.x', 0), getx(p, 'user.x', 100), getx(p, 'user.x', 3), getx(p, 'user.lie', 0), getx(p, 'user.lie', 100), getx(p, 'user.overflow', 10)]))`,
        `${dir}/f`,
      );
      expect(got).toEqual([
        15,
        Buffer.from('low-level value').toString('hex'),
        Buffer.from('low').toString('hex'),
        12_345,
        Buffer.from('low-level value').toString('hex'),
        { error: 'EIO' },
      ]);
      expect(thrown).toEqual(['RangeError']);
    });
  });

  it('replyXattrSize to a request that is not a probe throws instead of sending a malformed reply', async () => {
    // The kernel reads a reply to a non-probe getxattr/listxattr as the value
    // itself: fuse_getxattr_out (8 bytes) must not be sent then.
    const results: string[] = [];
    const answer = (req: GetxattrRequest | ListxattrRequest): void => {
      try {
        req.replyXattrSize(5);
        results.push(`${req.op}: sent`);
      } catch (error) {
        results.push(`${req.op}: ${(error as Error).name}`);
        if (!req.answered) req.replyError('EIO');
      }
    };
    const ops = xattrFs({ getxattr: answer, listxattr: answer });
    await withSession(ops, async (dir) => {
      const got = await py(
        `print(json.dumps([getx(sys.argv[1], 'user.x', 100), listx(sys.argv[1], 100)]))`,
        `${dir}/f`,
      );
      expect(got).toEqual([{ error: 'EIO' }, { error: 'EIO' }]);
      expect(results).toHaveLength(2);
      for (const r of results) expect(r).toMatch(/^(getxattr|listxattr): (TypeError|RangeError)$/);
    });
  });

  it('without a handler the kernel reports EOPNOTSUPP (libfuse answers ENOSYS)', async () => {
    await withSession(xattrFs({}), async (dir) => {
      const got = await py(`print(json.dumps([getx(sys.argv[1], 'user.x', 0), listx(sys.argv[1], 0)]))`, `${dir}/f`);
      // EOPNOTSUPP and ENOTSUP are the same errno (95) on Linux; python names it ENOTSUP
      expect(got).toEqual([{ error: 'ENOTSUP' }, { error: 'ENOTSUP' }]);
    });
  });
});

describeMount('listxattr', () => {
  const NAMES = ['user.text', 'user.binary', 'user.ünïcode', 'trusted.secret'];
  const LIST_BYTES = NAMES.reduce((n, name) => n + Buffer.byteLength(name) + 1, 0);

  it('replyNames: the size for a probe, ERANGE when too small, else the NUL-separated names', async () => {
    const sizes: number[] = [];
    const ops = xattrFs({
      listxattr(req) {
        sizes.push(req.size);
        req.replyNames(req.ino === FILE ? NAMES : []);
      },
    });
    await withSession(ops, async (dir) => {
      const got = await py(
        `p = sys.argv[1]
print(json.dumps([listx(p, 0), listx(p, ${LIST_BYTES - 1}), listx(p, ${LIST_BYTES}), listx(p, 4096), sorted(os.listxattr(p)), listx(sys.argv[2], 0), os.listxattr(sys.argv[2])]))`,
        `${dir}/f`,
        dir,
      );
      expect(got).toEqual([LIST_BYTES, { error: 'ERANGE' }, NAMES, NAMES, [...NAMES].sort(), 0, []]);
      expect(sizes.slice(0, 4)).toEqual([0, LIST_BYTES - 1, LIST_BYTES, 4096]);
    });
  });

  it('getfattr -d lists and reads every attribute through listxattr and getxattr', async () => {
    const ops = xattrFs({
      listxattr(req) {
        req.replyNames(['user.text', 'user.binary', 'user.empty']);
      },
      getxattr(req) {
        const value = VALUES[req.name];
        if (value === undefined) return req.replyError('ENODATA');
        req.replyValue(value);
      },
    });
    await withSession(ops, async (dir) => {
      const dump = await run('getfattr', ['-d', '-e', 'hex', '--absolute-names', `${dir}/f`]);
      expect(dump.code).toBe(0);
      const lines = dump.stdout.split('\n').filter((line) => line.startsWith('user.'));
      const expected = ['user.text', 'user.binary', 'user.empty'].map(
        (n) => `${n}=0x${(VALUES[n] as Buffer).toString('hex')}`,
      );
      expect(lines.sort()).toEqual(expected.sort());
    });
  });

  it('low level: replyXattrSize and replyBuf; invalid names throw and the caller gets EIO', async () => {
    const thrown: string[] = [];
    const raw = Buffer.from('user.a\0user.bb\0');
    const ops = xattrFs({
      listxattr(req: ListxattrRequest) {
        if (req.ino === ROOT) {
          try {
            req.replyNames(['user.ok', 'user.bad\0name']);
          } catch (error) {
            thrown.push((error as Error).name);
          }
          return;
        }
        if (req.size === 0) return req.replyXattrSize(raw.length);
        if (req.size < raw.length) return req.replyError('ERANGE');
        req.replyBuf(raw);
      },
    });
    await withSession(ops, async (dir) => {
      const got = await py(
        `print(json.dumps([listx(sys.argv[1], 0), listx(sys.argv[1], 100), listx(sys.argv[1], 5), listx(sys.argv[2], 100)]))`,
        `${dir}/f`,
        dir,
      );
      expect(got).toEqual([raw.length, ['user.a', 'user.bb'], { error: 'ERANGE' }, { error: 'EIO' }]);
      expect(thrown).toHaveLength(1);
      expect(['TypeError', 'RangeError']).toContain(thrown[0]);
    });
  });
});
