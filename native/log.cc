#include "log.h"

#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "fuse.h"

namespace fl {
namespace {

thread_local std::string* capturing = nullptr;

void LogToCaptureOrStderr(enum fuse_log_level level, const char* fmt, va_list ap) {
  (void)level;
  if (capturing == nullptr) {
    vfprintf(stderr, fmt, ap);
    return;
  }
  char line[1024];
  int n = vsnprintf(line, sizeof line, fmt, ap);
  if (n > 0) capturing->append(line, static_cast<size_t>(n) < sizeof line ? static_cast<size_t>(n) : sizeof line - 1);
}

void InstallOnce() {
  static std::once_flag once;
  std::call_once(once, [] { fuse_set_log_func(LogToCaptureOrStderr); });
}

}  // namespace

LogCapture::LogCapture() : previous_(capturing) {
  InstallOnce();
  capturing = &text_;
}

LogCapture::~LogCapture() { capturing = previous_; }

std::string LogCapture::Text() const {
  std::string out;
  bool space = false;
  for (char c : text_) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace fl
