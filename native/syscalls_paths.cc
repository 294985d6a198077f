// Descriptor-relative calls on names: openat, fstatat, mknodat, mkdirat,
// symlinkat, linkat, renameat2, unlinkat, readlinkat, fchownat, fchmodat,
// utimensat, truncateat; and the descriptors themselves: close, dup.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "syscalls.h"

namespace fl {
namespace sys {
namespace {

// Sets call.err from a -1 return; keeps the result otherwise.
void Check(Call& call, int64_t r) {
  if (r < 0) {
    call.err = errno;
  } else {
    call.result = r;
  }
}

void PathAt(const Napi::CallbackInfo& info, Call& call, size_t at) {
  call.fd = FdArg(info, at, true);
  NameArg(info, at + 1, "path", &call.path);
  call.hasPath = !call.path.empty();
}

// --- openat, close, dup ---

void ParseOpenat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.flags = IntArg(info, 2, "flags");
  call.mode = Uint32Arg(info, 3, "mode");
  CredArg(info, 4, &call.cred);
}
void RunOpenat(Call& call) { Check(call, openat(call.fd, call.path.c_str(), call.flags | O_CLOEXEC, call.mode)); }

void ParseFd(const Napi::CallbackInfo& info, Call& call) { call.fd = FdArg(info, 0, false); }
void RunClose(Call& call) { Check(call, close(call.fd)); }
void RunDup(Call& call) { Check(call, fcntl(call.fd, F_DUPFD_CLOEXEC, 0)); }

// --- fstatat ---

void ParseFstatat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.flags = IntArg(info, 2, "flags");
}
void RunFstatat(Call& call) { Check(call, fstatat(call.fd, call.path.c_str(), &call.st, call.flags)); }

// Writes `st` in the stat_slot layout; returns the mask of slots that hold
// bits instead of doubles (values above 2^53, times beyond the int64 range).
int FillStat(const struct stat& st, double* out) {
  using namespace stat_slot;
  int mask = 0;
  const uint64_t values[] = {st.st_dev,  st.st_ino,  st.st_mode, st.st_nlink, st.st_uid,
                             st.st_gid,  st.st_rdev, static_cast<uint64_t>(st.st_size),
                             static_cast<uint64_t>(st.st_blksize), static_cast<uint64_t>(st.st_blocks)};
  for (int i = dev; i <= blocks; ++i) {
    if (values[i] <= 9007199254740991ull) {
      out[i] = static_cast<double>(values[i]);
    } else {
      memcpy(&out[i], &values[i], sizeof(double));
      mask |= 1 << i;
    }
  }
  const struct timespec* times[] = {&st.st_atim, &st.st_mtim, &st.st_ctim};
  for (int k = 0; k < 3; ++k) {
    const __int128 ns = static_cast<__int128>(times[k]->tv_sec) * 1000000000 + times[k]->tv_nsec;
    if (ns >= INT64_MIN && ns <= INT64_MAX) {
      const int64_t v = static_cast<int64_t>(ns);
      memcpy(&out[atime + k], &v, sizeof(double));
    } else {
      out[atime + k] = static_cast<double>(times[k]->tv_sec);
      out[atimeNsec + k] = static_cast<double>(times[k]->tv_nsec);
      mask |= 1 << (atime + k);
    }
  }
  out[stat_slot::mask] = mask;
  return mask;
}

// Synchronous: the mask (the values are in the shared buffer). Asynchronous: a new Float64Array.
napi_value FinishStat(napi_env env, Call& call) {
  napi_value r;
  if (call.statOut != nullptr) {
    napi_create_int32(env, FillStat(call.st, call.statOut), &r);
    return r;
  }
  void* data = nullptr;
  napi_value buffer;
  napi_create_arraybuffer(env, stat_slot::kLength * sizeof(double), &data, &buffer);
  FillStat(call.st, static_cast<double*>(data));
  napi_create_typedarray(env, napi_float64_array, stat_slot::kLength, buffer, 0, &r);
  return r;
}

// --- creation: mknodat, mkdirat, symlinkat ---

void ParseMknodat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.mode = Uint32Arg(info, 2, "mode");
  call.u = Uint64Arg(info, 3, "dev");
  CredArg(info, 4, &call.cred);
}
void RunMknodat(Call& call) { Check(call, mknodat(call.fd, call.path.c_str(), call.mode, static_cast<dev_t>(call.u))); }

void ParseMkdirat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.mode = Uint32Arg(info, 2, "mode");
  CredArg(info, 3, &call.cred);
}
void RunMkdirat(Call& call) { Check(call, mkdirat(call.fd, call.path.c_str(), call.mode)); }

// symlinkat(target, dirfd, path): err.path is the target, err.dest the new link, as node:fs.
void ParseSymlinkat(const Napi::CallbackInfo& info, Call& call) {
  NameArg(info, 0, "target", &call.path);
  call.hasPath = true;
  call.fd = FdArg(info, 1, true);
  NameArg(info, 2, "path", &call.path2);
  call.hasPath2 = true;
  CredArg(info, 3, &call.cred);
}
void RunSymlinkat(Call& call) { Check(call, symlinkat(call.path.c_str(), call.fd, call.path2.c_str())); }

// --- two names: linkat, renameat2 ---

void ParseTwoPaths(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.fd2 = FdArg(info, 2, true);
  NameArg(info, 3, "newpath", &call.path2);
  call.hasPath2 = true;
  call.flags = IntArg(info, 4, "flags");
}
void RunLinkat(Call& call) { Check(call, linkat(call.fd, call.path.c_str(), call.fd2, call.path2.c_str(), call.flags)); }
void RunRenameat2(Call& call) {
  Check(call, syscall(SYS_renameat2, call.fd, call.path.c_str(), call.fd2, call.path2.c_str(),
                      static_cast<unsigned>(call.flags)));
}

// --- unlinkat, readlinkat ---

void ParseUnlinkat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.flags = IntArg(info, 2, "flags");
}
void RunUnlinkat(Call& call) { Check(call, unlinkat(call.fd, call.path.c_str(), call.flags)); }

void ParseReadlinkat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.rawNames = RawNamesArg(info, 2);
}
void RunReadlinkat(Call& call) {
  size_t size = PATH_MAX;
  for (;;) {
    const ssize_t n = readlinkat(call.fd, call.path.c_str(), call.bytes.Get(size), size);
    if (n < 0) {
      call.err = errno;
      return;
    }
    if (static_cast<size_t>(n) < size) {
      call.result = n;
      return;
    }
    size *= 2;  // maybe truncated (a target longer than PATH_MAX on some filesystem)
  }
}
napi_value FinishReadlinkat(napi_env env, Call& call) {
  return NamesValue(env, call.bytes.data(), static_cast<size_t>(call.result), call.rawNames);
}

// --- fchownat, fchmodat, utimensat, truncateat ---

void ParseFchownat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  const int64_t uid = Int64Arg(info, 2, "uid");
  const int64_t gid = Int64Arg(info, 3, "gid");
  if (uid < -1 || uid > 4294967294ll) ThrowRange(info.Env(), call, "uid", "an id from 0 to 2^32-2, or -1");
  if (gid < -1 || gid > 4294967294ll) ThrowRange(info.Env(), call, "gid", "an id from 0 to 2^32-2, or -1");
  call.a = uid;
  call.b = gid;
  call.flags = IntArg(info, 4, "flags");
}
void RunFchownat(Call& call) {
  Check(call, fchownat(call.fd, call.path.c_str(), static_cast<uid_t>(call.a), static_cast<gid_t>(call.b), call.flags));
}

// With AT_EMPTY_PATH and an empty path, the descriptor itself (O_PATH ones too),
// through /proc/self/fd: the kernel's fchmodat has no AT_EMPTY_PATH before 6.6.
void ParseFchmodat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.mode = Uint32Arg(info, 2, "mode");
  call.flags = IntArg(info, 3, "flags");
}
void RunFchmodat(Call& call) {
  if (call.path.empty() && (call.flags & AT_EMPTY_PATH) != 0) {
    // fchmod for an open file; an O_PATH descriptor (EBADF) through its /proc path.
    if (fchmod(call.fd, call.mode) == 0) return;
    if (errno != EBADF) {
      call.err = errno;
      return;
    }
    Check(call, chmod(ProcFdPath(call.fd).c_str(), call.mode));
  } else {
    Check(call, fchmodat(call.fd, call.path.c_str(), call.mode, call.flags & ~AT_EMPTY_PATH));
  }
}

// utimensat(dirfd, path, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags); nsec may be UTIME_NOW or UTIME_OMIT.
void ParseUtimensat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  for (int k = 0; k < 2; ++k) {
    call.times[k].tv_sec = Int64Arg(info, 2 + 2 * k, k == 0 ? "atime" : "mtime");
    const uint32_t ns = Uint32Arg(info, 3 + 2 * k, k == 0 ? "atime" : "mtime");
    if (ns > 999999999 && ns != UTIME_NOW && ns != UTIME_OMIT) {
      ThrowRange(info.Env(), call, k == 0 ? "atime" : "mtime", "nanoseconds below 10^9, UTIME_NOW or UTIME_OMIT");
    }
    call.times[k].tv_nsec = ns;
  }
  call.flags = IntArg(info, 6, "flags");
}
void RunUtimensat(Call& call) {
  if (call.path.empty() && (call.flags & AT_EMPTY_PATH) != 0) {
    // The kernel's utimensat takes a NULL path for the descriptor itself; O_PATH ones go through /proc.
    Check(call, utimensat(AT_FDCWD, ProcFdPath(call.fd).c_str(), call.times, 0));
  } else {
    Check(call, utimensat(call.fd, call.path.c_str(), call.times, call.flags));
  }
}

void ParseTruncateat(const Napi::CallbackInfo& info, Call& call) {
  PathAt(info, call, 0);
  call.a = Int64Arg(info, 2, "length");
  call.flags = IntArg(info, 3, "flags");
}
void RunTruncateat(Call& call) {
  if (call.path.empty() && (call.flags & AT_EMPTY_PATH) != 0) {
    Check(call, truncate(ProcFdPath(call.fd).c_str(), call.a));
  } else if (call.fd == AT_FDCWD || (!call.path.empty() && call.path[0] == '/')) {
    Check(call, truncate(call.path.c_str(), call.a));
  } else {
    Check(call, truncate(ProcFdPath(call.fd, call.path).c_str(), call.a));
  }
}

}  // namespace

const CallDef kPathCalls[] = {
    {"openat", "openat", ParseOpenat, RunOpenat, ResultNumber},
    {"close", "close", ParseFd, RunClose, Undefined},
    {"dup", "dup", ParseFd, RunDup, ResultNumber},
    {"fstatat", "fstatat", ParseFstatat, RunFstatat, FinishStat},
    {"mknodat", "mknodat", ParseMknodat, RunMknodat, Undefined},
    {"mkdirat", "mkdirat", ParseMkdirat, RunMkdirat, Undefined},
    {"symlinkat", "symlinkat", ParseSymlinkat, RunSymlinkat, Undefined},
    {"linkat", "linkat", ParseTwoPaths, RunLinkat, Undefined},
    {"renameat2", "renameat2", ParseTwoPaths, RunRenameat2, Undefined},
    {"unlinkat", "unlinkat", ParseUnlinkat, RunUnlinkat, Undefined},
    {"readlinkat", "readlinkat", ParseReadlinkat, RunReadlinkat, FinishReadlinkat},
    {"fchownat", "fchownat", ParseFchownat, RunFchownat, Undefined},
    {"fchmodat", "fchmodat", ParseFchmodat, RunFchmodat, Undefined},
    {"utimensat", "utimensat", ParseUtimensat, RunUtimensat, Undefined},
    {"truncateat", "truncate", ParseTruncateat, RunTruncateat, Undefined},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace sys
}  // namespace fl
