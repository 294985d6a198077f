"""The pyfuse3 peer: the bench's in-memory filesystem on pyfuse3 (libfuse 3's
lowlevel API for Python, with trio), serving what memfs_ll serves the same
way: inodes in a dict, one growing bytearray per file, a dict per directory
in creation order (readdir offsets are indices), lookup counts and forget,
negative entries cached for the timeout, no permission checks.

    python3 pyfuse3_memfs.py <mountpoint> [--timeout SECONDS]

Prints {"ready": mountpoint, "pid": …} once mounted; SIGINT/SIGTERM unmount.
Installed by `npm run bench:peers` (Debian's python3-pyfuse3).
"""

import argparse
import errno
import json
import os
import signal
import stat
import sys
import time

import pyfuse3
import trio


class Node:
    __slots__ = ("ino", "mode", "nlink", "uid", "gid", "atime", "mtime", "ctime", "data", "entries", "parent",
                 "lookups", "opens")

    def __init__(self, ino, mode, parent, uid, gid):
        now = time.time_ns()
        self.ino = ino
        self.mode = mode
        self.nlink = 2 if stat.S_ISDIR(mode) else 1
        self.uid = uid
        self.gid = gid
        self.atime = self.mtime = self.ctime = now
        self.data = bytearray() if stat.S_ISREG(mode) else None
        self.entries = {} if stat.S_ISDIR(mode) else None  # name -> Node, in creation order
        self.parent = parent
        self.lookups = 0
        self.opens = 0


class MemFS(pyfuse3.Operations):
    enable_writeback_cache = False

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout
        root = Node(pyfuse3.ROOT_INODE, stat.S_IFDIR | 0o755, None, os.getuid(), os.getgid())
        self.nodes = {pyfuse3.ROOT_INODE: root}
        self.next_ino = pyfuse3.ROOT_INODE + 1
        self.dirs = {}  # opendir handle -> list of (name, node) snapshot
        self.next_fh = 1

    def attr(self, n):
        a = pyfuse3.EntryAttributes()
        a.st_ino = n.ino
        a.st_mode = n.mode
        a.st_nlink = n.nlink
        a.st_uid = n.uid
        a.st_gid = n.gid
        a.st_size = len(n.data) if n.data is not None else 0
        a.st_blksize = 4096
        a.st_blocks = (a.st_size + 511) // 512
        a.st_atime_ns = n.atime
        a.st_mtime_ns = n.mtime
        a.st_ctime_ns = n.ctime
        a.attr_timeout = self.timeout
        a.entry_timeout = self.timeout
        return a

    def maybe_free(self, n):
        if n.ino != pyfuse3.ROOT_INODE and n.nlink == 0 and n.lookups == 0 and n.opens == 0:
            del self.nodes[n.ino]

    def new_node(self, parent, name, mode, ctx):
        p = self.nodes[parent]
        if p.entries is None:
            raise pyfuse3.FUSEError(errno.ENOTDIR)
        if name in p.entries:
            raise pyfuse3.FUSEError(errno.EEXIST)
        n = Node(self.next_ino, mode, p, ctx.uid, ctx.gid)
        self.next_ino += 1
        self.nodes[n.ino] = n
        p.entries[name] = n
        if n.entries is not None:
            p.nlink += 1
        p.mtime = p.ctime = n.ctime
        n.lookups += 1
        return n

    async def lookup(self, parent_inode, name, ctx=None):
        p = self.nodes[parent_inode]
        if p.entries is None:
            raise pyfuse3.FUSEError(errno.ENOTDIR)
        n = p.entries.get(name)
        if n is None:
            a = pyfuse3.EntryAttributes()  # a negative entry, cached for the timeout
            a.st_ino = 0
            a.entry_timeout = self.timeout
            return a
        n.lookups += 1
        return self.attr(n)

    async def forget(self, inode_list):
        for ino, count in inode_list:
            n = self.nodes.get(ino)
            if n is not None:
                n.lookups -= count
                self.maybe_free(n)

    async def getattr(self, inode, ctx=None):
        return self.attr(self.nodes[inode])

    async def setattr(self, inode, attr, fields, fh, ctx):
        n = self.nodes[inode]
        now = time.time_ns()
        if fields.update_size:
            if n.data is None:
                raise pyfuse3.FUSEError(errno.EISDIR if n.entries is not None else errno.EINVAL)
            size = attr.st_size
            if size < len(n.data):
                del n.data[size:]
            else:
                n.data.extend(bytes(size - len(n.data)))
            n.mtime = now
        if fields.update_mode:
            n.mode = stat.S_IFMT(n.mode) | (attr.st_mode & 0o7777)
        if fields.update_uid:
            n.uid = attr.st_uid
        if fields.update_gid:
            n.gid = attr.st_gid
        if fields.update_atime:
            n.atime = attr.st_atime_ns
        if fields.update_mtime:
            n.mtime = attr.st_mtime_ns
        n.ctime = attr.st_ctime_ns if fields.update_ctime else now
        return self.attr(n)

    async def mkdir(self, parent_inode, name, mode, ctx):
        return self.attr(self.new_node(parent_inode, name, stat.S_IFDIR | (mode & 0o7777), ctx))

    async def create(self, parent_inode, name, mode, flags, ctx):
        p = self.nodes[parent_inode]
        n = p.entries.get(name) if p.entries is not None else None
        if n is not None:  # it appeared since the kernel looked: open it, as open(2) would
            if flags & os.O_EXCL:
                raise pyfuse3.FUSEError(errno.EEXIST)
            n.lookups += 1
        else:
            n = self.new_node(parent_inode, name, stat.S_IFREG | (mode & 0o7777), ctx)
        n.opens += 1
        return pyfuse3.FileInfo(fh=n.ino), self.attr(n)

    async def unlink(self, parent_inode, name, ctx):
        p = self.nodes[parent_inode]
        n = p.entries.get(name) if p.entries is not None else None
        if n is None:
            raise pyfuse3.FUSEError(errno.ENOENT)
        if n.entries is not None:
            raise pyfuse3.FUSEError(errno.EISDIR)
        del p.entries[name]
        n.nlink -= 1
        p.mtime = p.ctime = n.ctime = time.time_ns()
        self.maybe_free(n)

    async def open(self, inode, flags, ctx):
        n = self.nodes[inode]
        if n.entries is not None:
            raise pyfuse3.FUSEError(errno.EISDIR)
        if flags & os.O_TRUNC:
            n.data.clear()
            n.mtime = n.ctime = time.time_ns()
        n.opens += 1
        return pyfuse3.FileInfo(fh=inode)

    async def read(self, fh, off, size):
        data = self.nodes[fh].data
        return bytes(data[off:off + size])

    async def write(self, fh, off, buf):
        n = self.nodes[fh]
        end = off + len(buf)
        if end > len(n.data):
            n.data.extend(bytes(end - len(n.data)))
        n.data[off:end] = buf
        n.mtime = n.ctime = time.time_ns()
        return len(buf)

    async def flush(self, fh):
        pass

    async def fsync(self, fh, datasync):
        pass

    async def release(self, fh):
        n = self.nodes[fh]
        n.opens -= 1
        self.maybe_free(n)

    async def opendir(self, inode, ctx):
        n = self.nodes[inode]
        if n.entries is None:
            raise pyfuse3.FUSEError(errno.ENOTDIR)
        fh = self.next_fh
        self.next_fh += 1
        self.dirs[fh] = list(n.entries.items())
        return fh

    async def readdir(self, fh, start_id, token):
        entries = self.dirs[fh]
        for i in range(start_id, len(entries)):
            name, n = entries[i]
            if not pyfuse3.readdir_reply(token, name, self.attr(n), i + 1):
                return
            n.lookups += 1

    async def releasedir(self, fh):
        del self.dirs[fh]


async def serve(mountpoint):
    async with trio.open_nursery() as nursery:
        async def on_signal():
            with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    pyfuse3.terminate()
                    return

        nursery.start_soon(on_signal)
        print(json.dumps({"ready": mountpoint, "pid": os.getpid()}), flush=True)
        await pyfuse3.main()
        nursery.cancel_scope.cancel()


def run(ops, mountpoint, options):
    """Mounts `ops` on `mountpoint` and serves until SIGINT/SIGTERM (shared with pyfuse3_passthrough.py)."""
    pyfuse3.init(ops, mountpoint, options)
    try:
        trio.run(serve, mountpoint)
    finally:
        pyfuse3.close(unmount=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description="the bench's memfs on pyfuse3")
    parser.add_argument("mountpoint")
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    options = set(pyfuse3.default_options)
    options.discard("default_permissions")  # as memfs_ll: no permission checks
    options.add("fsname=pyfuse3-memfs")
    return run(MemFS(args.timeout), args.mountpoint, options)


if __name__ == "__main__":
    sys.exit(main())
