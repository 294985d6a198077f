// Extended attributes: on open descriptors (fgetxattr, fsetxattr, flistxattr,
// fremovexattr) and relative to a directory descriptor (getxattrat …), which
// also reach O_PATH descriptors (AT_EMPTY_PATH) through /proc/self/fd, as
// libfuse's passthrough_ll does, and symlinks themselves (AT_SYMLINK_NOFOLLOW).
// Values and lists are read whole: a buffer that is too small (ERANGE) is
// grown to the size the kernel reports, and the call repeated.
#include <fcntl.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstring>

#include "syscalls.h"

namespace fl {
namespace sys {
namespace {

// The first try's buffer: most values are small, and the kernel zero-fills a
// buffer of the size asked for on every getxattr, so a large first buffer
// costs every call (a 4 KiB one doubled the time of a small fgetxattr).
constexpr size_t kFirstBuffer = 256;

// Where an *at call acts: the path to give the path-based call, and whether it follows a final symlink.
std::string Target(const Call& call, bool* follow) {
  if (call.path.empty() && (call.flags & AT_EMPTY_PATH) != 0) {
    *follow = true;  // the magic link leads to the inode itself, a symlink included
    return ProcFdPath(call.fd);
  }
  *follow = (call.flags & AT_SYMLINK_NOFOLLOW) == 0;
  if (call.fd == AT_FDCWD || (!call.path.empty() && call.path[0] == '/')) return call.path;
  return ProcFdPath(call.fd, call.path);
}

// Reads a whole value or list with `get(buffer, size)`, growing on ERANGE.
template <typename Get>
void ReadWhole(Call& call, Get get) {
  size_t size = kFirstBuffer;
  for (;;) {
    const ssize_t n = get(call.bytes.Get(size), size);
    if (n >= 0) {
      call.result = n;
      return;
    }
    if (errno != ERANGE) {
      call.err = errno;
      return;
    }
    const ssize_t need = get(nullptr, 0);
    if (need < 0) {
      call.err = errno;
      return;
    }
    size = static_cast<size_t>(need) > size ? static_cast<size_t>(need) : size * 2;
  }
}

void Done(Call& call, ssize_t r) {
  if (r < 0) call.err = errno;
}

// --- parsing ---

void ParseFdName(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  NameArg(info, 1, "name", &call.name);
}
void ParseFdSet(const Napi::CallbackInfo& info, Call& call) {
  ParseFdName(info, call);
  BytesArg(info, 2, "value", &call.data, &call.dataLength);
  call.mode = static_cast<uint32_t>(IntArg(info, 3, "flags"));
}
void ParseFdList(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.rawNames = RawNamesArg(info, 1);
}

void ParseAt(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, true);
  NameArg(info, 1, "path", &call.path);
  call.hasPath = !call.path.empty();
}
// (dirfd, path, name, flags)
void ParseAtName(const Napi::CallbackInfo& info, Call& call) {
  ParseAt(info, call);
  NameArg(info, 2, "name", &call.name);
  call.flags = IntArg(info, 3, "flags");
}
// (dirfd, path, name, value, xattrFlags, flags)
void ParseAtSet(const Napi::CallbackInfo& info, Call& call) {
  ParseAt(info, call);
  NameArg(info, 2, "name", &call.name);
  BytesArg(info, 3, "value", &call.data, &call.dataLength);
  call.mode = static_cast<uint32_t>(IntArg(info, 4, "xattrFlags"));
  call.flags = IntArg(info, 5, "flags");
}
// (dirfd, path, flags, options)
void ParseAtList(const Napi::CallbackInfo& info, Call& call) {
  ParseAt(info, call);
  call.flags = IntArg(info, 2, "flags");
  call.rawNames = RawNamesArg(info, 3);
}

// --- the calls ---

void RunFget(Call& call) {
  ReadWhole(call, [&](char* buf, size_t size) { return fgetxattr(call.fd, call.name.c_str(), buf, size); });
}
void RunFset(Call& call) {
  Done(call, fsetxattr(call.fd, call.name.c_str(), call.data, call.dataLength, static_cast<int>(call.mode)));
}
void RunFlist(Call& call) {
  ReadWhole(call, [&](char* buf, size_t size) { return flistxattr(call.fd, buf, size); });
}
void RunFremove(Call& call) { Done(call, fremovexattr(call.fd, call.name.c_str())); }

void RunGetAt(Call& call) {
  bool follow;
  const std::string p = Target(call, &follow);
  ReadWhole(call, [&](char* buf, size_t size) {
    return follow ? getxattr(p.c_str(), call.name.c_str(), buf, size) : lgetxattr(p.c_str(), call.name.c_str(), buf, size);
  });
}
void RunSetAt(Call& call) {
  bool follow;
  const std::string p = Target(call, &follow);
  const int xflags = static_cast<int>(call.mode);
  Done(call, follow ? setxattr(p.c_str(), call.name.c_str(), call.data, call.dataLength, xflags)
                    : lsetxattr(p.c_str(), call.name.c_str(), call.data, call.dataLength, xflags));
}
void RunListAt(Call& call) {
  bool follow;
  const std::string p = Target(call, &follow);
  ReadWhole(call, [&](char* buf, size_t size) { return follow ? listxattr(p.c_str(), buf, size) : llistxattr(p.c_str(), buf, size); });
}
void RunRemoveAt(Call& call) {
  bool follow;
  const std::string p = Target(call, &follow);
  Done(call, follow ? removexattr(p.c_str(), call.name.c_str()) : lremovexattr(p.c_str(), call.name.c_str()));
}

// --- results ---

napi_value FinishValue(napi_env env, Call& call) {
  napi_value r;
  void* out = nullptr;
  napi_create_buffer_copy(env, static_cast<size_t>(call.result), call.bytes.data(), &out, &r);
  return r;
}

napi_value FinishList(napi_env env, Call& call) {
  napi_value list;
  napi_create_array(env, &list);
  const char* p = call.bytes.data();
  const char* end = p + call.result;
  uint32_t i = 0;
  while (p < end) {
    const char* nul = static_cast<const char*>(memchr(p, '\0', static_cast<size_t>(end - p)));
    const size_t n = nul != nullptr ? static_cast<size_t>(nul - p) : static_cast<size_t>(end - p);
    if (n > 0) napi_set_element(env, list, i++, NamesValue(env, p, n, call.rawNames));
    p += n + 1;
  }
  return list;
}

}  // namespace

const CallDef kXattrCalls[] = {
    {"fgetxattr", "fgetxattr", ParseFdName, RunFget, FinishValue},
    {"fsetxattr", "fsetxattr", ParseFdSet, RunFset, Undefined},
    {"flistxattr", "flistxattr", ParseFdList, RunFlist, FinishList},
    {"fremovexattr", "fremovexattr", ParseFdName, RunFremove, Undefined},
    {"getxattrat", "getxattr", ParseAtName, RunGetAt, FinishValue},
    {"setxattrat", "setxattr", ParseAtSet, RunSetAt, Undefined},
    {"listxattrat", "listxattr", ParseAtList, RunListAt, FinishList},
    {"removexattrat", "removexattr", ParseAtName, RunRemoveAt, Undefined},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace sys
}  // namespace fl
