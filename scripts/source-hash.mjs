#!/usr/bin/env node
// Prints the hash of the native sources (native/**/*.{cc,h,inc,ver}, binding.gyp). The addon is
// built with it (FUSE_LOWLEVEL_SOURCE_HASH) and reports it as `sourceHash`, so
// a test can tell when the committed prebuild is older than the sources.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The hash of the files the addon is built from, as 16 hex digits. */
export function sourceHash(root) {
  const files = [
    'binding.gyp',
    ...readdirSync(join(root, 'native'), { recursive: true })
      .map(String)
      .filter((name) => /\.(cc|h|inc|ver)$/.test(name))
      .sort()
      .map((name) => join('native', name)),
  ];
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(sourceHash(join(dirname(fileURLToPath(import.meta.url)), '..')));
}
