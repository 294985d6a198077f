/**
 * The connection parameters negotiated in `init`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { native } from './addon.js';
import { CONN_FIELDS } from './layout.js';
import { rangeError, uint } from './validate.js';

/** What using a capability takes beyond the FUSE protocol: the libfuse and kernel that have it. */
interface CapabilitySpec {
  /** The FUSE_CAP_* bit (fixed by libfuse's ABI; checked against the addon's headers at load). */
  readonly bit: number;
  /** The first libfuse whose headers define it, as major * 100 + minor; absent: every libfuse from 3.10 on. */
  readonly libfuse?: number;
  /** The kernel that offers it, for the message when the running one does not. */
  readonly kernel?: string;
  /** Needs CAP_SYS_ADMIN (in the initial user namespace) to be used. */
  readonly sysAdmin?: true;
}

/** Every FUSE_CAP_* capability this package knows, up to libfuse 3.17. */
const CAPABILITY_SPECS = {
  ASYNC_READ: { bit: 1 << 0 },
  POSIX_LOCKS: { bit: 1 << 1 },
  ATOMIC_O_TRUNC: { bit: 1 << 3 },
  EXPORT_SUPPORT: { bit: 1 << 4 },
  DONT_MASK: { bit: 1 << 6 },
  SPLICE_WRITE: { bit: 1 << 7 },
  SPLICE_MOVE: { bit: 1 << 8 },
  SPLICE_READ: { bit: 1 << 9 },
  FLOCK_LOCKS: { bit: 1 << 10 },
  IOCTL_DIR: { bit: 1 << 11 },
  AUTO_INVAL_DATA: { bit: 1 << 12 },
  READDIRPLUS: { bit: 1 << 13 },
  READDIRPLUS_AUTO: { bit: 1 << 14 },
  ASYNC_DIO: { bit: 1 << 15 },
  WRITEBACK_CACHE: { bit: 1 << 16, kernel: 'Linux ≥ 3.15' },
  NO_OPEN_SUPPORT: { bit: 1 << 17 },
  PARALLEL_DIROPS: { bit: 1 << 18, kernel: 'Linux ≥ 4.7' },
  POSIX_ACL: { bit: 1 << 19, kernel: 'Linux ≥ 4.9' },
  HANDLE_KILLPRIV: { bit: 1 << 20, kernel: 'Linux ≥ 4.9' },
  CACHE_SYMLINKS: { bit: 1 << 23, kernel: 'Linux ≥ 4.20' },
  NO_OPENDIR_SUPPORT: { bit: 1 << 24, kernel: 'Linux ≥ 5.1' },
  EXPLICIT_INVAL_DATA: { bit: 1 << 25, kernel: 'Linux ≥ 5.2' },
  EXPIRE_ONLY: { bit: 1 << 26, libfuse: 313, kernel: 'Linux ≥ 6.2' },
  HANDLE_KILLPRIV_V2: { bit: 1 << 21, libfuse: 317, kernel: 'Linux ≥ 5.11' },
  SETXATTR_EXT: { bit: 1 << 27, libfuse: 317, kernel: 'Linux ≥ 5.11' },
  DIRECT_IO_ALLOW_MMAP: { bit: 1 << 28, libfuse: 317, kernel: 'Linux ≥ 6.6' },
  PASSTHROUGH: { bit: 1 << 29, libfuse: 317, kernel: 'Linux ≥ 6.9 with CONFIG_FUSE_PASSTHROUGH', sysAdmin: true },
  NO_EXPORT_SUPPORT: { bit: 1 << 30, libfuse: 317, kernel: 'Linux ≥ 6.9' },
} as const satisfies Record<string, CapabilitySpec>;

/** The name of a FUSE_CAP_* capability, without the prefix. */
export type CapabilityName = keyof typeof CAPABILITY_SPECS;

/** The FUSE_CAP_* capabilities by name, without the prefix: every one this package knows (libfuse ≤ 3.17). */
export const CAPABILITY_NAMES = Object.freeze(Object.keys(CAPABILITY_SPECS)) as readonly CapabilityName[];

/**
 * FUSE_CAP_* capability bits by name (without the prefix), e.g. `CAP.SPLICE_WRITE`.
 * It names every capability up to libfuse 3.17, also those the libfuse this
 * addon was built with lacks (they are never in `conn.capable` then); see
 * {@link ConnectionInfo.capability} for what is missing.
 */
export const CAP: Readonly<Record<CapabilityName, number>> = Object.freeze(
  Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, CAPABILITY_SPECS[name].bit])) as Record<
    CapabilityName,
    number
  >,
);

for (const [name, bit] of Object.entries(native.CAP)) {
  const known = (CAP as Record<string, number>)[name];
  if (known !== undefined && known !== bit) {
    throw new Error(`fuse-lowlevel: the addon's libfuse defines FUSE_CAP_${name} as ${bit}, this package as ${known}`);
  }
}

/** The libfuse version a number such as 317 stands for: "3.17". */
function versionText(version: number): string {
  return `${Math.floor(version / 100)}.${version % 100}`;
}

/** Which part a missing capability lacks: this build's libfuse, the running kernel, or the process's privilege. */
export type MissingPart = 'libfuse' | 'kernel' | 'privilege';

/** Thrown by {@link ConnectionInfo.require} when a capability cannot be used; the message names the missing part. */
export class CapabilityError extends Error {
  /** The capability asked for. */
  readonly capability: CapabilityName;
  /** What lacks it. */
  readonly missing: MissingPart;

  /** @internal */
  constructor(capability: CapabilityName, missing: MissingPart, message: string) {
    super(message);
    this.name = 'CapabilityError';
    this.capability = capability;
    this.missing = missing;
  }
}

/** What a capability's check looks at; the addon and the process give the real values. */
export interface CapabilityFacts {
  /** The capabilities the libfuse headers of this build define (the addon's CAP). */
  readonly built: Readonly<Record<string, number>>;
  /** The libfuse version of those headers, e.g. 314. */
  readonly headers: number;
  /** What the kernel offers (conn.capable). */
  readonly capable: number;
  /** The FUSE protocol, e.g. "7.45". */
  readonly protocol: string;
  /** Why this process cannot use privileged features (CAP_SYS_ADMIN), or undefined when it can. */
  readonly sysAdmin: () => string | undefined;
}

/**
 * @internal Why `name` cannot be used under `facts`, naming the missing part,
 * or undefined when it can.
 */
export function capabilityProblem(
  name: CapabilityName,
  facts: CapabilityFacts,
): { missing: MissingPart; message: string } | undefined {
  const spec: CapabilitySpec = CAPABILITY_SPECS[name];
  const label = `${name.toLowerCase().replaceAll('_', ' ')} (CAP.${name})`;
  if (facts.built[name] === undefined) {
    const needs = spec.libfuse === undefined ? 'needs a newer libfuse' : `needs ≥ ${versionText(spec.libfuse)}`;
    return {
      missing: 'libfuse',
      message: `libfuse ${versionText(facts.headers)} (this build) has no ${label}: ${needs}`,
    };
  }
  if ((facts.capable & spec.bit) >>> 0 !== spec.bit >>> 0) {
    const needs = spec.kernel === undefined ? '' : `: needs ${spec.kernel}`;
    return {
      missing: 'kernel',
      message: `the kernel does not offer ${label} (FUSE protocol ${facts.protocol})${needs}`,
    };
  }
  if (spec.sysAdmin) {
    const why = facts.sysAdmin();
    if (why !== undefined) return { missing: 'privilege', message: `${label} needs CAP_SYS_ADMIN: ${why}` };
  }
  return undefined;
}

/**
 * Why this process cannot use features that need CAP_SYS_ADMIN (the kernel
 * checks it in the initial user namespace), or undefined when it can or when
 * /proc does not tell.
 */
function sysAdminProblem(): string | undefined {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return undefined;
  }
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (effective === undefined) return undefined;
  const CAP_SYS_ADMIN = 21n;
  if (((BigInt(`0x${effective}`) >> CAP_SYS_ADMIN) & 1n) === 0n) {
    return 'this process does not have it (run as root, or grant it: setcap cap_sys_admin+ep)';
  }
  try {
    const map = readFileSync('/proc/self/uid_map', 'utf8').trim();
    if (!/^0\s+0\s+4294967295$/.test(map)) {
      return 'this process has it only in a user namespace; the kernel wants it in the initial one';
    }
  } catch {
    // no user namespaces
  }
  return undefined;
}

/** Where one capability stands on this connection. */
export interface CapabilityStatus {
  /** The capability, e.g. 'PASSTHROUGH'. */
  readonly name: CapabilityName;
  /** Its bit in `capable` and `want` (CAP[name]). */
  readonly bit: number;
  /** The libfuse of this build knows it (its headers define FUSE_CAP_<name>). */
  readonly libfuse: boolean;
  /** The running kernel offers it (it is in `capable`; never when `libfuse` is false). */
  readonly kernel: boolean;
  /** It is in `want` now. */
  readonly wanted: boolean;
  /** Why it cannot be used, naming the missing part (libfuse, kernel or privilege); undefined when it can. */
  readonly missing: string | undefined;
}

const UINT32_MAX = 0xffffffff;

/**
 * What the kernel offers and what the filesystem wants. `init` may change the
 * settable fields; they are checked when it returns.
 */
export class ConnectionInfo {
  /** The libfuse this session runs on, e.g. "3.17.2" (fuse_pkgversion()). */
  readonly libfuse: string;
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
   * libfuse's defaults plus SPLICE_WRITE (zero-copy fd replies) and
   * PARALLEL_DIROPS (a default up to libfuse 3.14, not in 3.17), minus
   * SPLICE_READ. libfuse 3.17 no longer turns HANDLE_KILLPRIV on by default:
   * a filesystem that clears suid/sgid itself asks for it.
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
    this.libfuse = native.libfusePackageVersion;
  }

  /** The FUSE protocol the kernel speaks, e.g. "7.45". */
  get protocol(): string {
    return `${this.protoMajor}.${this.protoMinor}`;
  }

  /** Whether the kernel supports a capability (CAP bit). */
  canDo(cap: number): boolean {
    return (this.capable & cap) === cap;
  }

  /** Where a capability stands: known to this build's libfuse, offered by the kernel, wanted, and what is missing. */
  capability(name: CapabilityName): CapabilityStatus {
    const bit = CAP[name];
    if (bit === undefined) throw new TypeError(`conn.capability: unknown capability ${String(name)}`);
    return {
      name,
      bit,
      libfuse: native.CAP[name] !== undefined,
      kernel: native.CAP[name] !== undefined && this.canDo(bit),
      wanted: (this.want & bit) >>> 0 === bit >>> 0,
      missing: capabilityProblem(name, this.#facts())?.message,
    };
  }

  /** Every capability this package knows, by name, as {@link capability} reports it. */
  capabilities(): Record<CapabilityName, CapabilityStatus> {
    return Object.fromEntries(CAPABILITY_NAMES.map((name) => [name, this.capability(name)])) as Record<
      CapabilityName,
      CapabilityStatus
    >;
  }

  /**
   * Turns capabilities on in `want`, by name or CAP bits; throws a
   * {@link CapabilityError} naming what is missing when one cannot be used:
   * the libfuse of this build ("libfuse 3.14 (this build) has no passthrough
   * (CAP.PASSTHROUGH): needs ≥ 3.17"), the running kernel ("the kernel does not
   * offer passthrough (CAP.PASSTHROUGH) (FUSE protocol 7.39): needs Linux ≥ 6.9
   * with CONFIG_FUSE_PASSTHROUGH") or the process's privilege ("passthrough
   * (CAP.PASSTHROUGH) needs CAP_SYS_ADMIN: …"). Nothing changes when it throws.
   * Call it in `init`; a throw there fails the mount with that error.
   */
  require(...caps: (CapabilityName | number)[]): this {
    let want = 0;
    for (const cap of caps) {
      for (const name of this.#names('conn.require', cap)) {
        const problem = capabilityProblem(name, this.#facts());
        if (problem !== undefined) throw new CapabilityError(name, problem.missing, `conn.require: ${problem.message}`);
        want |= CAP[name];
      }
    }
    this.want = (this.want | want) >>> 0;
    return this;
  }

  /** The capability names in a name or a set of CAP bits; throws for bits no capability has. */
  #names(where: string, cap: CapabilityName | number): CapabilityName[] {
    if (typeof cap === 'string') {
      if (!(cap in CAPABILITY_SPECS)) throw new TypeError(`${where}: unknown capability ${cap}`);
      return [cap];
    }
    const bits = uint(where, 'capability', cap, UINT32_MAX);
    const names = CAPABILITY_NAMES.filter((name) => (bits & CAP[name]) >>> 0 !== 0);
    const known = names.reduce((all, name) => (all | CAP[name]) >>> 0, 0);
    if (known !== bits) rangeError(where, 'capability', 'CAP bits', `0x${bits.toString(16)}`);
    return names;
  }

  #facts(): CapabilityFacts {
    return {
      built: native.CAP,
      headers: native.libfuseHeadersVersion,
      capable: this.capable,
      protocol: this.protocol,
      sysAdmin: sysAdminProblem,
    };
  }

  /** @internal Validates the settable fields and writes them back for the addon. */
  _pack(into: Float64Array): void {
    const where = 'init';
    const want = uint(where, 'conn.want', this.want, UINT32_MAX);
    const extra = (want & ~this.capable) >>> 0;
    if (extra !== 0) {
      const name = CAPABILITY_NAMES.find((n) => (extra & CAP[n]) >>> 0 !== 0);
      const problem = name === undefined ? undefined : capabilityProblem(name, this.#facts());
      if (problem !== undefined) throw new RangeError(`${where}: conn.want asks for CAP.${name}: ${problem.message}`);
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
