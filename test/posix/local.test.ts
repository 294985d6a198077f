/**
 * The POSIX suite against a plain local directory (no FUSE): validates the
 * suite itself on the host's filesystem, which claims every feature.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_POSIX_FEATURES, definePosixSuite } from '../../lib/testing/index.js';

definePosixSuite('local disk', {
  // ext4 files stop at 16 TiB: only tmpfs-like filesystems reach 2^63 - 1.
  features: { ...ALL_POSIX_FEATURES, largeFiles: false },
  async setup() {
    const dir = await mkdtemp(join(tmpdir(), 'posix-suite-local-'));
    await chmod(dir, 0o755); // unprivileged clients must be able to enter
    return { dir, teardown: () => rm(dir, { recursive: true, force: true }) };
  },
});
