// Directories: getdents64 on a directory descriptor, from an offset cookie.
// One call reads a batch of records into a reused buffer and returns them
// packed (see FinishGetdents); lib/ makes parallel arrays of them (names,
// inode numbers, types, next offsets): a readdir handler replies with them
// and resumes later at any entry's next offset.
#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

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

// { count, names, values, wide, types }: the names joined by NUL (one string,
// or one Buffer for raw names), per record [ino, next offset] as doubles (NaN
// where the value is not a safe integer; `wide` then holds the exact int64s,
// else it is undefined), and the DT_* types. lib/ splits them into arrays:
// one string and three typed arrays cost far less than three JS values per
// record set one by one.
napi_value FinishGetdents(napi_env env, Call& call) {
  const char* base = call.bytes.data();
  const size_t length = static_cast<size_t>(call.result);
  uint32_t count = 0;
  size_t nameBytes = 0;
  for (size_t at = 0; at < length;) {
    const auto* d = reinterpret_cast<const LinuxDirent64*>(base + at);
    nameBytes += strnlen(d->d_name, d->d_reclen - offsetof(LinuxDirent64, d_name)) + 1;
    ++count;
    at += d->d_reclen;
  }
  std::string joined;
  joined.reserve(nameBytes);
  napi_value values, valuesBuffer, types, result, v;
  void* valueMemory = nullptr;
  napi_create_arraybuffer(env, count * 2 * sizeof(double), &valueMemory, &valuesBuffer);
  auto* f = static_cast<double*>(valueMemory);
  void* typeMemory = nullptr;
  napi_create_buffer(env, count, &typeMemory, &types);
  auto* t = static_cast<uint8_t*>(typeMemory);
  std::vector<int64_t> exact;
  uint32_t i = 0;
  for (size_t at = 0; at < length; ++i) {
    const auto* d = reinterpret_cast<const LinuxDirent64*>(base + at);
    if (i > 0) joined.push_back('\0');
    joined.append(d->d_name, strnlen(d->d_name, d->d_reclen - offsetof(LinuxDirent64, d_name)));
    const int64_t pair[2] = {static_cast<int64_t>(d->d_ino), d->d_off};
    const bool inoFits = d->d_ino <= 9007199254740991ull;
    const bool offFits = d->d_off >= -9007199254740991ll && d->d_off <= 9007199254740991ll;
    if ((!inoFits || !offFits) && exact.empty()) exact.resize(count * 2);
    if (!exact.empty()) {
      exact[2 * i] = pair[0];
      exact[2 * i + 1] = pair[1];
    }
    f[2 * i] = inoFits ? static_cast<double>(d->d_ino) : std::nan("");
    f[2 * i + 1] = offFits ? static_cast<double>(d->d_off) : std::nan("");
    t[i] = d->d_type;
    at += d->d_reclen;
  }
  napi_create_typedarray(env, napi_float64_array, count * 2, valuesBuffer, 0, &values);
  napi_create_object(env, &result);
  napi_create_uint32(env, count, &v);
  napi_set_named_property(env, result, "count", v);
  napi_set_named_property(env, result, "names", NamesValue(env, joined.data(), joined.size(), call.rawNames));
  napi_set_named_property(env, result, "values", values);
  if (!exact.empty()) {
    void* wideMemory = nullptr;
    napi_value wideBuffer;
    napi_create_arraybuffer(env, exact.size() * sizeof(int64_t), &wideMemory, &wideBuffer);
    memcpy(wideMemory, exact.data(), exact.size() * sizeof(int64_t));
    napi_create_typedarray(env, napi_bigint64_array, exact.size(), wideBuffer, 0, &v);
    napi_set_named_property(env, result, "wide", v);
  }
  napi_set_named_property(env, result, "types", types);
  return result;
}

}  // namespace

const CallDef kDirCalls[] = {
    {"getdents64", "getdents64", ParseGetdents, RunGetdents, FinishGetdents},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace sys
}  // namespace fl
