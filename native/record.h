// A request (or loop event) copied out of libfuse on a loop thread, waiting to be
// delivered to JavaScript. libfuse's pointer arguments die when the op callback
// returns, so everything the JS side needs is copied in here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fuse.h"
#include "op.h"

namespace fl {

struct Record {
  Op op;
  fuse_req_t req = nullptr;  // null for forgets and internal kinds
  uint64_t ino = 0;          // ino, or parent for name operations
  uint64_t fh = 0;           // file handle, or the request id for Interrupt
  double n1 = 0;             // op specific: offset, size, mask …
  double n2 = 0;             // op specific: size …
  int32_t flags = 0;         // open flags, or op specific bits
  uint64_t lockOwner = 0;    // flush and release: the kernel's lock owner cookie
  bool hasLockOwner = false;
  std::string name;          // name argument, when the op has one
  std::vector<fuse_forget_data> forgets;  // Forget only
};

}  // namespace fl
