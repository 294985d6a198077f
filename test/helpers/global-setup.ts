/**
 * Runs once around the whole suite: says loudly when mount tests are skipped,
 * and makes sure no test mount survives the run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Name the run before the helpers compute their prefix (workers inherit the env).
process.env.FUSE_LOWLEVEL_TEST_RUN ??= String(process.pid);

const { RUN_PREFIX } = await import('./fuse.js');
const { fuseUnavailableReason } = await import('../../lib/testing/environment.js');
const { distIsStale, ROOT } = await import('./dist.js');

function leftoverMounts(): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[2]?.startsWith('fuse') && f[1]?.includes(RUN_PREFIX))
    .map((f) => (f[1] as string).replace(/\\040/g, ' '));
}

export function setup(): void {
  // Tests that run the CLI or plain Node children use dist/.
  if (distIsStale()) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const reason = fuseUnavailableReason();
  if (reason !== undefined) {
    console.warn(`\n!!! MOUNT TESTS ARE SKIPPED: ${reason} !!!\n`);
  }
}

export function teardown(): void {
  for (const path of leftoverMounts()) {
    console.warn(`a test left ${path} mounted; unmounting it`);
    try {
      execFileSync('fusermount3', ['-u', '-z', path], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
