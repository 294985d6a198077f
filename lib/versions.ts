/**
 * What the package runs on.
 * @module
 */
import { native } from './addon.js';

/** The libfuse the addon runs against and the native sources it was built from. */
export interface Versions {
  /** The running libfuse's version as major * 100 + minor, e.g. 317 (fuse_version()). */
  readonly libfuse: number;
  /** The running libfuse's full version, e.g. "3.17.2" (fuse_pkgversion()). */
  readonly libfusePackage: string;
  /**
   * The libfuse of the headers the addon was compiled with, e.g. 314: what it
   * can use (a newer libfuse at run time adds nothing; see `conn.capability()`).
   */
  readonly libfuseHeaders: number;
  /** The hash of the native sources the loaded addon was built from (scripts/source-hash.mjs). */
  readonly addonSourceHash: string;
}

/** The versions of this installation. */
export const versions: Versions = Object.freeze({
  libfuse: native.libfuseVersion,
  libfusePackage: native.libfusePackageVersion,
  libfuseHeaders: native.libfuseHeadersVersion,
  addonSourceHash: native.sourceHash,
});
