/**
 * What the package runs on.
 * @module
 */
import { native } from './addon.js';

/** The libfuse the addon runs against and the native sources it was built from. */
export const versions: { readonly libfuse: number; readonly addonSourceHash: string } = Object.freeze({
  /** libfuse's version as major * 100 + minor, e.g. 314. */
  libfuse: native.libfuseVersion,
  /** The hash of the native sources the loaded addon was built from (scripts/source-hash.mjs). */
  addonSourceHash: native.sourceHash,
});
