/*
 * The content of the bench's data files: the 64-bit little-endian word at
 * byte offset `off` (a multiple of 8) is bench_pattern(off). prepare writes
 * it; the read clients check the first word of every 4 KiB page they read.
 */
#ifndef FUSE_LOWLEVEL_BENCH_PATTERN_H
#define FUSE_LOWLEVEL_BENCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t bench_pattern(uint64_t off) { return (off >> 3) * 0x9E3779B97F4A7C15ull + 0x5bd1e995ull; }

/* Fills buf (len a multiple of 8) as the data at file offset `off` holds. */
static inline void bench_fill(void *buf, size_t len, uint64_t off) {
  uint64_t *w = buf;
  for (size_t i = 0; i < len / 8; i++) w[i] = bench_pattern(off + 8 * i);
}

/* Whether buf (read from offset `off`, 4 KiB aligned) holds the pattern: one word per page. */
static inline int bench_check(const void *buf, size_t len, uint64_t off) {
  for (size_t i = 0; i + 8 <= len; i += 4096) {
    uint64_t w;
    memcpy(&w, (const char *)buf + i, 8);
    if (w != bench_pattern(off + i)) return 0;
  }
  return 1;
}

#endif
