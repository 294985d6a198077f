// Per-environment addon state (one per main thread or worker): the table of
// pending requests, and the module's exports. No statics: the addon is
// context-aware and may load in several worker threads at once.
#pragma once

#include <napi.h>

#include "request_table.h"

namespace fl {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);

  RequestTable requests;

 private:
  fuse_req_t TakeForReply(const Napi::CallbackInfo& info, bool valid, const char* usage);
  // Replies (request.cc). Each takes the request id first and returns 0 when
  // the reply was sent, a positive errno when libfuse could not send it (the
  // request is finished either way), or -1 when the id is not pending.
  Napi::Value ReplyErr(const Napi::CallbackInfo& info);
  Napi::Value ReplyEntry(const Napi::CallbackInfo& info);
  Napi::Value ReplyAttr(const Napi::CallbackInfo& info);
  Napi::Value ReplyReadlink(const Napi::CallbackInfo& info);
  Napi::Value ReplyOpen(const Napi::CallbackInfo& info);
  Napi::Value ReplyBuf(const Napi::CallbackInfo& info);
  Napi::Value ReplyBufs(const Napi::CallbackInfo& info);
  Napi::Value ReplyFd(const Napi::CallbackInfo& info);
  Napi::Value ReplyStatfs(const Napi::CallbackInfo& info);
  Napi::Value ReplyXattr(const Napi::CallbackInfo& info);
  Napi::Value ReplyDirents(const Napi::CallbackInfo& info);
  Napi::Value ReplyWrite(const Napi::CallbackInfo& info);
  Napi::Value ReplyCreate(const Napi::CallbackInfo& info);
  Napi::Value ReplyLock(const Napi::CallbackInfo& info);
  Napi::Value ReplyBmap(const Napi::CallbackInfo& info);
  Napi::Value ReplyIoctl(const Napi::CallbackInfo& info);
  Napi::Value ReplyIoctlRetry(const Napi::CallbackInfo& info);
  Napi::Value ReplyPoll(const Napi::CallbackInfo& info);
  Napi::Value ReplyLseek(const Napi::CallbackInfo& info);
  // Request information (request.cc).
  Napi::Value RequestGroups(const Napi::CallbackInfo& info);
  Napi::Value WatchInterrupt(const Napi::CallbackInfo& info);
  // Notifications (notify.cc).
  Napi::Value NotifyPoll(const Napi::CallbackInfo& info);
};

}  // namespace fl
