"""The pyfuse3 peer's passthrough: mirrors a source directory on pyfuse3
(libfuse 3's lowlevel API for Python, with trio), the way libfuse's
passthrough_ll and examples/passthrough do: inode numbers are the source's,
each with its path and the kernel's lookup count (dropped by forget), file
handles are real descriptors (pread/pwrite), a directory handle holds the
listing taken at opendir and readdirplus stats each entry. Mounted with
default_permissions, as the other passthroughs; no rename, links or xattrs
(the bench's workloads use none).

    python3 pyfuse3_passthrough.py <mountpoint> --source DIR [--timeout SECONDS]

Prints {"ready": mountpoint, "pid": …} once mounted; SIGINT/SIGTERM unmount.
"""

import argparse
import errno
import os

import pyfuse3

from pyfuse3_memfs import run


def fuse_error(e):
    return pyfuse3.FUSEError(e.errno if isinstance(e, OSError) and e.errno else errno.EIO)


class Passthrough(pyfuse3.Operations):
    enable_writeback_cache = False

    def __init__(self, source, timeout):
        super().__init__()
        self.timeout = timeout
        self.paths = {pyfuse3.ROOT_INODE: source}
        self.lookups = {}
        self.dirs = {}
        self.next_fh = 1
        self.root_ino = os.lstat(source).st_ino

    def attr(self, st):
        a = pyfuse3.EntryAttributes()
        a.st_ino = pyfuse3.ROOT_INODE if st.st_ino == self.root_ino else st.st_ino
        a.st_mode = st.st_mode
        a.st_nlink = st.st_nlink
        a.st_uid = st.st_uid
        a.st_gid = st.st_gid
        a.st_rdev = st.st_rdev
        a.st_size = st.st_size
        a.st_blksize = st.st_blksize
        a.st_blocks = st.st_blocks
        a.st_atime_ns = st.st_atime_ns
        a.st_mtime_ns = st.st_mtime_ns
        a.st_ctime_ns = st.st_ctime_ns
        a.attr_timeout = self.timeout
        a.entry_timeout = self.timeout
        return a

    def remember(self, path, st):
        """Records one kernel lookup of the inode at `path`; returns its attributes."""
        a = self.attr(st)
        if a.st_ino != pyfuse3.ROOT_INODE:
            self.paths[a.st_ino] = path
            self.lookups[a.st_ino] = self.lookups.get(a.st_ino, 0) + 1
        return a

    def path(self, parent, name):
        return os.path.join(self.paths[parent], os.fsdecode(name))

    async def lookup(self, parent_inode, name, ctx=None):
        path = self.path(parent_inode, name)
        try:
            st = os.lstat(path)
        except OSError as e:
            raise fuse_error(e) from None
        return self.remember(path, st)

    async def forget(self, inode_list):
        for ino, count in inode_list:
            left = self.lookups.get(ino, 0) - count
            if left > 0:
                self.lookups[ino] = left
            else:
                self.lookups.pop(ino, None)
                if ino != pyfuse3.ROOT_INODE:
                    self.paths.pop(ino, None)

    async def getattr(self, inode, ctx=None):
        try:
            return self.attr(os.lstat(self.paths[inode]))
        except OSError as e:
            raise fuse_error(e) from None

    async def setattr(self, inode, attr, fields, fh, ctx):
        path = self.paths[inode]
        try:
            if fields.update_size:
                if fh is not None:
                    os.ftruncate(fh, attr.st_size)
                else:
                    os.truncate(path, attr.st_size)
            if fields.update_mode:
                os.chmod(path, attr.st_mode & 0o7777, follow_symlinks=False)
            if fields.update_uid or fields.update_gid:
                os.chown(path, attr.st_uid if fields.update_uid else -1, attr.st_gid if fields.update_gid else -1,
                         follow_symlinks=False)
            if fields.update_atime or fields.update_mtime:
                st = os.lstat(path)
                atime = attr.st_atime_ns if fields.update_atime else st.st_atime_ns
                mtime = attr.st_mtime_ns if fields.update_mtime else st.st_mtime_ns
                os.utime(path, ns=(atime, mtime), follow_symlinks=False)
            return self.attr(os.lstat(path))
        except OSError as e:
            raise fuse_error(e) from None

    async def mkdir(self, parent_inode, name, mode, ctx):
        path = self.path(parent_inode, name)
        try:
            os.mkdir(path, mode)
            return self.remember(path, os.lstat(path))
        except OSError as e:
            raise fuse_error(e) from None

    async def create(self, parent_inode, name, mode, flags, ctx):
        path = self.path(parent_inode, name)
        try:
            fd = os.open(path, flags | os.O_CREAT, mode)
            return pyfuse3.FileInfo(fh=fd), self.remember(path, os.fstat(fd))
        except OSError as e:
            raise fuse_error(e) from None

    async def unlink(self, parent_inode, name, ctx):
        try:
            os.unlink(self.path(parent_inode, name))
        except OSError as e:
            raise fuse_error(e) from None

    async def open(self, inode, flags, ctx):
        try:
            return pyfuse3.FileInfo(fh=os.open(self.paths[inode], flags & ~os.O_CREAT))
        except OSError as e:
            raise fuse_error(e) from None

    async def read(self, fh, off, size):
        try:
            return os.pread(fh, size, off)
        except OSError as e:
            raise fuse_error(e) from None

    async def write(self, fh, off, buf):
        try:
            return os.pwrite(fh, buf, off)
        except OSError as e:
            raise fuse_error(e) from None

    async def flush(self, fh):
        pass

    async def fsync(self, fh, datasync):
        try:
            (os.fdatasync if datasync else os.fsync)(fh)
        except OSError as e:
            raise fuse_error(e) from None

    async def release(self, fh):
        os.close(fh)

    async def opendir(self, inode, ctx):
        path = self.paths[inode]
        try:
            names = os.listdir(path)
        except OSError as e:
            raise fuse_error(e) from None
        fh = self.next_fh
        self.next_fh += 1
        self.dirs[fh] = (path, names)
        return fh

    async def readdir(self, fh, start_id, token):
        path, names = self.dirs[fh]
        for i in range(start_id, len(names)):
            entry = os.path.join(path, names[i])
            try:
                st = os.lstat(entry)
            except OSError:
                continue
            if not pyfuse3.readdir_reply(token, os.fsencode(names[i]), self.attr(st), i + 1):
                return
            self.remember(entry, st)

    async def releasedir(self, fh):
        del self.dirs[fh]


def main():
    parser = argparse.ArgumentParser(description="the bench's passthrough on pyfuse3")
    parser.add_argument("mountpoint")
    parser.add_argument("--source", required=True)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    options = set(pyfuse3.default_options)  # default_permissions, as the other passthroughs
    options.add("fsname=pyfuse3-passthrough")
    return run(Passthrough(os.path.abspath(args.source), args.timeout), args.mountpoint, options)


if __name__ == "__main__":
    raise SystemExit(main())
