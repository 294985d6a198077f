/**
 * The POSIX suite against a plain local directory (no FUSE): validates the
 * suite itself on the host's filesystem, which claims every feature.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePosixSuite } from './suite.js';

definePosixSuite('local disk', {
  features: {
    permissions: true,
    hardlinks: true,
    symlinks: true,
    xattrs: true,
    posixLocks: true,
    flock: true,
    renameFlags: true,
    seekData: true,
    fallocate: true,
    deviceNodes: true,
    fifo: true,
    nsTimestamps: true,
  },
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'posix-suite-local-'));
    await chmod(dir, 0o755); // unprivileged clients must be able to enter
    return { dir, teardown: () => rm(dir, { recursive: true, force: true }) };
  },
});
