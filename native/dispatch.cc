#include "dispatch.h"

namespace fl {

void Dispatcher::Start(Napi::Env env, Session* session) {
  wakeup_ = Wakeup::New(env, "fuse-lowlevel", 0, 1, session, OnWakeupFinalized, static_cast<void*>(nullptr));
  std::lock_guard<std::mutex> lock(mutex_);
  open_ = true;
  wakePending_ = false;
}

bool Dispatcher::Post(Record&& record) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_) return false;
    queue_.push_back(std::move(record));
    if (!wakePending_) wakePending_ = wake = true;
    // The wake-up call is made under the lock so Close() cannot release the
    // function between the check and the call.
    if (wake && wakeup_.NonBlockingCall() != napi_ok) {
      // The function is closing: the record stays queued for Close()'s drain.
      wakePending_ = false;
    }
  }
  return true;
}

void Dispatcher::Drain(std::vector<Record>* out) {
  out->clear();
  std::lock_guard<std::mutex> lock(mutex_);
  out->swap(queue_);
  wakePending_ = false;
}

void Dispatcher::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_) return;
  open_ = false;
  wakeup_.Release();
}

void Dispatcher::SetRef(Napi::Env env, bool ref) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_) return;
  if (ref) {
    wakeup_.Ref(env);
  } else {
    wakeup_.Unref(env);
  }
}

}  // namespace fl
