/**
 * The POSIX suite's vocabulary: what a target claims, what a test needs, and
 * the shape of a section — a named table of small test functions.
 * @module
 */
import type { Operations } from '../../operations.js';
import type { TempMountOptions } from '../temp-mount.js';
import type { Workdir } from './harness.js';

/**
 * What a filesystem claims to support. Each claim is checked; the tests of a
 * feature that is not claimed (false or left out) are skipped, with the reason
 * in their names.
 */
export interface PosixFeatures {
  /** Permission bits are enforced for non-root callers (default_permissions or the filesystem's own checks). */
  permissions: boolean;
  /** link(2): several names for one inode, and nlink counting. */
  hardlinks: boolean;
  /** symlink(2) and readlink(2). */
  symlinks: boolean;
  /** user.* extended attributes. */
  xattrs: boolean;
  /** fcntl record locks between processes (served by the filesystem or kernel-local). */
  posixLocks: boolean;
  /** flock(2) between open files. */
  flock: boolean;
  /** renameat2 RENAME_NOREPLACE and RENAME_EXCHANGE (without it they may fail with EINVAL, never misbehave). */
  renameFlags: boolean;
  /** SEEK_DATA/SEEK_HOLE report real holes (without it the whole file may count as data). */
  seekData: boolean;
  /** fallocate(2) modes FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE (posix_fallocate is always tested). */
  fallocate: boolean;
  /** mknod of character and block devices. */
  deviceNodes: boolean;
  /** mkfifo, and FIFOs that carry data. */
  fifo: boolean;
  /** Timestamps keep nanoseconds (without it, whole seconds are checked). */
  nsTimestamps: boolean;
  /** Names, symlink targets and xattr names are bytes: any but NUL and '/', up to 255, not only UTF-8. */
  byteNames: boolean;
  /** Files up to the kernel's largest size (2^63 - 1, as on tmpfs), with offsets past 2^53 exact. */
  largeFiles: boolean;
}

/** Every feature claimed: for a filesystem that means to be fully POSIX. */
export const ALL_POSIX_FEATURES: Readonly<PosixFeatures> = Object.freeze({
  permissions: true,
  hardlinks: true,
  symlinks: true,
  xattrs: true,
  posixLocks: true,
  flock: true,
  renameFlags: true,
  seekData: true,
  fallocate: true,
  deviceNodes: true,
  fifo: true,
  nsTimestamps: true,
  byteNames: true,
  largeFiles: true,
});

/** No feature claimed. */
export const NO_FEATURES: Readonly<PosixFeatures> = Object.freeze({
  permissions: false,
  hardlinks: false,
  symlinks: false,
  xattrs: false,
  posixLocks: false,
  flock: false,
  renameFlags: false,
  seekData: false,
  fallocate: false,
  deviceNodes: false,
  fifo: false,
  nsTimestamps: false,
  byteNames: false,
  largeFiles: false,
});

/**
 * What a test needs to run; a test whose need is not met is skipped, with the
 * reason in its name:
 * - a feature name (`'symlinks'`): the target claims it;
 * - `'!feature'`: the target does not claim it (tests of the fallback);
 * - `'writable'`: the target is not read-only (every test that makes files);
 * - `'root'`: the suite runs as root (to chown, and to switch to uid 65534);
 * - `'python3'`, or `'tool:NAME'`: the tool is installed.
 */
export type PosixNeed =
  | keyof PosixFeatures
  | `!${keyof PosixFeatures}`
  | 'writable'
  | 'root'
  | 'python3'
  | `tool:${string}`;

/** The matchers of vitest's `expect(value)` the sections use (declared here so these types need no vitest). */
export interface PosixAssertion {
  /** Deep equality (asymmetric matchers allowed inside). */
  toEqual(expected: unknown): void;
  /** Object.is equality. */
  toBe(expected: unknown): void;
  /** An array or string contains the item. */
  toContain(item: unknown): void;
  /** A string matches. */
  toMatch(expected: string | RegExp): void;
  /** A number is greater. */
  toBeGreaterThan(n: number | bigint): void;
  /** A number is greater or equal. */
  toBeGreaterThanOrEqual(n: number | bigint): void;
  /** The same matchers, negated. */
  not: Omit<PosixAssertion, 'not'>;
}

/** vitest's `expect`, as far as the sections use it. */
export interface PosixExpect {
  (actual: unknown, message?: string): PosixAssertion;
  /** A string matching `pattern` (inside toEqual). */
  stringMatching(pattern: string | RegExp): unknown;
  /** An array containing these items (inside toEqual). */
  arrayContaining(items: readonly unknown[]): unknown;
}

/** What a test function gets: the target, and the means to act on it. */
export interface PosixTestContext {
  /** The target's name, for messages. */
  target: string;
  /** The target's claims. */
  features: Readonly<PosixFeatures>;
  /** vitest's `expect` (its full API at run time). */
  expect: PosixExpect;
  /** A fresh directory (mode 0755) for this test on the target; needs `'writable'`. */
  fresh(slug: string): Promise<Workdir>;
  /** The target's root directory, as it is (for tests that only read). */
  root(): Workdir;
}

/** A test's body. */
export type PosixTestFunction = (ctx: PosixTestContext) => Promise<void>;

/** A test with its needs (beyond its section's) and its timeout. */
export interface PosixTestSpec {
  /** What the test needs beyond its section's needs. */
  needs?: readonly PosixNeed[];
  /** ms (default: vitest's). */
  timeout?: number;
  /** The test's body. */
  run: PosixTestFunction;
}

/** The tests of a section, by title. */
export type PosixTests = Readonly<Record<string, PosixTestFunction | PosixTestSpec>>;

/** What a section's `tests` function gets, for titles and setup that depend on the target. */
export interface PosixSectionContext {
  /** The target's name. */
  target: string;
  /** The target's claims. */
  features: Readonly<PosixFeatures>;
  /** Whether the target declared itself read-only. */
  readOnly: boolean;
  /** The tools found installed. */
  tools: ReadonlySet<string>;
  /** vitest's beforeAll, scoped to the section. */
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  /** vitest's afterAll, scoped to the section. */
  afterAll(fn: () => Promise<void>, timeout?: number): void;
}

/**
 * One section of the suite (one `describe`): a title, what all its tests
 * need, and its tests by title — as a table, or made from the target when
 * titles or setup depend on it.
 */
export interface PosixSection {
  /** The section's `describe` name (skip rules match `POSIX suite on <name> > <title> > <test>`). */
  title: string;
  /** What every test of the section needs (a test adds its own). */
  needs?: readonly PosixNeed[];
  /** `'read-only'`: defined only for targets that declare `readOnly` (the others are not listed at all). */
  only?: 'read-only';
  /** The tests by title, or a function of the target that makes them. */
  tests: PosixTests | ((section: PosixSectionContext) => PosixTests);
}

/** Tests to skip, by name: every test whose full name (`section > title`) matches `test`. */
export interface PosixSkipRule {
  /** A substring of the full test name, or a pattern it matches. */
  test: string | RegExp;
  /** Why: shown in the skipped test's name. */
  reason: string;
}

/** What every target says about itself. */
export interface TargetClaims {
  /** The features the filesystem claims; the rest are skipped. */
  features: Partial<PosixFeatures>;
  /**
   * The filesystem is read-only: every write fails with EROFS (a mounted
   * target is mounted with `readOnly: true`). Only the tests that need no
   * writes run — the read-only section, which checks the existing tree —
   * and the rest are skipped as `<name> is read-only`.
   */
  readOnly?: boolean;
  /** Further tests to skip, each with its reason. */
  skip?: readonly PosixSkipRule[];
  /** Sections of your own, run after the suite's (see {@link POSIX_SECTIONS} for the shape). */
  sections?: readonly PosixSection[];
}

/**
 * A filesystem for the suite to mount: a fresh instance per suite run, on a
 * temporary directory, unmounted at the end.
 */
export interface MountedPosixTarget extends TargetClaims {
  /** Makes the filesystem's operations (called once, before the suite mounts). */
  operations: () => Operations | Promise<Operations>;
  /**
   * Mount options. Default: `{ allowOther: true }` when running as root (the
   * suite's unprivileged clients must get in; the filesystem, or
   * `defaultPermissions`, enforces the permissions), plus `readOnly: true`
   * for a read-only target.
   */
  mountOptions?: TempMountOptions;
  /** Called after unmounting (e.g. to remove a directory the filesystem mirrored). */
  cleanup?: () => Promise<void>;
}

/** Any directory to run the suite in, made (and undone) by the target itself. */
export interface DirectoryPosixTarget extends TargetClaims {
  /** Makes the directory to run in (mounting if needed). */
  setup(): Promise<PosixDirectory>;
}

/** A directory a {@link DirectoryPosixTarget} made for the suite. */
export interface PosixDirectory {
  /** The absolute path the suite runs in (it makes one subdirectory per test). */
  dir: string;
  /** Undoes everything setup did (called once, after the last test). */
  teardown(): Promise<void>;
}

/** A place to run the suite: a filesystem to mount, or a directory. */
export type PosixTarget = MountedPosixTarget | DirectoryPosixTarget;
