import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { versions } from '../lib/index.js';
import { sourceHash } from '../scripts/source-hash.mjs';
import { ROOT } from './helpers/dist.js';

const PREBUILDS = join(ROOT, 'prebuilds', 'linux-x64');

describe('the native addon', () => {
  it('reports the hash of the sources it was built from, and they are the current ones', () => {
    expect(versions.addonSourceHash).toBe(sourceHash(ROOT));
    expect(versions.libfuse).toBeGreaterThanOrEqual(310);
  });

  it('the committed prebuild is built from the current native sources (else: npm run build:prebuild)', () => {
    const files = existsSync(PREBUILDS) ? readdirSync(PREBUILDS).filter((f) => f.endsWith('.node')) : [];
    expect(files, `no prebuild in ${PREBUILDS}: run npm run build:prebuild`).not.toHaveLength(0);
    for (const file of files) {
      const loaded = { exports: {} as { sourceHash?: string } };
      process.dlopen(loaded, join(PREBUILDS, file));
      expect(loaded.exports.sourceHash, `${file} is stale: run npm run build:prebuild`).toBe(sourceHash(ROOT));
    }
  });
});
