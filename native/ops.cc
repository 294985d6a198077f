#include "ops.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "layout.h"
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
  r.fromSelf = SessionOf(req)->FromSelf(fuse_req_ctx(req)->pid);
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

void ToFields(const struct stat* st, double* f) {
  f[attr::ino] = static_cast<double>(st->st_ino);
  f[attr::mode] = st->st_mode;
  f[attr::nlink] = static_cast<double>(st->st_nlink);
  f[attr::uid] = st->st_uid;
  f[attr::gid] = st->st_gid;
  f[attr::rdev] = static_cast<double>(st->st_rdev);
  f[attr::size] = static_cast<double>(st->st_size);
  f[attr::blksize] = static_cast<double>(st->st_blksize);
  f[attr::blocks] = static_cast<double>(st->st_blocks);
  f[attr::atimeSec] = static_cast<double>(st->st_atim.tv_sec);
  f[attr::atimeNsec] = static_cast<double>(st->st_atim.tv_nsec);
  f[attr::mtimeSec] = static_cast<double>(st->st_mtim.tv_sec);
  f[attr::mtimeNsec] = static_cast<double>(st->st_mtim.tv_nsec);
  f[attr::ctimeSec] = static_cast<double>(st->st_ctim.tv_sec);
  f[attr::ctimeNsec] = static_cast<double>(st->st_ctim.tv_nsec);
}

void WithLock(Record* r, const struct flock* lock) {
  r->dataKind = Record::Data::Lock;
  r->fields[0] = lock->l_type;
  r->fields[1] = lock->l_whence;
  r->fields[2] = static_cast<double>(lock->l_start);
  r->fields[3] = static_cast<double>(lock->l_len);
  r->fields[4] = lock->l_pid;
}

// Copies `size` bytes into a malloc'd payload JS will own. False (and an
// ENOMEM reply) when memory runs out.
bool WithBytes(Record* r, const void* data, size_t size) {
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

void Setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int toSet, fuse_file_info* fi) {
  if ((toSet & FUSE_SET_ATTR_SIZE) && !OffsetFits(req, attr->st_size)) return;
  Record r = Make(Op::Setattr, req, ino);
  WithFile(&r, fi);
  r.n1 = fi != nullptr;
  r.flags = toSet;
  r.dataKind = Record::Data::Attr;
  ToFields(attr, r.fields);
  Submit(std::move(r));
}

void Mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Record r = Make(Op::Mknod, req, parent);
  r.name = name;
  r.n1 = mode;
  r.n2 = static_cast<double>(rdev);
  Submit(std::move(r));
}

void Mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Record r = Make(Op::Mkdir, req, parent);
  r.name = name;
  r.n1 = mode;
  Submit(std::move(r));
}

void NameOp(Op op, fuse_req_t req, fuse_ino_t parent, const char* name) {
  Record r = Make(op, req, parent);
  r.name = name;
  Submit(std::move(r));
}

void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) { NameOp(Op::Unlink, req, parent, name); }

void Rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) { NameOp(Op::Rmdir, req, parent, name); }

void Removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) { NameOp(Op::Removexattr, req, ino, name); }

void Symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  Record r = Make(Op::Symlink, req, parent);
  r.name = name;
  r.name2 = target;
  Submit(std::move(r));
}

void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
            unsigned int flags) {
  Record r = Make(Op::Rename, req, parent);
  r.name = name;
  r.ino2 = newparent;
  r.name2 = newname;
  r.flags = static_cast<int32_t>(flags);
  Submit(std::move(r));
}

void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Record r = Make(Op::Link, req, ino);
  r.ino2 = newparent;
  r.name2 = newname;
  Submit(std::move(r));
}

// write_buf: the data may sit in a pipe (splice) and must be consumed here,
// so it is copied once into memory that becomes the handler's Buffer.
void WriteBuf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* bufv, off_t off, fuse_file_info* fi) {
  if (!OffsetFits(req, off)) return;
  Record r = Make(Op::Write, req, ino);
  WithFile(&r, fi);
  r.n1 = static_cast<double>(off);
  r.n3 = fi->writepage;
  r.lockOwner = fi->lock_owner;
  r.hasLockOwner = true;
  const size_t size = fuse_buf_size(bufv);
  r.dataKind = Record::Data::Bytes;
  if (size > 0) {
    r.bytes.reset(static_cast<char*>(malloc(size)));
    if (!r.bytes) {
      fuse_reply_err(req, ENOMEM);
      return;
    }
    fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
    dst.buf[0].mem = r.bytes.get();
    const ssize_t copied = fuse_buf_copy(&dst, bufv, FUSE_BUF_NO_SPLICE);
    if (copied < 0) {
      fuse_reply_err(req, static_cast<int>(-copied));
      return;
    }
    r.bytesLength = static_cast<size_t>(copied);
  }
  r.n2 = static_cast<double>(r.bytesLength);
  Submit(std::move(r));
}

void FsyncLike(Op op, fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Record r = Make(op, req, ino);
  WithFile(&r, fi);
  r.n1 = datasync;
  Submit(std::move(r));
}

void Fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  FsyncLike(Op::Fsync, req, ino, datasync, fi);
}

void Fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  FsyncLike(Op::Fsyncdir, req, ino, datasync, fi);
}

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Record r = Make(Op::Create, req, parent);
  WithFile(&r, fi);
  r.name = name;
  r.n1 = mode;
  Submit(std::move(r));
}

void Setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  Record r = Make(Op::Setxattr, req, ino);
  r.name = name;
  r.flags = flags;
  if (!WithBytes(&r, value, size)) return;
  Submit(std::move(r));
}

void LockOp(Op op, fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  if (!OffsetFits(req, lock->l_start) || !OffsetFits(req, lock->l_len)) return;
  Record r = Make(op, req, ino);
  WithFile(&r, fi);
  r.lockOwner = fi->lock_owner;
  r.hasLockOwner = true;
  r.n1 = sleep;
  WithLock(&r, lock);
  Submit(std::move(r));
}

void Getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  LockOp(Op::Getlk, req, ino, fi, lock, 0);
}

void Setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  LockOp(Op::Setlk, req, ino, fi, lock, sleep);
}

void Flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  Record r = Make(Op::Flock, req, ino);
  WithFile(&r, fi);
  r.lockOwner = fi->lock_owner;
  r.hasLockOwner = true;
  r.n1 = op;
  Submit(std::move(r));
}

void Bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize, uint64_t idx) {
  Record r = Make(Op::Bmap, req, ino);
  r.n1 = static_cast<double>(blocksize);
  r.n2 = static_cast<double>(idx);
  Submit(std::move(r));
}

void Ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void* arg, fuse_file_info* fi, unsigned flags,
           const void* in, size_t inSize, size_t outSize) {
  Record r = Make(Op::Ioctl, req, ino);
  WithFile(&r, fi);
  r.n1 = cmd;
  r.n2 = static_cast<double>(outSize);
  r.n3 = static_cast<double>(reinterpret_cast<uintptr_t>(arg));
  r.flags = static_cast<int32_t>(flags);
  if (!WithBytes(&r, in, inSize)) return;
  Submit(std::move(r));
}

void Poll(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, fuse_pollhandle* ph) {
  Record r = Make(Op::Poll, req, ino);
  WithFile(&r, fi);
  r.n1 = fi->poll_events;
  if (ph != nullptr) {
    r.dataKind = Record::Data::PollHandle;
    r.pollHandle.reset(ph);
  }
  Submit(std::move(r));
}

void Fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  if (!OffsetFits(req, offset) || !OffsetFits(req, length)) return;
  Record r = Make(Op::Fallocate, req, ino);
  WithFile(&r, fi);
  r.n1 = static_cast<double>(offset);
  r.n2 = static_cast<double>(length);
  r.flags = mode;
  Submit(std::move(r));
}

void CopyFileRange(fuse_req_t req, fuse_ino_t inoIn, off_t offIn, fuse_file_info* fiIn, fuse_ino_t inoOut,
                   off_t offOut, fuse_file_info* fiOut, size_t len, int flags) {
  if (!OffsetFits(req, offIn) || !OffsetFits(req, offOut)) return;
  Record r = Make(Op::CopyFileRange, req, inoIn);
  r.fh = fiIn->fh;
  r.n1 = static_cast<double>(offIn);
  r.n2 = static_cast<double>(len);
  r.flags = flags;
  r.ino2 = inoOut;
  r.fh2 = fiOut->fh;
  r.n3 = static_cast<double>(offOut);
  Submit(std::move(r));
}

void Lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  if (!OffsetFits(req, off)) return;
  Record r = Make(Op::Lseek, req, ino);
  WithFile(&r, fi);
  r.n1 = static_cast<double>(off);
  r.flags = whence;
  Submit(std::move(r));
}

// The kernel's answer to fuse_lowlevel_notify_retrieve: the cached bytes,
// handed to JS with the cookie (the notification's id).
void RetrieveReply(fuse_req_t req, void* cookie, fuse_ino_t ino, off_t offset, fuse_bufvec* bufv) {
  Session* session = SessionOf(req);
  Record r{Op::RetrieveReply};
  r.ino = ino;
  r.n1 = static_cast<double>(reinterpret_cast<uintptr_t>(cookie));
  r.n2 = static_cast<double>(offset);
  r.dataKind = Record::Data::Bytes;
  const size_t size = fuse_buf_size(bufv);
  if (size > 0) {
    r.bytes.reset(static_cast<char*>(malloc(size)));
    if (r.bytes) {
      fuse_bufvec dst = FUSE_BUFVEC_INIT(size);
      dst.buf[0].mem = r.bytes.get();
      const ssize_t copied = fuse_buf_copy(&dst, bufv, FUSE_BUF_NO_SPLICE);
      r.bytesLength = copied > 0 ? static_cast<size_t>(copied) : 0;
    }
  }
  fuse_reply_none(req);
  session->Submit(std::move(r));
}

}  // namespace

fuse_lowlevel_ops BuildOps(const std::vector<Op>& implemented) {
  fuse_lowlevel_ops ops{};
  ops.init = Init;
  ops.retrieve_reply = RetrieveReply;
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
      case Op::Setattr: ops.setattr = Setattr; break;
      case Op::Mknod: ops.mknod = Mknod; break;
      case Op::Mkdir: ops.mkdir = Mkdir; break;
      case Op::Unlink: ops.unlink = Unlink; break;
      case Op::Rmdir: ops.rmdir = Rmdir; break;
      case Op::Symlink: ops.symlink = Symlink; break;
      case Op::Rename: ops.rename = Rename; break;
      case Op::Link: ops.link = Link; break;
      case Op::Write: ops.write_buf = WriteBuf; break;
      case Op::Fsync: ops.fsync = Fsync; break;
      case Op::Fsyncdir: ops.fsyncdir = Fsyncdir; break;
      case Op::Create: ops.create = Create; break;
      case Op::Setxattr: ops.setxattr = Setxattr; break;
      case Op::Removexattr: ops.removexattr = Removexattr; break;
      case Op::Getlk: ops.getlk = Getlk; break;
      case Op::Setlk: ops.setlk = Setlk; break;
      case Op::Flock: ops.flock = Flock; break;
      case Op::Bmap: ops.bmap = Bmap; break;
      case Op::Ioctl: ops.ioctl = Ioctl; break;
      case Op::Poll: ops.poll = Poll; break;
      case Op::Fallocate: ops.fallocate = Fallocate; break;
      case Op::CopyFileRange: ops.copy_file_range = CopyFileRange; break;
      case Op::Lseek: ops.lseek = Lseek; break;
      default: break;
    }
  }
  return ops;
}

}  // namespace fl
