/**
 * Whether this machine can mount: what a test suite checks before it mounts,
 * to skip loudly rather than fail (or pass) silently.
 * @module
 */
import { accessSync, constants } from 'node:fs';

/**
 * Why FUSE mounts cannot work here (`/dev/fuse` missing or not readable and
 * writable by this user), or undefined when they can. Synchronous, so a test
 * file can decide at collection time.
 * @example
 * const noFuse = fuseUnavailableReason();
 * (noFuse ? describe.skip : describe)(`my fs${noFuse ? ` [SKIPPED: ${noFuse}]` : ''}`, () => { ... });
 */
export function fuseUnavailableReason(): string | undefined {
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/fuse is missing or not accessible';
  }
  return undefined;
}
