/*
 * Lays out the content every benchmarked filesystem serves, under -p ROOT
 * (a mount, or the directory the passthroughs mirror):
 *
 *     ROOT/file      4 KiB of the bench pattern (stat, open-close)
 *     ROOT/work/     an empty directory (create-unlink, write-seq)
 *     ROOT/dir/      -e COUNT empty files f000000… (readdir), when COUNT > 0
 *     ROOT/big       -s BYTES of the bench pattern in 1 MiB writes (reads), when BYTES > 0
 *
 *     prepare -p ROOT [-e COUNT] [-s BYTES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"

#define CHUNK (1u << 20)

static void die(const char *what, const char *path) {
  fprintf(stderr, "prepare: %s %s: %m\n", what, path);
  exit(1);
}

static void make_dir(const char *path) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST) die("mkdir", path);
}

static void write_file(const char *path, uint64_t size, char *buf) {
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("create", path);
  for (uint64_t off = 0; off < size; off += CHUNK) {
    const size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
    bench_fill(buf, n, off);
    if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) die("write", path);
  }
  if (close(fd) != 0) die("close", path);
}

static uint64_t parse_bytes(const char *s) {
  char *end;
  uint64_t n = strtoull(s, &end, 10);
  if (*end == 'K' || *end == 'k') n <<= 10;
  else if (*end == 'M' || *end == 'm') n <<= 20;
  else if (*end == 'G' || *end == 'g') n <<= 30;
  return n;
}

int main(int argc, char **argv) {
  const char *root = NULL;
  unsigned long entries = 0;
  uint64_t size = 0;
  int c;
  while ((c = getopt(argc, argv, "p:e:s:")) != -1) {
    switch (c) {
      case 'p': root = optarg; break;
      case 'e': entries = strtoul(optarg, NULL, 10); break;
      case 's': size = parse_bytes(optarg); break;
      default: root = NULL; optind = argc; break;
    }
  }
  if (root == NULL || size % 8 != 0) {
    fprintf(stderr, "usage: prepare -p ROOT [-e COUNT] [-s BYTES (a multiple of 8)]\n");
    return 2;
  }
  char *buf = malloc(CHUNK);
  char path[4096];
  if (buf == NULL) return 1;
  snprintf(path, sizeof path, "%s/file", root);
  write_file(path, 4096, buf);
  snprintf(path, sizeof path, "%s/work", root);
  make_dir(path);
  if (entries > 0) {
    snprintf(path, sizeof path, "%s/dir", root);
    make_dir(path);
    for (unsigned long i = 0; i < entries; i++) {
      snprintf(path, sizeof path, "%s/dir/f%06lu", root, i);
      const int fd = open(path, O_WRONLY | O_CREAT, 0644);
      if (fd < 0) die("create", path);
      if (close(fd) != 0) die("close", path);
    }
  }
  if (size > 0) {
    snprintf(path, sizeof path, "%s/big", root);
    write_file(path, size, buf);
  }
  free(buf);
  return 0;
}
