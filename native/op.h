// The operations a filesystem can implement, plus the internal record kinds the
// loop thread sends to JavaScript. The numbers are exported to JS as `OP`.
#pragma once

#include <cstdint>

namespace fl {

#define FL_USER_OPS(X)        \
  X(Lookup, "lookup")         \
  X(Forget, "forget")         \
  X(Getattr, "getattr")       \
  X(Readlink, "readlink")     \
  X(Open, "open")             \
  X(Read, "read")             \
  X(Flush, "flush")           \
  X(Release, "release")       \
  X(Opendir, "opendir")       \
  X(Readdir, "readdir")       \
  X(Readdirplus, "readdirplus") \
  X(Releasedir, "releasedir") \
  X(Statfs, "statfs")         \
  X(Access, "access")         \
  X(Getxattr, "getxattr")     \
  X(Listxattr, "listxattr")   \
  X(Setattr, "setattr")       \
  X(Mknod, "mknod")           \
  X(Mkdir, "mkdir")           \
  X(Unlink, "unlink")         \
  X(Rmdir, "rmdir")           \
  X(Symlink, "symlink")       \
  X(Rename, "rename")         \
  X(Link, "link")             \
  X(Write, "write")           \
  X(Fsync, "fsync")           \
  X(Fsyncdir, "fsyncdir")     \
  X(Create, "create")         \
  X(Setxattr, "setxattr")     \
  X(Removexattr, "removexattr") \
  X(Getlk, "getlk")           \
  X(Setlk, "setlk")           \
  X(Flock, "flock")           \
  X(Bmap, "bmap")             \
  X(Ioctl, "ioctl")           \
  X(Poll, "poll")             \
  X(Fallocate, "fallocate")   \
  X(CopyFileRange, "copyFileRange") \
  X(Lseek, "lseek")

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
