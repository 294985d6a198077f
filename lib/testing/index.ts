/**
 * `fuse-lowlevel/testing`: a test kit for filesystems built on fuse-lowlevel.
 *
 * - {@link withMount} and {@link mountTemp} mount a filesystem on a temporary
 *   directory, act on it from child processes (where sync `fs` calls are
 *   safe: the test's own process serves the mount) and always unmount.
 * - {@link definePosixSuite} runs the project's POSIX conformance suite
 *   against a filesystem, skipping what it does not claim to support (a
 *   read-only filesystem says `readOnly: true`). Its sections are
 *   {@link POSIX_SECTIONS}, each a table of small named tests; add your own
 *   with a target's `sections`. It needs vitest (an optional peer
 *   dependency) and python3.
 * - {@link runChild} runs any command with a deadline, killing its whole
 *   process group when the deadline passes.
 *
 * @example
 * import { withMount } from 'fuse-lowlevel/testing';
 * const text = await withMount(myOperations(), (dir, { fs }) => fs.readFileSync(`${dir}/hello`, 'utf8'));
 * @module
 */
export {
  type ChildOptions,
  type ChildResult,
  DEFAULT_CHILD_TIMEOUT_MS,
  describeFailure,
  runChild,
  type StartedChild,
  startChild,
} from './child.js';
export { type ChildContext, type ChildFunction, ChildFunctionError } from './child-function.js';
export { fuseUnavailableReason } from './environment.js';
export { type Json, type SpawnOptions, Workdir } from './posix/harness.js';
export {
  ALL_POSIX_FEATURES,
  type DirectoryPosixTarget,
  definePosixSuite,
  type MountedPosixTarget,
  POSIX_SECTIONS,
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
} from './posix/suite.js';
export { mountTemp, TempMount, type TempMountOptions, type WithMountOptions, withMount } from './temp-mount.js';
