/**
 * The POSIX conformance suite (in the manner of go-fuse's posixtest), for any
 * filesystem: `definePosixSuite(name, target)` defines, with vitest, one
 * `describe` per operation and per rule — open flags, offsets, sparse files,
 * truncate, mmap, unlink, rename and its flags, links, symlinks, directories,
 * readdir, stat, timestamps, permissions for an unprivileged user, xattrs,
 * locks, statfs, fsync, fallocate, copy_file_range, SEEK_DATA, mknod, `find` —
 * plus the real clients users run on filesystems (gcc, git, tar, fio,
 * stress-ng).
 *
 * The tests live in `sections/`, one module per section, each a table of
 * small named test functions with what they need (a claimed feature, a
 * writable target, root, a tool); `sections/index.ts` lists them in order.
 * A target declares what it supports — its features, and `readOnly` — and
 * only what applies runs.
 *
 * Every file operation runs in a child process (python3 with prelude.py, or
 * the client itself), never in the vitest process, which serves the mount. A
 * failure names the operation, the path and the errno. A test is skipped,
 * with the reason in its name, when the filesystem does not claim its feature,
 * when a `skip` rule matches it, when its tool is missing, or when it needs
 * root; the whole suite is skipped, loudly, where /dev/fuse is missing.
 *
 * Needs vitest (an optional peer dependency: loaded only if installed, so the
 * rest of `fuse-lowlevel/testing` works without it) and python3.
 * @module
 */
import { join } from 'node:path';
import { describeFailure } from '../child.js';
import { fuseUnavailableReason } from '../environment.js';
import { mountTemp } from '../temp-mount.js';
import { findTools, PYTHON, spawnChild, Workdir } from './harness.js';
import { POSIX_SECTIONS } from './sections/index.js';
import {
  type DirectoryPosixTarget,
  type MountedPosixTarget,
  NO_FEATURES,
  type PosixFeatures,
  type PosixNeed,
  type PosixSection,
  type PosixTarget,
  type PosixTestContext,
  type PosixTests,
} from './types.js';

export {
  ALL_POSIX_FEATURES,
  type DirectoryPosixTarget,
  type MountedPosixTarget,
  type PosixAssertion,
  type PosixDirectory,
  type PosixExpect,
  type PosixFeatures,
  type PosixNeed,
  type PosixSection,
  type PosixSectionContext,
  type PosixSkipRule,
  type PosixTarget,
  type PosixTestContext,
  type PosixTestFunction,
  type PosixTestSpec,
  type PosixTests,
} from './types.js';
export { POSIX_SECTIONS };

/** vitest, or why it could not be loaded. */
const vitest: typeof import('vitest') | Error = await import('vitest').catch((error: unknown) =>
  error instanceof Error ? error : new Error(String(error)),
);
/** The tools the suite uses, found once (the first time a suite is defined). */
let tools: Set<string> | undefined;
const IS_ROOT = process.getuid?.() === 0;

/** Mounts a MountedPosixTarget: the directory-target form of it. */
function mountedSetup(target: MountedPosixTarget): DirectoryPosixTarget['setup'] {
  return async () => {
    const defaults = { allowOther: IS_ROOT, ...(target.readOnly === true ? { readOnly: true } : {}) };
    const m = await mountTemp(await target.operations(), { ...defaults, ...target.mountOptions });
    return {
      dir: m.mountpoint,
      async teardown() {
        try {
          await m.unmount();
        } finally {
          await target.cleanup?.();
        }
      },
    };
  };
}

/**
 * Defines the whole suite for one target, as a vitest `describe` named
 * `POSIX suite on <name>`: every section of {@link POSIX_SECTIONS} (and the
 * target's own `sections`), each test run or skipped by what it needs. Call
 * it at the top level of a test file.
 * @example
 * definePosixSuite('myfs', {
 *   operations: () => myFilesystem(),
 *   features: { hardlinks: true, symlinks: true, xattrs: true, nsTimestamps: true },
 *   skip: [{ test: 'client: fio', reason: 'too slow for this CI' }],
 * });
 * // A read-only filesystem: only the read-only section runs.
 * definePosixSuite('hello', { operations: () => helloOperations(), features: {}, readOnly: true });
 */
export function definePosixSuite(name: string, target: PosixTarget): void {
  if (vitest instanceof Error) {
    throw new Error(`definePosixSuite needs vitest (npm install --save-dev vitest): ${vitest.message}`);
  }
  const { afterAll, beforeAll, describe, expect, it } = vitest;
  tools ??= findTools([PYTHON, 'setpriv', 'find', 'ls', 'df', 'gcc', 'ar', 'git', 'tar', 'fio', 'stress-ng']);
  const found = tools;
  const features: PosixFeatures = { ...NO_FEATURES, ...target.features };
  const readOnly = target.readOnly === true;
  const mounted = 'operations' in target;
  const setup = mounted ? mountedSetup(target) : target.setup.bind(target);
  const noFuse = mounted ? fuseUnavailableReason() : undefined;
  if (noFuse !== undefined) {
    vitest.describe.skip(`POSIX suite on ${name} [SKIPPED: ${noFuse}]`, () => {
      it('mounts the filesystem', () => {});
    });
    return;
  }

  /** Why a need is not met (undefined when it is). */
  const unmet = (need: PosixNeed): string | undefined => {
    if (need === 'writable') return readOnly ? `${name} is read-only` : undefined;
    if (need === 'root') return IS_ROOT ? undefined : 'needs root (to chown and to switch to uid 65534)';
    if (need === 'python3') return found.has(PYTHON) ? undefined : 'python3 is not installed';
    if (need.startsWith('tool:')) {
      const tool = need.slice('tool:'.length);
      return found.has(tool) ? undefined : `${tool} is not installed`;
    }
    if (need.startsWith('!')) {
      return features[need.slice(1) as keyof PosixFeatures] ? `${name} claims ${need.slice(1)}` : undefined;
    }
    return features[need as keyof PosixFeatures] ? undefined : `${name} does not claim ${need}`;
  };
  /** The reason of the first skip rule matching a test's full name (`section > title`). */
  const ruled = (section: string, title: string) => {
    const full = [`POSIX suite on ${name}`, section, title].join(' > ');
    const rule = target.skip?.find((r) => (typeof r.test === 'string' ? full.includes(r.test) : r.test.test(full)));
    return rule?.reason;
  };

  let base = '';
  let teardown: (() => Promise<void>) | undefined;
  let counter = 0;
  /** Set once the filesystem stops answering: later tests then fail at once instead of each timing out. */
  let hung: string | undefined;

  /** After a child timed out: does the filesystem still answer a stat of its root? */
  async function checkAlive(what: string): Promise<void> {
    const r = await spawnChild('stat', [base], { timeoutMs: 5000 });
    if (r.timedOut) hung = `${what} timed out, and then stat ${base} did not answer within 5 s`;
  }

  /** A fresh directory (mode 0755) for one test. */
  async function fresh(slug: string): Promise<Workdir> {
    if (hung !== undefined) throw new Error(`[${name}] not run: the filesystem stopped answering earlier: ${hung}`);
    counter += 1;
    const path = join(base, `${String(counter).padStart(3, '0')}-${slug}`);
    const r = await spawnChild('mkdir', ['-m', '0755', path], { timeoutMs: 10_000 });
    if (r.timedOut) hung = `mkdir ${path} timed out`;
    if (r.code !== 0) throw new Error(describeFailure(`[${name}] mkdir ${path}`, r, 10_000));
    return new Workdir(name, path, checkAlive);
  }

  const context: PosixTestContext = {
    target: name,
    features,
    expect,
    fresh,
    root: () => new Workdir(name, base, checkAlive),
  };

  /** One section: a describe with its tests, each run or skipped by its needs and the skip rules. */
  function defineSection(section: PosixSection): void {
    if (section.only === 'read-only' && !readOnly) return;
    describe(section.title, () => {
      const tests: PosixTests =
        typeof section.tests === 'function'
          ? section.tests({ target: name, features, readOnly, tools: found, beforeAll, afterAll })
          : section.tests;
      for (const [title, entry] of Object.entries(tests)) {
        const spec = typeof entry === 'function' ? { run: entry } : entry;
        const needs = [...(section.needs ?? []), ...(spec.needs ?? [])];
        const why = [...needs.map(unmet), ruled(section.title, title)].filter((r): r is string => r !== undefined);
        const fn = () => spec.run(context);
        if (why.length > 0) it.skip(`${title} [SKIPPED: ${why.join('; ')}]`, fn, spec.timeout);
        else it(title, fn, spec.timeout);
      }
    });
  }

  describe(`POSIX suite on ${name}`, () => {
    beforeAll(async () => {
      const s = await setup();
      base = s.dir;
      teardown = s.teardown;
    }, 30_000);
    afterAll(async () => {
      await teardown?.();
    }, 30_000);
    for (const section of [...POSIX_SECTIONS, ...(target.sections ?? [])]) defineSection(section);
  });
}
