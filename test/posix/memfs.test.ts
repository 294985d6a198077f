/**
 * The POSIX suite against memfs through a real mount. memfs checks
 * permissions itself (no defaultPermissions); the suite mounts it with
 * allowOther so its unprivileged clients get in.
 */
import { memfsOperations } from '../../examples/memfs/index.js';
import { ALL_POSIX_FEATURES, definePosixSuite } from '../../lib/testing/index.js';
import { MOUNT_PREFIX } from '../helpers/fuse.js';

definePosixSuite('memfs', {
  features: ALL_POSIX_FEATURES,
  operations: () => memfsOperations(),
  mountOptions: { fsName: 'memfs', allowOther: true, prefix: MOUNT_PREFIX },
});
