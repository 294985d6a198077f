// The libfuse op table: C callbacks that copy each request into a Record and
// hand it to the session's dispatcher. Only the operations the filesystem
// implements are set, so libfuse answers the rest itself (ENOSYS or its default).
#pragma once

#include <vector>

#include "fuse.h"
#include "op.h"

namespace fl {

// Builds the table for the given user operations. `init` is always set: the
// session negotiates capabilities through it.
fuse_lowlevel_ops BuildOps(const std::vector<Op>& implemented);

}  // namespace fl
