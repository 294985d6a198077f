/**
 * POSIX suite section for read-only targets: the tree the filesystem already
 * has is listed, looked up and read consistently, and every kind of write
 * fails with EROFS and changes nothing. Defined only for targets that declare
 * `readOnly` (every other section makes files, and is skipped there).
 * @module
 */
import type { PosixSection } from '../types.js';

/** The walk the tests share: up to 500 entries of the tree, breadth first (indented as the bodies it goes into). */
const WALK = `
        def walk(limit=500):
            seen, queue = [], [D]
            while queue and len(seen) < limit:
                d = queue.pop(0)
                for e in sorted(os.scandir(d), key=lambda e: e.name):
                    seen.append(e)
                    if e.is_dir(follow_symlinks=False):
                        queue.append(e.path)
            return seen`;

export const readOnlyTree: PosixSection = {
  title: 'a read-only filesystem: its tree, as it is',
  needs: ['python3'],
  only: 'read-only',
  tests: {
    'the root is a directory; every entry readdir lists is found by lstat with the type readdir gave': async ({
      expect,
      root,
    }) => {
      const t = root();
      const r = await t.py`
        ${WALK}
        kind = lambda m: 'dir' if stat.S_ISDIR(m) else 'file' if stat.S_ISREG(m) else 'link' if stat.S_ISLNK(m) else 'other'
        entries = walk()
        mismatches = []
        for e in entries:
            d_type = 'dir' if e.is_dir(follow_symlinks=False) else 'file' if e.is_file(follow_symlinks=False) else 'link' if e.is_symlink() else 'other'
            l = kind(os.lstat(e.path).st_mode)
            if l != d_type or os.lstat(e.path).st_ino != e.inode():
                mismatches.append([e.path, d_type, l])
        rs = os.stat(D)
        out({'root is a directory': stat.S_ISDIR(rs.st_mode), 'root nlink at least 2': rs.st_nlink >= 2,
             'entries': len(entries) > 0, 'readdir twice is the same': sorted(os.listdir(D)) == sorted(os.listdir(D)),
             'mismatches': mismatches})`;
      expect(r, `${t}`).toEqual({
        'root is a directory': true,
        'root nlink at least 2': true,
        entries: true,
        'readdir twice is the same': true,
        mismatches: [],
      });
    },

    'every regular file reads to EOF with st_size bytes, in one read and in odd-sized reads': async ({
      expect,
      root,
    }) => {
      const t = root();
      const r = await t.py`
        ${WALK}
        bad = []
        files = [e.path for e in walk() if e.is_file(follow_symlinks=False)][:50]
        for path in files:
            size = os.stat(path).st_size
            if size > 16 << 20:
                continue
            whole = read_file(path)
            fd = os.open(path, os.O_RDONLY)
            pieces, off = [], 0
            while True:
                chunk = os.pread(fd, 4093, off)
                if not chunk:
                    break
                pieces.append(chunk)
                off += len(chunk)
            past = os.pread(fd, 10, size + 100)
            os.close(fd)
            if len(whole) != size or b''.join(pieces) != whole or past != b'':
                bad.append([path, size, len(whole), off])
        out({'files': len(files) > 0, 'inconsistent': bad})`;
      expect(r, `${t}`).toEqual({ files: true, inconsistent: [] });
    },

    'a missing name fails with ENOENT, a file used as a directory with ENOTDIR': async ({ expect, root }) => {
      const t = root();
      const r = await t.py`
        ${WALK}
        files = [e.path for e in walk() if e.is_file(follow_symlinks=False)]
        out({'missing': err(os.lstat, p('no-such-name-in-the-posix-suite')),
             'open missing': err(os.open, p('no-such-name-in-the-posix-suite'), os.O_RDONLY),
             'file as a directory': err(os.lstat, os.path.join(files[0], 'x')) if files else 'ENOTDIR'})`;
      expect(r, `${t}`).toEqual({ missing: 'ENOENT', 'open missing': 'ENOENT', 'file as a directory': 'ENOTDIR' });
    },

    'every kind of write fails with EROFS and the tree is unchanged': async ({ expect, root }) => {
      const t = root();
      const r = await t.py`
        ${WALK}
        before = sorted((e.path, e.inode()) for e in walk())
        files = [e.path for e in walk() if e.is_file(follow_symlinks=False)]
        dirs = [D] + [e.path for e in walk() if e.is_dir(follow_symlinks=False)]
        f = files[0] if files else None
        res = {
            'create': err(os.open, p('new-file'), os.O_WRONLY | os.O_CREAT, 0o644),
            'mkdir': err(os.mkdir, p('new-dir')),
            'symlink': err(os.symlink, 'x', p('new-link')),
            'mknod fifo': err(os.mkfifo, p('new-fifo')),
            'chmod the root': err(os.chmod, D, 0o700),
            'utime the root': err(os.utime, D, ns=(0, 0)),
            'rmdir a directory': err(os.rmdir, dirs[-1]) if len(dirs) > 1 else 'EROFS',
        }
        if f is not None:
            res.update({
                'open for writing': err(os.open, f, os.O_WRONLY),
                'truncate': err(os.truncate, f, 0),
                'unlink': err(os.unlink, f),
                'rename': err(os.rename, f, p('renamed')),
                'link': err(os.link, f, p('new-hard-link')),
                'setxattr': err(os.setxattr, f, 'user.posix-suite', b'1'),
            })
        after = sorted((e.path, e.inode()) for e in walk())
        out({'errors': sorted(set(res.values())), 'unchanged': before == after,
             'statvfs says read-only': bool(os.statvfs(D).f_flag & os.ST_RDONLY)})`;
      expect(r, `${t}`).toEqual({ errors: ['EROFS'], unchanged: true, 'statvfs says read-only': true });
    },

    'find without -noleaf lists every entry a walk finds': {
      needs: ['tool:find'],
      run: async ({ expect, root }) => {
        const t = root();
        const r = await t.py`
          import subprocess
          walked = set()
          for dirpath, dirnames, filenames in os.walk(D):
              for n in dirnames + filenames:
                  walked.add(os.path.join(dirpath, n))
          found = subprocess.run(['find', D, '-mindepth', '1'], capture_output=True, text=True, timeout=60)
          listed = set(found.stdout.splitlines())
          out({'find exit': found.returncode, 'missing': sorted(walked - listed), 'extra': sorted(listed - walked)})`;
        expect(r, `${t}`).toEqual({ 'find exit': 0, missing: [], extra: [] });
      },
    },
  },
};
