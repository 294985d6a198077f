/*
 * Lists a whole directory (-p DIR) per operation: opendir, readdir to the
 * end, closedir (glibc's 32 KiB getdents64 buffer, as ls does). -e COUNT
 * checks that each listing has exactly COUNT entries besides '.' and '..'.
 */
#include <dirent.h>

#include "harness.h"

static long list_dir(void *arg, unsigned thread) {
  (void)arg;
  (void)thread;
  DIR *d = opendir(bench_path());
  if (d == NULL) return -1;
  uint64_t n = 0;
  struct dirent *e;
  errno = 0;
  while ((e = readdir(d)) != NULL) {
    if (!(e->d_name[0] == '.' && (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))) n++;
  }
  const int err = errno;
  closedir(d);
  if (err != 0) return bench_fail(err, "readdir failed after %llu entries", (unsigned long long)n);
  if (bench_entries() > 0 && n != bench_entries())
    return bench_fail(EPROTO, "listed %llu entries, expected %llu", (unsigned long long)n,
                      (unsigned long long)bench_entries());
  return 0;
}

int main(int argc, char **argv) { return bench_main(argc, argv, "readdir", list_dir, NULL); }
