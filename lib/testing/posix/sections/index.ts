/**
 * The POSIX suite's sections, in the order they run: one module each, every
 * one a table of small named test functions (go-fuse's posixtest keeps its
 * tests the same way). Add a section here, or pass your own with a target's
 * `sections`.
 * @module
 */
import type { PosixSection } from '../types.js';
import { byteNames } from './byte-names.js';
import { chmodChown } from './chmod-chown.js';
import { clientFio } from './client-fio.js';
import { clientGcc } from './client-gcc.js';
import { clientGit } from './client-git.js';
import { clientStressNg } from './client-stress-ng.js';
import { clientTar } from './client-tar.js';
import { copyFileRange } from './copy-file-range.js';
import { fallocate } from './fallocate.js';
import { find } from './find.js';
import { flock } from './flock.js';
import { fsync } from './fsync.js';
import { largeFiles } from './large-files.js';
import { link } from './link.js';
import { mkdir } from './mkdir.js';
import { mknod } from './mknod.js';
import { mmap } from './mmap.js';
import { openAppend } from './open-append.js';
import { openCreat } from './open-creat.js';
import { openDirectory } from './open-directory.js';
import { openErrors } from './open-errors.js';
import { openTrunc } from './open-trunc.js';
import { permissions } from './permissions.js';
import { posixLocks } from './posix-locks.js';
import { readOnlyTree } from './read-only.js';
import { readWrite } from './read-write.js';
import { readdir } from './readdir.js';
import { rename } from './rename.js';
import { renameFlags } from './rename-flags.js';
import { seekData } from './seek-data.js';
import { setgid } from './setgid.js';
import { sparseFiles } from './sparse.js';
import { stat } from './stat.js';
import { statfs } from './statfs.js';
import { symlink } from './symlink.js';
import { timestamps } from './timestamps.js';
import { truncate } from './truncate.js';
import { unlink } from './unlink.js';
import { utimensat } from './utimensat.js';
import { xattrs } from './xattrs.js';

/** Every section, in order. */
export const POSIX_SECTIONS: readonly PosixSection[] = [
  openCreat,
  openTrunc,
  openAppend,
  openDirectory,
  openErrors,
  readWrite,
  sparseFiles,
  largeFiles,
  truncate,
  mmap,
  unlink,
  rename,
  renameFlags,
  link,
  symlink,
  mkdir,
  readdir,
  byteNames,
  stat,
  timestamps,
  utimensat,
  chmodChown,
  setgid,
  permissions,
  xattrs,
  posixLocks,
  flock,
  statfs,
  fsync,
  fallocate,
  copyFileRange,
  seekData,
  mknod,
  find,
  clientGcc,
  clientGit,
  clientTar,
  clientFio,
  clientStressNg,
  readOnlyTree,
];
