// The one place that includes libfuse, so every file agrees on the API level.
#pragma once

#include <cstdint>

// The API level: the newest the headers offer, up to the newest this code
// knows (3.17), so a build against libfuse 3.10 ... 3.17 gets what its headers
// have. FUSE_MINOR_VERSION comes from the headers themselves (fuse_common.h,
// or libfuse_config.h from 3.17 on), defined before libfuse first tests
// FUSE_USE_VERSION; a macro expands where it is used, so every test of it
// (in libfuse's headers and here) sees the number.
#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION (FUSE_MINOR_VERSION < 17 ? 300 + FUSE_MINOR_VERSION : 317)
#endif
// pkg-config --cflags fuse3 names the fuse3/ directory itself, so the
// headers of the libfuse it picks (system or .libfuse/) are the ones found.
#include <fuse_lowlevel.h>

#if FUSE_VERSION < FUSE_MAKE_VERSION(3, 10)
#error "fuse-lowlevel needs libfuse 3.10 or newer (FUSE_VERSION of these headers is older)"
#endif

namespace fl {

// The libfuse version of the headers this addon was compiled with, e.g. 317.
constexpr int kFuseHeadersVersion = FUSE_VERSION;

// libfuse 3.17 keeps capabilities in 64-bit capable_ext / want_ext (capable
// and want hold their low 32 bits, for ABI compatibility); older libfuse has
// only the 32-bit fields. These read and write whichever the headers have,
// keeping both 3.17 fields in step so libfuse's conversion after init()
// leaves them as set.
inline uint64_t ConnCapable(const fuse_conn_info* c) {
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 17)
  return c->capable_ext;
#else
  return c->capable;
#endif
}

inline uint64_t ConnWant(const fuse_conn_info* c) {
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 17)
  return c->want_ext;
#else
  return c->want;
#endif
}

// Sets what the filesystem wants, limited to what the kernel offers.
inline void SetConnWant(fuse_conn_info* c, uint64_t want) {
  want &= ConnCapable(c);
#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 17)
  c->want_ext = want;
#endif
  c->want = static_cast<uint32_t>(want);
}

#if FUSE_VERSION >= FUSE_MAKE_VERSION(3, 13)
// fuse_lowlevel_notify_expire_entry (libfuse 3.13+) takes a flags argument
// (always FUSE_LL_EXPIRE_ONLY here) in 3.14 and none in 3.17; no macro tells
// the two forms apart, so the function's type does.
inline int NotifyExpireEntry(int (*notify)(fuse_session*, fuse_ino_t, const char*, size_t), fuse_session* se,
                             fuse_ino_t parent, const char* name, size_t length) {
  return notify(se, parent, name, length);
}
template <typename Flags>
int NotifyExpireEntry(int (*notify)(fuse_session*, fuse_ino_t, const char*, size_t, Flags), fuse_session* se,
                      fuse_ino_t parent, const char* name, size_t length) {
  return notify(se, parent, name, length, static_cast<Flags>(FUSE_LL_EXPIRE_ONLY));
}
#endif

}  // namespace fl
