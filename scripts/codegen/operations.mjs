// Every lowlevel operation, declared once. `node scripts/codegen/generate.mjs`
// derives from this table:
//   native/generated/operations.inc  the libfuse callbacks (each copies its
//                                    arguments into a request record), the
//                                    operation numbers and the op table;
//   lib/generated/operations.ts      per operation a request base class with
//                                    named, typed, documented fields read from
//                                    that record, and the `Operations` interface.
// The hand-written request classes (lib/requests/) add the replies.
// test/generated.test.ts fails when the committed output is stale.
//
// An operation: `name` (the handler's name), `libfuse` (its fuse_lowlevel_ops
// member), `params` (the C parameters after fuse_req_t), `doc` (the handler's
// doc comment), `request` (the request class), `min` (the libfuse version it
// needs, when newer than 3.14), and `fields`. A field: [name, kind, C
// expression, doc]. Kinds:
//   u64, i64  64-bit values: a number getter that throws past 2^53 - 1, and
//             `<name>Big` (bigint), always exact
//   cookie    an opaque 64-bit value (lock owners), as a bigint
//   u32, i32  32-bit values (number)
//   bool      a flag (boolean)
//   name      bytes without NUL (file names, link targets, xattr names), as a
//             string that keeps every byte (see lib/names.ts), and `<name>Bytes`
//   bytes     a Buffer the handler owns; the expression is `pointer, length`
//   bufvec    write data (a fuse_bufvec), copied once into a Buffer
//   lock      a struct flock *
//   pollhandle  a fuse_pollhandle * (may be null)
// `check` (optional): C statements run first, which may answer and return.

const ino = (doc = 'The inode the request is about.') => ['ino', 'u64', 'ino', doc];
const parent = ['parent', 'u64', 'parent', "The directory's inode."];
const entryName = ['name', 'name', 'name', "The entry's name in that directory."];
const fh = ['fh', 'u64', 'fi->fh', 'The handle the filesystem gave in its open (or create, opendir) reply.'];
const openFlags = ['flags', 'i32', 'fi->flags', 'The open(2) flags of the handle.'];
const lockOwner = ['lockOwner', 'cookie', 'fi->lock_owner', 'Identifies the owner of POSIX locks.'];

export const OPERATIONS = [
  {
    name: 'lookup',
    params: 'fuse_ino_t parent, const char *name',
    doc: 'Look up a name in a directory; the reply counts as one lookup of the inode.',
    request: 'LookupRequest',
    fields: [parent, entryName],
  },
  {
    name: 'forget',
    special: 'forget',
    doc: 'The kernel dropped lookups (batched; no reply). An inode with no lookups left may be freed.',
    request: 'ForgetRequest',
    fields: [],
  },
  {
    name: 'getattr',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi',
    doc: 'The attributes of an inode (stat).',
    request: 'GetattrRequest',
    fields: [
      ino(),
      ['hasFh', 'bool', 'fi != nullptr', '@internal'],
      ['fh', 'u64', 'fi != nullptr ? fi->fh : 0', '@internal'],
    ],
  },
  {
    name: 'readlink',
    params: 'fuse_ino_t ino',
    doc: 'The target of a symbolic link.',
    request: 'ReadlinkRequest',
    fields: [ino()],
  },
  {
    name: 'open',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi',
    doc: 'Open a file; the reply gives the handle later requests carry.',
    request: 'OpenRequest',
    fields: [ino(), ['flags', 'i32', 'fi->flags', 'The open(2) flags (O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_TRUNC …; not O_CREAT/O_EXCL/O_NOCTTY).']],
  },
  {
    name: 'read',
    params: 'fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi',
    doc: 'Read bytes: reply from memory (replyBuf) or from a file descriptor (replyFd, zero-copy).',
    request: 'ReadRequest',
    fields: [
      ino(),
      fh,
      ['offset', 'i64', 'off', 'The byte offset in the file.'],
      ['size', 'u32', 'size', 'The most bytes to return. A shorter reply means end of file (unless direct_io).'],
      openFlags,
    ],
  },
  {
    name: 'flush',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi',
    doc: 'Each close(2) of a descriptor; may come several times per open, or not at all.',
    request: 'FlushRequest',
    fields: [ino(), fh, ['lockOwner', 'cookie', 'fi->lock_owner', 'Identifies the POSIX lock owner whose locks the close releases.']],
  },
  {
    name: 'release',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi',
    doc: 'The last close of an open file: exactly once per successful open.',
    request: 'ReleaseRequest',
    fields: releaseFields(),
  },
  {
    name: 'opendir',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi',
    doc: 'Open a directory.',
    request: 'OpendirRequest',
    fields: [ino(), ['flags', 'i32', 'fi->flags', 'The open(2) flags.']],
  },
  {
    name: 'readdir',
    params: 'fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi',
    doc: 'List a directory from an offset cookie.',
    request: 'ReaddirRequest',
    fields: readdirFields(),
  },
  {
    name: 'readdirplus',
    params: 'fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi',
    doc: 'Readdir with attributes; used when implemented (the READDIRPLUS capability).',
    request: 'ReaddirplusRequest',
    fields: readdirFields(),
  },
  {
    name: 'releasedir',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi',
    doc: 'The last close of an open directory.',
    request: 'ReleasedirRequest',
    fields: releaseFields(),
  },
  {
    name: 'statfs',
    params: 'fuse_ino_t ino',
    doc: 'Filesystem statistics (df).',
    request: 'StatfsRequest',
    fields: [ino()],
  },
  {
    name: 'access',
    params: 'fuse_ino_t ino, int mask',
    doc: 'Permission checks; not called with the `defaultPermissions` option.',
    request: 'AccessRequest',
    fields: [ino(), ['mask', 'i32', 'mask', 'R_OK, W_OK and X_OK bits, or F_OK (0).']],
  },
  {
    name: 'getxattr',
    params: 'fuse_ino_t ino, const char *name, size_t size',
    doc: "An extended attribute's value (a size-0 request is a probe for its size).",
    request: 'GetxattrRequest',
    fields: [
      ino(),
      ['name', 'name', 'name', "The attribute's name (e.g. `user.comment`)."],
      ['size', 'u32', 'size', 'The caller\'s buffer size; 0 asks only for the size.'],
    ],
  },
  {
    name: 'listxattr',
    params: 'fuse_ino_t ino, size_t size',
    doc: 'The names of the extended attributes (a size-0 request is a probe).',
    request: 'ListxattrRequest',
    fields: [ino(), ['size', 'u32', 'size', "The caller's buffer size; 0 asks only for the size."]],
  },
  {
    name: 'setattr',
    params: 'fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi',
    doc: 'chmod, chown, truncate, utimens …: change the attributes that are set.',
    request: 'SetattrRequest',
    fields: [
      ino(),
      ['hasFh', 'bool', 'fi != nullptr', '@internal'],
      ['fh', 'u64', 'fi != nullptr ? fi->fh : 0', '@internal'],
      ['toSet', 'i32', 'to_set', 'The raw FUSE_SET_ATTR_* bits ({@link SETATTR}).'],
      ['rawMode', 'u32', 'attr->st_mode', '@internal'],
      ['rawUid', 'u32', 'attr->st_uid', '@internal'],
      ['rawGid', 'u32', 'attr->st_gid', '@internal'],
      ['rawSize', 'i64', 'attr->st_size', '@internal'],
      ['rawAtimeSec', 'i64', 'attr->st_atim.tv_sec', '@internal'],
      ['rawAtimeNsec', 'u32', 'attr->st_atim.tv_nsec', '@internal'],
      ['rawMtimeSec', 'i64', 'attr->st_mtim.tv_sec', '@internal'],
      ['rawMtimeNsec', 'u32', 'attr->st_mtim.tv_nsec', '@internal'],
      ['rawCtimeSec', 'i64', 'attr->st_ctim.tv_sec', '@internal'],
      ['rawCtimeNsec', 'u32', 'attr->st_ctim.tv_nsec', '@internal'],
    ],
  },
  {
    name: 'mknod',
    params: 'fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev',
    doc: 'Create a file node: regular file, fifo, socket or device.',
    request: 'MknodRequest',
    fields: [
      parent,
      entryName,
      ['mode', 'u32', 'mode', "File type and permission bits; the caller's umask is already applied unless DONT_MASK is wanted."],
      ['rdev', 'u64', 'rdev', 'The device number, for device files.'],
    ],
  },
  {
    name: 'mkdir',
    params: 'fuse_ino_t parent, const char *name, mode_t mode',
    doc: 'Create a directory.',
    request: 'MkdirRequest',
    fields: [parent, entryName, ['mode', 'u32', 'mode', 'Permission bits (S_IFDIR is not always set).']],
  },
  {
    name: 'unlink',
    params: 'fuse_ino_t parent, const char *name',
    doc: 'Remove a name; the inode lives on while it has lookups (open files).',
    request: 'UnlinkRequest',
    fields: [parent, entryName],
  },
  {
    name: 'rmdir',
    params: 'fuse_ino_t parent, const char *name',
    doc: 'Remove an empty directory.',
    request: 'RmdirRequest',
    fields: [parent, entryName],
  },
  {
    name: 'symlink',
    params: 'const char *link, fuse_ino_t parent, const char *name',
    doc: 'Create a symbolic link.',
    request: 'SymlinkRequest',
    fields: [parent, entryName, ['target', 'name', 'link', 'What the link points at (any bytes but NUL; not checked or resolved).']],
  },
  {
    name: 'rename',
    params: 'fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname, unsigned int flags',
    doc: 'Move or swap names (RENAME_NOREPLACE, RENAME_EXCHANGE).',
    request: 'RenameRequest',
    fields: [
      parent,
      entryName,
      ['newParent', 'u64', 'newparent', 'The target directory.'],
      ['newName', 'name', 'newname', 'The target name.'],
      ['flags', 'u32', 'flags', 'RENAME_NOREPLACE and/or RENAME_EXCHANGE; answer EINVAL for flags you do not support.'],
    ],
  },
  {
    name: 'link',
    params: 'fuse_ino_t ino, fuse_ino_t newparent, const char *newname',
    doc: 'Create a hard link.',
    request: 'LinkRequest',
    fields: [
      ino('The existing inode.'),
      ['newParent', 'u64', 'newparent', 'The directory for the new name.'],
      ['newName', 'name', 'newname', 'The new name.'],
    ],
  },
  {
    name: 'write',
    libfuse: 'write_buf',
    params: 'fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off, struct fuse_file_info *fi',
    doc: 'Write data; reply with the full length unless there was an error.',
    request: 'WriteRequest',
    fields: [
      ino(),
      fh,
      ['offset', 'i64', 'off', 'The byte offset in the file (with O_APPEND, the kernel has already set it to the end unless writeback caching is on).'],
      openFlags,
      ['writepage', 'bool', 'fi->writepage', "A delayed write from the page cache (writeback caching): the context and fh may not be the writer's."],
      ['lockOwner', 'cookie', 'fi->lock_owner', 'The lock owner, for filesystems that enforce mandatory locks.'],
      ['data', 'bufvec', 'bufv', 'The bytes to write; the Buffer belongs to the handler.'],
    ],
  },
  {
    name: 'fsync',
    params: 'fuse_ino_t ino, int datasync, struct fuse_file_info *fi',
    doc: "Make a file's data durable.",
    request: 'FsyncRequest',
    fields: [ino(), fh, ['datasync', 'bool', 'datasync != 0', 'Only the data, not the metadata, needs to be durable (fdatasync).']],
  },
  {
    name: 'fsyncdir',
    params: 'fuse_ino_t ino, int datasync, struct fuse_file_info *fi',
    doc: "Make a directory's contents durable.",
    request: 'FsyncdirRequest',
    fields: [ino(), fh, ['datasync', 'bool', 'datasync != 0', 'Only the data, not the metadata, needs to be durable.']],
  },
  {
    name: 'create',
    params: 'fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi',
    doc: 'Create and open a file atomically; without it the kernel uses mknod + open.',
    request: 'CreateRequest',
    fields: [parent, entryName, ['mode', 'u32', 'mode', 'File type and permission bits.'], ['flags', 'i32', 'fi->flags', 'The open(2) flags.']],
  },
  {
    name: 'setxattr',
    params: 'fuse_ino_t ino, const char *name, const char *value, size_t size, int flags',
    doc: 'Set an extended attribute.',
    request: 'SetxattrRequest',
    fields: [
      ino(),
      ['name', 'name', 'name', "The attribute's name."],
      ['flags', 'i32', 'flags', 'XATTR_CREATE (fail with EEXIST if it exists) or XATTR_REPLACE (fail with ENODATA if not), or 0.'],
      ['value', 'bytes', 'value, size', 'The new value; the Buffer belongs to the handler.'],
    ],
  },
  {
    name: 'removexattr',
    params: 'fuse_ino_t ino, const char *name',
    doc: 'Remove an extended attribute.',
    request: 'RemovexattrRequest',
    fields: [ino(), ['name', 'name', 'name', "The attribute's name."]],
  },
  {
    name: 'getlk',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock',
    doc: 'POSIX locks: implement getlk and setlk only to share locks beyond this machine.',
    request: 'GetlkRequest',
    fields: [ino(), fh, lockOwner, ['lock', 'lock', 'lock', 'The lock to test.']],
  },
  {
    name: 'setlk',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi, struct flock *lock, int sleep',
    doc: 'Take or release a POSIX lock (may wait: see SetlkRequest.wait).',
    request: 'SetlkRequest',
    fields: [
      ino(),
      fh,
      lockOwner,
      ['lock', 'lock', 'lock', 'The lock to take (F_RDLCK, F_WRLCK) or release (F_UNLCK).'],
      ['wait', 'bool', 'sleep != 0', 'F_SETLKW: wait for a conflicting lock to go away (the request may be interrupted).'],
    ],
  },
  {
    name: 'flock',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi, int op',
    doc: 'BSD flock locks; without it the kernel keeps them locally.',
    request: 'FlockRequest',
    fields: [
      ino(),
      fh,
      ['lockOwner', 'cookie', 'fi->lock_owner', 'Identifies the open file description holding the lock.'],
      ['operation', 'i32', 'op', 'LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB.'],
    ],
  },
  {
    name: 'bmap',
    params: 'fuse_ino_t ino, size_t blocksize, uint64_t idx',
    doc: 'Map a file block to a device block (block-device filesystems only).',
    request: 'BmapRequest',
    fields: [ino(), ['blocksize', 'u32', 'blocksize', 'The block size of the device.'], ['index', 'u64', 'idx', 'The block index in the file.']],
  },
  {
    name: 'ioctl',
    params:
      'fuse_ino_t ino, unsigned int cmd, void *arg, struct fuse_file_info *fi, unsigned flags, const void *in_buf, size_t in_bufsz, size_t out_bufsz',
    doc: 'A device-specific command (restricted ioctls).',
    request: 'IoctlRequest',
    fields: [
      ino(),
      fh,
      ['cmd', 'u32', 'cmd', 'The ioctl command number.'],
      ['arg', 'u64', 'reinterpret_cast<uintptr_t>(arg)', "The argument: a number, or an address in the caller's memory."],
      ['flags', 'u32', 'flags', 'FUSE_IOCTL_* bits ({@link IOCTL}).'],
      ['outputSize', 'u32', 'out_bufsz', 'How many bytes the caller reads back.'],
      ['input', 'bytes', 'in_buf, in_bufsz', 'The input bytes (as retried with replyIoctlRetry).'],
    ],
  },
  {
    name: 'poll',
    params: 'fuse_ino_t ino, struct fuse_file_info *fi, struct fuse_pollhandle *ph',
    doc: 'Which events are ready; keep the handle to wake the poller later.',
    request: 'PollRequest',
    fields: [
      ino(),
      fh,
      ['events', 'u32', 'fi->poll_events', 'The POLL* events the caller waits for.'],
      ['pollHandle', 'pollhandle', 'ph', '@internal'],
    ],
  },
  {
    name: 'fallocate',
    params: 'fuse_ino_t ino, int mode, off_t offset, off_t length, struct fuse_file_info *fi',
    doc: 'Allocate, punch or zero a byte range.',
    request: 'FallocateRequest',
    fields: [
      ino(),
      fh,
      ['offset', 'i64', 'offset', 'The start of the range.'],
      ['length', 'i64', 'length', 'The length of the range.'],
      ['mode', 'i32', 'mode', 'FALLOC_FL_* bits; 0 allocates and extends the size. Answer EOPNOTSUPP for modes you do not support.'],
    ],
  },
  {
    name: 'copyFileRange',
    libfuse: 'copy_file_range',
    params:
      'fuse_ino_t ino_in, off_t off_in, struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out, struct fuse_file_info *fi_out, size_t len, int flags',
    doc: 'Copy bytes between two open files inside the filesystem.',
    request: 'CopyFileRangeRequest',
    fields: [
      ['ino', 'u64', 'ino_in', 'The source inode.'],
      ['fh', 'u64', 'fi_in->fh', 'The source handle.'],
      ['offsetIn', 'i64', 'off_in', 'Where to read in the source.'],
      ['inoOut', 'u64', 'ino_out', 'The destination inode.'],
      ['fhOut', 'u64', 'fi_out->fh', 'The destination handle.'],
      ['offsetOut', 'i64', 'off_out', 'Where to write in the destination.'],
      ['length', 'u64', 'len', 'The most bytes to copy.'],
      ['flags', 'i32', 'flags', 'copy_file_range(2) flags (0 today).'],
    ],
  },
  {
    name: 'lseek',
    params: 'fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi',
    doc: 'SEEK_DATA / SEEK_HOLE.',
    request: 'LseekRequest',
    fields: [ino(), fh, ['offset', 'i64', 'off', 'Where to start looking.'], ['whence', 'i32', 'whence', 'SEEK_DATA or SEEK_HOLE.']],
  },
];

function releaseFields() {
  return [
    ino(),
    fh,
    ['flags', 'i32', 'fi->flags', 'The flags the handle was opened with.'],
    ['lockOwner', 'cookie', 'fi->lock_owner', 'Identifies the lock owner whose locks go away with the handle.'],
    ['flush', 'bool', 'fi->flush', 'Whether the filesystem should flush data (and release POSIX locks) too.'],
    ['flockRelease', 'bool', 'fi->flock_release', 'Whether flock locks of `lockOwner` should be released.'],
  ];
}

function readdirFields() {
  return [
    ino(),
    fh,
    [
      'offset',
      'i64',
      'off',
      'Where to continue: 0 for the start, else the `nextOffset` of the last entry the kernel received. Offsets are the filesystem\'s own cookies.',
    ],
    ['size', 'u32', 'size', 'The buffer size in bytes; `add()` returns false once it is full.'],
  ];
}
