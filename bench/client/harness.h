/*
 * The benchmark clients' shared harness: T threads run one operation in a
 * loop for a fixed time, each timing every call into its own latency
 * histogram; the result is one JSON line on stdout.
 *
 * A client defines its operation and calls bench_main():
 *
 *     static int op(void *arg, unsigned thread) { ... return 0 or -1 (errno set); }
 *     int main(int argc, char **argv) { return bench_main(argc, argv, "stat", op, setup); }
 *
 * Command line (parsed here): -p PATH -d SECONDS -t THREADS. The operation
 * gets the path through bench_path(); `setup` (optional) runs once before the
 * threads start and returns the `arg` every call gets.
 *
 * Latency histogram: log-linear, 32 sub-buckets per power of two (< 3.2 %
 * error), no allocation while measuring.
 */
#ifndef FUSE_LOWLEVEL_BENCH_HARNESS_H
#define FUSE_LOWLEVEL_BENCH_HARNESS_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef int (*bench_op_fn)(void *arg, unsigned thread);
typedef void *(*bench_setup_fn)(const char *path, unsigned threads);

#define BENCH_SUB_BITS 5
#define BENCH_SUB (1u << BENCH_SUB_BITS)
#define BENCH_BUCKETS (2 * BENCH_SUB + 58 * BENCH_SUB)

static inline unsigned bench_bucket(uint64_t ns) {
  if (ns < 2 * BENCH_SUB) return (unsigned)ns;
  const unsigned msb = 63u - (unsigned)__builtin_clzll(ns);
  const unsigned shift = msb - BENCH_SUB_BITS;
  const unsigned idx = 2 * BENCH_SUB + (shift - 1) * BENCH_SUB + (unsigned)((ns >> shift) - BENCH_SUB);
  return idx < BENCH_BUCKETS ? idx : BENCH_BUCKETS - 1;
}

/* The middle of a bucket's range, in ns. */
static inline double bench_bucket_value(unsigned idx) {
  if (idx < 2 * BENCH_SUB) return idx;
  const unsigned shift = (idx - 2 * BENCH_SUB) / BENCH_SUB + 1;
  const uint64_t top = (idx - 2 * BENCH_SUB) % BENCH_SUB + BENCH_SUB;
  return (double)(top << shift) + (double)(1ull << shift) / 2.0;
}

static inline uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct bench_thread {
  pthread_t tid;
  unsigned index;
  uint64_t ops;
  uint64_t errors;
  int first_errno;
  uint64_t hist[BENCH_BUCKETS];
};

static struct {
  const char *path;
  bench_op_fn op;
  void *arg;
  pthread_barrier_t start;
  atomic_int stop;
} bench_state;

static inline const char *bench_path(void) { return bench_state.path; }

static void *bench_worker(void *p) {
  struct bench_thread *t = p;
  pthread_barrier_wait(&bench_state.start);
  while (!atomic_load_explicit(&bench_state.stop, memory_order_relaxed)) {
    const uint64_t t0 = bench_now_ns();
    const int rc = bench_state.op(bench_state.arg, t->index);
    const uint64_t dt = bench_now_ns() - t0;
    if (rc != 0) {
      if (t->errors++ == 0) t->first_errno = errno;
      continue;
    }
    t->ops++;
    t->hist[bench_bucket(dt)]++;
  }
  return NULL;
}

static double bench_percentile(const uint64_t *hist, uint64_t total, double q) {
  if (total == 0) return 0;
  const uint64_t rank = (uint64_t)(q * (double)(total - 1)) + 1;
  uint64_t seen = 0;
  for (unsigned i = 0; i < BENCH_BUCKETS; i++) {
    seen += hist[i];
    if (seen >= rank) return bench_bucket_value(i);
  }
  return bench_bucket_value(BENCH_BUCKETS - 1);
}

static void bench_usage(const char *argv0) {
  fprintf(stderr, "usage: %s -p PATH [-d SECONDS (default 3)] [-t THREADS (default 1)]\n", argv0);
}

static void bench_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') printf("\\%c", *s);
    else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
    else putchar(*s);
  }
  putchar('"');
}

static int bench_main(int argc, char **argv, const char *name, bench_op_fn op, bench_setup_fn setup) {
  const char *path = NULL;
  double seconds = 3;
  long threads = 1;
  int c;
  while ((c = getopt(argc, argv, "p:d:t:h")) != -1) {
    switch (c) {
      case 'p': path = optarg; break;
      case 'd': seconds = strtod(optarg, NULL); break;
      case 't': threads = strtol(optarg, NULL, 10); break;
      default: bench_usage(argv[0]); return 2;
    }
  }
  if (path == NULL || !(seconds > 0) || threads < 1 || threads > 1024) {
    bench_usage(argv[0]);
    return 2;
  }
  bench_state.path = path;
  bench_state.op = op;
  bench_state.arg = setup != NULL ? setup(path, (unsigned)threads) : NULL;
  atomic_store(&bench_state.stop, 0);

  struct bench_thread *ts = calloc((size_t)threads, sizeof *ts);
  if (ts == NULL) return 1;
  pthread_barrier_init(&bench_state.start, NULL, (unsigned)threads + 1);
  for (long i = 0; i < threads; i++) {
    ts[i].index = (unsigned)i;
    if (pthread_create(&ts[i].tid, NULL, bench_worker, &ts[i]) != 0) {
      perror("pthread_create");
      return 1;
    }
  }
  pthread_barrier_wait(&bench_state.start);
  const uint64_t t0 = bench_now_ns();
  /* The measurement window itself: the threads run until it ends. */
  const struct timespec window = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&window, NULL);
  atomic_store(&bench_state.stop, 1);
  for (long i = 0; i < threads; i++) pthread_join(ts[i].tid, NULL);
  const double elapsed = (double)(bench_now_ns() - t0) / 1e9;

  static uint64_t hist[BENCH_BUCKETS];
  uint64_t ops = 0, errors = 0;
  int first_errno = 0;
  for (long i = 0; i < threads; i++) {
    ops += ts[i].ops;
    errors += ts[i].errors;
    if (first_errno == 0) first_errno = ts[i].first_errno;
    for (unsigned b = 0; b < BENCH_BUCKETS; b++) hist[b] += ts[i].hist[b];
  }
  printf("{\"op\":");
  bench_json_string(name);
  printf(",\"path\":");
  bench_json_string(path);
  printf(",\"threads\":%ld,\"seconds\":%.6f,\"ops\":%llu,\"errors\":%llu", threads, elapsed,
         (unsigned long long)ops, (unsigned long long)errors);
  if (errors > 0) {
    printf(",\"first_error\":");
    bench_json_string(strerror(first_errno));
  }
  printf(",\"ops_per_sec\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f}\n", (double)ops / elapsed,
         bench_percentile(hist, ops, 0.50) / 1e3, bench_percentile(hist, ops, 0.99) / 1e3,
         bench_percentile(hist, ops, 1.0) / 1e3);
  free(ts);
  return errors > 0 && ops == 0 ? 1 : 0;
}

#endif
