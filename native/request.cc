// Replies and request information: the functions JS calls with a request id.
// lib/ has validated every value; these still guard types and ranges cheaply,
// and a malformed call answers the kernel EIO before throwing, so the caller
// is never left waiting.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "addon.h"
#include "layout.h"
#include "session.h"

namespace fl {
namespace {

constexpr int kNotPending = -1;
// replyBufs: libfuse adds one iovec for the header, and writev takes at most IOV_MAX (1024).
constexpr uint32_t kMaxReplyParts = 256;

uint64_t U64(double d) { return (d >= 0 && d < 18446744073709551616.0) ? static_cast<uint64_t>(d) : 0; }
int64_t I64(double d) {
  return (d >= -9223372036854775808.0 && d < 9223372036854775808.0) ? static_cast<int64_t>(d) : 0;
}

// The Float64Array at info[i] with at least `length` elements, or nullptr.
const double* Floats(const Napi::CallbackInfo& info, size_t i, size_t length) {
  if (info.Length() <= i || !info[i].IsTypedArray()) return nullptr;
  Napi::TypedArray a = info[i].As<Napi::TypedArray>();
  if (a.TypedArrayType() != napi_float64_array || a.ElementLength() < length) return nullptr;
  return a.As<Napi::Float64Array>().Data();
}

double Number(const Napi::CallbackInfo& info, size_t i, bool* ok) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    *ok = false;
    return 0;
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

void ToStat(const double* a, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = U64(a[attr::ino]);
  st->st_mode = static_cast<mode_t>(U64(a[attr::mode]));
  st->st_nlink = static_cast<nlink_t>(U64(a[attr::nlink]));
  st->st_uid = static_cast<uid_t>(U64(a[attr::uid]));
  st->st_gid = static_cast<gid_t>(U64(a[attr::gid]));
  st->st_rdev = static_cast<dev_t>(U64(a[attr::rdev]));
  st->st_size = I64(a[attr::size]);
  st->st_blksize = static_cast<blksize_t>(I64(a[attr::blksize]));
  st->st_blocks = I64(a[attr::blocks]);
  st->st_atim.tv_sec = I64(a[attr::atimeSec]);
  st->st_atim.tv_nsec = I64(a[attr::atimeNsec]);
  st->st_mtim.tv_sec = I64(a[attr::mtimeSec]);
  st->st_mtim.tv_nsec = I64(a[attr::mtimeNsec]);
  st->st_ctim.tv_sec = I64(a[attr::ctimeSec]);
  st->st_ctim.tv_nsec = I64(a[attr::ctimeNsec]);
}

void ToEntry(const double* e, fuse_entry_param* out) {
  std::memset(out, 0, sizeof *out);
  out->ino = U64(e[entry::ino]);
  out->generation = U64(e[entry::generation]);
  out->attr_timeout = e[entry::attrTimeout];
  out->entry_timeout = e[entry::entryTimeout];
  ToStat(e + entry::kLength, &out->attr);
}

// The reply half of fuse_file_info: the handle and the open flags
// (bit 0 direct_io, 1 keep_cache, 2 nonseekable, 3 cache_readdir, 4 noflush).
void ToOpenFlags(double fh, double bits, fuse_file_info* fi) {
  std::memset(fi, 0, sizeof *fi);
  const uint64_t b = U64(bits);
  fi->fh = U64(fh);
  fi->direct_io = (b & 1) != 0;
  fi->keep_cache = (b & 2) != 0;
  fi->nonseekable = (b & 4) != 0;
  fi->cache_readdir = (b & 8) != 0;
  fi->noflush = (b & 16) != 0;
}

Napi::Value Result(Napi::Env env, int libfuseResult) {
  return Napi::Number::New(env, libfuseResult < 0 ? -libfuseResult : 0);
}

}  // namespace

// Takes the request for a reply whose arguments were checked: `valid` false
// answers EIO and throws, so a bad call never leaves the kernel waiting.
#define FL_TAKE_OR_RETURN(req, info, valid, usage)                                  \
  fuse_req_t req = requests.Take(info.Length() > 0 && info[0].IsNumber()            \
                                     ? info[0].As<Napi::Number>().DoubleValue()     \
                                     : -1);                                         \
  if (req == nullptr) return Napi::Number::New(info.Env(), kNotPending);             \
  if (!(valid)) {                                                                   \
    fuse_reply_err(req, EIO);                                                       \
    throw Napi::TypeError::New(info.Env(), usage);                                  \
  }

// replyErr(id, errno)
Napi::Value Addon::ReplyErr(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double err = Number(info, 1, &ok);
  // The kernel rejects errors of 512 and above without finishing the request.
  FL_TAKE_OR_RETURN(req, info, ok && err >= 0 && err < 512, "replyErr(id, errno: 0..511)");
  return Result(info.Env(), fuse_reply_err(req, static_cast<int>(err)));
}

// replyEntry(id, entry: Float64Array[entry + attr])
Napi::Value Addon::ReplyEntry(const Napi::CallbackInfo& info) {
  const double* e = Floats(info, 1, entry::kLength + attr::kLength);
  FL_TAKE_OR_RETURN(req, info, e != nullptr, "replyEntry(id, entry: Float64Array)");
  fuse_entry_param param;
  ToEntry(e, &param);
  return Result(info.Env(), fuse_reply_entry(req, &param));
}

// replyAttr(id, attr: Float64Array, timeout)
Napi::Value Addon::ReplyAttr(const Napi::CallbackInfo& info) {
  const double* a = Floats(info, 1, attr::kLength);
  bool ok = true;
  const double timeout = Number(info, 2, &ok);
  FL_TAKE_OR_RETURN(req, info, a != nullptr && ok, "replyAttr(id, attr: Float64Array, timeout: number)");
  struct stat st;
  ToStat(a, &st);
  return Result(info.Env(), fuse_reply_attr(req, &st, timeout));
}

// replyReadlink(id, target: string)
Napi::Value Addon::ReplyReadlink(const Napi::CallbackInfo& info) {
  FL_TAKE_OR_RETURN(req, info, info.Length() > 1 && info[1].IsString(), "replyReadlink(id, target: string)");
  const std::string target = info[1].As<Napi::String>();
  return Result(info.Env(), fuse_reply_readlink(req, target.c_str()));
}

// replyOpen(id, fh, flags: bit 0 direct_io, 1 keep_cache, 2 nonseekable, 3 cache_readdir, 4 noflush)
Napi::Value Addon::ReplyOpen(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double fh = Number(info, 1, &ok);
  const double bits = Number(info, 2, &ok);
  FL_TAKE_OR_RETURN(req, info, ok, "replyOpen(id, fh: number, flags: number)");
  fuse_file_info fi;
  ToOpenFlags(fh, bits, &fi);
  return Result(info.Env(), fuse_reply_open(req, &fi));
}

// replyBuf(id, data: Uint8Array | undefined)
Napi::Value Addon::ReplyBuf(const Napi::CallbackInfo& info) {
  const bool empty = info.Length() < 2 || info[1].IsUndefined();
  const bool bytes = !empty && info[1].IsTypedArray() &&
                     info[1].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  FL_TAKE_OR_RETURN(req, info, empty || bytes, "replyBuf(id, data?: Uint8Array)");
  if (empty) return Result(info.Env(), fuse_reply_buf(req, nullptr, 0));
  Napi::Uint8Array data = info[1].As<Napi::Uint8Array>();
  return Result(info.Env(), fuse_reply_buf(req, reinterpret_cast<const char*>(data.Data()), data.ByteLength()));
}

// replyBufs(id, parts: Uint8Array[]): the parts in order, written to the
// kernel with one writev (fuse_reply_iov), so pieces of memory that are not
// contiguous need no concatenation. At most kMaxReplyParts parts.
Napi::Value Addon::ReplyBufs(const Napi::CallbackInfo& info) {
  bool ok = info.Length() > 1 && info[1].IsArray();
  const uint32_t count = ok ? info[1].As<Napi::Array>().Length() : 0;
  ok = ok && count <= kMaxReplyParts;
  std::vector<iovec> iov;
  if (ok) {
    Napi::Array parts = info[1].As<Napi::Array>();
    iov.reserve(count);
    for (uint32_t i = 0; i < count && ok; ++i) {
      Napi::Value part = parts.Get(i);
      ok = part.IsTypedArray() && part.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
      if (!ok) break;
      Napi::Uint8Array bytes = part.As<Napi::Uint8Array>();
      if (bytes.ByteLength() > 0) iov.push_back(iovec{bytes.Data(), bytes.ByteLength()});
    }
  }
  // Parts are read before the request is taken: a getter on the array cannot
  // run after the request is gone. The pointers stay valid: nothing below
  // runs JS.
  FL_TAKE_OR_RETURN(req, info, ok, "replyBufs(id, parts: Uint8Array[])");
  if (iov.empty()) return Result(info.Env(), fuse_reply_buf(req, nullptr, 0));
  return Result(info.Env(), fuse_reply_iov(req, iov.data(), static_cast<int>(iov.size())));
}

// replyFd(id, fd, position, size): the data is spliced from the fd to the
// kernel without passing through JS (a copy when splice is unavailable).
Napi::Value Addon::ReplyFd(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double fd = Number(info, 1, &ok);
  const double position = Number(info, 2, &ok);
  const double size = Number(info, 3, &ok);
  FL_TAKE_OR_RETURN(req, info, ok && fd >= 0 && fd < 2147483648.0 && position >= 0 && size >= 0,
                    "replyFd(id, fd: number, position: number, size: number)");
  fuse_bufvec buf = FUSE_BUFVEC_INIT(static_cast<size_t>(U64(size)));
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fd);
  buf.buf[0].pos = I64(position);
  return Result(info.Env(), fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE));
}

// replyStatfs(id, stats: Float64Array)
Napi::Value Addon::ReplyStatfs(const Napi::CallbackInfo& info) {
  const double* s = Floats(info, 1, statfs::kLength);
  FL_TAKE_OR_RETURN(req, info, s != nullptr, "replyStatfs(id, stats: Float64Array)");
  struct statvfs st;
  std::memset(&st, 0, sizeof st);
  st.f_bsize = U64(s[statfs::bsize]);
  st.f_frsize = U64(s[statfs::frsize]);
  st.f_blocks = U64(s[statfs::blocks]);
  st.f_bfree = U64(s[statfs::bfree]);
  st.f_bavail = U64(s[statfs::bavail]);
  st.f_files = U64(s[statfs::files]);
  st.f_ffree = U64(s[statfs::ffree]);
  st.f_favail = U64(s[statfs::favail]);
  st.f_fsid = U64(s[statfs::fsid]);
  st.f_flag = U64(s[statfs::flag]);
  st.f_namemax = U64(s[statfs::namemax]);
  return Result(info.Env(), fuse_reply_statfs(req, &st));
}

// replyXattr(id, size): the answer to a size-0 probe.
Napi::Value Addon::ReplyXattr(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double size = Number(info, 1, &ok);
  FL_TAKE_OR_RETURN(req, info, ok && size >= 0, "replyXattr(id, size: number)");
  return Result(info.Env(), fuse_reply_xattr(req, static_cast<size_t>(U64(size))));
}

// replyDirents(id, plus: boolean, size, names: string, values: Float64Array)
// `names` holds the entry names separated by NUL (names never contain one), so
// a listing costs one string conversion, not one per entry. `values` holds,
// per entry, the next offset then an entry + attr (readdirplus, which counts
// as a lookup) or the inode and mode (readdir). Packs as many entries as fit
// in `size` bytes and returns how many were packed, or -1 if the id is not
// pending.
Napi::Value Addon::ReplyDirents(const Napi::CallbackInfo& info) {
  bool ok = info.Length() > 4 && info[1].IsBoolean() && info[3].IsString() && info[4].IsTypedArray();
  const double size = Number(info, 2, &ok);
  const bool plus = ok && info[1].As<Napi::Boolean>();
  const size_t stride = plus ? size_t{dirent::kLength} : size_t{direntPlain::kLength};
  const size_t count = ok && info[4].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array
                           ? info[4].As<Napi::Float64Array>().ElementLength() / stride
                           : 0;
  const double* values = count > 0 ? Floats(info, 4, count * stride) : nullptr;
  FL_TAKE_OR_RETURN(req, info, ok && (count == 0 || values != nullptr) && size >= 0 && size <= (1 << 24),
                    "replyDirents(id, plus: boolean, size: number, names: string, values: Float64Array)");
  // NUL-terminated in place: each name is a C string at its start.
  const std::string names = info[3].As<Napi::String>();
  std::vector<char> buf(static_cast<size_t>(size));
  size_t used = 0;
  size_t sent = 0;
  size_t nameStart = 0;
  // readdir: fuse_add_direntry reads only st_ino and st_mode.
  struct stat st;
  std::memset(&st, 0, sizeof st);
  for (; sent < count && nameStart < names.size(); ++sent) {
    const char* name = names.c_str() + nameStart;
    const size_t nameLength = std::strlen(name);
    if (nameLength == 0) break;  // lib/ never sends an empty name
    nameStart += nameLength + 1;
    const double* v = values + sent * stride;
    const off_t next = I64(v[0]);
    // libfuse adds the entry only if it fits, and returns its size either way.
    char* at = buf.data() + used;
    const size_t room = buf.size() - used;
    size_t need;
    if (plus) {
      fuse_entry_param e;
      ToEntry(v + dirent::kEntry, &e);
      e.attr.st_ino = e.ino;
      need = fuse_add_direntry_plus(req, at, room, name, &e, next);
    } else {
      st.st_ino = U64(v[direntPlain::kIno]);
      st.st_mode = static_cast<mode_t>(U64(v[direntPlain::kMode]));
      need = fuse_add_direntry(req, at, room, name, &st, next);
    }
    if (need > room) break;
    used += need;
  }
  // A failed send means the caller is gone; the request is finished either way.
  (void)fuse_reply_buf(req, buf.data(), used);
  return Napi::Number::New(info.Env(), static_cast<double>(sent));
}

// replyWrite(id, count): the bytes written (write, copy_file_range).
Napi::Value Addon::ReplyWrite(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double count = Number(info, 1, &ok);
  FL_TAKE_OR_RETURN(req, info, ok && count >= 0, "replyWrite(id, count: number)");
  return Result(info.Env(), fuse_reply_write(req, static_cast<size_t>(U64(count))));
}

// replyCreate(id, entry: Float64Array[entry + attr], fh, flags as replyOpen)
Napi::Value Addon::ReplyCreate(const Napi::CallbackInfo& info) {
  const double* e = Floats(info, 1, entry::kLength + attr::kLength);
  bool ok = true;
  const double fh = Number(info, 2, &ok);
  const double bits = Number(info, 3, &ok);
  FL_TAKE_OR_RETURN(req, info, e != nullptr && ok, "replyCreate(id, entry: Float64Array, fh: number, flags: number)");
  fuse_entry_param param;
  ToEntry(e, &param);
  fuse_file_info fi;
  ToOpenFlags(fh, bits, &fi);
  return Result(info.Env(), fuse_reply_create(req, &param, &fi));
}

// replyLock(id, lock: Float64Array[type, whence, start, len, pid])
Napi::Value Addon::ReplyLock(const Napi::CallbackInfo& info) {
  const double* l = Floats(info, 1, 5);
  FL_TAKE_OR_RETURN(req, info, l != nullptr, "replyLock(id, lock: Float64Array)");
  struct flock lock;
  std::memset(&lock, 0, sizeof lock);
  lock.l_type = static_cast<short>(I64(l[0]));
  lock.l_whence = static_cast<short>(I64(l[1]));
  lock.l_start = I64(l[2]);
  lock.l_len = I64(l[3]);
  lock.l_pid = static_cast<pid_t>(I64(l[4]));
  return Result(info.Env(), fuse_reply_lock(req, &lock));
}

// replyBmap(id, index)
Napi::Value Addon::ReplyBmap(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double index = Number(info, 1, &ok);
  FL_TAKE_OR_RETURN(req, info, ok && index >= 0, "replyBmap(id, index: number)");
  return Result(info.Env(), fuse_reply_bmap(req, U64(index)));
}

// replyIoctl(id, result, data?: Uint8Array)
Napi::Value Addon::ReplyIoctl(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double result = Number(info, 1, &ok);
  const bool empty = info.Length() < 3 || info[2].IsUndefined();
  const bool bytes = !empty && info[2].IsTypedArray() &&
                     info[2].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  FL_TAKE_OR_RETURN(req, info, ok && (empty || bytes) && result >= -2147483648.0 && result <= 2147483647.0,
                    "replyIoctl(id, result: number, data?: Uint8Array)");
  if (empty) return Result(info.Env(), fuse_reply_ioctl(req, static_cast<int>(result), nullptr, 0));
  Napi::Uint8Array data = info[2].As<Napi::Uint8Array>();
  return Result(info.Env(), fuse_reply_ioctl(req, static_cast<int>(result), data.Data(), data.ByteLength()));
}

// replyIoctlRetry(id, input: Float64Array[base, len, …], output: Float64Array[base, len, …])
Napi::Value Addon::ReplyIoctlRetry(const Napi::CallbackInfo& info) {
  auto isFloats = [&](size_t i) {
    return info.Length() > i && info[i].IsTypedArray() &&
           info[i].As<Napi::TypedArray>().TypedArrayType() == napi_float64_array;
  };
  const bool ok = isFloats(1) && isFloats(2);
  const size_t inCount = ok ? info[1].As<Napi::Float64Array>().ElementLength() / 2 : 0;
  const size_t outCount = ok ? info[2].As<Napi::Float64Array>().ElementLength() / 2 : 0;
  const double* in = inCount > 0 ? info[1].As<Napi::Float64Array>().Data() : nullptr;
  const double* out = outCount > 0 ? info[2].As<Napi::Float64Array>().Data() : nullptr;
  FL_TAKE_OR_RETURN(req, info, ok && inCount + outCount <= FUSE_IOCTL_MAX_IOV,
                    "replyIoctlRetry(id, input: Float64Array, output: Float64Array)");
  std::vector<iovec> iov(inCount + outCount);
  for (size_t i = 0; i < inCount; ++i) {
    iov[i].iov_base = reinterpret_cast<void*>(static_cast<uintptr_t>(U64(in[2 * i])));
    iov[i].iov_len = static_cast<size_t>(U64(in[2 * i + 1]));
  }
  for (size_t i = 0; i < outCount; ++i) {
    iov[inCount + i].iov_base = reinterpret_cast<void*>(static_cast<uintptr_t>(U64(out[2 * i])));
    iov[inCount + i].iov_len = static_cast<size_t>(U64(out[2 * i + 1]));
  }
  return Result(info.Env(), fuse_reply_ioctl_retry(req, iov.data(), inCount, iov.data() + inCount, outCount));
}

// replyPoll(id, revents)
Napi::Value Addon::ReplyPoll(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double revents = Number(info, 1, &ok);
  FL_TAKE_OR_RETURN(req, info, ok && revents >= 0, "replyPoll(id, revents: number)");
  return Result(info.Env(), fuse_reply_poll(req, static_cast<unsigned>(U64(revents))));
}

// replyLseek(id, offset)
Napi::Value Addon::ReplyLseek(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double offset = Number(info, 1, &ok);
  FL_TAKE_OR_RETURN(req, info, ok && offset >= 0, "replyLseek(id, offset: number)");
  return Result(info.Env(), fuse_reply_lseek(req, I64(offset)));
}

// requestContext(id): { uid, gid, pid, umask } | undefined
Napi::Value Addon::RequestContext(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  fuse_req_t req = info.Length() > 0 && info[0].IsNumber() ? requests.Peek(info[0].As<Napi::Number>()) : nullptr;
  if (req == nullptr) return env.Undefined();
  const fuse_ctx* ctx = fuse_req_ctx(req);
  Napi::Object out = Napi::Object::New(env);
  out.Set("uid", Napi::Number::New(env, ctx->uid));
  out.Set("gid", Napi::Number::New(env, ctx->gid));
  out.Set("pid", Napi::Number::New(env, ctx->pid));
  out.Set("umask", Napi::Number::New(env, ctx->umask));
  return out;
}

// requestGroups(id): number[] (supplementary groups of the caller) | a
// positive errno | undefined when the id is not pending.
Napi::Value Addon::RequestGroups(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  fuse_req_t req = info.Length() > 0 && info[0].IsNumber() ? requests.Peek(info[0].As<Napi::Number>()) : nullptr;
  if (req == nullptr) return env.Undefined();
  std::vector<gid_t> groups(32);
  int n = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  if (n > static_cast<int>(groups.size())) {
    groups.resize(static_cast<size_t>(n));
    n = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
  }
  if (n < 0) return Napi::Number::New(env, -n);
  const uint32_t count = static_cast<uint32_t>(std::min<size_t>(static_cast<size_t>(n), groups.size()));
  Napi::Array out = Napi::Array::New(env, count);
  for (uint32_t i = 0; i < count; ++i) out.Set(i, Napi::Number::New(env, groups[i]));
  return out;
}

namespace {
void OnInterrupted(fuse_req_t req, void* data) {
  Record r{Op::Interrupt};
  r.n1 = static_cast<double>(reinterpret_cast<uintptr_t>(data));
  static_cast<Session*>(fuse_req_userdata(req))->Submit(std::move(r));
}
}  // namespace

// watchInterrupt(id): boolean — from now on a FUSE_INTERRUPT for this request
// reaches the session's interrupt callback with the id (at once if the
// kernel already sent it).
Napi::Value Addon::WatchInterrupt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double id = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  fuse_req_t req = requests.Peek(id);
  if (req == nullptr) return Napi::Boolean::New(env, false);
  fuse_req_interrupt_func(req, OnInterrupted, reinterpret_cast<void*>(static_cast<uintptr_t>(id)));
  return Napi::Boolean::New(env, true);
}

}  // namespace fl
