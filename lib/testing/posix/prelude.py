"""Prelude of every POSIX-suite child: python3 -I -S prelude.py DIR BODY.

Runs BODY (dedented) with D = DIR and a few helpers. Every os/fcntl call that
fails carries the operation and its arguments (fds shown with their paths), so
a failing test prints e.g.

    FAILED (uid 0) open('/mnt/t3/a', O_WRONLY|O_CREAT|O_EXCL, 0o644): EEXIST (File exists)

`out(value)` hands a JSON value back to the test. `err(fn, *args)` runs one
call and returns 'ok' or the errno's name, for tests that expect a failure.
"""
import errno
import json
import linecache
import os
import stat
import sys
import textwrap
import time
import traceback

D = sys.argv[1]
BODY = textwrap.dedent(sys.argv[2])

# Timestamps far in the past (2001-09-09), set with utime before an operation
# so "the operation updated mtime" needs no sleep.
PAST = 1_000_000_000 * 1_000_000_000
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2

_fdpath = {}
os.umask(0o022)


def errname(n):
    """The errno's usual name (EOPNOTSUPP rather than its alias ENOTSUP)."""
    return 'EOPNOTSUPP' if n == errno.EOPNOTSUPP else errno.errorcode.get(n, str(n))

_OFLAGS = [
    (os.O_WRONLY, 'O_WRONLY'), (os.O_RDWR, 'O_RDWR'), (os.O_CREAT, 'O_CREAT'), (os.O_EXCL, 'O_EXCL'),
    (os.O_TRUNC, 'O_TRUNC'), (os.O_APPEND, 'O_APPEND'), (os.O_DIRECTORY, 'O_DIRECTORY'),
    (os.O_NOFOLLOW, 'O_NOFOLLOW'), (os.O_NONBLOCK, 'O_NONBLOCK'), (os.O_SYNC, 'O_SYNC'),
    (os.O_PATH, 'O_PATH'), (getattr(os, 'O_DIRECT', 0), 'O_DIRECT'),
]


def _oflags(n):
    names = [name for bit, name in _OFLAGS if bit and n & bit == bit]
    return '|'.join(names) if names else 'O_RDONLY'


def _arg(a):
    if isinstance(a, bool):
        return repr(a)
    if isinstance(a, int) and a in _fdpath:
        return f'fd {a} ({_fdpath[a]!r})'
    if isinstance(a, (bytes, bytearray, memoryview)):
        return repr(bytes(a)) if len(a) <= 24 else f'<{len(a)} bytes>'
    return repr(a)


_MODE_ARG = {'open': 2, 'mkdir': 1, 'chmod': 1, 'fchmod': 1, 'mknod': 1, 'mkfifo': 1}


def _describe(name, args, kwargs):
    shown = []
    for i, a in enumerate(args):
        if name == 'open' and i == 1 and isinstance(a, int):
            shown.append(_oflags(a))
        elif isinstance(a, int) and _MODE_ARG.get(name) == i:
            shown.append(oct(a))
        else:
            shown.append(_arg(a))
    shown += [f'{k}={_arg(v)}' for k, v in kwargs.items()]
    return f'{name}({", ".join(shown)})'


def _wrap(mod, prefix, name):
    f = getattr(mod, name, None)
    if f is None:
        return

    def call(*args, **kwargs):
        try:
            r = f(*args, **kwargs)
        except OSError as e:
            if getattr(e, 'posix_op', None) is None:
                e.posix_op = prefix + _describe(name, args, kwargs)
            raise
        if name == 'open':
            _fdpath[r] = args[0]
        elif name == 'close':
            _fdpath.pop(args[0], None)
        return r

    call.__name__ = name
    call.__wrapped__ = f
    setattr(mod, name, call)


for _n in ('open close read write pread pwrite lseek stat lstat fstat unlink rmdir mkdir rename replace link '
           'symlink readlink chmod fchmod lchmod chown fchown lchown truncate ftruncate utime listdir scandir '
           'statvfs fstatvfs fsync fdatasync getxattr setxattr listxattr removexattr mkfifo mknod '
           'copy_file_range posix_fallocate access makedirs chdir').split():
    _wrap(os, '', _n)

import fcntl  # noqa: E402

for _n in ('fcntl', 'lockf', 'flock'):
    _wrap(fcntl, 'fcntl.', _n)

_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        import ctypes
        _LIBC = ctypes.CDLL('libc.so.6', use_errno=True)
    return _LIBC


def _fail(op, path=None):
    import ctypes
    e = ctypes.get_errno()
    error = OSError(e, os.strerror(e), path)
    error.posix_op = op
    raise error


def renameat2(old, new, flags):
    """renameat2(2): flags 1 = RENAME_NOREPLACE, 2 = RENAME_EXCHANGE."""
    import ctypes
    libc = _libc()
    libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if libc.renameat2(-100, os.fsencode(old), -100, os.fsencode(new), flags) != 0:
        _fail(f'renameat2({old!r}, {new!r}, {["0", "RENAME_NOREPLACE", "RENAME_EXCHANGE"][flags] if flags < 3 else flags})', old)


RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2


def utimens(path, atime, mtime, follow=True):
    """utimensat(2) with ns values or UTIME_NOW / UTIME_OMIT for either time."""
    import ctypes

    class Timespec(ctypes.Structure):
        _fields_ = [('tv_sec', ctypes.c_long), ('tv_nsec', ctypes.c_long)]

    def ts(v):
        return Timespec(0, v) if v in (UTIME_NOW, UTIME_OMIT) else Timespec(v // 10**9, v % 10**9)

    times = (Timespec * 2)(ts(atime), ts(mtime))
    flags = 0 if follow else 0x100  # AT_SYMLINK_NOFOLLOW
    name = {UTIME_NOW: 'UTIME_NOW', UTIME_OMIT: 'UTIME_OMIT'}
    if _libc().utimensat(-100, os.fsencode(path), times, flags) != 0:
        _fail(f'utimensat({path!r}, {name.get(atime, atime)}, {name.get(mtime, mtime)})', path)


def raw_getxattr(path, attr, size):
    """getxattr(2) with a buffer of `size` bytes: the size (size 0) or the value."""
    import ctypes
    libc = _libc()
    libc.getxattr.restype = ctypes.c_ssize_t
    buf = ctypes.create_string_buffer(max(size, 1))
    n = libc.getxattr(os.fsencode(path), attr.encode(), buf if size else None, ctypes.c_size_t(size))
    if n < 0:
        _fail(f'getxattr({path!r}, {attr!r}, size={size})', path)
    return n if size == 0 else buf.raw[:n]


def raw_listxattr(path, size):
    """listxattr(2) with a buffer of `size` bytes: the size (size 0) or the names."""
    import ctypes
    libc = _libc()
    libc.listxattr.restype = ctypes.c_ssize_t
    buf = ctypes.create_string_buffer(max(size, 1))
    n = libc.listxattr(os.fsencode(path), buf if size else None, ctypes.c_size_t(size))
    if n < 0:
        _fail(f'listxattr({path!r}, size={size})', path)
    return n if size == 0 else [x.decode() for x in buf.raw[:n].split(b'\0') if x]


FALLOC_FL_KEEP_SIZE = 1
FALLOC_FL_PUNCH_HOLE = 2


def fallocate(fd, mode, offset, length):
    """fallocate(2) with a mode (posix_fallocate cannot pass one)."""
    import ctypes
    libc = _libc()
    libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]
    if libc.fallocate(fd, mode, offset, length) != 0:
        _fail(f'fallocate({_arg(fd)}, mode={mode}, offset={offset}, len={length})', _fdpath.get(fd))


def p(*names):
    """A path inside this test's directory."""
    return os.path.join(D, *names)


def err(fn, *args, **kwargs):
    """Runs fn and returns 'ok' or the name of the errno it failed with."""
    try:
        r = fn(*args, **kwargs)
    except OSError as e:
        return errname(e.errno)
    if fn is os.open:
        os.close(r)
    return 'ok'


def write_file(path, data, mode=0o644, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC):
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(path, flags, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def read_file(path, size=None):
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b''.join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def pwrite_all(fd, data, offset):
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def pread_all(fd, size, offset):
    chunks = []
    while size > 0:
        chunk = os.pread(fd, size, offset)
        if not chunk:
            break
        chunks.append(chunk)
        size, offset = size - len(chunk), offset + len(chunk)
    return b''.join(chunks)


def pattern(n, seed=0):
    """n deterministic, non-repeating-looking bytes."""
    import hashlib
    out, i = bytearray(), 0
    while len(out) < n:
        out += hashlib.sha256(f'{seed}:{i}'.encode()).digest()
        i += 1
    return bytes(out[:n])


def touch(path, mode=0o644):
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, mode))


def st(path, follow=False):
    s = os.stat(path) if follow else os.lstat(path)
    return {'mode': s.st_mode, 'ino': s.st_ino, 'nlink': s.st_nlink, 'uid': s.st_uid, 'gid': s.st_gid,
            'size': s.st_size, 'blocks': s.st_blocks, 'atime': s.st_atime_ns, 'mtime': s.st_mtime_ns,
            'ctime': s.st_ctime_ns}


def make_past(path, follow=True):
    """Sets atime and mtime to PAST."""
    os.utime(path, ns=(PAST, PAST), follow_symlinks=follow)


def tick(ref_ns, margin_ns=20_000_000):
    """Waits (with a deadline) until the filesystem's clock is past ref_ns, so the
    next timestamp it sets is strictly newer. Probes with a file's mtime set to
    "now"; the margin covers a kernel's coarse clock (a jiffy) when the
    filesystem takes its times from more than one clock."""
    probe = os.path.join(D, '.tick')
    touch(probe)
    deadline = time.monotonic() + 5
    while True:
        os.utime(probe)
        if os.stat(probe).st_mtime_ns > ref_ns + margin_ns:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f'the filesystem clock (mtime of {probe}) did not pass {ref_ns} within 5 s')


def child(body, timeout=15):
    """Runs another body (with this prelude, same D) in a second process; returns its out() value."""
    import subprocess
    r = subprocess.run([sys.executable, '-I', '-S', __file__, D, body], capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f'second process failed ({r.returncode}):\n{r.stderr}')
    return json.loads(r.stdout) if r.stdout.strip() else None


def stamps(op, watch):
    """Which timestamps `op` changes. watch maps a label to a path, or to
    (path before, path after) for names that op moves. Sets every watched
    mtime to PAST and waits for the clock to pass every ctime first; returns
    {label: 'mtime+ctime' | 'mtime' | 'ctime' | 'neither'}."""
    touch(os.path.join(D, '.tick'))
    paths = {k: (v, v) if isinstance(v, str) else v for k, v in watch.items()}
    for before, _ in paths.values():
        make_past(before)
    ctime0 = {k: os.stat(before).st_ctime_ns for k, (before, _) in paths.items()}
    tick(max(ctime0.values()))
    op()
    result = {}
    for k, (_, after) in paths.items():
        s = os.stat(after)
        changed = [name for name, yes in (('mtime', s.st_mtime_ns != PAST), ('ctime', s.st_ctime_ns > ctime0[k])) if yes]
        result[k] = '+'.join(changed) or 'neither'
    return result


def manifest(root, ns=True):
    """Every entry under root: type, mode, owner, size, sha256, link target,
    mtime (ns, or whole seconds), nlink, and hard-link groups."""
    import hashlib
    entries, first_path = {}, {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            s = os.lstat(path)
            e = {'type': stat.S_IFMT(s.st_mode), 'mode': oct(stat.S_IMODE(s.st_mode)), 'uid': s.st_uid,
                 'gid': s.st_gid, 'mtime': str(s.st_mtime_ns if ns else s.st_mtime_ns // 10**9)}
            if stat.S_ISREG(s.st_mode):
                e['size'] = s.st_size
                e['sha256'] = hashlib.sha256(read_file(path)).hexdigest()
                e['nlink'] = s.st_nlink
                e['links to'] = first_path.setdefault((s.st_dev, s.st_ino), rel)
            elif stat.S_ISLNK(s.st_mode):
                e['target'] = os.readlink(path)
            elif stat.S_ISDIR(s.st_mode):
                e['nlink'] = s.st_nlink
            entries[rel] = e
    return entries


def out(value):
    sys.stdout.write(json.dumps(value))
    sys.stdout.flush()


def _main():
    linecache.cache['<test>'] = (len(BODY), None, BODY.splitlines(True), '<test>')
    who = f'uid {os.geteuid()}'
    try:
        exec(compile(BODY, '<test>', 'exec'), globals())
    except OSError as e:
        name = errname(e.errno)
        op = getattr(e, 'posix_op', None) or f'{type(e).__name__} on {e.filename!r}'
        sys.stderr.write(f'FAILED ({who}) {op}: {name} ({e.strerror})\n')
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == '<test>']
        sys.stderr.write(''.join(traceback.format_list(frames)))
        sys.exit(3)
    except AssertionError as e:
        sys.stderr.write(f'ASSERTION FAILED ({who}): {e}\n')
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == '<test>']
        sys.stderr.write(''.join(traceback.format_list(frames)))
        sys.exit(4)


_main()
