// The layouts of the reply structs JS packs for the addon. Every field takes
// two 32-bit words: integers as their low then high word (two's complement),
// so the full 64-bit range crosses exactly; timeouts (F64) as the bytes of a
// double. The names and kinds are exported to JS (`LAYOUT`), and a test checks
// that lib/layout.ts packs in the same order.
#pragma once

#include <cstdint>
#include <cstring>

namespace fl {

// struct stat, as far as FUSE uses it; times as seconds + nanoseconds.
#define FL_ATTR_FIELDS(X)                                                                               \
  X(ino, U64) X(mode, U32) X(nlink, U64) X(uid, U32) X(gid, U32) X(rdev, U64) X(size, I64) X(blksize, U32) \
  X(blocks, U64) X(atimeSec, I64) X(atimeNsec, U32) X(mtimeSec, I64) X(mtimeNsec, U32) X(ctimeSec, I64)  \
  X(ctimeNsec, U32)

// struct fuse_entry_param without its attr, which follows it.
#define FL_ENTRY_FIELDS(X) X(ino, U64) X(generation, U64) X(attrTimeout, F64) X(entryTimeout, F64)

// struct statvfs.
#define FL_STATFS_FIELDS(X)                                                                              \
  X(bsize, U64) X(frsize, U64) X(blocks, U64) X(bfree, U64) X(bavail, U64) X(files, U64) X(ffree, U64) \
  X(favail, U64) X(fsid, U64) X(flag, U64) X(namemax, U64)

// The reply half of struct fuse_file_info: the handle and the open flags
// (bit 0 direct_io, 1 keep_cache, 2 nonseekable, 3 cache_readdir, 4 noflush).
#define FL_OPEN_FIELDS(X) X(fh, U64) X(flags, U32)

// struct flock.
#define FL_LOCK_FIELDS(X) X(type, U32) X(whence, U32) X(start, I64) X(length, I64) X(pid, U32)

// struct fuse_conn_info (the fields a filesystem reads or sets in init),
// which crosses as a Float64Array of its own.
#define FL_CONN_FIELDS(X) \
  X(protoMajor) X(protoMinor) X(maxWrite) X(maxRead) X(maxReadahead) X(capable) X(want) \
  X(maxBackground) X(congestionThreshold) X(timeGran)

#define FL_INDEX(name, kind) name,
namespace attr { enum : int { FL_ATTR_FIELDS(FL_INDEX) kLength }; }
namespace entry { enum : int { FL_ENTRY_FIELDS(FL_INDEX) kLength }; }
namespace statfs { enum : int { FL_STATFS_FIELDS(FL_INDEX) kLength }; }
namespace openFields { enum : int { FL_OPEN_FIELDS(FL_INDEX) kLength }; }
namespace lockFields { enum : int { FL_LOCK_FIELDS(FL_INDEX) kLength }; }
#undef FL_INDEX
#define FL_CONN_INDEX(name) name,
namespace conn { enum : int { FL_CONN_FIELDS(FL_CONN_INDEX) kLength }; }
#undef FL_CONN_INDEX

// A readdirplus entry for replyDirents: the next offset, then an entry + attr.
namespace dirent { enum : int { kNextOffset = 0, kEntry = 1, kLength = 1 + entry::kLength + attr::kLength }; }
// A readdir entry for replyDirents: the next offset, the inode, the mode (only its type bits count).
namespace direntPlain { enum : int { kNextOffset = 0, kIno = 1, kMode = 2, kLength = 3 }; }

// Reads field `i` of a packed struct (two words per field).
inline uint64_t FieldU64(const uint32_t* words, int i) {
  return static_cast<uint64_t>(words[2 * i]) | (static_cast<uint64_t>(words[2 * i + 1]) << 32);
}
inline int64_t FieldI64(const uint32_t* words, int i) { return static_cast<int64_t>(FieldU64(words, i)); }
inline double FieldF64(const uint32_t* words, int i) {
  double d;
  std::memcpy(&d, words + 2 * i, sizeof d);
  return d;
}

}  // namespace fl
