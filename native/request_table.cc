#include "request_table.h"

#include <cmath>

namespace fl {

double RequestTable::Add(fuse_req_t req, Session* owner) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() >= kMaxSlots) return -1;
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[index];
  s.req = req;
  s.owner = owner;
  s.generation = (s.generation + 1) & kGenerationMask;
  return static_cast<double>(s.generation) * kMaxSlots + index;
}

bool RequestTable::Find(double id, uint32_t* index) const {
  if (!(id >= 0 && id <= 9007199254740991.0) || std::floor(id) != id) return false;
  const uint64_t raw = static_cast<uint64_t>(id);
  const uint32_t i = static_cast<uint32_t>(raw & (kMaxSlots - 1));
  const uint32_t generation = static_cast<uint32_t>(raw >> kIndexBits);
  if (i >= slots_.size()) return false;
  const Slot& s = slots_[i];
  if (s.req == nullptr || s.generation != generation) return false;
  *index = i;
  return true;
}

void RequestTable::Free(uint32_t index) {
  slots_[index].req = nullptr;
  slots_[index].owner = nullptr;
  free_.push_back(index);
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

size_t RequestTable::PendingCount(const Session* owner) const {
  size_t n = 0;
  for (const Slot& s : slots_) n += (s.req != nullptr && s.owner == owner);
  return n;
}

}  // namespace fl
