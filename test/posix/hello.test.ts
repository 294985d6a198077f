/**
 * The POSIX suite against the hello example, which declares itself
 * read-only (mounted with readOnly): only the read-only section runs — its
 * one file and root are listed, looked up and read consistently, and every
 * write fails with EROFS — and every other test is skipped as
 * "hello is read-only".
 */
import { helloOperations } from '../../examples/hello.js';
import { definePosixSuite } from '../../lib/testing/index.js';
import { MOUNT_PREFIX } from '../helpers/fuse.js';

definePosixSuite('hello', {
  features: {},
  readOnly: true,
  operations: () => helloOperations(),
  mountOptions: { fsName: 'hello', prefix: MOUNT_PREFIX },
});
