/**
 * The addon we ship: the committed prebuild (prebuilds/linux-x64), built by
 * `npm run build:prebuild` with libfuse linked in statically, so that it loads
 * where no libfuse3.so is installed. Checked as a file (readelf, nm) and as a
 * real mount in a mount namespace where every libfuse3.so* is hidden.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { geteuid } from 'node:process';
import { describe, expect, it } from 'vitest';
import { versions } from '../lib/index.js';
import { fuseUnavailableReason } from '../lib/testing/index.js';
import { sourceHash } from '../scripts/source-hash.mjs';
import { ROOT } from './helpers/dist.js';
import { cleanup, run, tempMountpoint } from './helpers/fuse.js';

const PREBUILDS = join(ROOT, 'prebuilds', 'linux-x64');

/** The committed prebuilds (.node files), as full paths. */
function prebuilds(): string[] {
  return existsSync(PREBUILDS)
    ? readdirSync(PREBUILDS)
        .filter((f) => f.endsWith('.node'))
        .map((f) => join(PREBUILDS, f))
    : [];
}

/** The same, failing when there is none. */
function expectPrebuilds(): string[] {
  const files = prebuilds();
  expect(files, `no prebuild in ${PREBUILDS}: run npm run build:prebuild`).not.toHaveLength(0);
  return files;
}

/** What the prebuild may ask of the system, at most; the README states the same (keep both in step). */
const MAX_GLIBC = '2.34';

/** The libfuse the prebuild links in (scripts/build-libfuse.sh); the README and LICENSE say the same. */
const EMBEDDED_LIBFUSE = '3.17.2';

/** The only symbols Node looks up in a Node-API addon. */
const NODE_API_ENTRY_POINTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];

/** Compares dotted versions numerically ("2.9" < "2.34"). */
function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Runs a binutils tool on `file` and returns its stdout; fails with its stderr. */
async function binutils(tool: string, args: readonly string[]): Promise<string> {
  const outcome = await run(tool, args, 15_000);
  if (outcome.code !== 0)
    throw new Error(`${tool} ${args.join(' ')} failed (${outcome.code ?? outcome.signal}): ${outcome.stderr}`);
  return outcome.stdout;
}

/** Why readelf and nm cannot run here, or undefined when they can. */
async function binutilsMissingReason(): Promise<string | undefined> {
  for (const tool of ['readelf', 'nm']) {
    try {
      const outcome = await run(tool, ['--version'], 15_000);
      if (outcome.code !== 0) return `${tool} --version failed: ${outcome.stderr}`;
    } catch (error) {
      return `${tool} is not installed (binutils): ${(error as Error).message}`;
    }
  }
  return undefined;
}

/** Why the prebuild cannot be mounted here in a namespace without libfuse3.so, or undefined when it can. */
async function isolationUnavailableReason(): Promise<string | undefined> {
  const fuse = fuseUnavailableReason();
  if (fuse !== undefined) return fuse;
  if (geteuid?.() !== 0) return 'needs root (unshare -m and bind mounts)';
  try {
    const probe = await run('unshare', ['-m', '--propagation', 'private', 'mount', '--bind', '/dev/null', '/dev/null']);
    if (probe.code !== 0) return `unshare -m with a bind mount fails here: ${probe.stderr.trim()}`;
  } catch (error) {
    return `unshare is not installed (util-linux): ${(error as Error).message}`;
  }
  return undefined;
}

/** `describe`, or a loudly skipped one when `reason` says why it cannot run. */
function describeUnless(reason: string | undefined): typeof describe {
  return (
    reason === undefined
      ? describe
      : (name: string, fn: () => void) => describe.skip(`${name} [SKIPPED: ${reason}]`, fn)
  ) as typeof describe;
}

const noBinutils = await binutilsMissingReason();
if (noBinutils !== undefined) console.warn(`\n!!! PREBUILD LINKAGE TESTS ARE SKIPPED: ${noBinutils} !!!\n`);
const noIsolation = await isolationUnavailableReason();
if (noIsolation !== undefined) console.warn(`\n!!! PREBUILD TEST WITHOUT LIBFUSE IS SKIPPED: ${noIsolation} !!!\n`);

describe('the native addon', () => {
  it('reports the hash of the sources it was built from, and they are the current ones', () => {
    expect(versions.addonSourceHash).toBe(sourceHash(ROOT));
    expect(versions.libfuse).toBeGreaterThanOrEqual(310);
  });

  it('the committed prebuild is built from the current native sources (else: npm run build:prebuild)', () => {
    for (const file of expectPrebuilds()) {
      const loaded = { exports: {} as { sourceHash?: string } };
      process.dlopen(loaded, file);
      expect(loaded.exports.sourceHash, `${file} is stale: run npm run build:prebuild`).toBe(sourceHash(ROOT));
    }
  });
});

describe(`the prebuild embeds libfuse ${EMBEDDED_LIBFUSE}`, () => {
  it('runs on it and was compiled with its headers (every capability up to 3.17 is there)', () => {
    for (const file of expectPrebuilds()) {
      const loaded = {
        exports: {} as { libfusePackageVersion?: string; libfuseHeadersVersion?: number; CAP?: Record<string, number> },
      };
      process.dlopen(loaded, file);
      expect(loaded.exports.libfusePackageVersion, `${file}: npm run build:prebuild`).toBe(EMBEDDED_LIBFUSE);
      expect(loaded.exports.libfuseHeadersVersion).toBe(317);
      expect(Object.keys(loaded.exports.CAP ?? {})).toEqual(expect.arrayContaining(['PASSTHROUGH', 'EXPIRE_ONLY']));
    }
  });
});

describeUnless(noBinutils)('the prebuild links libfuse in', () => {
  it('needs no libfuse3.so and no libstdc++.so: no DT_NEEDED entry names them', async () => {
    for (const file of expectPrebuilds()) {
      const dynamic = await binutils('readelf', ['--dynamic', '--wide', file]);
      const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
      expect(needed, 'readelf output parsed').toContain('libc.so.6');
      expect(needed.filter((lib) => /libfuse|libstdc\+\+/.test(lib ?? ''))).toEqual([]);
    }
  });

  it('exports nothing but the Node-API entry points (its copy of libfuse stays private)', async () => {
    for (const file of expectPrebuilds()) {
      const symbols = (await binutils('nm', ['--dynamic', '--defined-only', file]))
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .filter((fields) => fields.length === 3)
        .map(([, type, name]) => ({ type, name: (name as string).replace(/@.*$/, '') }));
      // Absolute symbols are the version nodes the version script defines (native/libfuse-static.ver).
      const versionNodes = symbols.filter((s) => s.type === 'A').map((s) => s.name);
      const exported = symbols.filter((s) => s.type !== 'A').map((s) => s.name);
      expect(exported.sort()).toEqual(NODE_API_ENTRY_POINTS);
      for (const node of versionNodes) expect(node).toMatch(/^(NODE_API|FUSE_\d+(\.\d+)+)$/);
    }
  });

  it(`asks for at most glibc ${MAX_GLIBC} and nothing of the system's libstdc++ (what the README promises)`, async () => {
    for (const file of expectPrebuilds()) {
      const needs = await binutils('readelf', ['--version-info', '--wide', file]);
      /** The newest version of `prefix` (GLIBC, GLIBCXX, CXXABI) it needs, or '0'. */
      const newest = (prefix: string): string =>
        [...needs.matchAll(new RegExp(`Name: ${prefix}_([\\d.]+)\\b`, 'g'))]
          .map((m) => m[1] as string)
          .sort(compareVersions)
          .at(-1) ?? '0';
      const glibc = newest('GLIBC');
      expect(glibc, 'readelf output parsed').toMatch(/^2\./);
      expect(compareVersions(glibc, MAX_GLIBC), `needs GLIBC_${glibc}`).toBeLessThanOrEqual(0);
      expect(newest('GLIBCXX'), 'needs a GLIBCXX version: libstdc++ is not linked in').toBe('0');
      expect(newest('CXXABI'), 'needs a CXXABI version: libstdc++ is not linked in').toBe('0');
    }
  });
});

/** The shared libraries a dynamically linked addon would get libfuse from, as real files. */
function systemLibfuse(): string[] {
  const dirs = ['/lib', '/lib64', '/usr/lib', '/usr/lib64', '/usr/local/lib', '/usr/local/lib64'].flatMap((dir) => [
    dir,
    join(dir, 'x86_64-linux-gnu'),
  ]);
  const files = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith('libfuse3.so')) continue;
      const real = realpathSync(join(dir, name));
      if (statSync(real).isFile()) files.add(real);
    }
  }
  return [...files];
}

/**
 * Runs in the namespace: mounts hello from dist/ with the prebuild
 * (PREBUILDS_ONLY=1), lists and reads it from child processes, unmounts, then
 * tries to load libfuse3.so.3 the way the dynamic linker would for a DT_NEEDED
 * entry. Prints what it saw as JSON.
 */
const CONSUMER = `
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [root, mountpoint] = process.argv.slice(1);
const { mount } = await import(pathToFileURL(root + '/dist/lib/index.js').href);
const { helloOperations } = await import(pathToFileURL(root + '/dist/examples/hello.js').href);
const child = (command, args) =>
  new Promise((resolve, reject) =>
    execFile(command, args, { timeout: 5000, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      error ? reject(new Error(command + ': ' + (stderr || error.message))) : resolve(stdout)));
const mapped = () => [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((line) => line.split(/\\s+/)[5]).filter((path) => path !== undefined && path.startsWith('/')))];
const session = await mount(mountpoint, helloOperations(), { fsName: 'hello', unmountTimeout: 2000 });
let ls, content, files, conn;
try {
  ls = await child('ls', [mountpoint]);
  content = await child('cat', [mountpoint + '/hello']);
  files = mapped();
  conn = { libfuse: session.conn.libfuse, passthrough: session.conn.capability('PASSTHROUGH') };
} finally {
  await session.unmount();
}
const unmounted = !readFileSync('/proc/mounts', 'utf8').split('\\n').some((l) => l.split(' ')[1] === mountpoint);
let libfuse = 'loaded';
try {
  process.dlopen({ exports: {} }, 'libfuse3.so.3');
} catch (error) {
  libfuse = error.message;
}
process.stdout.write(JSON.stringify({
  ls, content, unmounted, libfuse, conn,
  addons: files.filter((path) => path.endsWith('.node')),
  libfuseMapped: files.filter((path) => /\\/libfuse[^/]*\\.so/.test(path)),
}));
`;

/** Hides the files given before "--" by bind-mounting /dev/null over them, then runs the rest. */
const HIDE_AND_RUN = 'while [ "$1" != -- ]; do mount --bind /dev/null "$1"; shift; done; shift; exec "$@"';

describeUnless(noIsolation)('the prebuild on a system without libfuse3.so', () => {
  it('loads and serves hello with every libfuse3.so* hidden (unshare -m, /dev/null bound over them)', async () => {
    const [prebuild] = expectPrebuilds();
    const hidden = systemLibfuse();
    const dir = tempMountpoint();
    try {
      // The namespace, its bind mounts and the FUSE mount in it end with the node process (exec'd by sh).
      const outcome = await run(
        'unshare',
        [
          '-m',
          '--propagation',
          'private',
          'sh',
          '-ec',
          HIDE_AND_RUN,
          'sh',
          ...hidden,
          '--',
          'env',
          'PREBUILDS_ONLY=1',
          process.execPath,
          '--input-type=module',
          '-e',
          CONSUMER,
          ROOT,
          dir,
        ],
        20_000,
      );
      expect(outcome.code, outcome.stderr).toBe(0);
      const report = JSON.parse(outcome.stdout) as {
        ls: string;
        content: string;
        unmounted: boolean;
        libfuse: string;
        conn: { libfuse: string; passthrough: { libfuse: boolean } };
        addons: string[];
        libfuseMapped: string[];
      };
      expect(report.addons).toEqual([prebuild]);
      expect(report.libfuseMapped).toEqual([]);
      expect(report.ls).toBe('hello\n');
      expect(report.content).toBe('Hello World!\n');
      expect(report.unmounted).toBe(true);
      // The session ran on the embedded libfuse, which knows kernel passthrough.
      expect(report.conn.libfuse).toBe(EMBEDDED_LIBFUSE);
      expect(report.conn.passthrough.libfuse).toBe(true);
      // The namespace really had no loadable libfuse3.so.3 (loading it would say "did not self-register").
      expect(report.libfuse).toMatch(/libfuse3\.so\.3/);
      expect(report.libfuse).not.toMatch(/self-register/);
    } finally {
      await cleanup(undefined, dir);
    }
  });
});
