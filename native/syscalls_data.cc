// File data and filesystems: fallocate (every mode), copy_file_range, lseek
// (SEEK_DATA/SEEK_HOLE), ftruncate, fsync, fdatasync, pread, pwrite, flock,
// record locks (fcntl F_GETLK … F_OFD_SETLKW),
// fstatfs and statfs.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "syscalls.h"

namespace fl {
namespace sys {
namespace {

// struct statfs's f_flags has this bit when the flags are valid (linux/statfs.h, not exported by glibc).
constexpr uint64_t kStValid = 0x0020;

void Check(Call& call, int64_t r) {
  if (r < 0) {
    call.err = errno;
  } else {
    call.result = r;
  }
}

int64_t OffsetArg(const Napi::CallbackInfo& info, size_t i, Call& call, const char* what) {
  const int64_t v = Int64Arg(info, i, what);
  if (v < 0) ThrowRange(info.Env(), call, what, "a non-negative integer (number or bigint)");
  return v;
}

void ParseFd(const Napi::CallbackInfo& info, Call& call) { call.fd = FdArg(info, 0, false); }

// fallocate(fd, mode, offset, length)
void ParseFallocate(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.flags = IntArg(info, 1, "mode");
  call.a = OffsetArg(info, 2, call, "offset");
  call.b = OffsetArg(info, 3, call, "length");
}
void RunFallocate(Call& call) { Check(call, fallocate(call.fd, call.flags, call.a, call.b)); }

// copyFileRange(fdIn, offsetIn, fdOut, offsetOut, length, flags) → bytes copied
void ParseCopyFileRange(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.a = OffsetArg(info, 1, call, "offsetIn");
  call.fd2 = FdArg(info, 2, false);
  call.b = OffsetArg(info, 3, call, "offsetOut");
  call.u = Uint64Arg(info, 4, "length");
  call.flags = static_cast<int>(Uint32Arg(info, 5, "flags"));
}
void RunCopyFileRange(Call& call) {
  loff_t in = call.a;
  loff_t out = call.b;
  Check(call, copy_file_range(call.fd, &in, call.fd2, &out, static_cast<size_t>(call.u), static_cast<unsigned>(call.flags)));
}

// lseek(fd, offset, whence) → the new offset
void ParseLseek(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.a = Int64Arg(info, 1, "offset");
  call.flags = IntArg(info, 2, "whence");
}
void RunLseek(Call& call) { Check(call, lseek(call.fd, call.a, call.flags)); }

// ftruncate(fd, length)
void ParseFtruncate(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.a = OffsetArg(info, 1, call, "length");
}
void RunFtruncate(Call& call) { Check(call, ftruncate(call.fd, call.a)); }

void RunFsync(Call& call) { Check(call, fsync(call.fd)); }
void RunFdatasync(Call& call) { Check(call, fdatasync(call.fd)); }

// pread/pwrite(fd, buffer, position) → bytes; position -1: the file's own position.
void ParseIo(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  BytesArg(info, 1, "buffer", &call.data, &call.dataLength);
  call.a = Int64Arg(info, 2, "position");
  if (call.a < -1) ThrowRange(info.Env(), call, "position", "a non-negative integer, or -1 for the file position");
}
void RunPread(Call& call) {
  Check(call, call.a < 0 ? read(call.fd, call.data, call.dataLength) : pread(call.fd, call.data, call.dataLength, call.a));
}
void RunPwrite(Call& call) {
  Check(call, call.a < 0 ? write(call.fd, call.data, call.dataLength) : pwrite(call.fd, call.data, call.dataLength, call.a));
}

// flock(fd, operation)
void ParseFlock(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  call.flags = IntArg(info, 1, "operation");
}
void RunFlock(Call& call) { Check(call, flock(call.fd, call.flags)); }

// fcntlLock(fd, cmd, type, whence, start, length) → for F_GETLK/F_OFD_GETLK
// the conflicting lock as [type, whence, start, length, pid] (type F_UNLCK: none).
void ParseFcntlLock(const Napi::CallbackInfo& info, Call& call) {
  call.fd = FdArg(info, 0, false);
  const int cmd = IntArg(info, 1, "cmd");
  if (cmd != F_GETLK && cmd != F_SETLK && cmd != F_SETLKW && cmd != F_OFD_GETLK && cmd != F_OFD_SETLK &&
      cmd != F_OFD_SETLKW) {
    ThrowRange(info.Env(), call, "cmd", "F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK or F_OFD_SETLKW");
  }
  call.flags = cmd;
  call.mode = static_cast<uint32_t>(IntArg(info, 2, "type"));
  call.fd2 = IntArg(info, 3, "whence");
  call.a = Int64Arg(info, 4, "start");
  call.b = Int64Arg(info, 5, "length");
}
void RunFcntlLock(Call& call) {
  struct flock lock = {};
  lock.l_type = static_cast<short>(call.mode);
  lock.l_whence = static_cast<short>(call.fd2);
  lock.l_start = call.a;
  lock.l_len = call.b;
  lock.l_pid = 0;
  if (fcntl(call.fd, call.flags, &lock) < 0) {
    call.err = errno;
    return;
  }
  call.mode = static_cast<uint32_t>(lock.l_type);
  call.fd2 = lock.l_whence;
  call.a = lock.l_start;
  call.b = lock.l_len;
  call.result = lock.l_pid;
}
napi_value FinishFcntlLock(napi_env env, Call& call) {
  if (call.flags != F_GETLK && call.flags != F_OFD_GETLK) return Undefined(env, call);
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_int32(env, static_cast<int32_t>(call.mode), &v);
  napi_set_named_property(env, o, "type", v);
  napi_create_int32(env, call.fd2, &v);
  napi_set_named_property(env, o, "whence", v);
  napi_set_named_property(env, o, "start", Int64Value(env, call.a));
  napi_set_named_property(env, o, "length", Int64Value(env, call.b));
  napi_create_int32(env, static_cast<int32_t>(call.result), &v);
  napi_set_named_property(env, o, "pid", v);
  return o;
}

// fstatfs(fd), statfs(path): the fields of fuse-lowlevel's StatfsInfo (struct statvfs) and the type.
void RunFstatfs(Call& call) { Check(call, fstatfs(call.fd, &call.sfs)); }
void ParseStatfs(const Napi::CallbackInfo& info, Call& call) {
  NameArg(info, 0, "path", &call.path);
  call.hasPath = true;
}
void RunStatfs(Call& call) { Check(call, statfs(call.path.c_str(), &call.sfs)); }

napi_value FinishStatfs(napi_env env, Call& call) {
  const struct statfs& s = call.sfs;
  napi_value o, v;
  napi_create_object(env, &o);
  auto set = [&](const char* key, napi_value value) { napi_set_named_property(env, o, key, value); };
  set("bsize", Uint64Value(env, static_cast<uint64_t>(s.f_bsize)));
  set("frsize", Uint64Value(env, static_cast<uint64_t>(s.f_frsize != 0 ? s.f_frsize : s.f_bsize)));
  set("blocks", Uint64Value(env, s.f_blocks));
  set("bfree", Uint64Value(env, s.f_bfree));
  set("bavail", Uint64Value(env, s.f_bavail));
  set("files", Uint64Value(env, s.f_files));
  set("ffree", Uint64Value(env, s.f_ffree));
  set("favail", Uint64Value(env, s.f_ffree));
  uint32_t words[2];
  static_assert(sizeof s.f_fsid == sizeof words, "fsid is two ints");
  memcpy(words, &s.f_fsid, sizeof words);
  set("fsid", Uint64Value(env, words[0] | (static_cast<uint64_t>(words[1]) << 32)));
  const uint64_t flags = static_cast<uint64_t>(s.f_flags);
  set("flag", Uint64Value(env, (flags & kStValid) != 0 ? flags ^ kStValid : flags));
  set("namemax", Uint64Value(env, static_cast<uint64_t>(s.f_namelen)));
  napi_create_double(env, static_cast<double>(static_cast<uint64_t>(s.f_type)), &v);
  set("type", v);
  return o;
}

}  // namespace

const CallDef kDataCalls[] = {
    {"fallocate", "fallocate", ParseFallocate, RunFallocate, Undefined},
    {"copyFileRange", "copy_file_range", ParseCopyFileRange, RunCopyFileRange, ResultNumber},
    {"lseek", "lseek", ParseLseek, RunLseek, ResultNumber},
    {"ftruncate", "ftruncate", ParseFtruncate, RunFtruncate, Undefined},
    {"fsync", "fsync", ParseFd, RunFsync, Undefined},
    {"fdatasync", "fdatasync", ParseFd, RunFdatasync, Undefined},
    {"pread", "read", ParseIo, RunPread, ResultNumber},
    {"pwrite", "write", ParseIo, RunPwrite, ResultNumber},
    {"flock", "flock", ParseFlock, RunFlock, Undefined},
    {"fcntlLock", "fcntl", ParseFcntlLock, RunFcntlLock, FinishFcntlLock},
    {"fstatfs", "fstatfs", ParseFd, RunFstatfs, FinishStatfs},
    {"statfs", "statfs", ParseStatfs, RunStatfs, FinishStatfs},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace sys
}  // namespace fl
