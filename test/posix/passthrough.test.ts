/**
 * The POSIX suite against passthrough through a real mount, mirroring a
 * fresh local directory. The kernel checks permissions (defaultPermissions);
 * allowOther lets the suite's unprivileged clients in. passthrough has no
 * xattrs, no rename flags, no SEEK_DATA, no fallocate modes, no FIFOs or
 * device nodes, and keeps times to the microsecond; its locks are the
 * kernel's own.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passthroughOperations } from '../../examples/passthrough/index.js';
import { definePosixSuite } from '../../lib/testing/index.js';
import { MOUNT_PREFIX } from '../helpers/fuse.js';

/** The directory passthrough mirrors (local disk, never the mount: sync calls are safe). */
let source = '';

definePosixSuite('passthrough', {
  features: { permissions: true, hardlinks: true, symlinks: true, posixLocks: true, flock: true },
  operations() {
    source = mkdtempSync(join(tmpdir(), 'posix-suite-passthrough-source-'));
    chmodSync(source, 0o755); // unprivileged clients must be able to enter
    return passthroughOperations(source);
  },
  mountOptions: { fsName: 'passthrough', defaultPermissions: true, allowOther: true, prefix: MOUNT_PREFIX },
  async cleanup() {
    if (source !== '') rmSync(source, { recursive: true, force: true });
  },
});
