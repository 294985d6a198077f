#include "request_table.h"

#include <cmath>

namespace fl {

double RequestTable::Add(fuse_req_t req, Session* owner, uint32_t* index, uint32_t* generation) {
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() >= kMaxSlots) return -1;
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[i];
  s.req = req;
  s.owner = owner;
  ++s.generation;  // from 1: id 0 is never valid
  *index = i;
  *generation = s.generation;
  return static_cast<double>(s.generation) * kMaxSlots + i;
}

bool RequestTable::Find(double id, uint32_t* index) const {
  if (!(id >= 0 && id <= 9007199254740991.0) || std::floor(id) != id) return false;
  const uint64_t raw = static_cast<uint64_t>(id);
  const uint32_t i = static_cast<uint32_t>(raw & (kMaxSlots - 1));
  const uint64_t generation = raw >> kIndexBits;
  if (i >= slots_.size()) return false;
  const Slot& s = slots_[i];
  if (s.req == nullptr || s.generation != generation) return false;
  *index = i;
  return true;
}

void RequestTable::Free(uint32_t index) {
  Slot& s = slots_[index];
  s.req = nullptr;
  s.owner = nullptr;
  // A slot whose generation cannot grow again is retired (2^32 - 1 requests
  // in it), so an id is never handed out twice.
  if (s.generation != UINT32_MAX) free_.push_back(index);
}

fuse_req_t RequestTable::Take(double id) {
  uint32_t i;
  if (!Find(id, &i)) return nullptr;
  fuse_req_t req = slots_[i].req;
  Free(i);
  return req;
}

fuse_req_t RequestTable::Peek(double id) const {
  uint32_t i;
  return Find(id, &i) ? slots_[i].req : nullptr;
}

}  // namespace fl
