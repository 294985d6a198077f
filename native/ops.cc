#include "ops.h"

#include <cerrno>

#include "record.h"
#include "session.h"

namespace fl {
namespace {

Session* SessionOf(fuse_req_t req) { return static_cast<Session*>(fuse_req_userdata(req)); }

void Submit(Record&& r) {
  fuse_req_t req = r.req;
  if (!SessionOf(req)->Submit(std::move(r))) fuse_reply_err(req, EIO);
}

Record Make(Op op, fuse_req_t req, fuse_ino_t ino) {
  Record r{op};
  r.req = req;
  r.ino = ino;
  return r;
}

void WithFile(Record* r, const fuse_file_info* fi) {
  if (fi == nullptr) return;
  r->fh = fi->fh;
  r->flags = fi->flags;
}

// Offsets beyond 2^53 cannot be represented exactly in JavaScript.
bool OffsetFits(fuse_req_t req, off_t off) {
  if (off >= 0 && off <= 9007199254740991LL) return true;
  fuse_reply_err(req, EOVERFLOW);
  return false;
}

void Init(void* userdata, fuse_conn_info* conn) { static_cast<Session*>(userdata)->NegotiateInit(conn); }

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Record r = Make(Op::Lookup, req, parent);
  r.name = name;
  Submit(std::move(r));
}

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

void Getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Record r = Make(Op::Getattr, req, ino);
  WithFile(&r, fi);
  r.n1 = fi != nullptr;
  Submit(std::move(r));
}

void Readlink(fuse_req_t req, fuse_ino_t ino) { Submit(Make(Op::Readlink, req, ino)); }

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Record r = Make(Op::Open, req, ino);
  WithFile(&r, fi);
  Submit(std::move(r));
}

void Opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Record r = Make(Op::Opendir, req, ino);
  WithFile(&r, fi);
  Submit(std::move(r));
}

void ReadLike(Op op, fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  if (!OffsetFits(req, off)) return;
  Record r = Make(op, req, ino);
  WithFile(&r, fi);
  r.n1 = static_cast<double>(off);
  r.n2 = static_cast<double>(size);
  Submit(std::move(r));
}

void Read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadLike(Op::Read, req, ino, size, off, fi);
}

void Readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadLike(Op::Readdir, req, ino, size, off, fi);
}

void Readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadLike(Op::Readdirplus, req, ino, size, off, fi);
}

void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Record r = Make(Op::Flush, req, ino);
  WithFile(&r, fi);
  r.lockOwner = fi->lock_owner;
  r.hasLockOwner = true;
  Submit(std::move(r));
}

void ReleaseLike(Op op, fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Record r = Make(op, req, ino);
  WithFile(&r, fi);
  r.lockOwner = fi->lock_owner;
  r.hasLockOwner = true;
  r.n1 = (fi->flush ? 1 : 0) | (fi->flock_release ? 2 : 0);
  Submit(std::move(r));
}

void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { ReleaseLike(Op::Release, req, ino, fi); }

void Releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { ReleaseLike(Op::Releasedir, req, ino, fi); }

void Statfs(fuse_req_t req, fuse_ino_t ino) { Submit(Make(Op::Statfs, req, ino)); }

void Access(fuse_req_t req, fuse_ino_t ino, int mask) {
  Record r = Make(Op::Access, req, ino);
  r.n1 = mask;
  Submit(std::move(r));
}

void Getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  Record r = Make(Op::Getxattr, req, ino);
  r.name = name;
  r.n1 = static_cast<double>(size);
  Submit(std::move(r));
}

void Listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  Record r = Make(Op::Listxattr, req, ino);
  r.n1 = static_cast<double>(size);
  Submit(std::move(r));
}

}  // namespace

fuse_lowlevel_ops BuildOps(const std::vector<Op>& implemented) {
  fuse_lowlevel_ops ops{};
  ops.init = Init;
  for (Op op : implemented) {
    switch (op) {
      case Op::Lookup: ops.lookup = Lookup; break;
      case Op::Forget:
        ops.forget = Forget;
        ops.forget_multi = ForgetMulti;
        break;
      case Op::Getattr: ops.getattr = Getattr; break;
      case Op::Readlink: ops.readlink = Readlink; break;
      case Op::Open: ops.open = Open; break;
      case Op::Read: ops.read = Read; break;
      case Op::Flush: ops.flush = Flush; break;
      case Op::Release: ops.release = Release; break;
      case Op::Opendir: ops.opendir = Opendir; break;
      case Op::Readdir: ops.readdir = Readdir; break;
      case Op::Readdirplus: ops.readdirplus = Readdirplus; break;
      case Op::Releasedir: ops.releasedir = Releasedir; break;
      case Op::Statfs: ops.statfs = Statfs; break;
      case Op::Access: ops.access = Access; break;
      case Op::Getxattr: ops.getxattr = Getxattr; break;
      case Op::Listxattr: ops.listxattr = Listxattr; break;
      default: break;
    }
  }
  return ops;
}

}  // namespace fl
