/**
 * What the package runs on.
 * @module
 */
import { native } from './addon.js';

/** The libfuse the addon runs against and the native sources it was built from. */
export interface Versions {
  /** libfuse's version as major * 100 + minor, e.g. 314. */
  readonly libfuse: number;
  /** The hash of the native sources the loaded addon was built from (scripts/source-hash.mjs). */
  readonly addonSourceHash: string;
}

/** The versions of this installation. */
export const versions: Versions = Object.freeze({
  libfuse: native.libfuseVersion,
  addonSourceHash: native.sourceHash,
});
