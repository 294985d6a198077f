// The hand-off from loop threads to the JS thread: a queue of records and one
// thread-safe-function wake-up per batch. Loop threads never wait on JS: Post()
// takes a short lock and, only when the queue was idle, schedules a wake-up.
#pragma once

#include <napi.h>

#include <mutex>
#include <vector>

#include "record.h"

namespace fl {

class Session;

// Runs on the JS thread for each wake-up; defined by the session. `env` is
// empty while the environment is being torn down.
void OnWakeup(Napi::Env env, Napi::Function unused, Session* session, void* unusedData);
// Runs on the JS thread once the wake-up function is gone.
void OnWakeupFinalized(Napi::Env env, void* unused, Session* session);

class Dispatcher {
 public:
  // Opens the queue and creates the wake-up function (JS thread).
  void Start(Napi::Env env, Session* session);
  // Queues a record (any thread). Returns false when the dispatcher is closed:
  // the caller still owns the record and must answer its request.
  bool Post(Record&& record);
  // Moves every queued record into `out`, which it clears first (JS thread).
  void Drain(std::vector<Record>* out);
  // Refuses further records and releases the wake-up function. Records still
  // queued stay for Drain(). (JS thread.)
  void Close();
  // Whether the wake-up function keeps the event loop alive (JS thread).
  void SetRef(Napi::Env env, bool ref);

 private:
  using Wakeup = Napi::TypedThreadSafeFunction<Session, void, OnWakeup>;

  std::mutex mutex_;
  std::vector<Record> queue_;
  bool wakePending_ = false;
  bool open_ = false;
  Wakeup wakeup_;
};

}  // namespace fl
