/**
 * Loads the native addon (a prebuild, or the build from source) and explains
 * what to do when it cannot be loaded.
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from '../types/native.js';

const require = createRequire(import.meta.url);

/** The package root: two levels up from dist/lib/ (or lib/ when run from source). */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'lib')) ? join(here, '..', '..') : join(here, '..');
}

function load(): NativeAddon {
  const root = packageRoot();
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return nodeGypBuild(root) as NativeAddon;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint = /libfuse3\.so/.test(reason)
      ? '- libfuse 3 is not installed: apt-get install fuse3 (or libfuse3-3), dnf install fuse3-libs'
      : '- build it from source: apt-get install fuse3 libfuse3-dev g++ make python3 pkg-config, then npm rebuild fuse-lowlevel';
    throw new Error(
      `fuse-lowlevel: could not load the native addon from ${root}\n` +
        `  ${reason}\nPossible solutions:\n  ${hint}\n` +
        '  - this package supports Linux only, with Node.js 20 or newer',
      { cause },
    );
  }
}

/** The native addon; see types/native.d.ts for its contract. */
export const native: NativeAddon = load();
