// The layouts of the Float64Arrays that carry structs between JS and C++.
// The field names are exported to JS (`LAYOUT`), and a test checks that
// lib/layout.ts packs in the same order.
#pragma once

namespace fl {

// struct stat, as far as FUSE uses it; times as seconds + nanoseconds.
#define FL_ATTR_FIELDS(X) \
  X(ino) X(mode) X(nlink) X(uid) X(gid) X(rdev) X(size) X(blksize) X(blocks) \
  X(atimeSec) X(atimeNsec) X(mtimeSec) X(mtimeNsec) X(ctimeSec) X(ctimeNsec)

// struct fuse_entry_param without its attr, which follows it.
#define FL_ENTRY_FIELDS(X) X(ino) X(generation) X(attrTimeout) X(entryTimeout)

// struct statvfs.
#define FL_STATFS_FIELDS(X) \
  X(bsize) X(frsize) X(blocks) X(bfree) X(bavail) X(files) X(ffree) X(favail) X(fsid) X(flag) X(namemax)

// struct fuse_conn_info (the fields a filesystem reads or sets in init).
#define FL_CONN_FIELDS(X) \
  X(protoMajor) X(protoMinor) X(maxWrite) X(maxRead) X(maxReadahead) X(capable) X(want) \
  X(maxBackground) X(congestionThreshold) X(timeGran)

#define FL_INDEX(name) name,
namespace attr { enum : int { FL_ATTR_FIELDS(FL_INDEX) kLength }; }
namespace entry { enum : int { FL_ENTRY_FIELDS(FL_INDEX) kLength }; }
namespace statfs { enum : int { FL_STATFS_FIELDS(FL_INDEX) kLength }; }
namespace conn { enum : int { FL_CONN_FIELDS(FL_INDEX) kLength }; }
#undef FL_INDEX

// A readdirplus entry for replyDirents: the next offset, then an entry + attr.
namespace dirent { enum : int { kNextOffset = 0, kEntry = 1, kLength = 1 + entry::kLength + attr::kLength }; }
// A readdir entry for replyDirents: the next offset, the inode, the mode (only its type bits count).
namespace direntPlain { enum : int { kNextOffset = 0, kIno = 1, kMode = 2, kLength = 3 }; }

}  // namespace fl
