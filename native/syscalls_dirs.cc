// Directories: getdents64 on a directory descriptor, from an offset cookie.
// One call reads a batch of records into a reused buffer and returns them as
// parallel arrays (names, inode numbers, types, next offsets): a readdir
// handler replies with them and resumes later at any entry's next offset.
#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "syscalls.h"

namespace fl {
namespace sys {
namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

constexpr uint32_t kMinBuffer = 1024;
constexpr uint32_t kMaxBuffer = 1u << 24;

// getdents64(fd, offset | null, size, options)
void ParseGetdents(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.u = info[1].IsNull() || info[1].IsUndefined() ? 0 : 1;  // whether to seek first
  if (call.u != 0) call.a = Int64Arg(info, 1, "offset");
  const uint32_t size = Uint32Arg(info, 2, "size");
  if (size < kMinBuffer || size > kMaxBuffer) ThrowRange(info.Env(), call, "size", "a buffer size from 1024 to 16 MiB");
  call.b = size;
  call.rawNames = RawNamesArg(info, 3);
}

void RunGetdents(Call& call) {
  if (call.u != 0 && lseek(call.fd, call.a, SEEK_SET) < 0) {
    call.err = errno;
    return;
  }
  const size_t size = static_cast<size_t>(call.b);
  const long n = syscall(SYS_getdents64, call.fd, call.bytes.Get(size), size);
  if (n < 0) {
    call.err = errno;
  } else {
    call.result = n;
  }
}

napi_value FinishGetdents(napi_env env, Call& call) {
  const char* base = call.bytes.data();
  const size_t length = static_cast<size_t>(call.result);
  uint32_t count = 0;
  for (size_t at = 0; at < length; at += reinterpret_cast<const LinuxDirent64*>(base + at)->d_reclen) ++count;

  napi_value names, inos, offsets, types, result;
  napi_create_array_with_length(env, count, &names);
  napi_create_array_with_length(env, count, &inos);
  napi_create_array_with_length(env, count, &offsets);
  void* typeBytes = nullptr;
  napi_create_buffer(env, count, &typeBytes, &types);
  auto* t = static_cast<uint8_t*>(typeBytes);
  uint32_t i = 0;
  for (size_t at = 0; at < length; ++i) {
    const auto* d = reinterpret_cast<const LinuxDirent64*>(base + at);
    const size_t nameMax = d->d_reclen - offsetof(LinuxDirent64, d_name);
    napi_set_element(env, names, i, NamesValue(env, d->d_name, strnlen(d->d_name, nameMax), call.rawNames));
    napi_set_element(env, inos, i, Uint64Value(env, d->d_ino));
    napi_set_element(env, offsets, i, Int64Value(env, d->d_off));
    t[i] = d->d_type;
    at += d->d_reclen;
  }
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "names", names);
  napi_set_named_property(env, result, "inos", inos);
  napi_set_named_property(env, result, "types", types);
  napi_set_named_property(env, result, "offsets", offsets);
  return result;
}

}  // namespace

const CallDef kDirCalls[] = {
    {"getdents64", "getdents64", ParseGetdents, RunGetdents, FinishGetdents},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace sys
}  // namespace fl
