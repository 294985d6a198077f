/*
 * The benchmark clients' shared harness: T threads run one operation in a
 * loop, for a fixed time or a fixed total count, each timing every call into
 * its own latency histogram; the result is one JSON line on stdout.
 *
 * A client defines its operation and calls bench_main():
 *
 *     static long op(void *arg, unsigned thread) { ... return bytes moved (0 for metadata), or -1 (errno set); }
 *     int main(int argc, char **argv) { return bench_main(argc, argv, "stat", op, setup); }
 *
 * Command line (parsed here):
 *
 *     -p PATH      what the operation works on (bench_path())
 *     -d SECONDS   how long to run (default 3)
 *     -n COUNT     run exactly COUNT operations in all instead (shared by the threads)
 *     -t THREADS   client threads (default 1)
 *     -s BYTES     a file size, for the data workloads (bench_size(); K/M/G suffixes)
 *     -b BYTES     an I/O size (bench_block(); default 4096)
 *     -e COUNT     an entry count, e.g. a directory's (bench_entries())
 *
 * `setup` (optional) runs once before the threads start and returns the `arg`
 * every call gets; it may print to stderr and exit(1) when the target is not
 * what the workload needs. A failing call is counted (with the first errno and
 * an optional message from bench_fail()), never timed.
 *
 * Latency histogram: log-linear, 32 sub-buckets per power of two (< 3.2 %
 * error), no allocation while measuring.
 */
#ifndef FUSE_LOWLEVEL_BENCH_HARNESS_H
#define FUSE_LOWLEVEL_BENCH_HARNESS_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pattern.h"

typedef long (*bench_op_fn)(void *arg, unsigned thread);
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

/* A per-thread xorshift64* generator (never seeded with 0). */
static inline uint64_t bench_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1Dull;
}

struct bench_thread {
  pthread_t tid;
  unsigned index;
  uint64_t ops;
  uint64_t bytes;
  uint64_t errors;
  int first_errno;
  uint64_t hist[BENCH_BUCKETS];
};

static struct {
  const char *path;
  bench_op_fn op;
  void *arg;
  uint64_t size;
  uint64_t block;
  uint64_t entries;
  pthread_barrier_t start;
  atomic_int stop;
  atomic_llong remaining; /* operations left to start, with -n */
  int counted;
  pthread_mutex_t fail_lock;
  char fail_message[256];
} bench_state = {.block = 4096, .fail_lock = PTHREAD_MUTEX_INITIALIZER};

static inline const char *bench_path(void) { return bench_state.path; }
static inline uint64_t bench_size(void) { return bench_state.size; }
static inline uint64_t bench_block(void) { return bench_state.block; }
static inline uint64_t bench_entries(void) { return bench_state.entries; }

/* Records why a call failed (the first message wins), sets errno, returns -1. */
__attribute__((format(printf, 2, 3), unused)) static long bench_fail(int err, const char *fmt, ...) {
  pthread_mutex_lock(&bench_state.fail_lock);
  if (bench_state.fail_message[0] == '\0') {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(bench_state.fail_message, sizeof bench_state.fail_message, fmt, ap);
    va_end(ap);
  }
  pthread_mutex_unlock(&bench_state.fail_lock);
  errno = err;
  return -1;
}

static void *bench_worker(void *p) {
  struct bench_thread *t = p;
  pthread_barrier_wait(&bench_state.start);
  for (;;) {
    if (bench_state.counted) {
      if (atomic_fetch_sub_explicit(&bench_state.remaining, 1, memory_order_relaxed) <= 0) break;
    } else if (atomic_load_explicit(&bench_state.stop, memory_order_relaxed)) {
      break;
    }
    const uint64_t t0 = bench_now_ns();
    const long rc = bench_state.op(bench_state.arg, t->index);
    const uint64_t dt = bench_now_ns() - t0;
    if (rc < 0) {
      if (t->errors++ == 0) t->first_errno = errno;
      continue;
    }
    t->ops++;
    t->bytes += (uint64_t)rc;
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
  fprintf(stderr,
          "usage: %s -p PATH [-d SECONDS (default 3) | -n COUNT] [-t THREADS (default 1)]\n"
          "       [-s BYTES] [-b BYTES (default 4096)] [-e COUNT]\n",
          argv0);
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

/* Parses a byte count with an optional K, M or G (powers of 1024) suffix; 0 on error. */
static uint64_t bench_parse_bytes(const char *s) {
  char *end;
  const unsigned long long n = strtoull(s, &end, 10);
  switch (*end) {
    case '\0': return n;
    case 'K': case 'k': return end[1] == '\0' ? n << 10 : 0;
    case 'M': case 'm': return end[1] == '\0' ? n << 20 : 0;
    case 'G': case 'g': return end[1] == '\0' ? n << 30 : 0;
    default: return 0;
  }
}

static int bench_main(int argc, char **argv, const char *name, bench_op_fn op, bench_setup_fn setup) {
  const char *path = NULL;
  double seconds = 3;
  long long count = 0;
  long threads = 1;
  int c;
  while ((c = getopt(argc, argv, "p:d:n:t:s:b:e:h")) != -1) {
    switch (c) {
      case 'p': path = optarg; break;
      case 'd': seconds = strtod(optarg, NULL); break;
      case 'n': count = strtoll(optarg, NULL, 10); break;
      case 't': threads = strtol(optarg, NULL, 10); break;
      case 's': bench_state.size = bench_parse_bytes(optarg); break;
      case 'b': bench_state.block = bench_parse_bytes(optarg); break;
      case 'e': bench_state.entries = strtoull(optarg, NULL, 10); break;
      default: bench_usage(argv[0]); return 2;
    }
  }
  if (path == NULL || !(seconds > 0) || count < 0 || threads < 1 || threads > 1024 || bench_state.block == 0) {
    bench_usage(argv[0]);
    return 2;
  }
  bench_state.path = path;
  bench_state.op = op;
  bench_state.arg = setup != NULL ? setup(path, (unsigned)threads) : NULL;
  bench_state.counted = count > 0;
  atomic_store(&bench_state.remaining, count);
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
  if (!bench_state.counted) {
    /* The measurement window itself: the threads run until it ends. */
    const struct timespec window = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&window, NULL);
    atomic_store(&bench_state.stop, 1);
  }
  for (long i = 0; i < threads; i++) pthread_join(ts[i].tid, NULL);
  const double elapsed = (double)(bench_now_ns() - t0) / 1e9;

  static uint64_t hist[BENCH_BUCKETS];
  uint64_t ops = 0, bytes = 0, errors = 0;
  int first_errno = 0;
  for (long i = 0; i < threads; i++) {
    ops += ts[i].ops;
    bytes += ts[i].bytes;
    errors += ts[i].errors;
    if (first_errno == 0) first_errno = ts[i].first_errno;
    for (unsigned b = 0; b < BENCH_BUCKETS; b++) hist[b] += ts[i].hist[b];
  }
  printf("{\"op\":");
  bench_json_string(name);
  printf(",\"path\":");
  bench_json_string(path);
  printf(",\"threads\":%ld,\"seconds\":%.6f,\"ops\":%llu,\"bytes\":%llu,\"errors\":%llu", threads, elapsed,
         (unsigned long long)ops, (unsigned long long)bytes, (unsigned long long)errors);
  if (errors > 0) {
    char message[400];
    if (bench_state.fail_message[0] != '\0')
      snprintf(message, sizeof message, "%s (%s)", strerror(first_errno), bench_state.fail_message);
    else
      snprintf(message, sizeof message, "%s", strerror(first_errno));
    printf(",\"first_error\":");
    bench_json_string(message);
  }
  printf(",\"ops_per_sec\":%.1f,\"mb_per_sec\":%.2f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"max_us\":%.2f}\n",
         (double)ops / elapsed, (double)bytes / elapsed / 1e6, bench_percentile(hist, ops, 0.50) / 1e3,
         bench_percentile(hist, ops, 0.99) / 1e3, bench_percentile(hist, ops, 1.0) / 1e3);
  free(ts);
  return errors > 0 && ops == 0 ? 1 : 0;
}

#endif
