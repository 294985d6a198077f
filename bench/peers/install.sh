#!/usr/bin/env bash
# `npm run bench:peers`: installs the bench's optional peers, so that
# `npm run bench` also measures the same workloads on
#   - fuse-native (npm, a Node binding of libfuse 2's high-level API): the
#     Debian package libfuse2 (its addon links libfuse.so.2), then the npm
#     package into bench/peers/node_modules (its install script compiles the
#     addon with node-gyp when no prebuild fits);
#   - pyfuse3 (Debian's python3-pyfuse3, with trio) for /usr/bin/python3.
# Each step that fails is reported and skipped: the bench runs without that
# peer and says so in its report. Never part of the package's `npm install`.
set -uo pipefail
cd "$(dirname "$0")"

debs=(libfuse2 python3-pyfuse3)
need=()
for p in "${debs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "bench:peers: apt-get install ${need[*]}"
  "${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    echo "bench:peers: WARNING: could not install ${need[*]}: those peers will be skipped" >&2
fi

echo "bench:peers: npm install fuse-native into bench/peers/node_modules"
npm install --no-audit --no-fund ||
  echo "bench:peers: WARNING: npm install fuse-native failed: the fuse-native peer will be skipped" >&2

status=0
node -e 'require("fuse-native")' 2>/dev/null && echo "bench:peers: fuse-native loads" ||
  { echo "bench:peers: WARNING: fuse-native does not load (libfuse.so.2 missing?)" >&2; status=1; }
for py in "${BENCH_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$py" ] || continue
  if "$py" -c 'import pyfuse3, trio' 2>/dev/null; then
    echo "bench:peers: pyfuse3 loads in $py"
    exit $status
  fi
done
echo "bench:peers: WARNING: no python3 here imports pyfuse3 and trio" >&2
exit 1
