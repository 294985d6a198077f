#!/usr/bin/env bash
# Runs the test suite against an AddressSanitizer + UndefinedBehaviorSanitizer
# build of the addon, with LeakSanitizer at every process exit, and reports
# whether any sanitizer report points into our sources (native/). Then puts
# the release addon back (node-gyp, build/Release).
#
#   scripts/test-asan.sh [vitest args...]     e.g. scripts/test-asan.sh test/hello.test.ts
#
# Exit status: 0 clean; 1 a sanitizer report mentions native/ (or the
# addon), the suite failed, or a build failed.
#
# How: cmake-js builds build/Debug/fuse_lowlevel.node with -fsanitize=address,
# undefined (CMakeLists.txt, FUSE_LOWLEVEL_ASAN=ON). Node itself is not
# instrumented, so gcc's libasan is preloaded (LD_PRELOAD) into vitest, and
# inherited by its workers and the Node processes the tests spawn; the test
# helpers (test/helpers/fuse.ts, spawnChild) keep it out of other programs
# (sh, dd, python3 …), which are not ours to check and which gcc 12's libasan
# may abort (dd bs=1: aligned_alloc(4096, 1)). Reports go
# to per-process log files, never to the tests' stderr; leaks do not change
# exit codes (exitcode=0), memory errors abort the process. Every report is
# then sorted: "ours" when its stack has a frame in native/ or in
# fuse_lowlevel.node, otherwise "elsewhere" (Node, V8, libc, tools such as ls)
# and only counted. scripts/lsan.supp may silence leaks whose stacks never
# pass through our code.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/fuse-lowlevel-asan.XXXXXX")
# Tests run some clients as other users: they must be able to write reports.
chmod 1777 "$LOGDIR"
echo "sanitizer logs: $LOGDIR"

restore_release() {
  local rc=$?
  trap - EXIT INT TERM
  unset LD_PRELOAD
  # (Test mounts are unmounted by the tests and by vitest's global teardown.)
  echo "== restoring the release addon (npm run build:native)"
  if ! npm run --silent build:native >"$LOGDIR/build-release.log" 2>&1; then
    echo "release rebuild FAILED: see $LOGDIR/build-release.log"
    tail -20 "$LOGDIR/build-release.log"
    rc=1
  fi
  exit "$rc"
}
trap restore_release EXIT
trap 'exit 130' INT TERM

echo "== building the ASan + UBSan addon (npm run build:asan)"
if ! npm run --silent build:asan >"$LOGDIR/build-asan.log" 2>&1; then
  echo "ASan build FAILED: see $LOGDIR/build-asan.log"
  tail -30 "$LOGDIR/build-asan.log"
  exit 1
fi
RESOLVED=$(node -p "require('node-gyp-build').resolve('.')")
case "$RESOLVED" in
  */build/Debug/fuse_lowlevel.node) ;;
  *) echo "node-gyp-build resolves $RESOLVED, not the ASan build in build/Debug"; exit 1 ;;
esac

LIBASAN=$(gcc -print-file-name=libasan.so)
if [[ "$LIBASAN" != /* || ! -e "$LIBASAN" ]]; then
  echo "gcc's libasan.so not found (gcc -print-file-name=libasan.so: $LIBASAN)"
  exit 1
fi
LIBASAN=$(readlink -f "$LIBASAN")

COMMON="log_path=$LOGDIR/report:log_exe_name=1:exitcode=0:abort_on_error=1:malloc_context_size=40"
export ASAN_OPTIONS="$COMMON:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0:allow_user_segv_handler=1"
export LSAN_OPTIONS="$COMMON:suppressions=$ROOT/scripts/lsan.supp:print_suppressions=1"
export UBSAN_OPTIONS="$COMMON:print_stacktrace=1:halt_on_error=0"

echo "== running the suite with $LIBASAN preloaded"
# Type tests add nothing under ASan and tsc is very slow with it preloaded.
set +e
LD_PRELOAD="$LIBASAN" npx vitest run --typecheck.enabled=false "$@" 2>&1 | tee "$LOGDIR/vitest.log"
SUITE=${PIPESTATUS[0]}
set -e

echo "== sanitizer reports"
set +e
node - "$LOGDIR" <<'JS'
// Splits the sanitizer logs into single reports and sorts them.
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const OURS = /\/native\/[\w.-]+\.(cc|h)\b|fuse_lowlevel\.node/;
const reports = [];
for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('report.'))) {
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
  let cur;
  const flush = () => { if (cur) reports.push(cur); cur = undefined; };
  for (const line of lines) {
    const start =
      /ERROR: AddressSanitizer|ERROR: UndefinedBehaviorSanitizer/.test(line) ? 'asan'
      : /^(Direct|Indirect) leak of/.test(line) ? 'leak'
      : /runtime error:/.test(line) ? 'ubsan'
      : undefined;
    if (start) { flush(); cur = { kind: start, file, text: [line] }; continue; }
    if (!cur) continue;
    if (/^SUMMARY: /.test(line)) { cur.text.push(line); flush(); continue; }
    // A leak or UBSan report is one paragraph; an ASan error runs to its SUMMARY.
    if (cur.kind !== 'asan' && line.trim() === '') { flush(); continue; }
    cur.text.push(line);
  }
  flush();
}
const ours = reports.filter((r) => OURS.test(r.text.join('\n')));
const elsewhere = reports.filter((r) => !ours.includes(r));
const count = (list) => list.reduce((m, r) => ((m[r.kind] = (m[r.kind] ?? 0) + 1), m), {});
console.log(`log files: ${fs.readdirSync(dir).filter((f) => f.startsWith('report.')).length}`);
console.log(`reports elsewhere (Node/V8/libc/tools, not ours): ${JSON.stringify(count(elsewhere))}`);
for (const r of elsewhere.slice(0, 3)) console.log(`  e.g. [${r.file}] ${r.text.slice(0, 4).join('\n       ')}`);
console.log(`reports in our code: ${JSON.stringify(count(ours))}`);
for (const r of ours) console.log(`\n--- ${r.kind} [${r.file}]\n${r.text.join('\n')}`);
fs.writeFileSync(path.join(dir, 'ours.txt'), ours.map((r) => r.text.join('\n')).join('\n\n'));
process.exitCode = ours.length > 0 ? 3 : 0;
JS
CLASSIFY=$?
set -e

if [[ $SUITE -ne 0 ]]; then echo "RESULT: the suite FAILED under ASan (exit $SUITE)"; fi
if [[ $CLASSIFY -ne 0 ]]; then echo "RESULT: sanitizer reports in our code: see above and $LOGDIR/ours.txt"; fi
if [[ $SUITE -eq 0 && $CLASSIFY -eq 0 ]]; then echo "RESULT: clean (no ASan/UBSan/LSan report mentions native/)"; fi
[[ $SUITE -eq 0 && $CLASSIFY -eq 0 ]]
