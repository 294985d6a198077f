#!/usr/bin/env bash
# Builds the libfuse the prebuild links: 3.17.2 from Debian's fuse3 source
# package (trixie), as a static, position-independent libfuse3.a plus a shared
# libfuse3.so.4 (for source builds against it), with its headers and a
# pkg-config file, into .libfuse/3.17.2/ (gitignored):
#
#   .libfuse/3.17.2/include/fuse3/*.h
#   .libfuse/3.17.2/lib/libfuse3.a   libfuse3.so*
#   .libfuse/3.17.2/lib/pkgconfig/fuse3.pc   (prefix = that directory)
#   .libfuse/3.17.2/BUILD-INFO       what was fetched and how it was built
#
#   sh scripts/build-libfuse.sh            # build (or say it is already built)
#   PKG_CONFIG_PATH=$PWD/.libfuse/3.17.2/lib/pkgconfig npm run build:native
#
# Reproducible on a fresh Debian 12 or 13 machine, as root: it installs the
# build tools from the machine's own suite (dpkg-dev, meson, ninja-build, gcc,
# pkg-config), adds a deb-src line for trixie in a file of its own if apt cannot
# see fuse3 3.17.2-3's source yet (nothing from trixie is installed), fetches it
# with `apt-get source` (apt checks it against trixie's signed Sources index,
# dpkg-source against the .dsc; this script checks the SHA-256 of each file
# against the values pinned below, and the version meson reports), applies the
# patches in scripts/libfuse-patches/ and builds only the library (no
# utilities, examples or tests). When the BUILD-INFO of a
# finished build matches, it does nothing (no root, no network).
#
# The library is configured with prefix /usr, as Debian's package is: libfuse
# compiles the path of fusermount3 in (used for unprivileged mounts and
# auto_unmount), and the machine's fusermount3 is /usr/bin/fusermount3.
set -euo pipefail

VERSION=3.17.2
DEBIAN_VERSION=3.17.2-3
# From trixie's Sources index (Checksums-Sha256 of fuse3 3.17.2-3).
SHA256_DSC=1339847e7e6512f31d61cf1fe4598341c4b8aa43ea6dc546914b21f96f29deb3
SHA256_ORIG=3d932431ad94e86179e5265cddde1d67aa3bb2fb09a5bd35c641f86f2b5ed06f
SHA256_DEBIAN=eaf7a177761ae8bf99ea97619f2cccf83f169b4f000e17b6106834e69456b5a2
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SOURCES_FILE=/etc/apt/sources.list.d/fuse-lowlevel-trixie-src.sources

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$ROOT/.libfuse
OUT=$WORK/$VERSION
SRC=$WORK/src/$DEBIAN_VERSION
BUILD=$WORK/build/$VERSION
MESON_OPTIONS=(
  --prefix=/usr --libdir=lib --buildtype=debugoptimized
  -Ddefault_library=both -Db_staticpic=true
  -Dutils=false -Dexamples=false -Dtests=false -Duseroot=false -Dinitscriptdir=
)
# Our changes to it, applied in this order (each says why).
PATCHES=("$ROOT/scripts/libfuse-patches/auto-unmount-through-fusermount3.patch")
# What a finished build records; a different value (another version, patch or
# options) means build again.
INFO="libfuse $VERSION from Debian's fuse3 $DEBIAN_VERSION source package (trixie)
sha256 fuse3_$DEBIAN_VERSION.dsc $SHA256_DSC
sha256 fuse3_$VERSION.orig.tar.gz $SHA256_ORIG
sha256 fuse3_$DEBIAN_VERSION.debian.tar.xz $SHA256_DEBIAN
$(for patch in "${PATCHES[@]}"; do echo "patch $(basename "$patch") $(sha256sum <"$patch" | cut -d' ' -f1)"; done)
meson ${MESON_OPTIONS[*]}"

say() { echo "build-libfuse: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

if [ -f "$OUT/BUILD-INFO" ] && [ -f "$OUT/lib/libfuse3.a" ] && [ "$(cat "$OUT/BUILD-INFO")" = "$INFO" ]; then
  say "libfuse $VERSION is built: $OUT"
  exit 0
fi

as_root() {
  [ "$(id -u)" = 0 ] || die "$* needs root (run this script as root once; later runs need nothing)"
  "$@"
}

# The build tools, from this machine's own suite.
need=()
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
command -v meson >/dev/null || need+=(meson)
command -v ninja >/dev/null || need+=(ninja-build)
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The source: fuse3_*.{dsc,orig.tar.gz,debian.tar.xz}, kept in $FETCH once
# they match the pinned checksums.
FETCH=$WORK/src/fetch-$DEBIAN_VERSION
fetched() {
  for pair in "fuse3_$DEBIAN_VERSION.dsc $SHA256_DSC" "fuse3_$VERSION.orig.tar.gz $SHA256_ORIG" \
    "fuse3_$DEBIAN_VERSION.debian.tar.xz $SHA256_DEBIAN"; do
    set -- $pair
    [ -f "$FETCH/$1" ] || return 1
    got=$(sha256sum "$FETCH/$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || die "$1: SHA-256 $got, expected $2"
  done
}

if ! fetched; then
  # apt must see the source package: a deb-src line for trixie, in a file of its own.
  has_source() { apt-cache showsrc fuse3 2>/dev/null | grep -x "Version: $DEBIAN_VERSION" >/dev/null; }
  if ! has_source; then
    if [ ! -f "$SOURCES_FILE" ]; then
      say "adding $SOURCES_FILE (deb-src $MIRROR trixie main)"
      as_root sh -c "cat > '$SOURCES_FILE'" <<EOF
# Added by fuse-lowlevel's scripts/build-libfuse.sh: source packages only, to
# fetch fuse3 $DEBIAN_VERSION. Nothing from trixie is installed through it.
Types: deb-src
URIs: $MIRROR
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    say "apt-get update ($SOURCES_FILE only)"
    as_root apt-get update -qq -o Dir::Etc::sourcelist="$SOURCES_FILE" -o Dir::Etc::sourceparts=- \
      -o APT::Get::List-Cleanup=0
    has_source || die "apt does not offer fuse3 $DEBIAN_VERSION's source: $(apt-cache showsrc fuse3 2>/dev/null |
      sed -n 's/^Version: //p' | tr '\n' ' ')(is trixie's fuse3 newer now? update VERSION and the checksums here)"
  fi
  rm -rf "$FETCH"
  mkdir -p "$FETCH"
  say "apt-get source fuse3=$DEBIAN_VERSION"
  (cd "$FETCH" && apt-get source -qq --download-only "fuse3=$DEBIAN_VERSION" 2>&1 |
    grep -v '^W: Download is performed unsandboxed' >&2 || true)
  fetched || die "apt-get source did not fetch all of fuse3 $DEBIAN_VERSION's files: $(ls "$FETCH")"
  say "checksums match"
fi

# Unpack (dpkg-source applies Debian's patches; apt has checked the files
# against the signed Sources index, the .dsc's own signature is not checked
# without debian-keyring), then ours (scripts/libfuse-patches/, see each).
rm -rf "$SRC"
mkdir -p "$(dirname "$SRC")"
(cd "$FETCH" && dpkg-source --no-check -x "fuse3_$DEBIAN_VERSION.dsc" "$SRC" >/dev/null)
for patch in "${PATCHES[@]}"; do
  say "applying $(basename "$patch")"
  patch -s -p1 -d "$SRC" <"$patch" || die "$patch does not apply"
done
got=$(meson introspect --projectinfo "$SRC/meson.build" 2>/dev/null |
  sed -n 's/.*"version": *"\([^"]*\)".*/\1/p')
[ "$got" = "$VERSION" ] || die "the unpacked source is libfuse ${got:-of unknown version}, expected $VERSION"

# Build only the library; install it into a staging directory, then lay it out in $OUT.
say "building libfuse $VERSION (meson + ninja)"
rm -rf "$BUILD" "$OUT"
meson setup "$BUILD" "$SRC" "${MESON_OPTIONS[@]}" >"$WORK/meson-setup.log" 2>&1 ||
  die "meson setup failed: see $WORK/meson-setup.log"
ninja -C "$BUILD" >"$WORK/ninja.log" 2>&1 || die "ninja failed: see $WORK/ninja.log"
stage=$BUILD/stage
meson install -C "$BUILD" --destdir "$stage" --quiet >/dev/null
mkdir -p "$OUT"
cp -a "$stage/usr/include" "$stage/usr/lib" "$OUT/"
sed -i "s|^prefix=.*|prefix=$OUT|" "$OUT/lib/pkgconfig/fuse3.pc"
got=$(PKG_CONFIG_PATH=$OUT/lib/pkgconfig pkg-config --modversion fuse3)
[ "$got" = "$VERSION" ] || die "the built fuse3.pc says $got, expected $VERSION"
cp "$SRC/LGPL2.txt" "$OUT/LGPL2.txt"
printf '%s\n' "$INFO" >"$OUT/BUILD-INFO"
say "built: $OUT ($(du -h "$OUT/lib/libfuse3.a" | cut -f1) libfuse3.a)"
