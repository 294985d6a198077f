// Pending kernel requests, addressed from JavaScript by a numeric id.
// An id carries a slot index and a generation, so a stale or forged id never
// reaches libfuse: Take() hands out each fuse_req_t exactly once.
// Used only on the JS thread that owns the addon instance.
#pragma once

#include <cstdint>
#include <vector>

#include "fuse.h"

namespace fl {

class Session;

class RequestTable {
 public:
  // Stores a pending request and returns its id (a safe integer).
  double Add(fuse_req_t req, Session* owner);
  // Removes and returns the request, or nullptr if the id is not pending.
  fuse_req_t Take(double id);
  // Returns the request without removing it, or nullptr.
  fuse_req_t Peek(double id) const;
  // Removes every request owned by `owner`, calling fn(req) on each.
  template <typename Fn>
  void TakeAll(const Session* owner, Fn&& fn) {
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      Slot& s = slots_[i];
      if (s.req != nullptr && s.owner == owner) {
        fuse_req_t req = s.req;
        Free(i);
        fn(req);
      }
    }
  }
  size_t PendingCount(const Session* owner) const;

 private:
  static constexpr uint32_t kIndexBits = 21;
  static constexpr uint32_t kMaxSlots = 1u << kIndexBits;
  // 21 + 25 bits: ids stay below 2^46, so JS can pack an id with a 6-bit
  // operation number into one safe integer.
  static constexpr uint32_t kGenerationMask = (1u << 25) - 1;

  struct Slot {
    fuse_req_t req = nullptr;
    Session* owner = nullptr;
    uint32_t generation = 0;
  };
  bool Find(double id, uint32_t* index) const;
  void Free(uint32_t index);

  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace fl
