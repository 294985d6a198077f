/*
 * Random block reads: pread(2) of -b BYTES (default 4096) at a random
 * block-aligned offset of -p FILE, whose first -s BYTES hold the bench
 * pattern. Each thread has its own descriptor with POSIX_FADV_RANDOM (no
 * read-ahead: one READ of exactly the block) and drops the block from the
 * page cache after reading it (POSIX_FADV_DONTNEED), so every pread reaches
 * the server. The first word of every 4 KiB page read is checked.
 */
#include <fcntl.h>

#include "harness.h"

struct state {
  int *fds;
  uint64_t *rng;
  char **bufs;
  uint64_t blocks;
};

static void *setup(const char *path, unsigned threads) {
  struct state *s = calloc(1, sizeof *s);
  const uint64_t block = bench_block();
  if (bench_size() < block) {
    fprintf(stderr, "read_random: -s SIZE (at least one -b block) is needed\n");
    exit(2);
  }
  s->blocks = bench_size() / block;
  s->fds = calloc(threads, sizeof *s->fds);
  s->rng = calloc(threads, sizeof *s->rng);
  s->bufs = calloc(threads, sizeof *s->bufs);
  for (unsigned t = 0; t < threads; t++) {
    if ((s->fds[t] = open(path, O_RDONLY)) < 0) {
      perror(path);
      exit(1);
    }
    posix_fadvise(s->fds[t], 0, 0, POSIX_FADV_RANDOM);
    posix_fadvise(s->fds[t], 0, 0, POSIX_FADV_DONTNEED);
    s->rng[t] = 0x9E3779B97F4A7C15ull * (t + 1) ^ (uint64_t)getpid();
    if (posix_memalign((void **)&s->bufs[t], 4096, block) != 0) exit(1);
  }
  return s;
}

static long read_random(void *arg, unsigned thread) {
  struct state *s = arg;
  const uint64_t block = bench_block();
  const uint64_t off = bench_random(&s->rng[thread]) % s->blocks * block;
  const ssize_t n = pread(s->fds[thread], s->bufs[thread], block, (off_t)off);
  if (n < 0) return -1;
  if ((uint64_t)n != block) return bench_fail(EIO, "short read: %zd of %llu bytes at %llu", n, (unsigned long long)block, (unsigned long long)off);
  if (!bench_check(s->bufs[thread], block, off)) return bench_fail(EILSEQ, "wrong bytes at offset %llu", (unsigned long long)off);
  posix_fadvise(s->fds[thread], (off_t)off, (off_t)block, POSIX_FADV_DONTNEED);
  return n;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "read-random", read_random, setup); }
