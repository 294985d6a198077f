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
#include "names.h"
#include "session.h"

namespace fl {
namespace {

constexpr int kNotPending = -1;
// replyBufs: libfuse adds one iovec for the header, and writev takes at most IOV_MAX (1024).
constexpr uint32_t kMaxReplyParts = 256;

uint64_t U64(double d) { return (d >= 0 && d < 18446744073709551616.0) ? static_cast<uint64_t>(d) : 0; }

// The words of a packed struct at info[i] (a Uint32Array of at least `fields`
// two-word fields, see layout.h), or nullptr.
const uint32_t* Words(const Napi::CallbackInfo& info, size_t i, size_t fields) {
  if (info.Length() <= i || !info[i].IsTypedArray()) return nullptr;
  Napi::TypedArray a = info[i].As<Napi::TypedArray>();
  if (a.TypedArrayType() != napi_uint32_array || a.ElementLength() < 2 * fields) return nullptr;
  return a.As<Napi::Uint32Array>().Data();
}

double Number(const Napi::CallbackInfo& info, size_t i, bool* ok) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    *ok = false;
    return 0;
  }
  return info[i].As<Napi::Number>().DoubleValue();
}

void ToStat(const uint32_t* a, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = FieldU64(a, attr::ino);
  st->st_mode = static_cast<mode_t>(FieldU64(a, attr::mode));
  st->st_nlink = static_cast<nlink_t>(FieldU64(a, attr::nlink));
  st->st_uid = static_cast<uid_t>(FieldU64(a, attr::uid));
  st->st_gid = static_cast<gid_t>(FieldU64(a, attr::gid));
  st->st_rdev = static_cast<dev_t>(FieldU64(a, attr::rdev));
  st->st_size = FieldI64(a, attr::size);
  st->st_blksize = static_cast<blksize_t>(FieldI64(a, attr::blksize));
  st->st_blocks = static_cast<blkcnt_t>(FieldI64(a, attr::blocks));
  st->st_atim.tv_sec = FieldI64(a, attr::atimeSec);
  st->st_atim.tv_nsec = FieldI64(a, attr::atimeNsec);
  st->st_mtim.tv_sec = FieldI64(a, attr::mtimeSec);
  st->st_mtim.tv_nsec = FieldI64(a, attr::mtimeNsec);
  st->st_ctim.tv_sec = FieldI64(a, attr::ctimeSec);
  st->st_ctim.tv_nsec = FieldI64(a, attr::ctimeNsec);
}

// An entry, then its attr.
void ToEntry(const uint32_t* e, fuse_entry_param* out) {
  std::memset(out, 0, sizeof *out);
  out->ino = FieldU64(e, entry::ino);
  out->generation = FieldU64(e, entry::generation);
  out->attr_timeout = FieldF64(e, entry::attrTimeout);
  out->entry_timeout = FieldF64(e, entry::entryTimeout);
  ToStat(e + 2 * entry::kLength, &out->attr);
}

void ToOpen(const uint32_t* o, fuse_file_info* fi) {
  std::memset(fi, 0, sizeof *fi);
  const uint64_t b = FieldU64(o, openFields::flags);
  fi->fh = FieldU64(o, openFields::fh);
  fi->direct_io = (b & 1) != 0;
  fi->keep_cache = (b & 2) != 0;
  fi->nonseekable = (b & 4) != 0;
  fi->cache_readdir = (b & 8) != 0;
  fi->noflush = (b & 16) != 0;
}

Napi::Value Result(Napi::Env env, int libfuseResult) {
  return Napi::Number::New(env, libfuseResult < 0 ? -libfuseResult : 0);
}

Napi::Value NotPending(Napi::Env env) { return Napi::Number::New(env, kNotPending); }

bool IsBytes(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

}  // namespace

// Takes the request named by info[0] for a reply whose arguments were checked
// (`valid`): nullptr when it is not pending; when the arguments are invalid
// it answers EIO and throws `usage`, so a bad call never leaves the kernel waiting.
fuse_req_t Addon::TakeForReply(const Napi::CallbackInfo& info, bool valid, const char* usage) {
  fuse_req_t req = requests.Take(info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1);
  if (req == nullptr || valid) return req;
  fuse_reply_err(req, EIO);
  throw Napi::TypeError::New(info.Env(), usage);
}

// replyErr(id, errno)
Napi::Value Addon::ReplyErr(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double err = Number(info, 1, &ok);
  // The kernel rejects errors of 512 and above without finishing the request.
  fuse_req_t req = TakeForReply(info, ok && err >= 0 && err < 512, "replyErr(id, errno: 0..511)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_err(req, static_cast<int>(err)));
}

// replyEntry(id, words: entry then attr)
Napi::Value Addon::ReplyEntry(const Napi::CallbackInfo& info) {
  const uint32_t* e = Words(info, 1, entry::kLength + attr::kLength);
  fuse_req_t req = TakeForReply(info, e != nullptr, "replyEntry(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  fuse_entry_param param;
  ToEntry(e, &param);
  return Result(info.Env(), fuse_reply_entry(req, &param));
}

// replyAttr(id, words: attr, timeout)
Napi::Value Addon::ReplyAttr(const Napi::CallbackInfo& info) {
  const uint32_t* a = Words(info, 1, attr::kLength);
  bool ok = true;
  const double timeout = Number(info, 2, &ok);
  fuse_req_t req = TakeForReply(info, a != nullptr && ok, "replyAttr(id, words: Uint32Array, timeout: number)");
  if (req == nullptr) return NotPending(info.Env());
  struct stat st;
  ToStat(a, &st);
  return Result(info.Env(), fuse_reply_attr(req, &st, timeout));
}

// replyReadlink(id, target: string | Uint8Array) — a name as names.h reads it.
Napi::Value Addon::ReplyReadlink(const Napi::CallbackInfo& info) {
  std::string target;
  const bool ok = info.Length() > 1 && NameBytes(info.Env(), info[1], &target) &&
                  target.find('\0') == std::string::npos;
  fuse_req_t req = TakeForReply(info, ok, "replyReadlink(id, target: string | Uint8Array)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_readlink(req, target.c_str()));
}

// replyOpen(id, words: open)
Napi::Value Addon::ReplyOpen(const Napi::CallbackInfo& info) {
  const uint32_t* o = Words(info, 1, openFields::kLength);
  fuse_req_t req = TakeForReply(info, o != nullptr, "replyOpen(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  fuse_file_info fi;
  ToOpen(o, &fi);
  return Result(info.Env(), fuse_reply_open(req, &fi));
}

// replyBuf(id, data: Uint8Array | undefined)
Napi::Value Addon::ReplyBuf(const Napi::CallbackInfo& info) {
  const bool empty = info.Length() < 2 || info[1].IsUndefined();
  fuse_req_t req = TakeForReply(info, empty || IsBytes(info[1]), "replyBuf(id, data?: Uint8Array)");
  if (req == nullptr) return NotPending(info.Env());
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
      ok = IsBytes(part);
      if (!ok) break;
      Napi::Uint8Array bytes = part.As<Napi::Uint8Array>();
      if (bytes.ByteLength() > 0) iov.push_back(iovec{bytes.Data(), bytes.ByteLength()});
    }
  }
  // Parts are read before the request is taken: a getter on the array cannot
  // run after the request is gone. The pointers stay valid: nothing below
  // runs JS.
  fuse_req_t req = TakeForReply(info, ok, "replyBufs(id, parts: Uint8Array[])");
  if (req == nullptr) return NotPending(info.Env());
  if (iov.empty()) return Result(info.Env(), fuse_reply_buf(req, nullptr, 0));
  return Result(info.Env(), fuse_reply_iov(req, iov.data(), static_cast<int>(iov.size())));
}

// replyFd(id, fd, size, words: [position]): the data is spliced from the fd to
// the kernel without passing through JS (a copy when splice is unavailable).
Napi::Value Addon::ReplyFd(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double fd = Number(info, 1, &ok);
  const double size = Number(info, 2, &ok);
  const uint32_t* position = Words(info, 3, 1);
  fuse_req_t req = TakeForReply(info, ok && position != nullptr && fd >= 0 && fd < 2147483648.0 && size >= 0,
                                "replyFd(id, fd: number, size: number, position: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  fuse_bufvec buf = FUSE_BUFVEC_INIT(static_cast<size_t>(U64(size)));
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fd);
  buf.buf[0].pos = FieldI64(position, 0);
  return Result(info.Env(), fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE));
}

// replyStatfs(id, words: statfs)
Napi::Value Addon::ReplyStatfs(const Napi::CallbackInfo& info) {
  const uint32_t* s = Words(info, 1, statfs::kLength);
  fuse_req_t req = TakeForReply(info, s != nullptr, "replyStatfs(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  struct statvfs st;
  std::memset(&st, 0, sizeof st);
  st.f_bsize = FieldU64(s, statfs::bsize);
  st.f_frsize = FieldU64(s, statfs::frsize);
  st.f_blocks = FieldU64(s, statfs::blocks);
  st.f_bfree = FieldU64(s, statfs::bfree);
  st.f_bavail = FieldU64(s, statfs::bavail);
  st.f_files = FieldU64(s, statfs::files);
  st.f_ffree = FieldU64(s, statfs::ffree);
  st.f_favail = FieldU64(s, statfs::favail);
  st.f_fsid = FieldU64(s, statfs::fsid);
  st.f_flag = FieldU64(s, statfs::flag);
  st.f_namemax = FieldU64(s, statfs::namemax);
  return Result(info.Env(), fuse_reply_statfs(req, &st));
}

// replyXattr(id, size): the answer to a size-0 probe.
Napi::Value Addon::ReplyXattr(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double size = Number(info, 1, &ok);
  fuse_req_t req = TakeForReply(info, ok && size >= 0, "replyXattr(id, size: number)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_xattr(req, static_cast<size_t>(U64(size))));
}

// replyDirents(id, plus: boolean, size, names: string, words)
// `names` holds the entry names separated by NUL (names never contain one), so
// a listing costs one string conversion, not one per entry; bytes that are
// not UTF-8 arrive escaped (names.h). `words` holds, per entry, the next
// offset then an entry + attr (readdirplus, which counts as a lookup) or the
// inode and mode (readdir), two words per field. Packs as many entries as fit
// in `size` bytes and returns how many were packed, or -1 if the id is not
// pending.
Napi::Value Addon::ReplyDirents(const Napi::CallbackInfo& info) {
  bool ok = info.Length() > 4 && info[1].IsBoolean() && info[3].IsString() && info[4].IsTypedArray();
  const double size = Number(info, 2, &ok);
  const bool plus = ok && info[1].As<Napi::Boolean>();
  const size_t stride = plus ? size_t{dirent::kLength} : size_t{direntPlain::kLength};
  const size_t count = ok && info[4].As<Napi::TypedArray>().TypedArrayType() == napi_uint32_array
                           ? info[4].As<Napi::Uint32Array>().ElementLength() / (2 * stride)
                           : 0;
  const uint32_t* values = count > 0 ? Words(info, 4, count * stride) : nullptr;
  std::string names;
  ok = ok && (count == 0 || values != nullptr) && size >= 0 && size <= (1 << 24) &&
       NameBytes(info.Env(), info[3], &names);
  fuse_req_t req = TakeForReply(info, ok, "replyDirents(id, plus: boolean, size: number, names: string, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
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
    const uint32_t* v = values + sent * stride * 2;
    const off_t next = FieldI64(v, 0);
    // libfuse adds the entry only if it fits, and returns its size either way.
    char* at = buf.data() + used;
    const size_t room = buf.size() - used;
    size_t need;
    if (plus) {
      fuse_entry_param e;
      ToEntry(v + 2 * dirent::kEntry, &e);
      e.attr.st_ino = e.ino;
      need = fuse_add_direntry_plus(req, at, room, name, &e, next);
    } else {
      st.st_ino = FieldU64(v, direntPlain::kIno);
      st.st_mode = static_cast<mode_t>(FieldU64(v, direntPlain::kMode));
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
  fuse_req_t req = TakeForReply(info, ok && count >= 0, "replyWrite(id, count: number)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_write(req, static_cast<size_t>(U64(count))));
}

// replyCreate(id, words: entry, attr, then open)
Napi::Value Addon::ReplyCreate(const Napi::CallbackInfo& info) {
  const uint32_t* e = Words(info, 1, entry::kLength + attr::kLength + openFields::kLength);
  fuse_req_t req = TakeForReply(info, e != nullptr, "replyCreate(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  fuse_entry_param param;
  ToEntry(e, &param);
  fuse_file_info fi;
  ToOpen(e + 2 * (entry::kLength + attr::kLength), &fi);
  return Result(info.Env(), fuse_reply_create(req, &param, &fi));
}

// replyLock(id, words: lock)
Napi::Value Addon::ReplyLock(const Napi::CallbackInfo& info) {
  const uint32_t* l = Words(info, 1, lockFields::kLength);
  fuse_req_t req = TakeForReply(info, l != nullptr, "replyLock(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  struct flock lock;
  std::memset(&lock, 0, sizeof lock);
  lock.l_type = static_cast<short>(FieldI64(l, lockFields::type));
  lock.l_whence = static_cast<short>(FieldI64(l, lockFields::whence));
  lock.l_start = FieldI64(l, lockFields::start);
  lock.l_len = FieldI64(l, lockFields::length);
  lock.l_pid = static_cast<pid_t>(FieldI64(l, lockFields::pid));
  return Result(info.Env(), fuse_reply_lock(req, &lock));
}

// replyBmap(id, words: [index])
Napi::Value Addon::ReplyBmap(const Napi::CallbackInfo& info) {
  const uint32_t* index = Words(info, 1, 1);
  fuse_req_t req = TakeForReply(info, index != nullptr, "replyBmap(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_bmap(req, FieldU64(index, 0)));
}

// replyIoctl(id, result, data?: Uint8Array)
Napi::Value Addon::ReplyIoctl(const Napi::CallbackInfo& info) {
  bool ok = true;
  const double result = Number(info, 1, &ok);
  const bool empty = info.Length() < 3 || info[2].IsUndefined();
  fuse_req_t req = TakeForReply(info, ok && (empty || IsBytes(info[2])) && result >= -2147483648.0 && result <= 2147483647.0,
                                "replyIoctl(id, result: number, data?: Uint8Array)");
  if (req == nullptr) return NotPending(info.Env());
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
  fuse_req_t req = TakeForReply(info, ok && inCount + outCount <= FUSE_IOCTL_MAX_IOV,
                                "replyIoctlRetry(id, input: Float64Array, output: Float64Array)");
  if (req == nullptr) return NotPending(info.Env());
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
  fuse_req_t req = TakeForReply(info, ok && revents >= 0, "replyPoll(id, revents: number)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_poll(req, static_cast<unsigned>(U64(revents))));
}

// replyLseek(id, words: [offset])
Napi::Value Addon::ReplyLseek(const Napi::CallbackInfo& info) {
  const uint32_t* offset = Words(info, 1, 1);
  fuse_req_t req = TakeForReply(info, offset != nullptr, "replyLseek(id, words: Uint32Array)");
  if (req == nullptr) return NotPending(info.Env());
  return Result(info.Env(), fuse_reply_lseek(req, FieldI64(offset, 0)));
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
