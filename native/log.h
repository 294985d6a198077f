// libfuse reports problems through fuse_log(). While a session is created or
// mounted, the calling thread captures those messages so the JS error can say
// what libfuse said; at all other times they go to stderr as libfuse would.
#pragma once

#include <string>

namespace fl {

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  // The captured messages, trimmed, on one line.
  std::string Text() const;

 private:
  std::string text_;
  std::string* previous_;
};

}  // namespace fl
