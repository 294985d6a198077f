// The syscall module's machinery: argument guards, results, the one errno
// error helper, the sync and async runners, and the `sys` export.
#include "syscalls.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>

#include "names.h"

namespace fl {
namespace sys {
namespace {

constexpr double kMaxSafe = 9007199254740991.0;  // 2^53 - 1

}  // namespace

[[noreturn]] void ThrowType(Napi::Env env, const Call& call, const char* what, const char* expected) {
  throw Napi::TypeError::New(env, std::string(call.def->name) + ": " + what + " must be " + expected);
}

[[noreturn]] void ThrowRange(Napi::Env env, const Call& call, const char* what, const char* expected) {
  throw Napi::RangeError::New(env, std::string(call.def->name) + ": " + what + " must be " + expected);
}

// --- argument guards ---

namespace {

// The call being parsed (for messages): every guard is called from a parse
// function whose Call is the one in flight on this thread.
thread_local const Call* tParsing = nullptr;

const Call& Parsing() { return *tParsing; }

double NumberArg(const Napi::CallbackInfo& info, size_t i, const char* what, const char* expected) {
  napi_value v = info[i];
  double d = 0;
  if (napi_get_value_double(info.Env(), v, &d) != napi_ok) ThrowType(info.Env(), Parsing(), what, expected);
  return d;
}

}  // namespace

int FdArg(const Napi::CallbackInfo& info, size_t i, bool dirfd) {
  const char* what = dirfd ? "dirfd" : "fd";
  const char* expected = dirfd ? "a file descriptor (an integer >= 0) or AT_FDCWD" : "a file descriptor (an integer >= 0)";
  const double d = NumberArg(info, i, what, expected);
  if (d >= 0 && d <= 2147483647.0 && d == std::floor(d)) return static_cast<int>(d);
  if (dirfd && d == AT_FDCWD) return AT_FDCWD;
  ThrowRange(info.Env(), Parsing(), what, expected);
}

int32_t IntArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const double d = NumberArg(info, i, what, "an integer");
  if (d < -2147483648.0 || d > 2147483647.0 || d != std::floor(d)) ThrowRange(info.Env(), Parsing(), what, "a 32-bit integer");
  return static_cast<int32_t>(d);
}

uint32_t Uint32Arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const double d = NumberArg(info, i, what, "an integer");
  if (d < 0 || d > 4294967295.0 || d != std::floor(d)) ThrowRange(info.Env(), Parsing(), what, "an integer from 0 to 2^32-1");
  return static_cast<uint32_t>(d);
}

int64_t Int64Arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  napi_value v = info[i];
  napi_valuetype type;
  napi_typeof(info.Env(), v, &type);
  if (type == napi_bigint) {
    int64_t r = 0;
    bool lossless = false;
    napi_get_value_bigint_int64(info.Env(), v, &r, &lossless);
    if (!lossless) ThrowRange(info.Env(), Parsing(), what, "a 64-bit signed integer");
    return r;
  }
  if (type != napi_number) ThrowType(info.Env(), Parsing(), what, "a number or a bigint");
  const double d = NumberArg(info, i, what, "a number or a bigint");
  if (!(std::fabs(d) <= kMaxSafe) || d != std::floor(d)) ThrowRange(info.Env(), Parsing(), what, "a safe integer or a bigint");
  return static_cast<int64_t>(d);
}

uint64_t Uint64Arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  napi_value v = info[i];
  napi_valuetype type;
  napi_typeof(info.Env(), v, &type);
  if (type == napi_bigint) {
    uint64_t r = 0;
    bool lossless = false;
    napi_get_value_bigint_uint64(info.Env(), v, &r, &lossless);
    if (!lossless) ThrowRange(info.Env(), Parsing(), what, "a 64-bit unsigned integer");
    return r;
  }
  if (type != napi_number) ThrowType(info.Env(), Parsing(), what, "a number or a bigint");
  const double d = NumberArg(info, i, what, "a number or a bigint");
  if (!(d >= 0 && d <= kMaxSafe) || d != std::floor(d)) {
    ThrowRange(info.Env(), Parsing(), what, "a non-negative safe integer or a bigint");
  }
  return static_cast<uint64_t>(d);
}

void NameArg(const Napi::CallbackInfo& info, size_t i, const char* what, std::string* out) {
  napi_env env = info.Env();
  napi_value v = info[i];
  napi_valuetype type;
  napi_typeof(env, v, &type);
  bool ok = false;
  if (type == napi_string) {
    // Fast path: the engine's UTF-8 conversion is exact unless the string
    // holds a lone surrogate, which it writes as U+FFFD (EF BF BD). Without
    // that sequence in the output, the bytes are the name.
    size_t n = 0;
    napi_get_value_string_utf8(env, v, nullptr, 0, &n);
    out->resize(n);
    if (n > 0) napi_get_value_string_utf8(env, v, &(*out)[0], n + 1, &n);
    if (out->find("\xef\xbf\xbd") == std::string::npos) {
      ok = true;
    } else {
      ok = NameBytes(env, v, out);
      if (!ok) ThrowRange(info.Env(), Parsing(), what, "a name: a lone surrogate that is not an escaped byte (U+DC80-U+DCFF) is not one");
    }
  } else {
    ok = NameBytes(env, v, out);
  }
  if (!ok) ThrowType(info.Env(), Parsing(), what, "a string or a Uint8Array");
  if (out->find('\0') != std::string::npos) ThrowRange(info.Env(), Parsing(), what, "free of NUL bytes");
}

void CredArg(const Napi::CallbackInfo& info, size_t i, Credentials* out) {
  out->set = false;
  out->hasGroups = false;
  if (i >= info.Length() || info[i].IsUndefined() || info[i].IsNull()) return;
  if (!info[i].IsObject()) ThrowType(info.Env(), Parsing(), "cred", "an object { uid, gid, groups? }");
  Napi::Object o = info[i].As<Napi::Object>();
  auto id = [&](const char* key) -> uint32_t {
    Napi::Value v = o.Get(key);
    if (!v.IsNumber()) ThrowType(info.Env(), Parsing(), key, "an integer from 0 to 2^32-2");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (d < 0 || d > 4294967294.0 || d != std::floor(d)) ThrowRange(info.Env(), Parsing(), key, "an integer from 0 to 2^32-2");
    return static_cast<uint32_t>(d);
  };
  out->uid = id("uid");
  out->gid = id("gid");
  Napi::Value groups = o.Get("groups");
  if (!groups.IsUndefined()) {
    if (!groups.IsArray()) ThrowType(info.Env(), Parsing(), "cred.groups", "an array of group ids");
    Napi::Array list = groups.As<Napi::Array>();
    if (list.Length() > 65536) ThrowRange(info.Env(), Parsing(), "cred.groups", "at most 65536 group ids");
    out->groups.resize(list.Length());
    for (uint32_t k = 0; k < list.Length(); ++k) {
      Napi::Value g = list.Get(k);
      const double d = g.IsNumber() ? g.As<Napi::Number>().DoubleValue() : -1;
      if (d < 0 || d > 4294967294.0 || d != std::floor(d)) ThrowRange(info.Env(), Parsing(), "cred.groups", "group ids from 0 to 2^32-2");
      out->groups[k] = static_cast<gid_t>(d);
    }
    out->hasGroups = true;
  }
  out->set = true;
}

void BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what, char** data, size_t* length) {
  bool typed = false;
  napi_is_typedarray(info.Env(), info[i], &typed);
  napi_typedarray_type t;
  void* p = nullptr;
  if (!typed || napi_get_typedarray_info(info.Env(), info[i], &t, length, &p, nullptr, nullptr) != napi_ok ||
      t != napi_uint8_array) {
    ThrowType(info.Env(), Parsing(), what, "a Uint8Array");
  }
  *data = static_cast<char*>(p);
}

bool RawNamesArg(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsObject()) return false;
  Napi::Value e = info[i].As<Napi::Object>().Get("encoding");
  return e.IsString() && e.As<Napi::String>().Utf8Value() == "buffer";
}

// --- results ---

napi_value Uint64Value(napi_env env, uint64_t v) {
  napi_value r;
  if (v <= 9007199254740991ull) {
    napi_create_double(env, static_cast<double>(v), &r);
  } else {
    napi_create_bigint_uint64(env, v, &r);
  }
  return r;
}

napi_value Int64Value(napi_env env, int64_t v) {
  napi_value r;
  if (v <= 9007199254740991ll && v >= -9007199254740991ll) {
    napi_create_double(env, static_cast<double>(v), &r);
  } else {
    napi_create_bigint_int64(env, v, &r);
  }
  return r;
}

napi_value NamesValue(napi_env env, const char* bytes, size_t length, bool raw) {
  if (!raw) return NameValue(env, bytes, length);
  napi_value r;
  void* out = nullptr;
  napi_create_buffer_copy(env, length, bytes, &out, &r);
  return r;
}

napi_value Undefined(napi_env env, Call&) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

napi_value ResultNumber(napi_env env, Call& call) { return Int64Value(env, call.result); }

std::string ProcFdPath(int fd, const std::string& rel) {
  std::string p = "/proc/self/fd/" + std::to_string(fd);
  if (!rel.empty()) {
    p += '/';
    p += rel;
  }
  return p;
}

// --- errors ---

napi_value ErrnoError(napi_env env, const Call& call) {
  const int e = call.err;
  char code[64];
  char text[256];
  // libuv's names and texts, as node:fs uses; the C library's for the errnos libuv does not know.
  uv_err_name_r(-e, code, sizeof code);
  if (std::strncmp(code, "Unknown", 7) == 0) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    const char* n = strerrorname_np(e);
    std::snprintf(code, sizeof code, "%s", n != nullptr ? n : "EUNKNOWN");
#else
    std::snprintf(code, sizeof code, "E%d", e);
#endif
  }
  uv_strerror_r(-e, text, sizeof text);
  if (std::strncmp(text, "Unknown system error", 20) == 0) {
    std::snprintf(text, sizeof text, "%s", std::strerror(e));
  }
  std::string message = std::string(code) + ": " + text + ", " + call.def->syscall;
  napi_value path = nullptr;
  napi_value dest = nullptr;
  if (call.hasPath) {
    path = NameValue(env, call.path.data(), call.path.size());
    message += " '" + call.path + "'";
  }
  if (call.hasPath2) {
    dest = NameValue(env, call.path2.data(), call.path2.size());
    message += " -> '" + call.path2 + "'";
  }
  napi_value msg, error, v;
  napi_create_string_utf8(env, message.data(), message.size(), &msg);
  napi_create_error(env, nullptr, msg, &error);
  napi_create_int32(env, -e, &v);
  napi_set_named_property(env, error, "errno", v);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, error, "code", v);
  napi_create_string_utf8(env, call.def->syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, error, "syscall", v);
  if (path != nullptr) napi_set_named_property(env, error, "path", path);
  if (dest != nullptr) napi_set_named_property(env, error, "dest", dest);
  return error;
}

void RunCall(Call& call) {
  if (!call.cred.set) {
    call.def->run(call);
    return;
  }
  CredentialsScope scope(call.cred);
  if (scope.err != 0) {
    call.err = scope.err;
    return;
  }
  call.def->run(call);
}

namespace {

// Per-environment state: the reusable Call of synchronous calls, and the
// bindings the functions point at.
struct State {
  Call sync;
  double* statBuffer = nullptr;  // the memory of `statBuffer` in the exports
  Napi::Reference<Napi::Value> statBufferRef;
  bool busy = false;
  std::vector<std::unique_ptr<std::pair<const CallDef*, State*>>> bindings;
};

// Parses into `call`, remembering it for the guards' messages.
void Parse(const Napi::CallbackInfo& info, Call& call, const CallDef* def) {
  call.Reset(def);
  tParsing = &call;
  def->parse(info, call);
}

napi_value SyncCall(napi_env env, napi_callback_info cbinfo) {
  Napi::CallbackInfo info(env, cbinfo);
  auto* binding = static_cast<std::pair<const CallDef*, State*>*>(info.Data());
  State& state = *binding->second;
  // A getter run while parsing could call back in: it gets a Call of its own.
  std::unique_ptr<Call> own;
  Call* call = &state.sync;
  if (state.busy) {
    own = std::make_unique<Call>();
    call = own.get();
  }
  call->statOut = state.statBuffer;
  struct Busy {
    State& s;
    bool was;
    ~Busy() { s.busy = was; }
  } busy{state, state.busy};
  state.busy = true;
  try {
    Parse(info, *call, binding->first);
    RunCall(*call);
    if (call->err != 0) {
      napi_throw(env, ErrnoError(env, *call));
      return nullptr;
    }
    return call->def->finish(env, *call);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, const char* name) : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}

  Call call;

  Napi::Promise Promise() { return deferred_.Promise(); }

  // Keeps the call's Uint8Array arguments (and so their memory) alive until it is done.
  void Keep(const Napi::CallbackInfo& info) {
    for (size_t i = 0; i < info.Length(); ++i) {
      if (info[i].IsTypedArray()) keep_.push_back(Napi::Persistent(info[i].As<Napi::Object>()));
    }
  }

 protected:
  void Execute() override { RunCall(call); }

  void OnOK() override {
    Napi::Env env = Env();
    if (call.err != 0) {
      deferred_.Reject(Napi::Value(env, ErrnoError(env, call)));
    } else {
      deferred_.Resolve(Napi::Value(env, call.def->finish(env, call)));
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> keep_;
};

napi_value AsyncCall(napi_env env, napi_callback_info cbinfo) {
  Napi::CallbackInfo info(env, cbinfo);
  auto* binding = static_cast<std::pair<const CallDef*, State*>*>(info.Data());
  try {
    auto* worker = new Worker(info.Env(), binding->first->name);  // owned by the queue once queued
    try {
      Parse(info, worker->call, binding->first);
    } catch (...) {
      delete worker;
      throw;
    }
    worker->Keep(info);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
    return nullptr;
  }
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object c = Napi::Object::New(env);
#define FL_CONST(name) c.Set(#name, Napi::Number::New(env, static_cast<double>(name)));
  FL_CONST(AT_FDCWD) FL_CONST(AT_EMPTY_PATH) FL_CONST(AT_SYMLINK_NOFOLLOW) FL_CONST(AT_SYMLINK_FOLLOW)
  FL_CONST(AT_REMOVEDIR) FL_CONST(AT_NO_AUTOMOUNT)
  FL_CONST(O_RDONLY) FL_CONST(O_WRONLY) FL_CONST(O_RDWR) FL_CONST(O_ACCMODE) FL_CONST(O_CREAT) FL_CONST(O_EXCL)
  FL_CONST(O_NOCTTY) FL_CONST(O_TRUNC) FL_CONST(O_APPEND) FL_CONST(O_NONBLOCK) FL_CONST(O_DSYNC) FL_CONST(O_SYNC)
  FL_CONST(O_DIRECTORY) FL_CONST(O_NOFOLLOW) FL_CONST(O_CLOEXEC) FL_CONST(O_PATH) FL_CONST(O_NOATIME)
  FL_CONST(O_DIRECT) FL_CONST(O_TMPFILE) FL_CONST(O_LARGEFILE)
  FL_CONST(RENAME_NOREPLACE) FL_CONST(RENAME_EXCHANGE) FL_CONST(RENAME_WHITEOUT)
  FL_CONST(FALLOC_FL_KEEP_SIZE) FL_CONST(FALLOC_FL_PUNCH_HOLE) FL_CONST(FALLOC_FL_COLLAPSE_RANGE)
  FL_CONST(FALLOC_FL_ZERO_RANGE) FL_CONST(FALLOC_FL_INSERT_RANGE) FL_CONST(FALLOC_FL_UNSHARE_RANGE)
  FL_CONST(SEEK_SET) FL_CONST(SEEK_CUR) FL_CONST(SEEK_END) FL_CONST(SEEK_DATA) FL_CONST(SEEK_HOLE)
  FL_CONST(XATTR_CREATE) FL_CONST(XATTR_REPLACE)
  FL_CONST(LOCK_SH) FL_CONST(LOCK_EX) FL_CONST(LOCK_UN) FL_CONST(LOCK_NB)
  FL_CONST(F_GETLK) FL_CONST(F_SETLK) FL_CONST(F_SETLKW) FL_CONST(F_OFD_GETLK) FL_CONST(F_OFD_SETLK)
  FL_CONST(F_OFD_SETLKW) FL_CONST(F_RDLCK) FL_CONST(F_WRLCK) FL_CONST(F_UNLCK)
  FL_CONST(S_IFMT) FL_CONST(S_IFREG) FL_CONST(S_IFDIR) FL_CONST(S_IFLNK) FL_CONST(S_IFIFO) FL_CONST(S_IFSOCK)
  FL_CONST(S_IFCHR) FL_CONST(S_IFBLK)
  FL_CONST(DT_UNKNOWN) FL_CONST(DT_FIFO) FL_CONST(DT_CHR) FL_CONST(DT_DIR) FL_CONST(DT_BLK) FL_CONST(DT_REG)
  FL_CONST(DT_LNK) FL_CONST(DT_SOCK) FL_CONST(DT_WHT)
  FL_CONST(UTIME_NOW) FL_CONST(UTIME_OMIT)
#undef FL_CONST
  return c;
}

}  // namespace
}  // namespace sys

Napi::Object SyscallsModule(Napi::Env env) {
  using namespace sys;
  Napi::Object module = Napi::Object::New(env);
  auto* state = new State();
  module.AddFinalizer([](Napi::Env, State* s) { delete s; }, state);
  for (const CallDef* table : {kPathCalls, kXattrCalls, kDataCalls, kDirCalls}) {
    for (const CallDef* def = table; def->name != nullptr; ++def) {
      state->bindings.push_back(std::make_unique<std::pair<const CallDef*, State*>>(def, state));
      void* data = state->bindings.back().get();
      napi_value fn;
      napi_create_function(env, def->name, NAPI_AUTO_LENGTH, SyncCall, data, &fn);
      module.Set(def->name, Napi::Value(env, fn));
      const std::string async = std::string(def->name) + "Async";
      napi_create_function(env, async.c_str(), async.size(), AsyncCall, data, &fn);
      module.Set(async, Napi::Value(env, fn));
    }
  }
  module.Set("setfsuid", Napi::Function::New<SetFsuid>(env, "setfsuid"));
  module.Set("setfsgid", Napi::Function::New<SetFsgid>(env, "setfsgid"));
  module.Set("setgroups", Napi::Function::New<SetGroups>(env, "setgroups"));
  module.Set("getgroups", Napi::Function::New<GetGroups>(env, "getgroups"));
  module.Set("constants", Constants(env));
  Napi::ArrayBuffer statMemory = Napi::ArrayBuffer::New(env, stat_slot::kLength * sizeof(double));
  state->statBuffer = static_cast<double*>(statMemory.Data());
  state->statBufferRef = Napi::Persistent(Napi::Value(statMemory));
  module.Set("statBuffer", Napi::Float64Array::New(env, stat_slot::kLength, statMemory, 0));
  Napi::Object slots = Napi::Object::New(env);
  int slot = 0;
#define FL_SLOT_NAME(name) slots.Set(#name, slot++);
  FL_STAT_SLOTS(FL_SLOT_NAME)
#undef FL_SLOT_NAME
  module.Set("STAT_SLOTS", slots);
  return module;
}

}  // namespace fl
