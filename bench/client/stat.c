/*
 * stat(2) one path in a loop: T threads for N seconds (or -n COUNT stats in
 * all); prints ops/s and p50/p99 latency as one JSON line.
 *
 *     stat -p /mnt/x -d 3 -t 4
 *     {"op":"stat","path":"/mnt/x","threads":4,"seconds":3.0001,"ops":...,"ops_per_sec":...,"p50_us":...,...}
 *
 * With attribute timeouts 0 every stat of a mount's root is one GETATTR
 * round trip (the root is never looked up); a path below the root adds a
 * LOOKUP per component unless entry timeouts cache it.
 */
#include <sys/stat.h>

#include "harness.h"

static long stat_once(void *arg, unsigned thread) {
  (void)arg;
  (void)thread;
  struct stat st;
  return stat(bench_path(), &st);
}

int main(int argc, char **argv) { return bench_main(argc, argv, "stat", stat_once, NULL); }
