// Per-thread credentials: the filesystem uid and gid (setfsuid, setfsgid) and
// the supplementary groups through the raw system call — glibc's setgroups
// changes every thread of the process, the kernel's only the caller. A
// passthrough server sets them around a creating call so that the new file
// belongs to the caller; calls given credentials do it themselves, on the
// thread that runs them (the JS thread, or a libuv pool thread for async ones).
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>

#include "syscalls.h"

namespace fl {
namespace sys {
namespace {

uid_t CurrentFsuid() { return static_cast<uid_t>(syscall(SYS_setfsuid, static_cast<uid_t>(-1))); }
gid_t CurrentFsgid() { return static_cast<gid_t>(syscall(SYS_setfsgid, static_cast<gid_t>(-1))); }

int ThreadGetGroups(std::vector<gid_t>* out) {
  const long n = syscall(SYS_getgroups, 0, nullptr);
  if (n < 0) return errno;
  out->resize(static_cast<size_t>(n));
  const long m = syscall(SYS_getgroups, n, out->data());
  if (m < 0) return errno;
  out->resize(static_cast<size_t>(m));
  return 0;
}

int ThreadSetGroups(const std::vector<gid_t>& groups) {
  return syscall(SYS_setgroups, groups.size(), groups.data()) < 0 ? errno : 0;
}

uint32_t IdArg(const Napi::CallbackInfo& info, const char* fn, const char* what) {
  if (!info[0].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + what + " must be an integer from 0 to 2^32-2");
  }
  const double d = info[0].As<Napi::Number>().DoubleValue();
  if (d < 0 || d > 4294967294.0 || d != std::floor(d)) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + what + " must be an integer from 0 to 2^32-2");
  }
  return static_cast<uint32_t>(d);
}

Napi::Error CredError(Napi::Env env, const char* syscall, int err) {
  static const CallDef defs[] = {{"setfsuid", "setfsuid", nullptr, nullptr, nullptr},
                                 {"setfsgid", "setfsgid", nullptr, nullptr, nullptr},
                                 {"setgroups", "setgroups", nullptr, nullptr, nullptr},
                                 {"getgroups", "getgroups", nullptr, nullptr, nullptr}};
  Call call;
  for (const CallDef& d : defs) {
    if (std::string(d.syscall) == syscall) call.def = &d;
  }
  call.err = err;
  return Napi::Error(env, ErrnoError(env, call));
}

}  // namespace

CredentialsScope::CredentialsScope(const Credentials& cred) {
  if (cred.hasGroups) {
    if ((err = ThreadGetGroups(&oldGroups_)) != 0) return;
    if ((err = ThreadSetGroups(cred.groups)) != 0) return;
    groupsSet_ = true;
  }
  active_ = true;
  // The gid first: once the fsuid is not root, changing the fsgid may be refused.
  oldGid_ = static_cast<gid_t>(syscall(SYS_setfsgid, cred.gid));
  oldUid_ = static_cast<uid_t>(syscall(SYS_setfsuid, cred.uid));
  if (CurrentFsgid() != cred.gid || CurrentFsuid() != cred.uid) err = EPERM;
}

CredentialsScope::~CredentialsScope() {
  if (active_) {
    syscall(SYS_setfsuid, oldUid_);
    syscall(SYS_setfsgid, oldGid_);
  }
  if (groupsSet_) ThreadSetGroups(oldGroups_);
}

Napi::Value SetFsuid(const Napi::CallbackInfo& info) {
  const uid_t uid = IdArg(info, "setfsuid", "uid");
  const uid_t old = static_cast<uid_t>(syscall(SYS_setfsuid, uid));
  if (CurrentFsuid() != uid) throw CredError(info.Env(), "setfsuid", EPERM);
  return Napi::Number::New(info.Env(), old);
}

Napi::Value SetFsgid(const Napi::CallbackInfo& info) {
  const gid_t gid = IdArg(info, "setfsgid", "gid");
  const gid_t old = static_cast<gid_t>(syscall(SYS_setfsgid, gid));
  if (CurrentFsgid() != gid) throw CredError(info.Env(), "setfsgid", EPERM);
  return Napi::Number::New(info.Env(), old);
}

Napi::Value SetGroups(const Napi::CallbackInfo& info) {
  if (!info[0].IsArray()) throw Napi::TypeError::New(info.Env(), "setgroups: groups must be an array of group ids");
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<gid_t> groups(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value g = list.Get(i);
    const double d = g.IsNumber() ? g.As<Napi::Number>().DoubleValue() : -1;
    if (d < 0 || d > 4294967294.0 || d != std::floor(d)) {
      throw Napi::RangeError::New(info.Env(), "setgroups: groups must be group ids from 0 to 2^32-2");
    }
    groups[i] = static_cast<gid_t>(d);
  }
  if (const int err = ThreadSetGroups(groups)) throw CredError(info.Env(), "setgroups", err);
  return info.Env().Undefined();
}

Napi::Value GetGroups(const Napi::CallbackInfo& info) {
  std::vector<gid_t> groups;
  if (const int err = ThreadGetGroups(&groups)) throw CredError(info.Env(), "getgroups", err);
  Napi::Array list = Napi::Array::New(info.Env(), groups.size());
  for (uint32_t i = 0; i < groups.size(); ++i) list.Set(i, Napi::Number::New(info.Env(), groups[i]));
  return list;
}

}  // namespace sys
}  // namespace fl
