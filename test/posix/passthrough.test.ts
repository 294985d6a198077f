/**
 * The POSIX suite against passthrough through a real mount, mirroring a
 * fresh local directory. The kernel checks permissions (defaultPermissions);
 * allowOther lets the suite's unprivileged clients in. passthrough has no
 * xattrs, no rename flags, no SEEK_DATA, no fallocate modes, no FIFOs or
 * device nodes, and keeps times to the microsecond; its locks are the
 * kernel's own.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passthroughOperations } from '../../examples/passthrough/index.js';
import { mount, type Session } from '../../lib/index.js';
import { cleanup, describeMount, tempMountpoint } from '../helpers/fuse.js';
import { definePosixSuite } from './suite.js';

describeMount('passthrough', () => {
  definePosixSuite('passthrough', {
    features: {
      permissions: true,
      hardlinks: true,
      symlinks: true,
      xattrs: false,
      posixLocks: true,
      flock: true,
      renameFlags: false,
      seekData: false,
      fallocate: false,
      deviceNodes: false,
      fifo: false,
      nsTimestamps: false,
    },
    async setup() {
      const source = await mkdtemp(join(tmpdir(), 'posix-suite-passthrough-source-'));
      await chmod(source, 0o755); // unprivileged clients must be able to enter
      const dir = tempMountpoint();
      let session: Session | undefined;
      try {
        session = await mount(dir, passthroughOperations(source), {
          fsName: 'passthrough',
          defaultPermissions: true,
          allowOther: true,
          unmountTimeout: 2000,
        });
      } catch (error) {
        await cleanup(undefined, dir);
        await rm(source, { recursive: true, force: true });
        throw error;
      }
      return {
        dir,
        async teardown() {
          try {
            await cleanup(session, dir);
          } finally {
            await rm(source, { recursive: true, force: true });
          }
        },
      };
    },
  });
});
