/**
 * Names are bytes across the library (issue 11, section 1): every request
 * that carries a name, symlink target or xattr name delivers exactly the
 * bytes the caller passed — `nameBytes` (and friends) equal them, and the
 * string keeps each invalid byte as U+DC80-U+DCFF — and every reply that
 * sends one (readdir, readdirplus, readlink, listxattr) takes a Buffer or an
 * escaped string and the caller sees the exact bytes. Before fcfae97 each
 * invalid byte became U+FFFD. A minimal in-test filesystem records what
 * arrives; python3 children pass bytes paths.
 */
import { constants } from 'node:fs';
import { expect, it } from 'vitest';
import { type Attr, type Entry, nameFromBytes, nameToBytes, type Operations } from '../lib/index.js';
import { describeMount, python, withSession } from './helpers/fuse.js';

const { S_IFDIR, S_IFREG, S_IFLNK } = constants;
const ROOT = 1;

/** The names under test: invalid UTF-8 (lone bytes, truncated and overlong sequences, a surrogate's encoding) and valid. */
const NAMES = ['a\xff', 'a\xfe', '\x80'.repeat(200), '\xc3(', '\xe2\x82', '\xc0\xaf', '\xed\xa0\x80', 'é ü'].map((s) =>
  s === 'é ü' ? Buffer.from(s) : Buffer.from(s, 'latin1'),
);

const py = python(`
d = os.fsencode(sys.argv[1])
names = [bytes.fromhex(h) for h in sys.argv[2].split(',')]
`);

/** What a handler saw: the operation, the name's bytes (hex), and whether the string was the escaped form of them. */
interface Seen {
  op: string;
  bytes: string;
  exact: boolean;
}

/**
 * A root directory that takes every create-like request (each gets a fresh
 * inode), answers lookups of names it has, and records each name it gets.
 */
function recorder(seen: Seen[]): Operations {
  const attrs = new Map<number, Attr>([[ROOT, { mode: S_IFDIR | 0o777, nlink: 2 }]]);
  const byName = new Map<string, number>();
  let next = 2;
  const note = (op: string, name: string, bytes: Buffer): void => {
    seen.push({
      op,
      bytes: bytes.toString('hex'),
      exact: nameFromBytes(bytes) === name && nameToBytes(name).equals(bytes),
    });
  };
  const entry = (ino: number): Entry => ({ ino, attr: attrs.get(ino) as Attr, entryTimeout: 0, attrTimeout: 0 });
  const make = (name: string, mode: number): Entry => {
    const ino = next++;
    attrs.set(ino, { mode, nlink: 1 });
    byName.set(name, ino);
    return entry(ino);
  };
  return {
    lookup(req) {
      note('lookup', req.name, req.nameBytes);
      const ino = byName.get(req.name);
      req.replyEntry(ino === undefined ? { ino: 0, entryTimeout: 0 } : entry(ino));
    },
    getattr(req) {
      const attr = attrs.get(req.ino);
      if (attr === undefined) return req.replyError('ENOENT');
      req.replyAttr(attr, 0);
    },
    mknod(req) {
      note('mknod', req.name, req.nameBytes);
      req.replyEntry(make(req.name, S_IFREG | (req.mode & 0o777)));
    },
    mkdir(req) {
      note('mkdir', req.name, req.nameBytes);
      req.replyEntry(make(req.name, S_IFDIR | (req.mode & 0o777)));
    },
    create(req) {
      note('create', req.name, req.nameBytes);
      req.replyCreate(make(req.name, S_IFREG | (req.mode & 0o777)), 0);
    },
    symlink(req) {
      note('symlink', req.name, req.nameBytes);
      note('symlink target', req.target, req.targetBytes);
      req.replyEntry(make(req.name, S_IFLNK | 0o777));
    },
    link(req) {
      note('link', req.newName, req.newNameBytes);
      byName.set(req.newName, req.ino);
      req.replyEntry(entry(req.ino));
    },
    rename(req) {
      note('rename from', req.name, req.nameBytes);
      note('rename to', req.newName, req.newNameBytes);
      const ino = byName.get(req.name);
      if (ino === undefined) return req.replyError('ENOENT');
      byName.delete(req.name);
      byName.set(req.newName, ino);
      req.replyOk();
    },
    unlink(req) {
      note('unlink', req.name, req.nameBytes);
      byName.delete(req.name);
      req.replyOk();
    },
    rmdir(req) {
      note('rmdir', req.name, req.nameBytes);
      byName.delete(req.name);
      req.replyOk();
    },
    setxattr(req) {
      note('setxattr', req.name, req.nameBytes);
      req.replyOk();
    },
    getxattr(req) {
      note('getxattr', req.name, req.nameBytes);
      req.replyError('ENODATA');
    },
    removexattr(req) {
      note('removexattr', req.name, req.nameBytes);
      req.replyOk();
    },
  };
}

describeMount('names are bytes: requests', () => {
  it('every name-carrying request delivers the exact bytes (nameBytes, newNameBytes, targetBytes; escaped strings)', async () => {
    const seen: Seen[] = [];
    await withSession(recorder(seen), async (mnt) => {
      await py(
        `
n0, n1 = names[0], names[1]
os.mknod(d + b'/' + n0 + b'.node', 0o100644)
os.mkdir(d + b'/' + n0 + b'.dir')
for n in names:
    os.close(os.open(d + b'/' + n, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
os.symlink(b'/t\\xff/\\x80' + n1, d + b'/' + n1 + b'.lnk')
os.link(d + b'/' + n0, d + b'/' + n1 + b'.hard')
os.rename(d + b'/' + n0, d + b'/' + n1 + b'.moved')
os.unlink(d + b'/' + n1 + b'.moved')
os.rmdir(d + b'/' + n0 + b'.dir')
os.setxattr(d, b'user.' + n1, b'v')
attempt(lambda: os.getxattr(d, b'user.' + n0))
os.removexattr(d, b'user.' + n1)
print('null')`,
        mnt,
        NAMES.map((n) => n.toString('hex')).join(','),
      );
    });
    const [n0, n1] = NAMES as [Buffer, Buffer];
    const hex = (...parts: (Buffer | string)[]): string =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))).toString('hex');
    const expected: [string, string][] = [
      ['mknod', hex(n0, '.node')],
      ['mkdir', hex(n0, '.dir')],
      ...NAMES.map((n): [string, string] => ['create', hex(n)]),
      ['symlink', hex(n1, '.lnk')],
      ['symlink target', hex('/t\xff/\x80', n1)],
      ['link', hex(n1, '.hard')],
      ['rename from', hex(n0)],
      ['rename to', hex(n1, '.moved')],
      ['unlink', hex(n1, '.moved')],
      ['rmdir', hex(n0, '.dir')],
      ['setxattr', hex('user.', n1)],
      ['getxattr', hex('user.', n0)],
      ['removexattr', hex('user.', n1)],
    ];
    for (const [op, bytes] of expected) {
      expect(seen, `${op} ${bytes}`).toContainEqual({ op, bytes, exact: true });
    }
    // Each lookup the kernel sent carried one of the names the client used, exactly.
    const lookups = seen.filter((s) => s.op === 'lookup');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((s) => s.exact)).toBe(true);
    expect(seen.filter((s) => !s.exact)).toEqual([]);
    // Two names that differ in one invalid byte stay two names.
    expect(nameFromBytes(n0)).not.toBe(nameFromBytes(n1));
  }, 60_000);
});

describeMount('names are bytes: replies', () => {
  it('readdir and readdirplus add() list a Buffer name and an escaped string exactly; readlink answers a Buffer target', async () => {
    const listed = [Buffer.from('b\xff\xfe', 'latin1'), Buffer.from('\x80'.repeat(255), 'latin1')];
    const escaped = ['c\udcff', 'ok-\u00e9', 'e\udcc3('];
    const target = Buffer.from('/x\xff/\xc3(', 'latin1');
    const all = [...listed, ...escaped.map((s) => nameToBytes(s))];
    for (const plus of [false, true]) {
      const attr = (ino: number): Attr => ({ ino, mode: ino === 3 ? S_IFLNK | 0o777 : S_IFREG | 0o644, nlink: 1 });
      const ops: Operations = {
        lookup(req) {
          const i = all.findIndex((n) => n.equals(req.nameBytes));
          if (i < 0) return req.replyEntry({ ino: 0 });
          req.replyEntry({ ino: 2 + i, attr: attr(2 + i), entryTimeout: 0, attrTimeout: 0 });
        },
        getattr(req) {
          req.replyAttr(req.ino === ROOT ? { mode: S_IFDIR | 0o755, nlink: 2 } : attr(req.ino), 0);
        },
        readlink(req) {
          req.replyReadlink(target);
        },
        ...(plus
          ? {
              readdirplus(req) {
                const names = [...listed, ...escaped];
                for (let i = req.offset; i < names.length; i++) {
                  const ino = 2 + i;
                  if (
                    !req.add(
                      names[i] as Buffer | string,
                      { ino, attr: attr(ino), entryTimeout: 0, attrTimeout: 0 },
                      i + 1,
                    )
                  )
                    break;
                }
                req.replyDirents();
              },
            }
          : {
              readdir(req) {
                const names = [...listed, ...escaped];
                for (let i = req.offset; i < names.length; i++) {
                  if (!req.add(names[i] as Buffer | string, 2 + i, S_IFREG, i + 1)) break;
                }
                req.replyDirents();
              },
            }),
      };
      await withSession(ops, async (mnt) => {
        const r = await py<{ listing: string[]; link: string }>(
          `
listing = sorted(n.hex() for n in os.listdir(d))
link = os.readlink(d + b'/' + bytes.fromhex(sys.argv[3]))
print(json.dumps({'listing': listing, 'link': link.hex()}))`,
          mnt,
          '',
          (all[1] as Buffer).toString('hex'),
        );
        expect(r.listing, plus ? 'readdirplus' : 'readdir').toEqual(all.map((n) => n.toString('hex')).sort());
        expect(r.link).toBe(target.toString('hex'));
      });
    }
  }, 60_000);

  it('listxattr answers names given as Buffers and as escaped strings; getxattr finds them by their bytes', async () => {
    const names: (Buffer | string)[] = [Buffer.from('user.\xff\x80', 'latin1'), 'user.\udcfe\udcc3', 'user.plain'];
    const ops: Operations = {
      getattr(req) {
        req.replyAttr({ mode: S_IFDIR | 0o755, nlink: 2 }, 0);
      },
      listxattr(req) {
        req.replyNames(names);
      },
      getxattr(req) {
        const i = names.findIndex((n) => nameToBytes(n).equals(req.nameBytes));
        if (i < 0) return req.replyError('ENODATA');
        req.replyValue(Buffer.from(`value ${i}`));
      },
    };
    await withSession(ops, async (mnt) => {
      const r = await py<{ names: string[]; values: string[] }>(
        `
got = [os.fsencode(n) for n in os.listxattr(d)]
print(json.dumps({'names': sorted(n.hex() for n in got), 'values': [os.getxattr(d, n).decode() for n in sorted(got)]}))`,
        mnt,
        '',
      );
      const bytes = names.map((n) => nameToBytes(n));
      expect(r.names).toEqual(bytes.map((b) => b.toString('hex')).sort());
      const order = bytes.map((b, i) => [b.toString('hex'), i] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
      expect(r.values).toEqual(order.map(([, i]) => `value ${i}`));
    });
  }, 60_000);
});
