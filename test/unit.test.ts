/**
 * Pure-TypeScript units, no mounts: argument validation, struct packing, the
 * layout contract with the addon, option resolution and errno mapping.
 */
import { promises as fsp } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { native } from '../lib/addon.js';
import { EIO, errnoFromError, errnoName, errnoOf, FuseError } from '../lib/errors.js';
import {
  ATTR_FIELDS,
  ATTR_LENGTH,
  CONN_FIELDS,
  DIRENT_LENGTH,
  ENTRY_FIELDS,
  ENTRY_LENGTH,
  type FieldKind,
  LOCK_FIELDS,
  OPEN_FIELDS,
  Packed,
  packAttr,
  packEntry,
  packStatfs,
  STATFS_FIELDS,
} from '../lib/layout.js';
import { resolveOptions } from '../lib/options.js';
import type { Attr, Entry, StatfsInfo } from '../lib/types.js';
import {
  cString,
  fileName,
  fileNameBytes,
  object,
  optionalUint,
  rangeError,
  seconds,
  typeError,
  uint,
} from '../lib/validate.js';

/** Runs `fn` and returns what it threw (failing the test if it did not throw). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected a throw, but nothing was thrown');
}

const S_IFREG = 0o100000;

describe('validate', () => {
  it('typeError and rangeError use the `where: what must be …, got …` style', () => {
    const t = thrown(() => typeError('op.m', 'field', 'a thing', 'x'));
    expect(t).toBeInstanceOf(TypeError);
    expect(t.message).toBe('op.m: field must be a thing, got "x"');
    const r = thrown(() => rangeError('op.m', 'field', 'small', 7));
    expect(r).toBeInstanceOf(RangeError);
    expect(r.message).toBe('op.m: field must be small, got 7');
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [12n, '12n'],
    [{}, 'an object'],
    [[1], 'an array'],
    [() => 0, 'a function'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    ['a'.repeat(100), `"${'a'.repeat(57)}..."`],
  ])('shows %s as %s', (value, shown) => {
    expect(thrown(() => typeError('w', 'v', 'x', value)).message).toBe(`w: v must be x, got ${shown}`);
  });

  it('uint accepts non-negative safe integers up to max', () => {
    expect(uint('w', 'n', 0)).toBe(0);
    expect(uint('w', 'n', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(uint('w', 'n', 10, 10)).toBe(10);
  });

  it('uint rejects wrong types with TypeError and bad values with RangeError', () => {
    const t = thrown(() => uint('w', 'n', '1'));
    expect(t).toBeInstanceOf(TypeError);
    expect(t.message).toBe('w: n must be a non-negative safe integer, got "1"');
    expect(thrown(() => uint('w', 'n', 1n))).toBeInstanceOf(TypeError);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -0.5]) {
      const e = thrown(() => uint('w', 'n', bad));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`w: n must be a non-negative safe integer, got ${String(bad)}`);
    }
    const over = thrown(() => uint('w', 'n', 11, 10));
    expect(over).toBeInstanceOf(RangeError);
    expect(over.message).toBe('w: n must be an integer from 0 to 10, got 11');
  });

  it('optionalUint falls back only for undefined', () => {
    expect(optionalUint('w', 'n', undefined, 7)).toBe(7);
    expect(optionalUint('w', 'n', 0, 7)).toBe(0);
    expect(thrown(() => optionalUint('w', 'n', null, 7))).toBeInstanceOf(TypeError);
    expect(thrown(() => optionalUint('w', 'n', 9, 7, 8))).toBeInstanceOf(RangeError);
  });

  it('seconds accepts finite non-negative numbers (fractions too) and rejects the rest', () => {
    expect(seconds('w', 't', undefined, 1)).toBe(1);
    expect(seconds('w', 't', 0, 1)).toBe(0);
    expect(seconds('w', 't', 0.25, 1)).toBe(0.25);
    expect(thrown(() => seconds('w', 't', '1', 1))).toBeInstanceOf(TypeError);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, -0.001]) {
      const e = thrown(() => seconds('w', 't', bad, 1));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`w: t must be a finite, non-negative number of seconds, got ${String(bad)}`);
    }
  });

  it('object accepts plain objects only', () => {
    const o = { a: 1 };
    expect(object('w', 'o', o)).toBe(o);
    for (const bad of [null, undefined, [], 'x', 1])
      expect(thrown(() => object('w', 'o', bad))).toBeInstanceOf(TypeError);
  });

  it('fileName rejects empty names, "/", NUL and names over 255 bytes', () => {
    expect(fileName('w', 'name', 'a.txt')).toBe('a.txt');
    expect(fileName('w', 'name', 'x'.repeat(255))).toHaveLength(255);
    expect(fileName('w', 'name', 'é'.repeat(127))).toHaveLength(127); // 254 bytes
    expect(thrown(() => fileName('w', 'name', 5))).toBeInstanceOf(TypeError);
    for (const bad of ['', 'a/b', '/', 'a\0b', 'x'.repeat(256), 'é'.repeat(128)]) {
      const e = thrown(() => fileName('w', 'name', bad));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toMatch(/^w: name must be a non-empty name of at most 255 bytes without '\/' or NUL, got "/);
    }
  });

  it('fileNameBytes counts UTF-8 bytes as Buffer.byteLength does (pairs, lone surrogates, 2- and 3-byte characters)', () => {
    const pieces = [
      'a',
      'Z',
      '.',
      'é',
      'ß',
      '€',
      '中',
      '😀',
      '\ud800',
      '\udfff',
      '\u07ff',
      '\u0800',
      '\uffff',
      '\u007f',
    ];
    let state = 1;
    for (let i = 0; i < 2000; i++) {
      let name = '';
      const n = 1 + (i % 90);
      for (let k = 0; k < n; k++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        name += pieces[state % pieces.length];
      }
      const bytes = Buffer.byteLength(name);
      expect(fileNameBytes(name), JSON.stringify(name)).toBe(bytes <= 255 && name.length <= 255 ? bytes : -1);
    }
    expect(fileNameBytes('😀'.repeat(63))).toBe(252);
    expect(fileNameBytes('😀'.repeat(64))).toBe(-1);
    for (const bad of ['', '/', 'a/', '\0', 'é\0']) expect(fileNameBytes(bad)).toBe(-1);
  });

  it('cString counts bytes and rejects NUL', () => {
    expect(cString('w', 's', 'abc', 3)).toBe('abc');
    expect(cString('w', 's', '', 3)).toBe('');
    expect(thrown(() => cString('w', 's', 'é€', 4))).toBeInstanceOf(RangeError); // 5 bytes
    expect(thrown(() => cString('w', 's', 'a\0', 10)).message).toBe(
      'w: s must be a string of at most 10 bytes without NUL, got "a\\u0000"',
    );
    expect(thrown(() => cString('w', 's', Buffer.from('a'), 10))).toBeInstanceOf(TypeError);
  });
});

describe('layout', () => {
  const at = (fields: readonly (readonly [string, string])[], name: string): number => {
    const i = fields.findIndex(([n]) => n === name);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  };
  /** The packed fields from `from`, by name. */
  const read = (out: Packed, fields: readonly (readonly [string, FieldKind])[], from = 0) =>
    Object.fromEntries(fields.map(([name, kind], i) => [name, out.field(from + i, kind)]));
  const packA = (attr: unknown, ino: number | bigint = 0): Record<string, number | bigint> => {
    const out = new Packed(ATTR_LENGTH);
    packAttr('getattr.replyAttr', attr as Attr, out, 0, ino);
    return read(out, ATTR_FIELDS);
  };
  const time = (out: Record<string, number | bigint>, which: 'atime' | 'mtime' | 'ctime') => [
    out[`${which}Sec`],
    out[`${which}Nsec`],
  ];
  const S_IFDIR = 0o040000;

  it("matches the addon's LAYOUT exactly (the C++/TS contract)", () => {
    expect(ATTR_FIELDS).toEqual(native.LAYOUT.attr);
    expect(ENTRY_FIELDS).toEqual(native.LAYOUT.entry);
    expect(STATFS_FIELDS).toEqual(native.LAYOUT.statfs);
    expect(OPEN_FIELDS).toEqual(native.LAYOUT.open);
    expect(LOCK_FIELDS).toEqual(native.LAYOUT.lock);
    expect(CONN_FIELDS.map((name) => [name, 'F64'])).toEqual(native.LAYOUT.conn);
    expect(ENTRY_LENGTH).toBe(native.LAYOUT.entry.length + native.LAYOUT.attr.length);
    expect(DIRENT_LENGTH).toBe(1 + ENTRY_LENGTH);
  });

  it('packAttr writes every field in order, defaulting omitted ones to 0 and ino to the given one', () => {
    const out = packA(
      { mode: S_IFREG | 0o644, nlink: 2, uid: 1000, gid: 100, rdev: 7, size: 2 ** 40, blksize: 4096, blocks: 9 },
      42,
    );
    expect(out).toEqual({
      ino: 42,
      mode: S_IFREG | 0o644,
      nlink: 2,
      uid: 1000,
      gid: 100,
      rdev: 7,
      size: 2 ** 40,
      blksize: 4096,
      blocks: 9,
      atimeSec: 0,
      atimeNsec: 0,
      mtimeSec: 0,
      mtimeNsec: 0,
      ctimeSec: 0,
      ctimeNsec: 0,
    });
    expect(packA({ ino: 5, mode: S_IFDIR }, 42).ino).toBe(5);
  });

  it('packAttr carries the full 64-bit range exactly, as numbers or bigints', () => {
    const out = packA({ ino: 2n ** 64n - 1n, mode: S_IFREG, size: 2n ** 63n - 1n, blocks: 2 ** 53 - 1 });
    expect(out.ino).toBe(2n ** 64n - 1n);
    expect(out.size).toBe(2n ** 63n - 1n);
    expect(out.blocks).toBe(2 ** 53 - 1);
    expect(packA({ mode: S_IFREG, size: 2n ** 62n - 2n }).size).toBe(2n ** 62n - 2n);
  });

  it('packAttr writes at an offset without touching the rest', () => {
    const out = new Packed(ATTR_LENGTH + 3);
    out.words.fill(7);
    packAttr('w', { mode: S_IFREG }, out, 3, 9);
    expect([...out.words.subarray(0, 6)]).toEqual([7, 7, 7, 7, 7, 7]);
    expect(out.field(3, 'U64')).toBe(9);
    expect(out.field(4, 'U32')).toBe(S_IFREG);
  });

  it('packs timestamps from a Date', () => {
    const out = packA({ mode: S_IFREG, atime: new Date(1_700_000_000_123), mtime: new Date(-1) });
    expect(time(out, 'atime')).toEqual([1_700_000_000, 123_000_000]);
    expect(time(out, 'mtime')).toEqual([-1, 999_000_000]);
  });

  it('packs timestamps from milliseconds with sub-millisecond fractions', () => {
    const out = packA({ mode: S_IFREG, atime: 1500.25, mtime: -1.5, ctime: 0.000001 });
    expect(time(out, 'atime')).toEqual([1, 500_250_000]);
    expect(time(out, 'mtime')).toEqual([-1, 998_500_000]);
    expect(time(out, 'ctime')).toEqual([0, 1]);
  });

  it('never rounds milliseconds up to a full second of nanoseconds', () => {
    const [, nsec] = time(packA({ mode: S_IFREG, atime: 999.9999999 }), 'atime');
    expect(nsec).toBeLessThanOrEqual(999_999_999);
    expect(nsec).toBeGreaterThanOrEqual(999_999_000);
  });

  it('packs bigint nanoseconds exactly, negative ones and ones past 2^53 seconds too', () => {
    const out = packA({ mode: S_IFREG, atime: 1_700_000_000_123_456_789n, mtime: -1n, ctime: -1_000_000_001n });
    expect(time(out, 'atime')).toEqual([1_700_000_000, 123_456_789]);
    expect(time(out, 'mtime')).toEqual([-1, 999_999_999]);
    expect(time(out, 'ctime')).toEqual([-2, 999_999_999]);
    expect(time(packA({ mode: S_IFREG, atime: -2_000_000_000n }), 'atime')).toEqual([-2, 0]);
    expect(time(packA({ mode: S_IFREG, atime: 2n ** 53n * 1_000_000_000n + 5n }), 'atime')).toEqual([2n ** 53n, 5]);
  });

  it('keeps fs.Stats nanosecond times (bigint) end to end', async () => {
    const stats = await fsp.stat('.', { bigint: true });
    const out = packA({ mode: S_IFDIR, mtime: stats.mtimeNs });
    expect(BigInt(out.mtimeSec as number) * 1_000_000_000n + BigInt(out.mtimeNsec as number)).toBe(stats.mtimeNs);
  });

  const U64_RULE = 'a non-negative integer below 2^64 (number or bigint)';
  it.each([
    [{ mode: S_IFREG, atime: Number.NaN }, RangeError, 'getattr.replyAttr: attr.atime must be a finite time, got NaN'],
    [
      { mode: S_IFREG, mtime: Number.POSITIVE_INFINITY },
      RangeError,
      'getattr.replyAttr: attr.mtime must be a finite time, got Infinity',
    ],
    [
      { mode: S_IFREG, ctime: new Date(Number.NaN) },
      RangeError,
      'getattr.replyAttr: attr.ctime must be a finite time, got an object',
    ],
    [
      { mode: S_IFREG, atime: '2020-01-01' },
      TypeError,
      'getattr.replyAttr: attr.atime must be a Date, milliseconds (number) or nanoseconds (bigint), got "2020-01-01"',
    ],
    [
      { mode: S_IFREG, atime: 2n ** 63n * 1_000_000_000n },
      RangeError,
      /attr\.atime must be a 64-bit signed integer, got \d+n$/,
    ],
    [
      { mode: S_IFREG, size: -1 },
      RangeError,
      'getattr.replyAttr: attr.size must be an integer from 0 to 9223372036854775807, got -1',
    ],
    [
      { mode: S_IFREG, size: 2 ** 53 },
      RangeError,
      'getattr.replyAttr: attr.size must be an integer from 0 to 9223372036854775807, got 9007199254740992',
    ],
    [{ mode: S_IFREG, size: 2n ** 63n }, RangeError, /attr\.size must be an integer from 0 to 9223372036854775807/],
    [
      { mode: S_IFREG, blocks: 0.5 },
      RangeError,
      'getattr.replyAttr: attr.blocks must be an integer from 0 to 9223372036854775807, got 0.5',
    ],
    [
      { mode: S_IFREG, nlink: 2 ** 32 },
      RangeError,
      'getattr.replyAttr: attr.nlink must be an integer from 0 to 4294967295, got 4294967296',
    ],
    [
      { mode: S_IFREG, uid: -1 },
      RangeError,
      'getattr.replyAttr: attr.uid must be an integer from 0 to 4294967295, got -1',
    ],
    [{ size: 1 }, TypeError, 'getattr.replyAttr: attr.mode must be a non-negative safe integer, got undefined'],
    [{ mode: '644' }, TypeError, 'getattr.replyAttr: attr.mode must be a non-negative safe integer, got "644"'],
    [
      { mode: 0o644 },
      RangeError,
      'getattr.replyAttr: attr.mode must be a file type (S_IFREG, S_IFDIR, S_IFLNK …) with permission bits, e.g. 0o100644, got 420',
    ],
    [{ mode: 0o070644 }, RangeError, /attr\.mode must be a file type/],
    [{ mode: S_IFREG, ino: -3 }, RangeError, `getattr.replyAttr: attr.ino must be ${U64_RULE}, got -3`],
    [
      { mode: S_IFREG, ino: 2n ** 64n },
      RangeError,
      `getattr.replyAttr: attr.ino must be ${U64_RULE}, got 18446744073709551616n`,
    ],
    [null, TypeError, 'getattr.replyAttr: attr must be an object, got null'],
  ])('packAttr rejects %o', (attr, type, message) => {
    const e = thrown(() => packA(attr));
    expect(e).toBeInstanceOf(type);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  });

  it("packEntry writes the entry fields, then the attr with the entry's ino", () => {
    const out = new Packed(ENTRY_LENGTH);
    packEntry(
      'lookup.replyEntry',
      { ino: 7, generation: 3, attr: { mode: S_IFREG, size: 5 }, attrTimeout: 0.5, entryTimeout: 0 },
      out,
      0,
    );
    expect(read(out, ENTRY_FIELDS)).toEqual({ ino: 7, generation: 3, attrTimeout: 0.5, entryTimeout: 0 });
    const attr = read(out, ATTR_FIELDS, ENTRY_FIELDS.length);
    expect([attr.ino, attr.mode, attr.size]).toEqual([7, S_IFREG, 5]);
  });

  it('packEntry defaults generation to 0 and the timeouts to 1 s, and takes bigint inode numbers', () => {
    const out = new Packed(ENTRY_LENGTH);
    packEntry('w', { ino: 2n ** 60n, attr: { mode: S_IFDIR } }, out, 0);
    expect(read(out, ENTRY_FIELDS)).toEqual({ ino: 2n ** 60n, generation: 0, attrTimeout: 1, entryTimeout: 1 });
    expect(out.field(ENTRY_FIELDS.length + at(ATTR_FIELDS, 'ino'), 'U64')).toBe(2n ** 60n);
  });

  it('packEntry accepts a negative entry (ino 0) without attr, zeroing it', () => {
    const out = new Packed(ENTRY_LENGTH);
    out.words.fill(9);
    packEntry('w', { ino: 0, entryTimeout: 5 } as Entry, out, 0);
    expect(read(out, ENTRY_FIELDS)).toEqual({ ino: 0, generation: 0, attrTimeout: 1, entryTimeout: 5 });
    expect([...out.words.subarray(2 * ENTRY_FIELDS.length)]).toEqual(new Array(2 * ATTR_LENGTH).fill(0));
  });

  it.each([
    [{ ino: -1, attr: { mode: S_IFREG } }, RangeError, `lookup.replyEntry: entry.ino must be ${U64_RULE}, got -1`],
    [
      { ino: 2 ** 53, attr: { mode: S_IFREG } },
      RangeError,
      `lookup.replyEntry: entry.ino must be ${U64_RULE}, got 9007199254740992`,
    ],
    [
      { ino: 2, attr: { mode: S_IFREG }, attrTimeout: Number.NaN },
      RangeError,
      'lookup.replyEntry: entry.attrTimeout must be a finite, non-negative number of seconds, got NaN',
    ],
    [
      { ino: 2, attr: { mode: S_IFREG }, entryTimeout: -1 },
      RangeError,
      'lookup.replyEntry: entry.entryTimeout must be a finite, non-negative number of seconds, got -1',
    ],
    [
      { ino: 2, attr: { mode: S_IFREG }, generation: 1.5 },
      RangeError,
      `lookup.replyEntry: entry.generation must be ${U64_RULE}, got 1.5`,
    ],
    [{ ino: 2 }, TypeError, 'lookup.replyEntry: attr must be an object, got undefined'],
    [
      { ino: 2, attr: {} },
      TypeError,
      'lookup.replyEntry: attr.mode must be a non-negative safe integer, got undefined',
    ],
    ['x', TypeError, 'lookup.replyEntry: entry must be an object, got "x"'],
  ])('packEntry rejects %o', (entry, type, message) => {
    const e = thrown(() => packEntry('lookup.replyEntry', entry as Entry, new Packed(ENTRY_LENGTH), 0));
    expect(e).toBeInstanceOf(type);
    expect(e.message).toBe(message);
  });

  it('packStatfs writes the fields in order, namemax defaulting to 255, counts past 2^53 exact', () => {
    const out = new Packed(STATFS_FIELDS.length);
    packStatfs('statfs.replyStatfs', { bsize: 4096, blocks: 2 ** 40, ffree: 3, files: 2n ** 60n }, out);
    expect(read(out, STATFS_FIELDS)).toEqual({
      bsize: 4096,
      frsize: 0,
      blocks: 2 ** 40,
      bfree: 0,
      bavail: 0,
      files: 2n ** 60n,
      ffree: 3,
      favail: 0,
      fsid: 0,
      flag: 0,
      namemax: 255,
    });
    packStatfs('w', { namemax: 1024 }, out);
    expect(out.field(at(STATFS_FIELDS, 'namemax'), 'U64')).toBe(1024);
  });

  it.each([
    [{ blocks: -1 }, RangeError, `statfs.replyStatfs: stats.blocks must be ${U64_RULE}, got -1`],
    [{ bfree: Number.NaN }, RangeError, `statfs.replyStatfs: stats.bfree must be ${U64_RULE}, got NaN`],
    [{ files: 2 ** 60 }, RangeError, `statfs.replyStatfs: stats.files must be ${U64_RULE}, got ${String(2 ** 60)}`],
    [
      { bsize: '4096' },
      TypeError,
      'statfs.replyStatfs: stats.bsize must be a non-negative integer (number or bigint), got "4096"',
    ],
    [undefined, TypeError, 'statfs.replyStatfs: stats must be an object, got undefined'],
  ])('packStatfs rejects %o', (info, type, message) => {
    const e = thrown(() => packStatfs('statfs.replyStatfs', info as StatfsInfo, new Packed(STATFS_FIELDS.length)));
    expect(e).toBeInstanceOf(type);
    expect(e.message).toBe(message);
  });
});

describe('resolveOptions', () => {
  it('defaults: fsname fuse-lowlevel, the event loop reads /dev/fuse (threads 0), no debug, 5 s unmount timeout', () => {
    expect(resolveOptions(undefined)).toEqual({
      args: ['-o', 'fsname=fuse-lowlevel'],
      maxRead: 0,
      autoUnmount: false,
      threads: 0,
      debug: false,
      unmountTimeout: 5000,
      requestTimeout: 0,
    });
    expect(resolveOptions({})).toEqual(resolveOptions(undefined));
  });

  it('turns every option into libfuse arguments', () => {
    const resolved = resolveOptions({
      fsName: 'memfs',
      subtype: 'mem',
      readOnly: true,
      allowOther: true,
      defaultPermissions: true,
      autoUnmount: true,
      maxRead: 65536,
      mountOptions: ['noatime', 'max_readahead=0'],
      threads: 4,
      debug: true,
      unmountTimeout: 250,
    });
    expect(resolved).toEqual({
      args: [
        '-o',
        'fsname=memfs',
        '-o',
        'subtype=mem',
        '-o',
        'ro',
        '-o',
        'allow_other',
        '-o',
        'default_permissions',
        '-o',
        'auto_unmount',
        '-o',
        'max_read=65536',
        '-o',
        'noatime',
        '-o',
        'max_readahead=0',
        '-d',
      ],
      maxRead: 65536,
      autoUnmount: true,
      threads: 4,
      debug: true,
      unmountTimeout: 250,
      requestTimeout: 0,
    });
  });

  it('false flags add nothing', () => {
    expect(resolveOptions({ readOnly: false, allowOther: false, debug: false }).args).toEqual([
      '-o',
      'fsname=fuse-lowlevel',
    ]);
  });

  it('accepts unmountTimeout 0 (answer what is in flight at once)', () => {
    expect(resolveOptions({ unmountTimeout: 0 }).unmountTimeout).toBe(0);
  });

  it.each([
    [
      { bogus: 1 },
      TypeError,
      /^mount: options\.bogus must be one of the known options \(fsName, .*requestTimeout\), got "bogus"$/,
    ],
    [{ fsName: 'a,b' }, TypeError, /^mount: options\.fsName must be a non-empty string without commas, got "a,b"$/],
    [{ fsName: '' }, TypeError, /^mount: options\.fsName must be a non-empty string without commas, got ""$/],
    [{ fsName: 'a\0' }, RangeError, /^mount: options\.fsName must be a string of at most 255 bytes without NUL/],
    [{ fsName: 3 }, TypeError, /^mount: options\.fsName must be a string, got 3$/],
    [{ subtype: 'x,allow_other' }, TypeError, /^mount: options\.subtype must be a non-empty string without commas/],
    [{ readOnly: 'yes' }, TypeError, /^mount: options\.readOnly must be a boolean, got "yes"$/],
    [{ debug: 1 }, TypeError, /^mount: options\.debug must be a boolean, got 1$/],
    [{ maxRead: -1 }, RangeError, /^mount: options\.maxRead must be an integer from 0 to 4294967295, got -1$/],
    [
      { mountOptions: 'noatime' },
      TypeError,
      /^mount: options\.mountOptions must be an array of strings, got "noatime"$/,
    ],
    [
      { mountOptions: ['ok', 'a,b'] },
      TypeError,
      /^mount: options\.mountOptions\[1\] must be a non-empty string without commas, got "a,b"$/,
    ],
    [{ mountOptions: [1] }, TypeError, /^mount: options\.mountOptions\[0\] must be a string, got 1$/],
    [
      { threads: 65 },
      RangeError,
      /^mount: options\.threads must be an integer from 0 to 64, got 65$|^mount: options\.threads must be .*, got 65$/,
    ],
    [{ threads: 1.5 }, RangeError, /^mount: options\.threads must be .*, got 1\.5$/],
    [{ threads: '2' }, TypeError, /^mount: options\.threads must be .*, got "2"$/],
    [
      { unmountTimeout: -1 },
      RangeError,
      /^mount: options\.unmountTimeout must be a non-negative safe integer, got -1$/,
    ],
    ['fast', TypeError, /^mount: options must be an object, got "fast"$/],
  ])('rejects %o', (options, type, message) => {
    const e = thrown(() => resolveOptions(options as never));
    expect(e).toBeInstanceOf(type);
    expect(e.message).toMatch(message);
  });

  it('accepts threads 0 to 64 and rejects 65', () => {
    expect(resolveOptions({ threads: 0 }).threads).toBe(0);
    expect(resolveOptions({ threads: 64 }).threads).toBe(64);
    const e = thrown(() => resolveOptions({ threads: 65 }));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toMatch(/^mount: options\.threads must be an integer from 0 to 64, got 65$/);
  });
});

describe('errors', () => {
  it('errnoOf and errnoName map names and numbers', () => {
    expect(errnoOf('ENOENT')).toBe(2);
    expect(errnoOf('EACCES')).toBe(constants.errno.EACCES);
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(constants.errno.ENOSYS)).toBe('ENOSYS');
    expect(errnoOf('ENOPE')).toBeUndefined();
    expect(errnoName(0)).toBeUndefined();
    expect(errnoName(99_999)).toBeUndefined();
  });

  it('errnoOf ignores inherited Object properties', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty'])
      expect(errnoOf(name)).toBeUndefined();
  });

  it('errnoName round-trips for every errno, aliases included', () => {
    for (const [name, n] of Object.entries(constants.errno)) {
      const back = errnoName(n);
      expect(back, name).toBeDefined();
      expect(errnoOf(back as string)).toBe(n);
    }
  });

  it('EIO is 5', () => {
    expect(EIO).toBe(5);
  });

  it('FuseError carries errno and code from a name or a number', () => {
    const byName = new FuseError('ENOENT');
    expect(byName).toBeInstanceOf(Error);
    expect(byName.name).toBe('FuseError');
    expect(byName.errno).toBe(2);
    expect(byName.code).toBe('ENOENT');
    expect(byName.message).toBe('ENOENT');
    const byNumber = new FuseError(13, 'no entry for you');
    expect(byNumber.code).toBe('EACCES');
    expect(byNumber.message).toBe('no entry for you');
    const unnamed = new FuseError(500);
    expect(unnamed.errno).toBe(500);
    expect(unnamed.code).toBe('E500');
  });

  it.each([0, -2, 1.5, 512, 4096, Number.NaN, 'ENOPE', 'enoent'])('FuseError(%s) throws a RangeError', (bad) => {
    const e = thrown(() => new FuseError(bad as never));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe(`FuseError: errno must be a known errno name or an integer 1..511, got ${String(bad)}`);
  });

  it('errnoFromError: FuseError and Node errno errors are expected; the rest is EIO', async () => {
    expect(errnoFromError(new FuseError('ENOTDIR'))).toEqual({ errno: constants.errno.ENOTDIR, expected: true });
    expect(errnoFromError(Object.assign(new Error('x'), { code: 'EACCES' }))).toEqual({ errno: 13, expected: true });
    expect(errnoFromError({ code: 'EEXIST' })).toEqual({ errno: constants.errno.EEXIST, expected: true });
    const real = await fsp.readFile('/nonexistent-fuse-lowlevel-test/x').catch((e: unknown) => e);
    expect(errnoFromError(real)).toEqual({ errno: 2, expected: true });
    const unexpected = [
      new Error('boom'),
      new TypeError('x'),
      Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }),
      { code: 5 },
      'ENOENT',
      42,
      null,
      undefined,
    ];
    for (const error of unexpected) expect(errnoFromError(error)).toEqual({ errno: 5, expected: false });
  });

  it("errnoFromError: an AbortError answers EINTR, expected, only when the request's signal was aborted", async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('the request was interrupted', 'AbortError'));
    const aborts = [
      controller.signal.reason, // fetch, signal.throwIfAborted()
      await sleep(10_000, undefined, { signal: controller.signal }).catch((e: unknown) => e), // Node's AbortError
      await fsp.readFile('/proc/self/status', { signal: controller.signal }).catch((e: unknown) => e),
    ];
    for (const error of aborts) {
      expect(errnoFromError(error, true)).toEqual({ errno: constants.errno.EINTR, expected: true });
      // Not interrupted: an abort of the handler's own is unexpected, EIO.
      expect(errnoFromError(error, false)).toEqual({ errno: 5, expected: false });
    }
    expect(errnoFromError(new Error('boom'), true)).toEqual({ errno: 5, expected: false });
    expect(errnoFromError(new FuseError('ENOENT'), true)).toEqual({ errno: 2, expected: true });
  });
});
