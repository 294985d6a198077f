/*
 * Sequential writes of -b BYTES (1 MiB): thread T writes file -p PREFIX.T
 * (created empty at setup), from 0 to -s SIZE / N, then starts over at 0
 * (overwriting: the file never grows beyond its share of SIZE). Without a
 * writeback cache each write(2) is written through to the server before it
 * returns.
 */
#include <fcntl.h>

#include "harness.h"

struct thread_state {
  int fd;
  uint64_t pos, end;
  char *buf;
};

static void *setup(const char *prefix, unsigned threads) {
  const uint64_t block = bench_block();
  const uint64_t slice = bench_size() / threads / block * block;
  if (slice == 0) {
    fprintf(stderr, "write_seq: -s SIZE must hold at least one -b block per thread\n");
    exit(2);
  }
  struct thread_state *ts = calloc(threads, sizeof *ts);
  for (unsigned t = 0; t < threads; t++) {
    char path[4200];
    snprintf(path, sizeof path, "%s.%u", prefix, t);
    if ((ts[t].fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
      perror(path);
      exit(1);
    }
    ts[t].end = slice;
    if (posix_memalign((void **)&ts[t].buf, 4096, block) != 0) exit(1);
    bench_fill(ts[t].buf, block, 0);
  }
  return ts;
}

static long write_seq(void *arg, unsigned thread) {
  struct thread_state *t = (struct thread_state *)arg + thread;
  const uint64_t block = bench_block();
  if (t->pos >= t->end) t->pos = 0;
  const ssize_t n = pwrite(t->fd, t->buf, block, (off_t)t->pos);
  if (n < 0) return -1;
  if ((uint64_t)n != block)
    return bench_fail(EIO, "short write: %zd of %llu bytes at %llu", n, (unsigned long long)block, (unsigned long long)t->pos);
  t->pos += block;
  return n;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "write-seq", write_seq, setup); }
