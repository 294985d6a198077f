#include "event_loop_reader.h"

namespace fl {

int EventLoopReader::Start(uv_loop_t* loop, int fd, Callback onReadable, void* context) {
  Stop();
  Handle* h = new Handle{uv_poll_t{}, onReadable, context};
  int err = uv_poll_init(loop, &h->poll, fd);
  if (err != 0) {
    delete h;
    return err;
  }
  h->poll.data = h;
  err = uv_poll_start(&h->poll, UV_READABLE, [](uv_poll_t* poll, int status, int) {
    Handle* self = static_cast<Handle*>(poll->data);
    // Errors (e.g. the device went away) are seen by the read that follows.
    (void)status;
    self->onReadable(self->context);
  });
  if (err != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), [](uv_handle_t* handle) { delete static_cast<Handle*>(handle->data); });
    return err;
  }
  handle_ = h;
  return 0;
}

void EventLoopReader::Stop() {
  if (handle_ == nullptr) return;
  Handle* h = handle_;
  handle_ = nullptr;
  uv_poll_stop(&h->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), [](uv_handle_t* handle) { delete static_cast<Handle*>(handle->data); });
}

void EventLoopReader::SetRef(bool ref) {
  if (handle_ == nullptr) return;
  if (ref) {
    uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  } else {
    uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  }
}

}  // namespace fl
