// The operations a filesystem can implement (declared in
// scripts/codegen/operations.mjs), plus the internal record kinds the loop
// threads send to JavaScript. The numbers are exported to JS as `OP`.
#pragma once

#include <cstdint>

#include "generated/op_list.h"

namespace fl {

enum class Op : uint8_t {
#define FL_ENUM(name, js) name,
  FL_USER_OPS(FL_ENUM)
#undef FL_ENUM
  UserOpCount,
  // Internal kinds: not operations a user registers.
  Init = UserOpCount,
  Interrupt,
  Ended,
  NotifyDone,     // a notification was written (or failed)
  RetrieveReply,  // the kernel's answer to a retrieve notification
};

constexpr int kUserOpCount = static_cast<int>(Op::UserOpCount);

}  // namespace fl
