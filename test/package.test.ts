/**
 * The package as its users get it: `npm pack`, the tarball installed into a
 * scratch project outside the repository, and the hello filesystem mounted
 * from an ESM consumer, a CommonJS consumer, a strict TypeScript consumer and
 * the `fuse-lowlevel` bin — each in its own Node process that reads its mount
 * through a child process of its own and unmounts.
 *
 * How the addon gets there: a plain `npm install <tarball>`, exactly what a
 * user runs. The package's `install` script (node-gyp-build) finds the packed
 * prebuild (prebuilds/linux-x64) and compiles nothing; on a platform without
 * one it would build from the packed binding.gyp and native/ sources. Every
 * consumer reports, from /proc/self/maps, which addon (.node file) it loaded.
 *
 * No network beyond the npm registry: dependencies, typescript and @types/node
 * (the versions the repository uses) come from npm's cache when they are there
 * (`--prefer-offline`). The tarball is packed with `--ignore-scripts`: global
 * setup has already built dist/, and `prepare` would rebuild it under the feet
 * of tests running in parallel.
 */
import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/dist.js';
import { cleanup, describeMount, isMounted, tempMountpoint, waitFor } from './helpers/fuse.js';

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for processes of the scratch project: without the npm
 * variables of a surrounding `npm test` (npm_config_local_prefix would point
 * `npm install` back at the repository) and without the repository's
 * node_modules/.bin on PATH, so only what the scratch project installed runs.
 */
function scratchEnv(): NodeJS.ProcessEnv {
  const keep = new Set([
    'npm_config_cache',
    'npm_config_userconfig',
    'npm_config_globalconfig',
    'npm_config_nodedir',
    'npm_config_cafile',
    'npm_config_registry',
  ]);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'INIT_CWD' || (/^npm_/i.test(key) && !keep.has(key.toLowerCase()))) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.startsWith(join(ROOT, 'node_modules')))
    .join(delimiter);
  return env;
}

/** Runs a command in `cwd` with a deadline (SIGKILL after `timeoutMs`); never rejects for an exit status. */
function runIn(cwd: string, command: string, args: readonly string[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: scratchEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number' && error.signal == null) return reject(error);
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          signal: (error?.signal as NodeJS.Signals | undefined) ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/** Fails with the command's output when it did not exit 0. */
function expectSuccess(outcome: Outcome, what: string): void {
  if (outcome.code !== 0) {
    throw new Error(
      `${what} failed (${outcome.code ?? outcome.signal}):\n${outcome.stdout.slice(-4000)}\n${outcome.stderr.slice(-4000)}`,
    );
  }
}

/** What every consumer prints. */
interface Report {
  /** Where `fuse-lowlevel` resolved to (a path or file: URL). */
  resolved: string;
  /** The native addons (`.node` files) the process loaded, from /proc/self/maps. */
  addons: string[];
  /** `ls` of the mountpoint, run by a child process. */
  ls: string;
  /** `cat <mountpoint>/hello`, run by a child process. */
  content: string;
  /** Whether the mount was gone after `unmount()`. */
  unmounted: boolean;
}

/**
 * The body every JavaScript consumer runs once `mount`, `execFile` and
 * `readFileSync` are in scope: mounts hello on argv[2], lets child processes
 * (`ls`, `cat`) read it, unmounts even when reading fails, and prints a Report.
 * Sync fs calls here touch /proc only, never the mount this process serves.
 */
const CONSUMER_BODY = `
const mountpoint = process.argv[2];
const CONTENT = Buffer.from('Hello World!\\n');
const attrOf = (ino) =>
  ino === 1 ? { ino, mode: 0o040755, nlink: 2 }
  : ino === 2 ? { ino, mode: 0o100444, nlink: 1, size: CONTENT.length }
  : undefined;
const ops = {
  lookup(req) {
    if (req.parent !== 1 || req.name !== 'hello') return req.replyError('ENOENT');
    req.replyEntry({ ino: 2, attr: attrOf(2), attrTimeout: 1, entryTimeout: 1 });
  },
  getattr(req) {
    const attr = attrOf(req.ino);
    if (!attr) return req.replyError('ENOENT');
    req.replyAttr(attr, 1);
  },
  readdir(req) {
    const entries = [['.', 1, 0o040000], ['..', 1, 0o040000], ['hello', 2, 0o100000]];
    for (let i = req.offset; i < entries.length; i++) if (!req.add(...entries[i], i + 1)) break;
    req.replyDirents();
  },
  open(req) { req.replyOpen(0, { keepCache: true }); },
  read(req) { req.replyBuf(CONTENT.subarray(req.offset, req.offset + req.size)); },
};
const child = (command, args) =>
  new Promise((resolve, reject) =>
    execFile(command, args, { timeout: 5000, killSignal: 'SIGKILL' }, (error, stdout, stderr) =>
      error ? reject(new Error(command + ': ' + (stderr || error.message))) : resolve(stdout)));
const addons = () => [...new Set(readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .filter((line) => line.endsWith('.node')).map((line) => line.split(/\\s+/).pop()))];
const session = await mount(mountpoint, ops, { fsName: 'hello', unmountTimeout: 2000 });
let ls, content;
try {
  ls = await child('ls', [mountpoint]);
  content = await child('cat', [mountpoint + '/hello']);
} finally {
  await session.unmount();
}
const unmounted = !readFileSync('/proc/mounts', 'utf8').split('\\n').some((l) => l.split(' ')[1] === mountpoint);
`;

const ESM_CONSUMER = `import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mount } from 'fuse-lowlevel';
${CONSUMER_BODY}
process.stdout.write(JSON.stringify({ resolved: import.meta.resolve('fuse-lowlevel'), addons: addons(), ls, content, unmounted }));
`;

const CJS_CONSUMER = `'use strict';
const { execFile } = require('node:child_process');
const { readFileSync } = require('node:fs');
const fuse = require('fuse-lowlevel');
const { mount } = fuse;
(async () => {
${CONSUMER_BODY}
  // require(esm): the CommonJS entry is the ESM module itself, one copy of every class.
  const esm = await import('fuse-lowlevel');
  const shared = esm.mount === fuse.mount && esm.FuseError === fuse.FuseError && esm.Session === fuse.Session;
  process.stdout.write(JSON.stringify({ resolved: require.resolve('fuse-lowlevel'), addons: addons(), ls, content, unmounted, shared }));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** A strict TypeScript consumer: typed handlers, checked against the installed declarations. */
const TS_CONSUMER = `import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { type Attr, FuseError, mount, type Operations, type Session } from 'fuse-lowlevel';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const CONTENT = Buffer.from('Hello World!\\n');

function attrOf(ino: number): Attr | undefined {
  if (ino === 1) return { ino, mode: S_IFDIR | 0o755, nlink: 2 };
  if (ino === 2) return { ino, mode: S_IFREG | 0o444, nlink: 1, size: CONTENT.length };
  return undefined;
}

const ops = {
  lookup(req) {
    const attr = attrOf(2);
    if (req.parent !== 1 || req.name !== 'hello' || attr === undefined) throw new FuseError('ENOENT');
    req.replyEntry({ ino: 2, attr, attrTimeout: 1, entryTimeout: 1 });
  },
  getattr(req) {
    const attr = attrOf(req.ino);
    if (attr === undefined) return req.replyError('ENOENT');
    req.replyAttr(attr, 1);
  },
  readdir(req) {
    const entries: readonly (readonly [string, number, number])[] = [
      ['.', 1, S_IFDIR],
      ['..', 1, S_IFDIR],
      ['hello', 2, S_IFREG],
    ];
    for (let i = req.offset; i < entries.length; i++) {
      const entry = entries[i];
      if (entry === undefined || !req.add(entry[0], entry[1], entry[2], i + 1)) break;
    }
    req.replyDirents();
  },
  open(req) {
    req.replyOpen(0, { keepCache: true });
  },
  async read(req) {
    await Promise.resolve();
    req.replyBuf(CONTENT.subarray(req.offset, req.offset + req.size));
  },
} satisfies Operations;

/** Never mounted: the compiler must reject what the API does not allow. */
export const rejected = {
  readlink(req) {
    // @ts-expect-error: a ReadlinkRequest has no replyAttr
    req.replyAttr({ ino: req.ino, mode: 0o120777, nlink: 1 }, 1);
    req.replyReadlink('hello');
  },
  lookup() {
    // @ts-expect-error: not an errno name
    throw new FuseError('ENOTANERRNO');
  },
} satisfies Operations;

const mountpoint = process.argv[2];
if (mountpoint === undefined) throw new Error('usage: consumer <mountpoint>');
const child = promisify(execFile);
const session: Session = await mount(mountpoint, ops, { fsName: 'hello', unmountTimeout: 2000 });
let ls: string;
let content: string;
try {
  ls = (await child('ls', [mountpoint], { timeout: 5000, killSignal: 'SIGKILL' })).stdout;
  content = (await child('cat', [\`\${mountpoint}/hello\`], { timeout: 5000, killSignal: 'SIGKILL' })).stdout;
} finally {
  await session.unmount();
}
const mounts = readFileSync('/proc/mounts', 'utf8').split('\\n');
const addons = [
  ...new Set(
    readFileSync('/proc/self/maps', 'utf8')
      .split('\\n')
      .filter((line) => line.endsWith('.node'))
      .map((line) => line.split(/\\s+/).pop()),
  ),
];
process.stdout.write(
  JSON.stringify({
    resolved: import.meta.resolve('fuse-lowlevel'),
    addons,
    ls,
    content,
    unmounted: !mounts.some((line) => line.split(' ')[1] === mountpoint),
  }),
);
`;

/** Type-checked only: the require() entry's declarations (index.d.cts) give the same types. */
const TS_CJS_CONSUMER = `import fuse = require('fuse-lowlevel');

const ops: fuse.Operations = {
  getattr(req: fuse.GetattrRequest): void {
    req.replyError('ENOENT');
  },
};
export const mounted: Promise<fuse.Session> = fuse.mount('/nowhere', ops, { fsName: 'cjs' });
export const error: fuse.FuseError = new fuse.FuseError('EIO');
`;

/**
 * A user's own tests with the test kit, run by the user's vitest: withMount
 * from a child, and the POSIX suite on the packed memfs example with partial
 * feature claims and a skip rule (which keeps it short: only the open and
 * rename sections run). Type-checked by tsc too.
 */
const KIT_TEST = `import { expect, it } from 'vitest';
import { helloOperations } from 'fuse-lowlevel/examples/hello';
import { memfsOperations } from 'fuse-lowlevel/examples/memfs';
import { ChildFunctionError, definePosixSuite, withMount } from 'fuse-lowlevel/testing';

it('withMount reads the hello file from a child process', async () => {
  const text = await withMount(helloOperations(), (dir, { fs }) => fs.readFileSync(\`\${dir}/hello\`, 'utf8'));
  expect(text).toBe('Hello World!\\n');
  const error = await withMount(helloOperations(), (dir, { fs }) => fs.statSync(\`\${dir}/nope\`).size).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChildFunctionError);
  expect((error as ChildFunctionError).code).toBe('ENOENT');
});

definePosixSuite('packed memfs', {
  operations: () => memfsOperations(),
  features: { permissions: true, hardlinks: true, symlinks: true },
  skip: [{ test: /^POSIX suite on packed memfs > (?!open: |rename)/, reason: 'the package test runs open and rename only' }],
});
`;

/** As strict as a consumer can be; the packed declarations are checked too (no skipLibCheck). */
const TS_CONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    skipLibCheck: false,
    types: ['node'],
    rootDir: 'src',
    outDir: 'out',
  },
  include: ['src'],
};

/** The repository files binding.gyp builds from: its sources and the scripts it runs (`node scripts/…`). */
function buildInputs(): string[] {
  const gyp = readFileSync(join(ROOT, 'binding.gyp'), 'utf8');
  const sources = [...gyp.matchAll(/"(native\/[^"]+)"/g)].map((m) => m[1] as string);
  const scripts = [...gyp.matchAll(/\bnode\s+([\w./-]+\.[cm]?js)\b/g)].map((m) => m[1] as string);
  return [...sources, ...scripts];
}

/** A version of a dev dependency as installed in the repository (so npm's cache has it). */
function installedVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

describe('the packed package', () => {
  /** Holds the tarball and the scratch project; removed at the end. */
  let work = '';
  /** The scratch project that installed the tarball. */
  let project = '';
  /** The installed package: <project>/node_modules/fuse-lowlevel. */
  let installed = '';
  /** The files in the tarball. */
  let packed: string[] = [];

  beforeAll(async () => {
    // realpath: Node resolves modules to real paths, and the consumers report those.
    work = realpathSync(mkdtempSync(join(tmpdir(), 'fuse-lowlevel-package-')));
    project = join(work, 'consumer');
    installed = join(project, 'node_modules', 'fuse-lowlevel');

    const pack = await runIn(ROOT, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], 60_000);
    expectSuccess(pack, 'npm pack');
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    if (info === undefined) throw new Error(`npm pack printed no package: ${pack.stdout}`);
    packed = info.files.map((f) => f.path);

    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'fuse-lowlevel-consumer', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    const install = await runIn(
      project,
      'npm',
      [
        'install',
        join(work, info.filename),
        `typescript@${installedVersion('typescript')}`,
        `@types/node@${installedVersion('@types/node')}`,
        `vitest@${installedVersion('vitest')}`,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-update-notifier',
      ],
      240_000,
    );
    expectSuccess(install, 'npm install <tarball>');

    writeFileSync(join(project, 'esm.mjs'), ESM_CONSUMER);
    writeFileSync(join(project, 'cjs.cjs'), CJS_CONSUMER);
    writeFileSync(join(project, 'src', 'consumer.mts'), TS_CONSUMER);
    writeFileSync(join(project, 'src', 'require.cts'), TS_CJS_CONSUMER);
    writeFileSync(join(project, 'src', 'kit.test.mts'), KIT_TEST);
    writeFileSync(join(project, 'tsconfig.json'), `${JSON.stringify(TS_CONFIG, null, 2)}\n`);
  }, 300_000);

  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  /** Runs the installed tsc in the consumer project (strict, into out/); it must succeed. */
  async function compileConsumer(): Promise<void> {
    const tsc = await runIn(
      project,
      process.execPath,
      [join(project, 'node_modules', 'typescript', 'bin', 'tsc')],
      60_000,
    );
    expectSuccess(tsc, 'tsc in the consumer project');
  }

  it('packs the built library, its declarations, the examples and the native sources', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'binding.gyp',
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/lib/index.cjs',
      'dist/lib/index.d.cts',
      'dist/lib/cli.js',
      'dist/types/native.d.ts',
      'dist/examples/hello.js',
      'dist/examples/index.js',
      'dist/examples/memfs/index.js',
      'dist/lib/testing/index.js',
      'dist/lib/testing/index.d.ts',
      'dist/lib/testing/posix/prelude.py',
    ]) {
      expect(packed, file).toContain(file);
    }
    for (const source of readdirSync(join(ROOT, 'native'), { recursive: true, withFileTypes: true })) {
      if (source.isFile()) expect(packed).toContain(relative(ROOT, join(source.parentPath, source.name)));
    }
    for (const file of buildInputs()) expect(packed, `binding.gyp needs ${file}`).toContain(file);
  });

  it('packs no tests, benchmarks, build output or tooling', () => {
    const needed = new Set(buildInputs());
    const unwanted = packed.filter(
      (file) =>
        !needed.has(file) &&
        /^(test|bench|dist\/bench|dist\/test|build|docs|scripts|node_modules|\.ci|\.git)\/|\.test(-d)?\.|^CMakeLists\.txt$|^tsconfig/.test(
          file,
        ),
    );
    expect(unwanted).toEqual([]);
  });

  it('installs with a plain npm install: the addon comes from a prebuild or is built from source', () => {
    const prebuilt = packed.some((file) => /^prebuilds\/linux-x64\/.*\.node$/.test(file));
    // With a prebuild for this platform, nothing is compiled; without one, the install builds the addon.
    expect(existsSync(join(installed, 'build', 'Release', 'fuse_lowlevel.node'))).toBe(!prebuilt);
    expect(existsSync(join(project, 'node_modules', 'node-addon-api'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', '.bin', 'fuse-lowlevel'))).toBe(true);
  });

  it('type-checks a strict TypeScript consumer (ESM and require) against the installed declarations', async () => {
    await compileConsumer();
    expect(existsSync(join(project, 'out', 'consumer.mjs'))).toBe(true);
  });

  describeMount('the test kit, from the installed package', () => {
    it("runs the user's vitest tests: withMount, and the POSIX suite with its claims and skip rule", async () => {
      const report = join(work, 'kit-report.json');
      const vitest = await runIn(
        project,
        process.execPath,
        [
          join(project, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          'src/kit.test.mts',
          '--reporter=json',
          `--outputFile=${report}`,
        ],
        240_000,
      );
      expectSuccess(vitest, 'vitest in the consumer project');
      const results = JSON.parse(readFileSync(report, 'utf8')) as {
        numFailedTests: number;
        testResults: { assertionResults: { title: string; status: string }[] }[];
      };
      const tests = results.testResults.flatMap((file) => file.assertionResults);
      const titled = (status: string, pattern: RegExp) =>
        tests.filter((t) => t.status === status && pattern.test(t.title));
      expect(results.numFailedTests).toBe(0);
      expect(titled('passed', /^withMount/)).toHaveLength(1);
      expect(titled('passed', /./).length).toBeGreaterThan(10);
      expect(titled('skipped', /SKIPPED: .*the package test runs open and rename only/).length).toBeGreaterThan(50);
      expect(titled('skipped', /SKIPPED: packed memfs does not claim xattrs/).length).toBeGreaterThan(0);
      expect(titled('passed', /SKIPPED/)).toEqual([]);
    }, 300_000);
  });

  describeMount('mounts hello from the installed package', () => {
    /** Runs a consumer script on a fresh mountpoint; unmounts and removes it whatever happens. */
    async function consume(script: string): Promise<Report & Record<string, unknown>> {
      const dir = tempMountpoint();
      try {
        const outcome = await runIn(project, process.execPath, [join(project, script), dir], 20_000);
        expectSuccess(outcome, script);
        return JSON.parse(outcome.stdout) as Report & Record<string, unknown>;
      } finally {
        await cleanup(undefined, dir);
      }
    }

    /** What every consumer must have seen. */
    function expectHello(report: Report): void {
      expect(report.ls).toBe('hello\n');
      expect(report.content).toBe('Hello World!\n');
      expect(report.unmounted).toBe(true);
      // One addon, the installed package's own (built on install, or its prebuild).
      expect(report.addons).toHaveLength(1);
      const [addon] = report.addons;
      expect(
        addon?.startsWith(`${installed}/build/Release/`) || addon?.startsWith(`${installed}/prebuilds/linux-x64/`),
        `the addon is loaded from the installed package, not ${addon}`,
      ).toBe(true);
    }

    it('from an ES module: import { mount } from "fuse-lowlevel"', async () => {
      const report = await consume('esm.mjs');
      expectHello(report);
      expect(report.resolved).toBe(pathToFileURL(join(installed, 'dist', 'lib', 'index.js')).href);
    });

    it('from CommonJS: require("fuse-lowlevel"), the same classes as the ESM entry', async () => {
      const report = await consume('cjs.cjs');
      expectHello(report);
      expect(report.resolved).toBe(join(installed, 'dist', 'lib', 'index.cjs'));
      expect(report.shared).toBe(true);
    });

    it('from the compiled TypeScript consumer', async () => {
      if (!existsSync(join(project, 'out', 'consumer.mjs'))) await compileConsumer();
      const report = await consume(join('out', 'consumer.mjs'));
      expectHello(report);
      expect(report.resolved).toBe(pathToFileURL(join(installed, 'dist', 'lib', 'index.js')).href);
    });

    it('with the fuse-lowlevel bin; SIGTERM unmounts and exits 0', async () => {
      const dir = tempMountpoint();
      const server = spawn(join(project, 'node_modules', '.bin', 'fuse-lowlevel'), ['hello', dir], {
        cwd: project,
        env: scratchEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const killer = setTimeout(() => server.kill('SIGKILL'), 20_000);
      let stdout = '';
      let stderr = '';
      server.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      server.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
      try {
        await waitFor(() => /mounted on/.test(stdout) || server.exitCode !== null, 10_000, 'the bin to mount');
        expect(stdout, stderr).toMatch(new RegExp(`^hello mounted on ${dir}\\b`));
        const cat = await runIn(project, 'cat', [join(dir, 'hello')], 5000);
        expect(cat.stdout).toBe('Hello World!\n');
        server.kill('SIGTERM');
        expect(await exited, stderr).toBe(0);
        expect(await isMounted(dir)).toBe(false);
      } finally {
        clearTimeout(killer);
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
        await cleanup(undefined, dir);
      }
    });
  });
});
