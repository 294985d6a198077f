#include "addon.h"

#include "fuse.h"
#include "layout.h"
#include "notifier.h"
#include "op.h"
#include "session.h"

// The hash of the native sources this addon was built from (scripts/source-hash.mjs).
#ifndef FUSE_LOWLEVEL_SOURCE_HASH
#define FUSE_LOWLEVEL_SOURCE_HASH "unknown"
#endif

namespace fl {
namespace {

Napi::Object OperationNumbers(Napi::Env env) {
  Napi::Object ops = Napi::Object::New(env);
#define FL_EXPORT_OP(name, js) ops.Set(js, Napi::Number::New(env, static_cast<double>(Op::name)));
  FL_USER_OPS(FL_EXPORT_OP)
#undef FL_EXPORT_OP
  return ops;
}

Napi::Object Layouts(Napi::Env env) {
  Napi::Object layout = Napi::Object::New(env);
  // Each struct as [name, kind] pairs, in order.
  auto fields = [&](std::initializer_list<std::pair<const char*, const char*>> list) {
    Napi::Array a = Napi::Array::New(env, list.size());
    uint32_t i = 0;
    for (const auto& [name, kind] : list) {
      Napi::Array pair = Napi::Array::New(env, 2);
      pair.Set(0u, name);
      pair.Set(1u, kind);
      a.Set(i++, pair);
    }
    return a;
  };
#define FL_FIELD(name, kind) {#name, #kind},
  layout.Set("attr", fields({FL_ATTR_FIELDS(FL_FIELD)}));
  layout.Set("entry", fields({FL_ENTRY_FIELDS(FL_FIELD)}));
  layout.Set("statfs", fields({FL_STATFS_FIELDS(FL_FIELD)}));
  layout.Set("open", fields({FL_OPEN_FIELDS(FL_FIELD)}));
  layout.Set("lock", fields({FL_LOCK_FIELDS(FL_FIELD)}));
#undef FL_FIELD
#define FL_CONN_FIELD(name) {#name, "F64"},
  layout.Set("conn", fields({FL_CONN_FIELDS(FL_CONN_FIELD)}));
#undef FL_CONN_FIELD
  return layout;
}

Napi::Object NotifyKinds(Napi::Env env) {
  Napi::Object kinds = Napi::Object::New(env);
#define FL_EXPORT_KIND(name, js) kinds.Set(js, Napi::Number::New(env, static_cast<double>(NotifyKind::name)));
  FL_NOTIFY_KINDS(FL_EXPORT_KIND)
#undef FL_EXPORT_KIND
  return kinds;
}

Napi::Object Capabilities(Napi::Env env) {
  Napi::Object caps = Napi::Object::New(env);
#define FL_CAP(name) caps.Set(#name, Napi::Number::New(env, FUSE_CAP_##name));
  FL_CAP(ASYNC_READ) FL_CAP(POSIX_LOCKS) FL_CAP(ATOMIC_O_TRUNC) FL_CAP(EXPORT_SUPPORT) FL_CAP(DONT_MASK)
  FL_CAP(SPLICE_WRITE) FL_CAP(SPLICE_MOVE) FL_CAP(SPLICE_READ) FL_CAP(FLOCK_LOCKS) FL_CAP(IOCTL_DIR)
  FL_CAP(AUTO_INVAL_DATA) FL_CAP(READDIRPLUS) FL_CAP(READDIRPLUS_AUTO) FL_CAP(ASYNC_DIO) FL_CAP(WRITEBACK_CACHE)
  FL_CAP(NO_OPEN_SUPPORT) FL_CAP(PARALLEL_DIROPS) FL_CAP(POSIX_ACL) FL_CAP(HANDLE_KILLPRIV) FL_CAP(CACHE_SYMLINKS)
  FL_CAP(NO_OPENDIR_SUPPORT) FL_CAP(EXPLICIT_INVAL_DATA) FL_CAP(EXPIRE_ONLY)
#undef FL_CAP
  return caps;
}

}  // namespace

Addon::Addon(Napi::Env env, Napi::Object exports) {
  DefineAddon(exports, {
                           InstanceValue("Session", Session::Define(env)),
                           InstanceValue("OP", OperationNumbers(env)),
                           InstanceValue("LAYOUT", Layouts(env)),
                           InstanceValue("CAP", Capabilities(env)),
                           InstanceValue("NOTIFY", NotifyKinds(env)),
                           InstanceValue("libfuseVersion", Napi::Number::New(env, fuse_version())),
                           InstanceValue("sourceHash", Napi::String::New(env, FUSE_LOWLEVEL_SOURCE_HASH)),
                           InstanceMethod<&Addon::ReplyErr>("replyErr"),
                           InstanceMethod<&Addon::ReplyEntry>("replyEntry"),
                           InstanceMethod<&Addon::ReplyAttr>("replyAttr"),
                           InstanceMethod<&Addon::ReplyReadlink>("replyReadlink"),
                           InstanceMethod<&Addon::ReplyOpen>("replyOpen"),
                           InstanceMethod<&Addon::ReplyBuf>("replyBuf"),
                           InstanceMethod<&Addon::ReplyBufs>("replyBufs"),
                           InstanceMethod<&Addon::ReplyFd>("replyFd"),
                           InstanceMethod<&Addon::ReplyStatfs>("replyStatfs"),
                           InstanceMethod<&Addon::ReplyXattr>("replyXattr"),
                           InstanceMethod<&Addon::ReplyDirents>("replyDirents"),
                           InstanceMethod<&Addon::ReplyWrite>("replyWrite"),
                           InstanceMethod<&Addon::ReplyCreate>("replyCreate"),
                           InstanceMethod<&Addon::ReplyLock>("replyLock"),
                           InstanceMethod<&Addon::ReplyBmap>("replyBmap"),
                           InstanceMethod<&Addon::ReplyIoctl>("replyIoctl"),
                           InstanceMethod<&Addon::ReplyIoctlRetry>("replyIoctlRetry"),
                           InstanceMethod<&Addon::ReplyPoll>("replyPoll"),
                           InstanceMethod<&Addon::ReplyLseek>("replyLseek"),
                           InstanceMethod<&Addon::RequestGroups>("requestGroups"),
                           InstanceMethod<&Addon::WatchInterrupt>("watchInterrupt"),
                           InstanceMethod<&Addon::NotifyPoll>("notifyPoll"),
                       });
}

}  // namespace fl

using FuseLowlevelAddon = fl::Addon;
NODE_API_ADDON(FuseLowlevelAddon)
