/*
 * stat(2) of names that do not exist: -p DIR; each thread cycles through
 * 1024 names of its own (DIR/missing-T-N). With entry timeouts 0 (no
 * negative entries cached) each stat is one LOOKUP answered "no such entry".
 * A stat that succeeds, or fails otherwise than ENOENT, is an error.
 */
#include <sys/stat.h>

#include "harness.h"

#define NAMES 1024

struct state {
  char (*names)[512]; /* threads × NAMES paths */
  unsigned *next;
};

static void *setup(const char *dir, unsigned threads) {
  struct state *s = calloc(1, sizeof *s);
  s->names = calloc((size_t)threads * NAMES, sizeof *s->names);
  s->next = calloc(threads, sizeof *s->next);
  if (s->names == NULL || s->next == NULL) exit(1);
  for (unsigned t = 0; t < threads; t++)
    for (unsigned i = 0; i < NAMES; i++) snprintf(s->names[t * NAMES + i], 512, "%s/missing-%u-%u", dir, t, i);
  return s;
}

static long stat_missing(void *arg, unsigned thread) {
  struct state *s = arg;
  const unsigned i = s->next[thread]++ % NAMES;
  struct stat st;
  if (stat(s->names[thread * NAMES + i], &st) == 0) return bench_fail(EEXIST, "%s exists", s->names[thread * NAMES + i]);
  return errno == ENOENT ? 0 : -1;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "stat-missing", stat_missing, setup); }
