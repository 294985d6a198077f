// One mounted filesystem: the libfuse session, its loop threads, the init
// handshake with JavaScript, and teardown. JS sees it as the `Session` class.
#pragma once

#include <napi.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "dispatch.h"
#include "event_loop_reader.h"
#include "notifier.h"
#include "fuse.h"
#include "op.h"

namespace fl {

class Addon;

class Session : public Napi::ObjectWrap<Session> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Session(const Napi::CallbackInfo& info);
  ~Session() override;

  // Loop threads: queue a record for JS. False if the session is closing.
  bool Submit(Record&& record);
  // Loop thread: libfuse's init callback. Waits for the JS init handler.
  void NegotiateInit(fuse_conn_info* conn);
  // Whether a request's caller (a thread id) is a thread of this very process.
  // Checked until the first such request, which the JS side warns about.
  bool FromSelf(pid_t callerThread);

  // JS thread: deliver queued records to the JS callbacks.
  void Deliver(Napi::Env env);
  // JS thread: the wake-up function is gone; the session may be collected.
  void WakeupFinalized();

 private:
  enum class InitState { Idle, Waiting, Accepted, Rejected };

  Napi::Value Mount(const Napi::CallbackInfo& info);
  Napi::Value FinishInit(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value SetRef(const Napi::CallbackInfo& info);
  Napi::Value Notify(const Napi::CallbackInfo& info);
  static void OnNotified(void* session, double id, int error);

  // A loop thread; with `untilInit` it stops once INIT is accepted (the JS
  // thread's event loop takes over: threads 0).
  void RunLoop(bool untilInit);
  // threads 0: read and dispatch what /dev/fuse has, on the JS thread.
  static void OnFuseReadable(void* session);
  void ServeReadable();
  void DeliverBatch(Napi::Env env);
  void StopLoops();
  void Teardown();
  // Teardown: reads and answers requests while a notification is being written.
  void DrainWhileNotifying();
  static void CleanupHook(void* arg);

  // Copies a request into slab position `run` (registering it); false when
  // it was answered instead (the request table is full).
  bool Stage(Napi::Env env, Record& r, size_t run);
  // Hands the `run` staged requests to JS in one call; returns 0.
  size_t FlushRequests(Napi::Env env, size_t run);
  // requestSlab(): [words: Uint32Array, objects: unknown[]] — where staged requests are read.
  Napi::Value RequestSlab(const Napi::CallbackInfo& info);
  void DeliverForgets(Napi::Env env, std::vector<fuse_forget_data>* forgets);
  void DeliverInit(Napi::Env env);
  // Calls a JS callback; false (and a report on stderr) if it threw.
  bool CallSafely(const Napi::FunctionReference& fn, const napi_value* args, size_t argc);

  Addon* addon_;
  std::vector<Op> implemented_;
  Napi::FunctionReference onRequests_;
  Napi::FunctionReference onForget_;
  Napi::FunctionReference onInit_;
  Napi::FunctionReference onInterrupt_;
  Napi::FunctionReference onEnded_;
  Napi::FunctionReference onNotified_;
  Napi::FunctionReference onRetrieved_;
  Napi::FunctionReference onSelfRequest_;
  pid_t selfPid_ = 0;
  bool selfRequestReported_ = false;
  std::atomic<bool> selfRequestSeen_{false};
  // The last caller thread found not to be ours: a client making request
  // after request costs one tgkill, not one each.
  std::atomic<pid_t> lastForeignCaller_{0};

  fuse_session* se_ = nullptr;
  bool mounted_ = false;
  unsigned maxRead_ = 0;  // the max_read mount option, which init must repeat
  bool torndown_ = false;
  bool hookAdded_ = false;
  napi_env env_ = nullptr;
  int stopFd_ = -1;
  std::vector<std::thread> loops_;
  std::mutex loopsMutex_;
  int runningLoops_ = 0;
  bool stopping_ = false;
  int loopError_ = 0;

  std::mutex initMutex_;
  std::condition_variable initCv_;
  InitState initState_ = InitState::Idle;
  fuse_conn_info* initConn_ = nullptr;

  std::atomic<bool> initAccepted_{false};

  Dispatcher dispatcher_;
  // A unique_ptr so a notifier stuck in the kernel can be leaked, never freed under its thread.
  std::unique_ptr<Notifier> notifier_ = std::make_unique<Notifier>();
  // threads 0: the JS thread reads /dev/fuse itself.
  bool direct_ = false;
  bool serving_ = false;  // inside ServeReadable (JS thread only)
  std::thread::id jsThread_;
  EventLoopReader reader_;
  fuse_buf jsBuf_{};
  std::vector<Record> directQueue_;  // records submitted while serving
  napi_async_context asyncContext_ = nullptr;
  static constexpr size_t kNotDelivering = static_cast<size_t>(-1);
  std::vector<Record> batch_;
  size_t deliverPos_ = kNotDelivering;  // the record Deliver() is handing to JS
  std::vector<fuse_forget_data> forgets_;

  // The request slab: up to kSlabRecords staged requests, read by JS in one
  // call (callbacks.requests(count)). Words in an ArrayBuffer JS views as a
  // Uint32Array, names and data in a JS array (kObjectSlots per record).
  static constexpr size_t kSlabRecords = 64;
  Napi::Reference<Napi::ArrayBuffer> slabBuffer_;
  Napi::Reference<Napi::Array> slabObjects_;
  uint32_t* slabWords_ = nullptr;
  double runIds_[kSlabRecords] = {};
  // threads 0: how many requests one wake-up reads (see ServeReadable).
  int readLimit_ = 1;
  int wakesSinceProbe_ = 0;
};

}  // namespace fl
