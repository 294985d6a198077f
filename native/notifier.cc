#include "notifier.h"

#include <cerrno>

namespace fl {

void Notifier::Start(fuse_session* se, Done done, void* context) {
  se_ = se;
  done_ = done;
  context_ = context;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

bool Notifier::Post(NotifyJob&& job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || !thread_.joinable()) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void Notifier::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wake_.notify_one();
}

bool Notifier::Stop() {
  Close();
  if (!thread_.joinable()) return true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (busy_) {
      // Stuck in the kernel: never report back, never be joined.
      done_ = nullptr;
      thread_.detach();
      return false;
    }
  }
  thread_.join();
  return true;
}

void Notifier::Run() {
  for (;;) {
    NotifyJob job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
      busy_ = true;
    }
    const int res = Perform(se_, job);
    std::lock_guard<std::mutex> lock(mutex_);
    busy_ = false;
    // done_ is cleared when Stop() gave up on this thread: its session may be gone.
    if (done_ != nullptr) done_(context_, job.id, res < 0 ? -res : 0);
  }
}

int Notifier::Perform(fuse_session* se, NotifyJob& job) {
  switch (job.kind) {
    case NotifyKind::InvalInode:
      return fuse_lowlevel_notify_inval_inode(se, job.ino, job.offset, job.length);
    case NotifyKind::InvalEntry:
      return fuse_lowlevel_notify_inval_entry(se, job.ino, job.name.c_str(), job.name.size());
    case NotifyKind::ExpireEntry:
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 13)
      return NotifyExpireEntry(&fuse_lowlevel_notify_expire_entry, se, job.ino, job.name.c_str(), job.name.size());
#else
      return -ENOSYS;  // libfuse < 3.13 (lib/ checks CAP.EXPIRE_ONLY first, which it never offers)
#endif
    case NotifyKind::Delete:
      return fuse_lowlevel_notify_delete(se, job.ino, job.child, job.name.c_str(), job.name.size());
    case NotifyKind::Store: {
      fuse_bufvec buf = FUSE_BUFVEC_INIT(job.dataLength);
      buf.buf[0].mem = job.data.get();
      return fuse_lowlevel_notify_store(se, job.ino, job.offset, &buf, FUSE_BUF_SPLICE_MOVE);
    }
    case NotifyKind::Retrieve:
      return fuse_lowlevel_notify_retrieve(se, job.ino, static_cast<size_t>(job.length), job.offset,
                                           reinterpret_cast<void*>(static_cast<uintptr_t>(job.id)));
    case NotifyKind::Count:
      break;
  }
  return -EINVAL;
}

}  // namespace fl
