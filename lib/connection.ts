/**
 * The connection parameters negotiated in `init`.
 * @module
 */
import { native } from './addon.js';
import { CONN_FIELDS } from './layout.js';
import { rangeError, uint } from './validate.js';

/** The FUSE_CAP_* capabilities by name, without the prefix. */
export const CAPABILITY_NAMES = [
  'ASYNC_READ',
  'POSIX_LOCKS',
  'ATOMIC_O_TRUNC',
  'EXPORT_SUPPORT',
  'DONT_MASK',
  'SPLICE_WRITE',
  'SPLICE_MOVE',
  'SPLICE_READ',
  'FLOCK_LOCKS',
  'IOCTL_DIR',
  'AUTO_INVAL_DATA',
  'READDIRPLUS',
  'READDIRPLUS_AUTO',
  'ASYNC_DIO',
  'WRITEBACK_CACHE',
  'NO_OPEN_SUPPORT',
  'PARALLEL_DIROPS',
  'POSIX_ACL',
  'HANDLE_KILLPRIV',
  'CACHE_SYMLINKS',
  'NO_OPENDIR_SUPPORT',
  'EXPLICIT_INVAL_DATA',
  'EXPIRE_ONLY',
] as const;

/** The name of a FUSE_CAP_* capability, without the prefix. */
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** FUSE_CAP_* capability bits by name (without the prefix), e.g. `CAP.SPLICE_WRITE`. */
export const CAP: Readonly<Record<CapabilityName, number>> = Object.freeze(
  Object.fromEntries(
    CAPABILITY_NAMES.map((name) => {
      const bit = native.CAP[name];
      if (bit === undefined) throw new Error(`fuse-lowlevel: the addon does not export capability ${name}`);
      return [name, bit];
    }),
  ) as Record<CapabilityName, number>,
);

const UINT32_MAX = 0xffffffff;

/**
 * What the kernel offers and what the filesystem wants. `init` may change the
 * settable fields; they are checked when it returns.
 */
export class ConnectionInfo {
  /** FUSE protocol version. */
  readonly protoMajor: number;
  /** FUSE protocol minor version. */
  readonly protoMinor: number;
  /** Capabilities the kernel supports (CAP bits). */
  readonly capable: number;
  /** The most bytes the kernel reads at once (from the maxRead mount option). */
  readonly maxRead: number;
  /**
   * Capabilities the filesystem wants (a subset of `capable`). Starts with
   * libfuse's defaults plus SPLICE_WRITE (zero-copy fd replies).
   */
  want: number;
  /** The largest write request, in bytes. */
  maxWrite: number;
  /** The most read-ahead, in bytes (at most the kernel's value). */
  maxReadahead: number;
  /** The most outstanding background requests. */
  maxBackground: number;
  /** Background requests at which the kernel considers the filesystem congested. */
  congestionThreshold: number;
  /** Timestamp granularity in nanoseconds (a power of 10 from 1 to 1e9; 0 or 1 = nanoseconds). */
  timeGran: number;

  /** @internal */
  constructor(values: Float64Array) {
    const get = (field: (typeof CONN_FIELDS)[number]): number => values[CONN_FIELDS.indexOf(field)] ?? 0;
    this.protoMajor = get('protoMajor');
    this.protoMinor = get('protoMinor');
    this.capable = get('capable');
    this.maxRead = get('maxRead');
    this.want = get('want');
    this.maxWrite = get('maxWrite');
    this.maxReadahead = get('maxReadahead');
    this.maxBackground = get('maxBackground');
    this.congestionThreshold = get('congestionThreshold');
    this.timeGran = get('timeGran');
  }

  /** Whether the kernel supports a capability (CAP bit). */
  canDo(cap: number): boolean {
    return (this.capable & cap) === cap;
  }

  /** @internal Validates the settable fields and writes them back for the addon. */
  _pack(into: Float64Array): void {
    const where = 'init';
    const want = uint(where, 'conn.want', this.want, UINT32_MAX);
    if ((want & ~this.capable) >>> 0 !== 0) {
      rangeError(
        where,
        'conn.want',
        `a subset of conn.capable (0x${this.capable.toString(16)})`,
        `0x${want.toString(16)}`,
      );
    }
    const settable: Record<string, number> = {
      want,
      maxWrite: uint(where, 'conn.maxWrite', this.maxWrite, UINT32_MAX),
      maxReadahead: uint(where, 'conn.maxReadahead', this.maxReadahead, UINT32_MAX),
      maxBackground: uint(where, 'conn.maxBackground', this.maxBackground, 0xffff),
      congestionThreshold: uint(where, 'conn.congestionThreshold', this.congestionThreshold, 0xffff),
      timeGran: uint(where, 'conn.timeGran', this.timeGran, 1_000_000_000),
    };
    CONN_FIELDS.forEach((field, i) => {
      const v = settable[field];
      if (v !== undefined) into[i] = v;
    });
  }
}
