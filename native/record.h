// A request (or loop event) copied out of libfuse on a loop thread, waiting to be
// delivered to JavaScript. libfuse's pointer arguments die when the op callback
// returns, so everything the JS side needs is copied in here: numbers into
// `words` (laid out per operation by scripts/codegen/operations.mjs, 64-bit
// values as low then high word), names and data as bytes.
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

// The header words of every request record; the operation's fields follow.
namespace header {
enum : int { kOp = 0, kIdIndex = 1, kIdGeneration = 2, kUid = 3, kGid = 4, kPid = 5, kUmask = 6, kWords = 8 };
}

struct Record {
  Op op = Op::Lookup;
  fuse_req_t req = nullptr;  // null for forgets and internal kinds
  bool fromSelf = false;     // the caller is the serving process itself
  uint32_t words[kRecordWords] = {};
  // Names (slots 0 and 1), as bytes.
  std::string names[2];
  uint8_t nameCount = 0;
  enum class Data : uint8_t { None, Bytes, PollHandle } dataKind = Data::None;
  Payload bytes;           // Bytes
  size_t bytesLength = 0;  // Bytes
  PollHandle pollHandle;   // PollHandle (may stay null)
  std::vector<fuse_forget_data> forgets;  // Forget only
  // Internal kinds: Interrupt (n1 = request id), NotifyDone (n1 = id, n2 =
  // errno), RetrieveReply (n1 = id, bytes), Ended (n1 = errno).
  double n1 = 0;
  double n2 = 0;

  Record() = default;
  explicit Record(Op o) : op(o) {}
};

}  // namespace fl
