// Kernel notifications (inval_inode, inval_entry, expire_entry, delete, store,
// retrieve) are written to /dev/fuse from a thread of their own. Such a write
// can wait on kernel locks held by a request the filesystem has not answered
// yet (libfuse warns about notifying from a handler of the same inode); on the
// JS thread that would deadlock, because only the JS thread answers requests.
// Here the JS thread only queues the job and gets the result as a promise.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "fuse.h"
#include "record.h"

namespace fl {

#define FL_NOTIFY_KINDS(X) \
  X(InvalInode, "invalInode") X(InvalEntry, "invalEntry") X(ExpireEntry, "expireEntry") \
  X(Delete, "delete") X(Store, "store") X(Retrieve, "retrieve")

enum class NotifyKind : uint8_t {
#define FL_NOTIFY_ENUM(name, js) name,
  FL_NOTIFY_KINDS(FL_NOTIFY_ENUM)
#undef FL_NOTIFY_ENUM
  Count
};

struct NotifyJob {
  NotifyKind kind = NotifyKind::InvalInode;
  double id = 0;             // reported back with the result (and the retrieve cookie)
  uint64_t ino = 0;          // ino, or parent for entry notifications
  uint64_t child = 0;        // Delete
  int64_t offset = 0;        // InvalInode, Store, Retrieve
  int64_t length = 0;        // InvalInode length, Retrieve size
  std::string name;          // entry notifications
  Payload data;              // Store
  size_t dataLength = 0;     // Store
};

class Notifier {
 public:
  // Called on the notifier thread after each job with the job's id and 0 or
  // a positive errno.
  using Done = void (*)(void* context, double id, int error);

  Notifier() = default;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  ~Notifier() { Stop(); }

  void Start(fuse_session* se, Done done, void* context);
  // Queues a job (JS thread). False when stopped.
  bool Post(NotifyJob&& job);
  // Refuses new jobs and drops the queued ones; the job being written finishes.
  void Close();
  // Whether a job is being written (its write may wait in the kernel).
  bool Busy() const { return busy_; }
  // Closes, then joins the thread once it is not busy. A thread still stuck
  // in the kernel is detached: the caller must then keep the session alive.
  // Returns whether the thread was joined.
  bool Stop();

 private:
  void Run();
  static int Perform(fuse_session* se, NotifyJob& job);

  fuse_session* se_ = nullptr;
  Done done_ = nullptr;
  void* context_ = nullptr;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<NotifyJob> jobs_;
  bool stopping_ = false;
  std::atomic<bool> busy_{false};
  std::thread thread_;
};

}  // namespace fl
