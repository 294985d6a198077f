/**
 * POSIX suite section: client: gcc builds a multi-file C program on the filesystem and it runs.
 * @module
 */
import type { PosixSection } from '../types.js';

export const clientGcc: PosixSection = {
  title: 'client: gcc builds a multi-file C program on the filesystem and it runs',
  needs: ['writable', 'tool:gcc', 'tool:ar'],
  tests: {
    'gcc -c each file, ar a library, link, run': {
      timeout: 90_000,
      run: async ({ expect, fresh }) => {
        const t = await fresh('gcc');
        await t.sh(
          String.raw`
mkdir -p src include tmp
cat > include/util.h <<'EOF'
#ifndef UTIL_H
#define UTIL_H
#include <stddef.h>
unsigned long fib(unsigned n);
unsigned long checksum(const char *path);
size_t write_squares(const char *path, unsigned n);
#endif
EOF
cat > src/fib.c <<'EOF'
#include "util.h"
unsigned long fib(unsigned n) { unsigned long a = 0, b = 1; while (n--) { unsigned long t = a + b; a = b; b = t; } return a; }
EOF
cat > src/io.c <<'EOF'
#include <stdio.h>
#include "util.h"
size_t write_squares(const char *path, unsigned n) {
  FILE *f = fopen(path, "w+");
  if (!f) { perror(path); return 0; }
  for (unsigned i = 0; i < n; i++) fprintf(f, "%u\n", i * i);
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  return (size_t)size;
}
unsigned long checksum(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); return 0; }
  unsigned long sum = 0; int c;
  while ((c = fgetc(f)) != EOF) sum = sum * 31 + (unsigned char)c;
  fclose(f);
  return sum;
}
EOF
cat > src/main.c <<'EOF'
#include <stdio.h>
#include "util.h"
int main(void) {
  size_t size = write_squares("squares.txt", 1000);
  printf("fib(50)=%lu size=%zu sum=%lu\n", fib(50), size, checksum("squares.txt"));
  return size == 0;
}
EOF
export TMPDIR="$PWD/tmp"
gcc -O2 -Wall -Werror -Iinclude -c src/fib.c -o fib.o
gcc -O2 -Wall -Werror -Iinclude -c src/io.c -o io.o
gcc -O2 -Wall -Werror -Iinclude -c src/main.c -o main.o
ar rcs libutil.a fib.o io.o
gcc -o prog main.o -L. -lutil
gcc -O0 -g -Iinclude -o prog2 src/main.c src/fib.c src/io.c
`,
          { timeoutMs: 60_000 },
        );
        const run1 = await t.sh('./prog && test -s squares.txt');
        const run2 = await t.sh('./prog2');
        expect(run1.stdout, `${t}`).toMatch(/^fib\(50\)=12586269025 size=\d+ sum=\d+\n$/);
        expect(run2.stdout, `${t}`).toBe(run1.stdout);
      },
    },
  },
};
