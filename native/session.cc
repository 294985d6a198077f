#include "session.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <chrono>
#include <string>

#include "addon.h"
#include "layout.h"
#include "log.h"
#include "names.h"
#include "ops.h"

namespace fl {

void OnWakeup(Napi::Env env, Napi::Function, Session* session, void*) {
  if (env == nullptr) return;  // teardown: Teardown() answers what is queued
  session->Deliver(env);
}

void OnWakeupFinalized(Napi::Env, void*, Session* session) { session->WakeupFinalized(); }

Napi::Function Session::Define(Napi::Env env) {
  return DefineClass(env, "Session",
                     {
                         InstanceMethod<&Session::Mount>("mount"),
                         InstanceMethod<&Session::FinishInit>("finishInit"),
                         InstanceMethod<&Session::Close>("close"),
                         InstanceMethod<&Session::SetRef>("setRef"),
                         InstanceMethod<&Session::Notify>("notify"),
                         InstanceMethod<&Session::RequestSlab>("requestSlab"),
                     });
}

// new Session(ops: number[], callbacks: { requests, forget, init, interrupt, ended, notified, retrieved, selfRequest })
Session::Session(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Session>(info) {
  Napi::Env env = info.Env();
  addon_ = env.GetInstanceData<Addon>();
  env_ = env;
  if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsObject()) {
    throw Napi::TypeError::New(env, "Session(ops: number[], callbacks: object)");
  }
  Napi::Array ops = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < ops.Length(); ++i) {
    Napi::Value v = ops.Get(i);
    if (!v.IsNumber()) throw Napi::TypeError::New(env, "Session: ops must be operation numbers");
    int32_t op = v.As<Napi::Number>().Int32Value();
    if (op < 0 || op >= kUserOpCount) throw Napi::RangeError::New(env, "Session: unknown operation " + std::to_string(op));
    implemented_.push_back(static_cast<Op>(op));
  }
  Napi::Object callbacks = info[1].As<Napi::Object>();
  auto take = [&](const char* name) {
    Napi::Value v = callbacks.Get(name);
    if (!v.IsFunction()) throw Napi::TypeError::New(env, std::string("Session: callbacks.") + name + " must be a function");
    return Napi::Persistent(v.As<Napi::Function>());
  };
  onRequests_ = take("requests");
  onForget_ = take("forget");
  onInit_ = take("init");
  onInterrupt_ = take("interrupt");
  onEnded_ = take("ended");
  onNotified_ = take("notified");
  onRetrieved_ = take("retrieved");
  onSelfRequest_ = take("selfRequest");
  Napi::ArrayBuffer words = Napi::ArrayBuffer::New(env, kSlabRecords * kRecordWords * sizeof(uint32_t));
  slabWords_ = static_cast<uint32_t*>(words.Data());
  slabBuffer_ = Napi::Persistent(words);
  slabObjects_ = Napi::Persistent(Napi::Array::New(env, kSlabRecords * kObjectSlots));
}

Napi::Value Session::RequestSlab(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Uint32Array::New(env, kSlabRecords * kRecordWords, slabBuffer_.Value(), 0));
  out.Set(1u, slabObjects_.Value());
  return out;
}

Session::~Session() { Teardown(); }

// mount(mountpoint: string, args: string[], threads: number, maxRead: number): void
Napi::Value Session::Mount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (se_ != nullptr || torndown_) throw Napi::Error::New(env, "mount: this session was already mounted");
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsNumber() || !info[3].IsNumber()) {
    throw Napi::TypeError::New(env, "mount(mountpoint: string, args: string[], threads: number, maxRead: number)");
  }
  maxRead_ = info[3].As<Napi::Number>().Uint32Value();
  std::string mountpoint = info[0].As<Napi::String>();
  int threads = info[2].As<Napi::Number>().Int32Value();
  if (threads < 0 || threads > 64) throw Napi::RangeError::New(env, "mount: threads must be between 0 and 64");

  std::vector<std::string> args{"fuse-lowlevel"};
  Napi::Array list = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value v = list.Get(i);
    if (!v.IsString()) throw Napi::TypeError::New(env, "mount: args must be strings");
    args.push_back(v.As<Napi::String>());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());

  LogCapture log;
  fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_lowlevel_ops ops = BuildOps(implemented_);
  se_ = fuse_session_new(&fargs, &ops, sizeof ops, this);
  fuse_opt_free_args(&fargs);
  if (se_ == nullptr) {
    std::string why = log.Text();
    throw Napi::Error::New(env, "invalid mount options" + (why.empty() ? std::string() : ": " + why));
  }
  if (fuse_session_mount(se_, mountpoint.c_str()) != 0) {
    std::string why = log.Text();
    fuse_session_destroy(se_);
    se_ = nullptr;
    throw Napi::Error::New(env, "mount failed" + (why.empty() ? std::string() : ": " + why));
  }
  mounted_ = true;

  const int fd = fuse_session_fd(se_);
  const int fl = fcntl(fd, F_GETFL);
  stopFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 || stopFd_ == -1) {
    const int err = errno;
    Teardown();
    throw Napi::Error::New(env, std::string("mount: cannot prepare /dev/fuse: ") + strerror(err));
  }

  dispatcher_.Start(env, this);
  notifier_->Start(se_, OnNotified, this);
  Ref();  // kept alive until the wake-up function is finalized
  // Registered after the wake-up function, so it runs before that function's
  // own cleanup at environment teardown.
  if (napi_add_env_cleanup_hook(env, CleanupHook, this) == napi_ok) hookAdded_ = true;

  jsThread_ = std::this_thread::get_id();
  selfPid_ = getpid();
  direct_ = threads == 0;
  if (direct_ && napi_async_init(env, Value(), Napi::String::New(env, "fuse-lowlevel"), &asyncContext_) != napi_ok) {
    Teardown();
    throw Napi::Error::New(env, "mount: cannot create the async context");
  }
  // threads 0: one loop thread answers INIT (which waits for the JS init
  // handler), then the JS thread's event loop reads /dev/fuse itself.
  const int loopThreads = direct_ ? 1 : threads;
  std::lock_guard<std::mutex> lock(loopsMutex_);
  runningLoops_ = loopThreads;
  for (int i = 0; i < loopThreads; ++i) loops_.emplace_back([this] { RunLoop(direct_); });
  return env.Undefined();
}

void Session::RunLoop(bool untilInit) {
  fuse_buf buf{};
  pollfd fds[2] = {{fuse_session_fd(se_), POLLIN, 0}, {stopFd_, POLLIN, 0}};
  int error = 0;
  while (!fuse_session_exited(se_)) {
    if (poll(fds, 2, -1) == -1) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    if (fds[1].revents != 0) break;
    const int res = fuse_session_receive_buf(se_, &buf);
    if (res == -EINTR || res == -EAGAIN) continue;
    if (res <= 0) {
      error = -res;
      break;
    }
    fuse_session_process_buf(se_, &buf);
    if (untilInit && initAccepted_) break;
  }
  free(buf.mem);

  std::lock_guard<std::mutex> lock(loopsMutex_);
  if (untilInit && initAccepted_) {
    // The JS thread reads from here on (ServeReadable).
    --runningLoops_;
    return;
  }
  if (error != 0 && loopError_ == 0) loopError_ = error;
  if (--runningLoops_ > 0) {
    // Wake the sibling loops: the session is over for all of them.
    const uint64_t one = 1;
    if (write(stopFd_, &one, sizeof one) == -1) fuse_session_exit(se_);
    return;
  }
  if (!stopping_) {
    Record ended{Op::Ended};
    ended.n1 = loopError_;
    Submit(std::move(ended));
  }
}

bool Session::Submit(Record&& record) {
  // While the JS thread serves /dev/fuse itself, its records are delivered
  // right after the read, without a wake-up.
  if (serving_ && std::this_thread::get_id() == jsThread_) {
    directQueue_.push_back(std::move(record));
    return true;
  }
  return dispatcher_.Post(std::move(record));
}

bool Session::FromSelf(pid_t callerThread) {
  if (selfRequestSeen_.load(std::memory_order_relaxed) || callerThread <= 0) return false;
  if (callerThread == lastForeignCaller_.load(std::memory_order_relaxed)) return false;
  // The kernel reports the calling thread; tgkill with signal 0 tells whether
  // that thread belongs to this process. (A thread id reused by a thread of
  // ours right after a foreign thread ended could go unnoticed: this only
  // decides a one-time warning.)
  if (callerThread != selfPid_ && syscall(SYS_tgkill, selfPid_, callerThread, 0) != 0) {
    lastForeignCaller_.store(callerThread, std::memory_order_relaxed);
    return false;
  }
  selfRequestSeen_ = true;
  return true;
}

void Session::OnFuseReadable(void* session) { static_cast<Session*>(session)->ServeReadable(); }

void Session::ServeReadable() {
  if (se_ == nullptr || torndown_) return;
  // How many requests to read per wake-up. Reading until EAGAIN costs a
  // failing read per wake-up, which with one client is one per request; the
  // event loop's poll returns at once anyway while more are pending. So read
  // one, and now and then probe for a second: when requests queue up (several
  // clients), read batches (one V8 entry for all of them) until one falls short.
  constexpr int kMaxRequestsPerWake = static_cast<int>(kSlabRecords);
  constexpr int kWakesPerProbe = 16;
  int limit = readLimit_;
  if (limit == 1 && ++wakesSinceProbe_ >= kWakesPerProbe) {
    wakesSinceProbe_ = 0;
    limit = 2;
  }
  int endedWith = -1;
  int got = 0;
  serving_ = true;
  while (got < limit) {
    const int res = fuse_session_receive_buf(se_, &jsBuf_);
    if (res == -EAGAIN || res == -EINTR) break;
    if (res <= 0 || fuse_session_exited(se_)) {
      endedWith = res < 0 ? -res : 0;
      break;
    }
    fuse_session_process_buf(se_, &jsBuf_);
    ++got;
  }
  serving_ = false;
  // Batches while wake-ups find several requests; one at a time once one finds a single one.
  readLimit_ = got >= 2 ? kMaxRequestsPerWake : 1;

  Napi::Env env(env_);
  Napi::HandleScope scope(env);
  napi_callback_scope callbackScope = nullptr;
  // A callback scope runs the microtasks (async handlers' continuations) when
  // it closes, as for any other event-loop callback.
  if (napi_open_callback_scope(env_, Value(), asyncContext_, &callbackScope) != napi_ok) callbackScope = nullptr;
  while (!directQueue_.empty() && !torndown_) {
    batch_.swap(directQueue_);
    directQueue_.clear();
    DeliverBatch(env);
  }
  if (endedWith >= 0 && !torndown_) {
    reader_.Stop();
    napi_value error = Napi::Number::New(env, endedWith);
    CallSafely(onEnded_, &error, 1);
  }
  if (callbackScope != nullptr) napi_close_callback_scope(env_, callbackScope);
}

void Session::NegotiateInit(fuse_conn_info* conn) {
  // Zero-copy fd replies need splice into /dev/fuse; the JS init handler may
  // turn it off again.
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
  // libfuse turns on splice reads when write_buf is set, but write data is
  // copied into a Buffer for JS anyway, and splicing every request through a
  // pipe costs an extra copy and syscalls on the metadata path.
  conn->want &= ~FUSE_CAP_SPLICE_READ;
  // libfuse requires init to repeat the max_read mount option (0 when unset).
  conn->max_read = maxRead_;
  std::unique_lock<std::mutex> lock(initMutex_);
  initConn_ = conn;
  initState_ = InitState::Waiting;
  if (!Submit(Record{Op::Init})) initState_ = InitState::Rejected;
  initCv_.wait(lock, [this] { return initState_ != InitState::Waiting; });
  initConn_ = nullptr;
  if (initState_ == InitState::Accepted) initAccepted_ = true;
  if (initState_ == InitState::Rejected) fuse_session_exit(se_);
}

// finishInit(conn: Float64Array | null): void — null rejects the mount.
Napi::Value Session::FinishInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(initMutex_);
  if (initState_ != InitState::Waiting || initConn_ == nullptr) {
    throw Napi::Error::New(env, "finishInit: no init is waiting");
  }
  if (info.Length() > 0 && info[0].IsTypedArray() &&
      info[0].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array &&
      info[0].As<Napi::Float64Array>().ElementLength() >= static_cast<size_t>(conn::kLength)) {
    const double* v = info[0].As<Napi::Float64Array>().Data();
    fuse_conn_info* c = initConn_;
    c->want = static_cast<unsigned>(v[conn::want]) & c->capable;
    c->max_write = static_cast<unsigned>(v[conn::maxWrite]);
    c->max_readahead = static_cast<unsigned>(v[conn::maxReadahead]);
    c->max_background = static_cast<unsigned>(v[conn::maxBackground]);
    c->congestion_threshold = static_cast<unsigned>(v[conn::congestionThreshold]);
    c->time_gran = static_cast<unsigned>(v[conn::timeGran]);
    initState_ = InitState::Accepted;
    if (direct_) {
      // The INIT reply goes out once the loop thread wakes; requests after it
      // are read here. The thread exits after INIT without reading further.
      uv_loop_t* loop = nullptr;
      if (napi_get_uv_event_loop(env, &loop) != napi_ok ||
          reader_.Start(loop, fuse_session_fd(se_), OnFuseReadable, this) != 0) {
        initState_ = InitState::Rejected;
      }
    }
  } else {
    initState_ = InitState::Rejected;
  }
  initCv_.notify_all();
  return env.Undefined();
}

void Session::OnNotified(void* session, double id, int error) {
  Record r{Op::NotifyDone};
  r.n1 = id;
  r.n2 = error;
  static_cast<Session*>(session)->Submit(std::move(r));
}

// notify(kind, id, ino, a, b, name?, data?): boolean — queues a notification
// (see NotifyKind; a/b are offset/length, child, or offset/size by kind). The
// result arrives through callbacks.notified(id, errno); a retrieve's bytes
// through callbacks.retrieved(id, data). False when the session is closed.
Napi::Value Session::Notify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber() ||
      !info[4].IsNumber()) {
    throw Napi::TypeError::New(env, "notify(kind, id, ino, a, b, name?, data?)");
  }
  const int kind = info[0].As<Napi::Number>().Int32Value();
  if (kind < 0 || kind >= static_cast<int>(NotifyKind::Count)) throw Napi::RangeError::New(env, "notify: unknown kind");
  NotifyJob job;
  job.kind = static_cast<NotifyKind>(kind);
  job.id = info[1].As<Napi::Number>().DoubleValue();
  job.ino = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
  const int64_t a = info[3].As<Napi::Number>().Int64Value();
  const int64_t b = info[4].As<Napi::Number>().Int64Value();
  job.offset = a;
  job.length = b;
  job.child = static_cast<uint64_t>(a);
  if (info.Length() > 5 && !info[5].IsUndefined() && !NameBytes(env, info[5], &job.name)) {
    throw Napi::TypeError::New(env, "notify: name must be a string or a Uint8Array");
  }
  if (info.Length() > 6 && info[6].IsTypedArray()) {
    Napi::Uint8Array data = info[6].As<Napi::Uint8Array>();
    job.dataLength = data.ByteLength();
    if (job.dataLength > 0) {
      job.data.reset(static_cast<char*>(malloc(job.dataLength)));
      if (!job.data) throw Napi::Error::New(env, "notify: out of memory");
      std::memcpy(job.data.get(), data.Data(), job.dataLength);
    }
  }
  if (se_ == nullptr || torndown_) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, notifier_->Post(std::move(job)));
}

// close(): void — stops the loops, answers what is pending with EIO, unmounts.
Napi::Value Session::Close(const Napi::CallbackInfo& info) {
  Teardown();
  return info.Env().Undefined();
}

// setRef(ref: boolean): void — whether the mounted session keeps Node alive.
Napi::Value Session::SetRef(const Napi::CallbackInfo& info) {
  const bool ref = info.Length() > 0 && info[0].ToBoolean();
  dispatcher_.SetRef(info.Env(), ref);
  reader_.SetRef(ref);
  return info.Env().Undefined();
}

void Session::StopLoops() {
  {
    std::lock_guard<std::mutex> lock(initMutex_);
    if (initState_ == InitState::Waiting) {
      initState_ = InitState::Rejected;
      initCv_.notify_all();
    }
  }
  std::vector<std::thread> loops;
  {
    std::lock_guard<std::mutex> lock(loopsMutex_);
    stopping_ = true;
    loops.swap(loops_);
  }
  if (!loops.empty()) {
    const uint64_t one = 1;
    if (write(stopFd_, &one, sizeof one) == -1) fuse_session_exit(se_);
  }
  for (std::thread& t : loops) t.join();
}

void Session::Teardown() {
  if (torndown_) return;
  torndown_ = true;
  StopLoops();
  reader_.Stop();
  dispatcher_.Close();
  if (se_ != nullptr) {
    // Nothing may stay unanswered: the kernel caller would wait forever, and
    // libfuse frees its requests with the session.
    // Records not yet delivered: the rest of a batch being delivered (when a
    // callback closed the session), then whatever is still queued.
    const size_t firstUndelivered = deliverPos_ == kNotDelivering ? 0 : deliverPos_ + 1;
    for (size_t i = firstUndelivered; i < batch_.size(); ++i) {
      if (batch_[i].req != nullptr) fuse_reply_err(batch_[i].req, EIO);
    }
    batch_.clear();
    std::vector<Record> left;
    dispatcher_.Drain(&left);
    for (Record& r : left) {
      if (r.req != nullptr) fuse_reply_err(r.req, EIO);
    }
    addon_->requests.TakeAll(this, [](fuse_req_t req) { fuse_reply_err(req, EIO); });
    // A notification may wait in the kernel on a request nobody has read yet
    // (a page lock of a queued READ): answer what arrives until it returns.
    notifier_->Close();
    DrainWhileNotifying();
    if (!notifier_->Stop()) {
      // Still stuck: the thread uses the session, so leave it (and the mount)
      // alone rather than free memory under it.
      fprintf(stderr, "fuse-lowlevel: a kernel notification did not finish; leaving the session behind\n");
      (void)notifier_.release();
      se_ = nullptr;
    }
  }
  if (se_ != nullptr) {
    if (mounted_) fuse_session_unmount(se_);
    fuse_session_destroy(se_);
    se_ = nullptr;
  }
  if (stopFd_ != -1) close(stopFd_);
  stopFd_ = -1;
  free(jsBuf_.mem);
  jsBuf_ = fuse_buf{};
  if (asyncContext_ != nullptr) napi_async_destroy(env_, asyncContext_);
  asyncContext_ = nullptr;
  if (hookAdded_) napi_remove_env_cleanup_hook(env_, CleanupHook, this);
  hookAdded_ = false;
}

void Session::DrainWhileNotifying() {
  // The dispatcher is closed, so every op callback answers EIO itself.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  pollfd fd{fuse_session_fd(se_), POLLIN, 0};
  while (notifier_->Busy() && std::chrono::steady_clock::now() < deadline) {
    if (poll(&fd, 1, 10) <= 0) continue;
    const int res = fuse_session_receive_buf(se_, &jsBuf_);
    if (res > 0) {
      fuse_session_process_buf(se_, &jsBuf_);
    } else if (res != -EAGAIN && res != -EINTR) {
      break;
    }
  }
}

void Session::CleanupHook(void* arg) {
  Session* self = static_cast<Session*>(arg);
  self->hookAdded_ = false;  // hooks are removed by running
  self->Teardown();
}

void Session::WakeupFinalized() { Unref(); }

namespace {

// The record's structured or byte argument as a JS value; ownership of bytes
// and poll handles moves to JS.
napi_value DataValue(Napi::Env env, Record& r) {
  switch (r.dataKind) {
    case Record::Data::Bytes: {
      if (r.bytesLength == 0) return Napi::Buffer<char>::New(env, 0);
      char* bytes = r.bytes.release();
      return Napi::Buffer<char>::NewOrCopy(env, bytes, r.bytesLength, [](Napi::Env, char* p) { free(p); });
    }
    case Record::Data::PollHandle:
      if (!r.pollHandle) return env.Undefined();
      return Napi::External<fuse_pollhandle>::New(env, r.pollHandle.release(),
                                                  [](Napi::Env, fuse_pollhandle* ph) { fuse_pollhandle_destroy(ph); });
    case Record::Data::None:
      break;
  }
  return env.Undefined();
}

}  // namespace

void Session::Deliver(Napi::Env env) {
  dispatcher_.Drain(&batch_);
  if (batch_.empty()) return;
  Napi::HandleScope scope(env);
  DeliverBatch(env);
}

void Session::DeliverBatch(Napi::Env env) {
  // A callback may close the session (Teardown answers the rest of the batch),
  // so the loop re-checks torndown_ and uses an index Teardown can see.
  // Requests are staged in the slab and handed over in runs, one JS call per
  // run; everything else (and forgets, before the requests that follow them)
  // ends a run, so JS sees the records in their order.
  size_t run = 0;
  for (size_t i = 0; i < batch_.size() && !torndown_; ++i) {
    deliverPos_ = i;
    Record& r = batch_[i];
    if (r.op == Op::Forget) {
      forgets_.insert(forgets_.end(), r.forgets.begin(), r.forgets.end());
      continue;
    }
    const bool request = r.req != nullptr;
    if (!forgets_.empty() || !request || (r.fromSelf && !selfRequestReported_) || run == kSlabRecords) {
      run = FlushRequests(env, run);
      if (torndown_) break;
    }
    if (!forgets_.empty()) DeliverForgets(env, &forgets_);
    if (torndown_) break;
    switch (r.op) {
      case Op::Init: DeliverInit(env); break;
      case Op::Interrupt: {
        napi_value id = Napi::Number::New(env, r.n1);
        CallSafely(onInterrupt_, &id, 1);
        break;
      }
      case Op::NotifyDone: {
        napi_value args[2] = {Napi::Number::New(env, r.n1), Napi::Number::New(env, r.n2)};
        CallSafely(onNotified_, args, 2);
        break;
      }
      case Op::RetrieveReply: {
        napi_value args[2] = {Napi::Number::New(env, r.n1), DataValue(env, r)};
        CallSafely(onRetrieved_, args, 2);
        break;
      }
      case Op::Ended: {
        napi_value error = Napi::Number::New(env, r.n1);
        CallSafely(onEnded_, &error, 1);
        break;
      }
      default:
        if (r.fromSelf && !selfRequestReported_) {
          // Once per session: the JS side warns about the same-thread deadlock.
          selfRequestReported_ = true;
          napi_value op = Napi::Number::New(env, static_cast<double>(r.op));
          CallSafely(onSelfRequest_, &op, 1);
          if (torndown_) break;
        }
        if (Stage(env, r, run)) ++run;
        break;
    }
  }
  if (!torndown_) FlushRequests(env, run);
  if (!forgets_.empty() && !torndown_) DeliverForgets(env, &forgets_);
  forgets_.clear();
  batch_.clear();
  deliverPos_ = kNotDelivering;
}

bool Session::Stage(Napi::Env env, Record& r, size_t run) {
  uint32_t index = 0;
  uint32_t generation = 0;
  const double id = addon_->requests.Add(r.req, this, &index, &generation);
  if (id < 0) {
    fuse_reply_err(r.req, EAGAIN);
    return false;
  }
  uint32_t* words = slabWords_ + run * kRecordWords;
  std::memcpy(words, r.words, sizeof r.words);
  words[header::kIdIndex] = index;
  words[header::kIdGeneration] = generation;
  runIds_[run] = id;
  napi_value objects = slabObjects_.Value();
  const uint32_t slot = static_cast<uint32_t>(run * kObjectSlots);
  for (uint32_t k = 0; k < r.nameCount; ++k) {
    napi_set_element(env, objects, slot + k, NameValue(env, r.names[k].data(), r.names[k].size()));
  }
  if (r.dataKind != Record::Data::None) napi_set_element(env, objects, slot + kDataSlot, DataValue(env, r));
  return true;
}

size_t Session::FlushRequests(Napi::Env env, size_t run) {
  if (run == 0) return 0;
  napi_value count = Napi::Number::New(env, static_cast<double>(run));
  if (!CallSafely(onRequests_, &count, 1)) {
    // A bug in the JS dispatcher: whatever it left unanswered gets EIO.
    for (size_t i = 0; i < run; ++i) {
      if (fuse_req_t req = addon_->requests.Take(runIds_[i])) fuse_reply_err(req, EIO);
    }
  }
  return 0;
}

void Session::DeliverForgets(Napi::Env env, std::vector<fuse_forget_data>* forgets) {
  // Per forget: ino and nlookup, each as its low then high word.
  Napi::Uint32Array words = Napi::Uint32Array::New(env, forgets->size() * 4);
  for (size_t i = 0; i < forgets->size(); ++i) {
    const fuse_forget_data& f = (*forgets)[i];
    words[4 * i] = static_cast<uint32_t>(f.ino);
    words[4 * i + 1] = static_cast<uint32_t>(f.ino >> 32);
    words[4 * i + 2] = static_cast<uint32_t>(f.nlookup);
    words[4 * i + 3] = static_cast<uint32_t>(f.nlookup >> 32);
  }
  forgets->clear();
  napi_value arg = words;
  CallSafely(onForget_, &arg, 1);
}

void Session::DeliverInit(Napi::Env env) {
  Napi::Float64Array values = Napi::Float64Array::New(env, conn::kLength);
  {
    std::lock_guard<std::mutex> lock(initMutex_);
    if (initState_ != InitState::Waiting || initConn_ == nullptr) return;
    const fuse_conn_info* c = initConn_;
    double* v = values.Data();
    v[conn::protoMajor] = c->proto_major;
    v[conn::protoMinor] = c->proto_minor;
    v[conn::maxWrite] = c->max_write;
    v[conn::maxRead] = c->max_read;
    v[conn::maxReadahead] = c->max_readahead;
    v[conn::capable] = c->capable;
    v[conn::want] = c->want;
    v[conn::maxBackground] = c->max_background;
    v[conn::congestionThreshold] = c->congestion_threshold;
    v[conn::timeGran] = c->time_gran;
  }
  napi_value arg = values;
  CallSafely(onInit_, &arg, 1);
}

bool Session::CallSafely(const Napi::FunctionReference& fn, const napi_value* args, size_t argc) {
  try {
    fn.Value().Call(Value(), argc, args);
    return true;
  } catch (const Napi::Error& e) {
    // The JS dispatcher catches handler errors itself; reaching here is a bug
    // in it. Report without taking the process down.
    fprintf(stderr, "fuse-lowlevel: internal dispatch error: %s\n", e.Message().c_str());
    return false;
  }
}

}  // namespace fl
