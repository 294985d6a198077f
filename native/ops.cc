#include "ops.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "record.h"
#include "session.h"

namespace fl {
namespace {

Session* SessionOf(fuse_req_t req) { return static_cast<Session*>(fuse_req_userdata(req)); }

// A record for a request, with the caller's context in its header.
Record Begin(Op op, fuse_req_t req) {
  Record r{op};
  r.req = req;
  const fuse_ctx* ctx = fuse_req_ctx(req);
  r.words[header::kOp] = static_cast<uint32_t>(op);
  r.words[header::kUid] = ctx->uid;
  r.words[header::kGid] = ctx->gid;
  r.words[header::kPid] = static_cast<uint32_t>(ctx->pid);
  r.words[header::kUmask] = ctx->umask;
  r.fromSelf = SessionOf(req)->FromSelf(ctx->pid);
  return r;
}

void Submit(Record&& r) {
  fuse_req_t req = r.req;
  if (!SessionOf(req)->Submit(std::move(r))) fuse_reply_err(req, EIO);
}

void PutU64(Record* r, int word, uint64_t value) {
  r->words[word] = static_cast<uint32_t>(value);
  r->words[word + 1] = static_cast<uint32_t>(value >> 32);
}

void PutName(Record* r, int slot, const char* name) {
  r->names[slot] = name;
  if (r->nameCount < slot + 1) r->nameCount = static_cast<uint8_t>(slot + 1);
}

// type, whence, start (2 words), len (2 words), pid.
void PutLock(Record* r, int word, const struct flock* lock) {
  r->words[word] = static_cast<uint32_t>(lock->l_type);
  r->words[word + 1] = static_cast<uint32_t>(lock->l_whence);
  PutU64(r, word + 2, static_cast<uint64_t>(static_cast<int64_t>(lock->l_start)));
  PutU64(r, word + 4, static_cast<uint64_t>(static_cast<int64_t>(lock->l_len)));
  r->words[word + 6] = static_cast<uint32_t>(lock->l_pid);
}

// Copies `size` bytes into a malloc'd payload JS will own. False (and an
// ENOMEM reply) when memory runs out.
bool PutBytes(Record* r, const void* data, size_t size) {
  r->dataKind = Record::Data::Bytes;
  r->bytesLength = size;
  if (size == 0) return true;
  r->bytes.reset(static_cast<char*>(malloc(size)));
  if (!r->bytes) {
    fuse_reply_err(r->req, ENOMEM);
    return false;
  }
  memcpy(r->bytes.get(), data, size);
  return true;
}

// Copies a buffer vector into `out` (malloc'd). The data may sit in a pipe
// (splice) and must be consumed here. Returns the bytes copied or -errno.
ssize_t CopyBufvec(fuse_bufvec* bufv, Payload* out) {
  const size_t size = fuse_buf_size(bufv);
  if (size == 0) return 0;
  out->reset(static_cast<char*>(malloc(size)));
  if (!*out) return -ENOMEM;
  fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
  dst.buf[0].mem = out->get();
  return fuse_buf_copy(&dst, bufv, FUSE_BUF_NO_SPLICE);
}

// write_buf: the data is copied once into memory that becomes the handler's Buffer.
bool PutBufvec(Record* r, fuse_bufvec* bufv) {
  r->dataKind = Record::Data::Bytes;
  const ssize_t copied = CopyBufvec(bufv, &r->bytes);
  if (copied < 0) {
    fuse_reply_err(r->req, static_cast<int>(-copied));
    return false;
  }
  r->bytesLength = static_cast<size_t>(copied);
  return true;
}

void PutPollHandle(Record* r, fuse_pollhandle* ph) {
  r->dataKind = Record::Data::PollHandle;
  r->pollHandle.reset(ph);
}

#include "generated/callbacks.inc"

void Init(void* userdata, fuse_conn_info* conn) { static_cast<Session*>(userdata)->NegotiateInit(conn); }

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  Session* session = SessionOf(req);
  fuse_reply_none(req);
  Record r{Op::Forget};
  r.forgets.push_back(fuse_forget_data{ino, nlookup});
  session->Submit(std::move(r));
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Session* session = SessionOf(req);
  Record r{Op::Forget};
  r.forgets.assign(forgets, forgets + count);
  fuse_reply_none(req);
  session->Submit(std::move(r));
}

// The kernel's answer to fuse_lowlevel_notify_retrieve: the cached bytes,
// handed to JS with the cookie (the notification's id).
void RetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t, off_t, fuse_bufvec* bufv) {
  Session* session = SessionOf(req);
  Record r{Op::RetrieveReply};
  r.n1 = static_cast<double>(reinterpret_cast<uintptr_t>(cookie));
  r.dataKind = Record::Data::Bytes;
  const ssize_t copied = CopyBufvec(bufv, &r.bytes);
  r.bytesLength = copied > 0 ? static_cast<size_t>(copied) : 0;
  fuse_reply_none(req);
  session->Submit(std::move(r));
}

}  // namespace

fuse_lowlevel_ops BuildOps(const std::vector<Op>& implemented) {
  fuse_lowlevel_ops ops{};
  ops.init = Init;
  ops.retrieve_reply = RetrieveReply;
  for (Op op : implemented) {
    if (op == Op::Forget) {
      ops.forget = Forget;
      ops.forget_multi = ForgetMulti;
    } else {
      SetCallback(&ops, op);
    }
  }
  return ops;
}

}  // namespace fl
