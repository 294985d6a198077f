/**
 * What a session reports about the libfuse it runs on, the kernel protocol and
 * each capability, and the errors for a capability that is missing: they name
 * the part that lacks it (this build's libfuse, the kernel, the privilege).
 * Runs on any build: on libfuse 3.14 the passthrough checks take the libfuse
 * path, on 3.17 with this kernel (6.9+) the kernel offers it and a process
 * in a user namespace of its own takes the privilege path.
 */
import { describe, expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import { type CapabilityFacts, capabilityProblem } from '../lib/connection.js';
import {
  CAP,
  CAPABILITY_NAMES,
  CapabilityError,
  type CapabilityName,
  ConnectionInfo,
  type Operations,
  versions,
} from '../lib/index.js';
import { CONN_FIELDS } from '../lib/layout.js';
import { ROOT } from './helpers/dist.js';
import { cleanup, describeMount, run, tempMountpoint, withSession } from './helpers/fuse.js';

/** This build's libfuse headers, as "3.14". */
const BUILT = `${Math.floor(versions.libfuseHeaders / 100)}.${versions.libfuseHeaders % 100}`;
const BUILT_HAS_PASSTHROUGH = versions.libfuseHeaders >= 317;

/** A connection as init would see it, with `capable` offered by the kernel. */
function connection(capable: number, want = 0): ConnectionInfo {
  const values = new Float64Array(CONN_FIELDS.length);
  const set = (field: (typeof CONN_FIELDS)[number], value: number): void => {
    values[CONN_FIELDS.indexOf(field)] = value;
  };
  set('protoMajor', 7);
  set('protoMinor', 45);
  set('capable', capable);
  set('want', want);
  return new ConnectionInfo(values);
}

/** The caught error of `fn`, or undefined. */
function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('capability problems name the missing part', () => {
  const facts = (over: Partial<CapabilityFacts>): CapabilityFacts => ({
    built: { PASSTHROUGH: CAP.PASSTHROUGH, ASYNC_READ: CAP.ASYNC_READ },
    headers: 317,
    capable: CAP.PASSTHROUGH | CAP.ASYNC_READ,
    protocol: '7.45',
    sysAdmin: () => undefined,
    ...over,
  });

  it('libfuse: the build has no such capability, and which libfuse has it', () => {
    expect(capabilityProblem('PASSTHROUGH', facts({ built: {}, headers: 314 }))).toEqual({
      missing: 'libfuse',
      message: 'libfuse 3.14 (this build) has no passthrough (CAP.PASSTHROUGH): needs ≥ 3.17',
    });
    expect(capabilityProblem('EXPIRE_ONLY', facts({ built: {}, headers: 312 }))?.message).toBe(
      'libfuse 3.12 (this build) has no expire only (CAP.EXPIRE_ONLY): needs ≥ 3.13',
    );
  });

  it('kernel: libfuse has it, the running kernel does not offer it, and which kernel does', () => {
    expect(capabilityProblem('PASSTHROUGH', facts({ capable: CAP.ASYNC_READ, protocol: '7.39' }))).toEqual({
      missing: 'kernel',
      message:
        'the kernel does not offer passthrough (CAP.PASSTHROUGH) (FUSE protocol 7.39): needs Linux ≥ 6.9 with CONFIG_FUSE_PASSTHROUGH',
    });
    expect(capabilityProblem('ASYNC_READ', facts({ capable: 0 }))?.message).toBe(
      'the kernel does not offer async read (CAP.ASYNC_READ) (FUSE protocol 7.45)',
    );
  });

  it('privilege: libfuse and the kernel have passthrough, the process lacks CAP_SYS_ADMIN', () => {
    expect(capabilityProblem('PASSTHROUGH', facts({ sysAdmin: () => 'this process does not have it' }))).toEqual({
      missing: 'privilege',
      message: 'passthrough (CAP.PASSTHROUGH) needs CAP_SYS_ADMIN: this process does not have it',
    });
    // Only features that need it ask.
    expect(capabilityProblem('ASYNC_READ', facts({ sysAdmin: () => 'no' }))).toBeUndefined();
  });

  it('nothing when every part is there', () => {
    expect(capabilityProblem('PASSTHROUGH', facts({}))).toBeUndefined();
  });
});

describe('ConnectionInfo capabilities', () => {
  it("CAP names every capability up to libfuse 3.17 with libfuse's bits", () => {
    expect(CAPABILITY_NAMES).toEqual(expect.arrayContaining(['SPLICE_READ', 'EXPIRE_ONLY', 'PASSTHROUGH']));
    expect(CAP.PASSTHROUGH).toBe(1 << 29);
    expect(CAP.SPLICE_WRITE).toBe(1 << 7);
    expect(new Set(CAPABILITY_NAMES.map((name) => CAP[name])).size).toBe(CAPABILITY_NAMES.length);
  });

  it('require turns capabilities on by name or bit, and throws a CapabilityError (nothing changed) when missing', () => {
    const conn = connection(CAP.ASYNC_READ | CAP.WRITEBACK_CACHE | CAP.PARALLEL_DIROPS);
    expect(conn.require('WRITEBACK_CACHE', CAP.PARALLEL_DIROPS)).toBe(conn);
    expect(conn.want).toBe(CAP.WRITEBACK_CACHE | CAP.PARALLEL_DIROPS);
    expect(conn.capability('WRITEBACK_CACHE')).toMatchObject({ libfuse: true, kernel: true, wanted: true });

    const error = caught(() => conn.require('ASYNC_READ', 'CACHE_SYMLINKS'));
    expect(error).toBeInstanceOf(CapabilityError);
    expect(error).toMatchObject({
      capability: 'CACHE_SYMLINKS',
      missing: 'kernel',
      message:
        'conn.require: the kernel does not offer cache symlinks (CAP.CACHE_SYMLINKS) (FUSE protocol 7.45): needs Linux ≥ 4.20',
    });
    expect(conn.want).toBe(CAP.WRITEBACK_CACHE | CAP.PARALLEL_DIROPS);
  });

  it("require: passthrough names this build's libfuse when it lacks it, else the kernel", () => {
    const error = caught(() => connection(CAP.ASYNC_READ).require('PASSTHROUGH'));
    expect(error).toBeInstanceOf(CapabilityError);
    expect((error as CapabilityError).message).toBe(
      BUILT_HAS_PASSTHROUGH
        ? 'conn.require: the kernel does not offer passthrough (CAP.PASSTHROUGH) (FUSE protocol 7.45): needs Linux ≥ 6.9 with CONFIG_FUSE_PASSTHROUGH'
        : `conn.require: libfuse ${BUILT} (this build) has no passthrough (CAP.PASSTHROUGH): needs ≥ 3.17`,
    );
  });

  it('require rejects unknown names and bits no capability has', () => {
    const conn = connection(0xffffffff);
    expect(() => conn.require('NOPE' as CapabilityName)).toThrow(
      new TypeError('conn.require: unknown capability NOPE'),
    );
    expect(() => conn.require(1 << 22)).toThrow(RangeError);
    expect(() => conn.require(-1)).toThrow(RangeError);
  });

  it('reports the protocol as major.minor', () => {
    expect(connection(0).protocol).toBe('7.45');
  });
});

/** Mounts hello with `init`; resolves with the session's conn, or rejects as mount does. */
async function mountWithInit(init: Operations['init']): Promise<ConnectionInfo> {
  return withSession({ ...helloOperations(), init }, async (_dir, session) => session.conn);
}

describeMount('a session reports what it runs on', () => {
  it('the running libfuse, the kernel protocol and every capability by name', async () => {
    const conn = await mountWithInit(() => {});
    expect(conn.libfuse).toBe(versions.libfusePackage);
    expect(conn.libfuse).toMatch(/^3\.\d+\.\d+/);
    expect(conn.protocol).toBe(`${conn.protoMajor}.${conn.protoMinor}`);
    expect(conn.protoMajor).toBe(7);
    const report = conn.capabilities();
    expect(Object.keys(report).sort()).toEqual([...CAPABILITY_NAMES].sort());
    for (const name of CAPABILITY_NAMES) {
      const status = report[name];
      expect(status.bit).toBe(CAP[name]);
      expect(status.kernel, name).toBe(status.libfuse && conn.canDo(CAP[name]));
      expect(status.wanted, name).toBe((conn.want & CAP[name]) >>> 0 === CAP[name] >>> 0);
      if (!status.libfuse)
        expect(status.missing, name).toMatch(new RegExp(`^libfuse ${BUILT} \\(this build\\) has no `));
      else if (!status.kernel) expect(status.missing, name).toMatch(/^the kernel does not offer /);
    }
    expect(report.PASSTHROUGH.libfuse).toBe(BUILT_HAS_PASSTHROUGH);
    expect(report.EXPIRE_ONLY.libfuse).toBe(versions.libfuseHeaders >= 313);
    // Every build turns these on (splice fd replies; parallel dirops, off by default in libfuse 3.17).
    expect(report.SPLICE_WRITE.wanted).toBe(report.SPLICE_WRITE.kernel);
    expect(report.PARALLEL_DIROPS.wanted).toBe(report.PARALLEL_DIROPS.kernel);
    expect(report.SPLICE_READ.wanted).toBe(false);
  });

  it('require(PASSTHROUGH) in init: negotiated where libfuse and the kernel have it, else the mount fails naming the part', async () => {
    const offered = (await mountWithInit(() => {})).capability('PASSTHROUGH');
    const mounted = mountWithInit((conn) => {
      conn.require('PASSTHROUGH');
    });
    if (offered.missing === undefined) {
      const conn = await mounted;
      expect(conn.capability('PASSTHROUGH').wanted).toBe(true);
    } else {
      await expect(mounted).rejects.toThrow(
        new CapabilityError('PASSTHROUGH', 'libfuse', `conn.require: ${offered.missing}`),
      );
      await mounted.catch((error: CapabilityError) => {
        expect(error.missing).toBe(offered.libfuse ? 'kernel' : 'libfuse');
      });
    }
  });

  it('want with a capability this build or kernel lacks fails the mount with the same explanation', async () => {
    const offered = (await mountWithInit(() => {})).capability('PASSTHROUGH');
    const mounted = mountWithInit((conn) => {
      conn.want |= CAP.PASSTHROUGH;
    });
    if (offered.kernel) {
      expect((await mounted).capability('PASSTHROUGH').wanted).toBe(true);
    } else {
      await expect(mounted).rejects.toThrow(
        new RangeError(`init: conn.want asks for CAP.PASSTHROUGH: ${offered.missing ?? ''}`),
      );
    }
  });
});

/**
 * Runs in a child in a user namespace of its own (unshare -U -r -m): root
 * there, with every capability, but CAP_SYS_ADMIN only in that namespace,
 * which is not what the kernel asks for backing files. Mounts hello (FUSE
 * mounts are allowed in a user namespace) whose init requires passthrough, and
 * prints how it went.
 */
const IN_USER_NAMESPACE = `
import { pathToFileURL } from 'node:url';
const [root, mountpoint] = process.argv.slice(1);
const { mount } = await import(pathToFileURL(root + '/dist/lib/index.js').href);
const { helloOperations } = await import(pathToFileURL(root + '/dist/examples/hello.js').href);
let outcome;
try {
  const session = await mount(mountpoint, { ...helloOperations(), init(conn) { conn.require('PASSTHROUGH'); } },
    { unmountTimeout: 2000 });
  outcome = { mounted: true };
  await session.unmount();
} catch (error) {
  outcome = { name: error.name, missing: error.missing, message: error.message };
}
process.stdout.write(JSON.stringify(outcome));
`;

/** Why a FUSE mount in a user namespace of its own cannot be tried here, or undefined when it can. */
async function userNamespaceUnavailableReason(): Promise<string | undefined> {
  try {
    const probe = await run('unshare', ['-U', '-r', '-m', 'true']);
    return probe.code === 0 ? undefined : `unshare -U -r -m fails here: ${probe.stderr.trim()}`;
  } catch (error) {
    return `unshare is not installed (util-linux): ${(error as Error).message}`;
  }
}

const noUserNamespace = await userNamespaceUnavailableReason();
if (noUserNamespace !== undefined)
  console.warn(`\n!!! PASSTHROUGH PRIVILEGE TEST IS SKIPPED: ${noUserNamespace} !!!\n`);
const describeInUserNamespace: typeof describe = (
  noUserNamespace === undefined
    ? describeMount
    : (name: string, fn: () => void) => describe.skip(`${name} [SKIPPED: ${noUserNamespace}]`, fn)
) as typeof describe;

describeInUserNamespace('passthrough without CAP_SYS_ADMIN in the initial user namespace', () => {
  it('require(PASSTHROUGH) fails naming the privilege (or, before that, the libfuse or kernel that lacks it)', async () => {
    const offered = (await mountWithInit(() => {})).capability('PASSTHROUGH');
    const dir = tempMountpoint();
    try {
      const outcome = await run(
        'unshare',
        ['-U', '-r', '-m', '--propagation', 'private', process.execPath, '--input-type=module', '-e'].concat(
          IN_USER_NAMESPACE,
          ROOT,
          dir,
        ),
        20_000,
      );
      expect(outcome.code, outcome.stderr).toBe(0);
      const result = JSON.parse(outcome.stdout) as { name?: string; missing?: string; message?: string };
      const expected = !offered.libfuse ? 'libfuse' : !offered.kernel ? 'kernel' : 'privilege';
      expect(result).toMatchObject({ name: 'CapabilityError', missing: expected });
      if (expected === 'privilege') {
        expect(result.message).toBe(
          'conn.require: passthrough (CAP.PASSTHROUGH) needs CAP_SYS_ADMIN: this process has it only in a user namespace; the kernel wants it in the initial one',
        );
      }
    } finally {
      await cleanup(undefined, dir);
    }
  });
});
