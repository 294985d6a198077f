// Kernel notifications that need no session lookup.
#include "addon.h"
#include "fuse.h"

namespace fl {

// notifyPoll(handle: External<fuse_pollhandle>): 0, or a positive errno.
// lib/ checks that the handle's session is still mounted: libfuse reaches the
// session through the handle.
Napi::Value Addon::NotifyPoll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) throw Napi::TypeError::New(env, "notifyPoll(handle: PollHandle)");
  fuse_pollhandle* ph = info[0].As<Napi::External<fuse_pollhandle>>().Data();
  const int res = fuse_lowlevel_notify_poll(ph);
  return Napi::Number::New(env, res < 0 ? -res : 0);
}

}  // namespace fl
