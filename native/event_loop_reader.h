// Serving /dev/fuse from the JS thread's own libuv loop (`threads: 0`): the
// kernel wakes the JS thread directly, so a request costs no hand-off between
// threads. The handle is heap-allocated and freed by libuv's close callback,
// so it never outlives or depends on its session's memory.
#pragma once

#include <uv.h>

namespace fl {

class EventLoopReader {
 public:
  using Callback = void (*)(void* context);

  EventLoopReader() = default;
  EventLoopReader(const EventLoopReader&) = delete;
  EventLoopReader& operator=(const EventLoopReader&) = delete;
  ~EventLoopReader() { Stop(); }

  // Calls onReadable(context) on the loop's thread whenever `fd` is readable.
  // Returns 0 or a libuv error.
  int Start(uv_loop_t* loop, int fd, Callback onReadable, void* context);
  // Stops and closes the handle (safe to call twice, and from its callback).
  void Stop();
  // Whether the handle keeps the loop alive.
  void SetRef(bool ref);
  bool running() const { return handle_ != nullptr; }

 private:
  struct Handle {
    uv_poll_t poll;
    Callback onReadable;
    void* context;
  };
  Handle* handle_ = nullptr;
};

}  // namespace fl
