// Pending kernel requests, addressed from JavaScript by a numeric id.
// An id is a slot index and that slot's generation, so a stale or forged id
// never reaches libfuse: Take() hands out each fuse_req_t exactly once. A
// slot's generation only grows; a slot whose generation is used up is retired,
// never reused, so no id is ever handed out twice.
// Used only on the JS thread that owns the addon instance.
#pragma once

#include <cstdint>
#include <vector>

#include "fuse.h"

namespace fl {

class Session;

class RequestTable {
 public:
  // Stores a pending request; returns its id (a safe integer: generation *
  // 2^21 + index), or -1 when the table is full.
  double Add(fuse_req_t req, Session* owner, uint32_t* index, uint32_t* generation);
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

  static constexpr uint32_t kIndexBits = 21;
  static constexpr uint32_t kMaxSlots = 1u << kIndexBits;

 private:
  struct Slot {
    fuse_req_t req = nullptr;
    Session* owner = nullptr;
    uint32_t generation = 0;  // of the request in it, or of the last one
  };
  bool Find(double id, uint32_t* index) const;
  void Free(uint32_t index);

  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace fl
