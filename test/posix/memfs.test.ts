/**
 * The POSIX suite against memfs through a real mount. memfs checks
 * permissions itself (no defaultPermissions); allowOther lets the suite's
 * unprivileged clients in.
 */
import { memfsOperations } from '../../examples/memfs/index.js';
import { mount, type Session } from '../../lib/index.js';
import { cleanup, describeMount, tempMountpoint } from '../helpers/fuse.js';
import { definePosixSuite } from './suite.js';

describeMount('memfs', () => {
  definePosixSuite('memfs', {
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
      const dir = tempMountpoint();
      let session: Session | undefined;
      try {
        session = await mount(dir, memfsOperations(), { fsName: 'memfs', allowOther: true, unmountTimeout: 2000 });
      } catch (error) {
        await cleanup(undefined, dir);
        throw error;
      }
      return { dir, teardown: () => cleanup(session, dir) };
    },
  });
});
