/*
 * create + close + unlink of a new file in -p DIR, each thread with names of
 * its own (DIR/cu-PID-T-N, O_CREAT|O_EXCL): a LOOKUP (missing), CREATE,
 * FLUSH, RELEASE and UNLINK per operation.
 */
#include <fcntl.h>

#include "harness.h"

struct state {
  char dir[4096];
  unsigned long *next;
};

static void *setup(const char *dir, unsigned threads) {
  struct state *s = calloc(1, sizeof *s);
  if (s == NULL || (s->next = calloc(threads, sizeof *s->next)) == NULL) exit(1);
  snprintf(s->dir, sizeof s->dir, "%s", dir);
  return s;
}

static long create_unlink(void *arg, unsigned thread) {
  struct state *s = arg;
  char path[4200];
  snprintf(path, sizeof path, "%s/cu-%d-%u-%lu", s->dir, (int)getpid(), thread, s->next[thread]++);
  const int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (fd < 0) return bench_fail(errno, "create %s", path);
  if (close(fd) != 0) return bench_fail(errno, "close %s", path);
  if (unlink(path) != 0) return bench_fail(errno, "unlink %s", path);
  return 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "create-unlink", create_unlink, setup); }
