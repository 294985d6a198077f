/**
 * dist/ (the built package) for tests that run the CLI or import the library
 * in plain Node processes: global setup rebuilds it when it is older than its
 * sources, once per run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.c?ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/ is missing or older than lib/, examples/ or types/. */
export function distIsStale(): boolean {
  const marker = join(ROOT, 'dist', 'lib', 'index.js');
  if (!existsSync(marker) || !existsSync(join(ROOT, 'dist', 'types', 'native.d.ts'))) return true;
  const built = statSync(marker).mtimeMs;
  return ['lib', 'examples', 'types'].some((folder) => newestSource(join(ROOT, folder)) > built);
}
