// A request (or loop event) copied out of libfuse on a loop thread, waiting to be
// delivered to JavaScript. libfuse's pointer arguments die when the op callback
// returns, so everything the JS side needs is copied in here.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuse.h"
#include "op.h"

namespace fl {

// Bytes copied out of a request (write data, xattr values, ioctl input),
// allocated with malloc so JS can own them as an external Buffer.
struct FreeDeleter {
  void operator()(char* p) const { free(p); }
};
using Payload = std::unique_ptr<char, FreeDeleter>;

struct PollHandleDeleter {
  void operator()(fuse_pollhandle* ph) const { fuse_pollhandle_destroy(ph); }
};
using PollHandle = std::unique_ptr<fuse_pollhandle, PollHandleDeleter>;

struct Record {
  Op op = Op::Lookup;
  fuse_req_t req = nullptr;  // null for forgets and internal kinds
  uint64_t ino = 0;          // ino, or parent for name operations
  uint64_t fh = 0;           // file handle, or the request id for Interrupt
  double n1 = 0;             // op specific: offset, size, mask …
  double n2 = 0;             // op specific: size …
  int32_t flags = 0;         // open flags, or op specific bits
  uint64_t lockOwner = 0;    // flush and release: the kernel's lock owner cookie
  bool hasLockOwner = false;
  bool fromSelf = false;     // the caller is the serving process itself
  std::string name;          // name argument, when the op has one
  std::vector<fuse_forget_data> forgets;  // Forget only
  // Operations with a second inode, name or handle (rename, link, symlink,
  // copy_file_range), or structured/byte arguments.
  uint64_t ino2 = 0;
  uint64_t fh2 = 0;
  double n3 = 0;
  std::string name2;
  enum class Data : uint8_t { None, Bytes, Attr, Lock, PollHandle } dataKind = Data::None;
  Payload bytes;           // Bytes
  size_t bytesLength = 0;  // Bytes
  double fields[16] = {};  // Attr (LAYOUT.attr) or Lock (type, whence, start, len, pid)
  PollHandle pollHandle;   // PollHandle

  Record() = default;
  explicit Record(Op o) : op(o) {}
};

}  // namespace fl
