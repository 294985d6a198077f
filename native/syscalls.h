// The syscall module (`sys` in the exports): descriptor-relative calls for
// filesystems that mirror or overlay real files (openat with O_PATH,
// fstatat, mknodat, renameat2, xattrs, fallocate modes, getdents64 …).
//
// Every call is one entry of a table (syscalls_*.cc): how its JS arguments
// become a `Call` (a baton: everything copied in, so it can change threads),
// the system call itself (no JS, may run on the libuv pool), and how its
// result becomes a JS value. From one entry come two functions: the
// synchronous one (runs on the JS thread, throws) and the asynchronous one
// (runs on the pool, returns a promise). Failures become Node errno errors
// through one helper, `ErrnoError`.
#pragma once

#include <napi.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fl {
namespace sys {

// The caller's credentials a call runs with: set around the call on the
// thread that makes it (fsuid/fsgid and supplementary groups are per-thread
// on Linux), then restored.
struct Credentials {
  bool set = false;
  uid_t uid = 0;
  gid_t gid = 0;
  bool hasGroups = false;
  std::vector<gid_t> groups;
};

struct Call;

// A stat result as numbers: fstatat writes it into the module's shared
// `statBuffer` (synchronous calls) or a new Float64Array (asynchronous ones),
// and lib/ builds the object. Slots 0-9 are doubles unless their bit is set in
// the mask, then they hold the uint64's bits; times are int64 nanoseconds
// (read through a BigInt64Array) unless their bit is set, then the slot holds
// the seconds as a double and slot kAtimeNsec+k the nanoseconds.
namespace stat_slot {
#define FL_STAT_SLOTS(X) \
  X(dev) X(ino) X(mode) X(nlink) X(uid) X(gid) X(rdev) X(size) X(blksize) X(blocks) X(atime) X(mtime) X(ctime) \
  X(atimeNsec) X(mtimeNsec) X(ctimeNsec) X(mask)
#define FL_SLOT(name) name,
enum : int { FL_STAT_SLOTS(FL_SLOT) kLength };
#undef FL_SLOT
}  // namespace stat_slot

// A reusable byte buffer that grows without zero-filling.
class Scratch {
 public:
  char* Get(size_t size) {
    if (size > capacity_) {
      data_.reset(new char[size]);
      capacity_ = size;
    }
    return data_.get();
  }
  const char* data() const { return data_.get(); }
  size_t capacity() const { return capacity_; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

// One system call of the module.
struct CallDef {
  const char* name;     // the JS name
  const char* syscall;  // err.syscall
  void (*parse)(const Napi::CallbackInfo& info, Call& call);
  void (*run)(Call& call);  // sets call.err (a positive errno) on failure
  napi_value (*finish)(napi_env env, Call& call);
};

// The baton of one call: its arguments as plain values, then its results.
struct Call {
  const CallDef* def = nullptr;
  // Arguments.
  int fd = -1;
  int fd2 = -1;
  int flags = 0;
  uint32_t mode = 0;
  int64_t a = 0;
  int64_t b = 0;
  int64_t c = 0;
  uint64_t u = 0;
  std::string path;   // err.path when non-empty (and hasPath)
  std::string path2;  // err.dest when hasPath2
  std::string name;   // an xattr name
  bool hasPath = false;
  bool hasPath2 = false;
  bool rawNames = false;  // return names as Buffers
  struct timespec times[2] = {};
  char* data = nullptr;  // caller memory (pread/pwrite/fsetxattr), kept alive by `keep`
  size_t dataLength = 0;
  Credentials cred;
  double* statOut = nullptr;  // the shared stat buffer, for synchronous calls (set by the runner)
  // Results.
  int err = 0;
  int64_t result = 0;
  struct stat st = {};
  struct statfs sfs = {};
  Scratch bytes;  // readlink target, xattr value or list, getdents64 records (capacity reused)

  void Reset(const CallDef* d) {
    def = d;
    fd = fd2 = -1;
    flags = 0;
    mode = 0;
    a = b = c = 0;
    u = 0;
    path.clear();
    path2.clear();
    name.clear();
    hasPath = hasPath2 = rawNames = false;
    data = nullptr;
    dataLength = 0;
    cred.set = cred.hasGroups = false;
    err = 0;
    result = 0;
  }
};

// --- argument guards (cheap; lib/ validates first with friendlier messages) ---

// An fd: a non-negative int32, or AT_FDCWD when `dirfd`.
int FdArg(const Napi::CallbackInfo& info, size_t i, bool dirfd);
int32_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* what);
uint32_t Uint32Arg(const Napi::CallbackInfo& info, size_t i, const char* what);
// A number that is a safe integer, or a bigint that fits int64 exactly.
int64_t Int64Arg(const Napi::CallbackInfo& info, size_t i, const char* what);
// A number that is a non-negative safe integer, or a bigint that fits uint64 exactly.
uint64_t Uint64Arg(const Napi::CallbackInfo& info, size_t i, const char* what);
// A name or path (string with escapes, or Uint8Array) without NUL, into `out`.
void NameArg(const Napi::CallbackInfo& info, size_t i, const char* what, std::string* out);
// Optional credentials ({uid, gid, groups?} or undefined) at argument i.
void CredArg(const Napi::CallbackInfo& info, size_t i, Credentials* out);
// A Uint8Array's memory (the caller keeps the array alive for async calls).
void BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what, char** data, size_t* length);
// `{ encoding: 'buffer' }` (true) or anything else (false) at argument i.
bool RawNamesArg(const Napi::CallbackInfo& info, size_t i);

[[noreturn]] void ThrowType(Napi::Env env, const Call& call, const char* what, const char* expected);
[[noreturn]] void ThrowRange(Napi::Env env, const Call& call, const char* what, const char* expected);

// --- results ---

// A uint64 as a number when it is a safe integer, else a bigint.
napi_value Uint64Value(napi_env env, uint64_t v);
napi_value Int64Value(napi_env env, int64_t v);
// A name's bytes as a string (names.h) or, when `raw`, a Buffer copy.
napi_value NamesValue(napi_env env, const char* bytes, size_t length, bool raw);
napi_value Undefined(napi_env env, Call& call);
napi_value ResultNumber(napi_env env, Call& call);

// The Node errno error for `call` (err.errno negative, err.code, err.syscall,
// err.path and err.dest when the call names them), as node:fs makes them.
napi_value ErrnoError(napi_env env, const Call& call);

// Runs the system call with the call's credentials set around it, if any.
void RunCall(Call& call);

// "/proc/self/fd/N" (and "/rel/path" after it when given): how calls that have
// no *at form (xattrs, chmod on O_PATH descriptors) reach a descriptor.
std::string ProcFdPath(int fd, const std::string& rel = std::string());

// The call tables of each area, ended by an entry with a null name.
extern const CallDef kPathCalls[];
extern const CallDef kXattrCalls[];
extern const CallDef kDataCalls[];
extern const CallDef kDirCalls[];

// Per-thread credential helpers (syscalls_creds.cc).
Napi::Value SetFsuid(const Napi::CallbackInfo& info);
Napi::Value SetFsgid(const Napi::CallbackInfo& info);
Napi::Value SetGroups(const Napi::CallbackInfo& info);
Napi::Value GetGroups(const Napi::CallbackInfo& info);
// Sets `cred` on this thread; restores on destruction. `err` is non-zero when setting failed.
class CredentialsScope {
 public:
  explicit CredentialsScope(const Credentials& cred);
  ~CredentialsScope();
  CredentialsScope(const CredentialsScope&) = delete;
  CredentialsScope& operator=(const CredentialsScope&) = delete;
  int err = 0;

 private:
  bool active_ = false;
  uid_t oldUid_ = 0;
  gid_t oldGid_ = 0;
  bool groupsSet_ = false;
  std::vector<gid_t> oldGroups_;
};

}  // namespace sys

// The `sys` object of the exports: every call, sync and `…Async`, and `constants`.
Napi::Object SyscallsModule(Napi::Env env);

}  // namespace fl
