/*
 * open(2) read-only + close(2) of one file (-p FILE) in a loop. With entry
 * and attribute timeouts 0, each is a LOOKUP, OPEN, FLUSH and RELEASE (the
 * release is sent in the background: close does not wait for it).
 */
#include <fcntl.h>

#include "harness.h"

static long open_close(void *arg, unsigned thread) {
  (void)arg;
  (void)thread;
  const int fd = open(bench_path(), O_RDONLY);
  if (fd < 0) return -1;
  return close(fd);
}

int main(int argc, char **argv) { return bench_main(argc, argv, "open-close", open_close, NULL); }
