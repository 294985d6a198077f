/*
 * Sequential reads of -b BYTES (1 MiB) from -p FILE, whose first -s BYTES
 * hold the bench pattern. Thread T of N reads its own slice of the file
 * (size / N, whole blocks) from start to end through its own descriptor,
 * then drops the slice from the page cache (POSIX_FADV_DONTNEED: FUSE files
 * without direct_io are cached like any other) and starts over, so every
 * pass reads from the server. The first word of every 4 KiB page is checked.
 */
#include <fcntl.h>

#include "harness.h"

struct thread_state {
  int fd;
  uint64_t start, end, pos;
  char *buf;
};

static void *setup(const char *path, unsigned threads) {
  const uint64_t block = bench_block();
  const uint64_t slice = bench_size() / threads / block * block;
  if (slice == 0) {
    fprintf(stderr, "read_seq: -s SIZE must hold at least one -b block per thread\n");
    exit(2);
  }
  struct thread_state *ts = calloc(threads, sizeof *ts);
  for (unsigned t = 0; t < threads; t++) {
    if ((ts[t].fd = open(path, O_RDONLY)) < 0) {
      perror(path);
      exit(1);
    }
    ts[t].start = ts[t].pos = t * slice;
    ts[t].end = ts[t].start + slice;
    posix_fadvise(ts[t].fd, (off_t)ts[t].start, (off_t)slice, POSIX_FADV_DONTNEED);
    if (posix_memalign((void **)&ts[t].buf, 4096, block) != 0) exit(1);
  }
  return ts;
}

static long read_seq(void *arg, unsigned thread) {
  struct thread_state *t = (struct thread_state *)arg + thread;
  const uint64_t block = bench_block();
  if (t->pos >= t->end) {
    posix_fadvise(t->fd, (off_t)t->start, (off_t)(t->end - t->start), POSIX_FADV_DONTNEED);
    t->pos = t->start;
  }
  const ssize_t n = pread(t->fd, t->buf, block, (off_t)t->pos);
  if (n < 0) return -1;
  if ((uint64_t)n != block)
    return bench_fail(EIO, "short read: %zd of %llu bytes at %llu", n, (unsigned long long)block, (unsigned long long)t->pos);
  if (!bench_check(t->buf, block, t->pos))
    return bench_fail(EILSEQ, "wrong bytes in the block at offset %llu", (unsigned long long)t->pos);
  t->pos += block;
  return n;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "read-seq", read_seq, setup); }
