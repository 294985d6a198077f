/**
 * POSIX suite section: permissions for an unprivileged user (uid/gid 65534, no groups).
 * @module
 */
import type { Workdir } from '../harness.js';
import type { PosixSection } from '../types.js';

const setup = async (t: Workdir) => {
  await t.py`
    def f(name, mode, content='content', owner=(0, 0)):
        write_file(p(name), content)
        os.chown(p(name), *owner)
        os.chmod(p(name), mode)
    def d(name, mode, owner=(0, 0)):
        os.mkdir(p(name))
        os.chown(p(name), *owner)
        os.chmod(p(name), mode)
    f('secret', 0o600)
    f('public', 0o644)
    f('shared', 0o666)
    f('group-read', 0o640, owner=(0, 65534))
    f('group-deny', 0o604, owner=(0, 65534))
    f('script', 0o644, '#!/bin/sh\necho ran\n')
    f('script-x', 0o755, '#!/bin/sh\necho ran\n')
    d('closed', 0o700)
    f('closed/inner', 0o644)
    d('searchonly', 0o711)
    f('searchonly/known', 0o644)
    d('sticky', 0o1777)
    f('sticky/roots', 0o666)
    d('open', 0o777)
    f('open/roots', 0o644)
    f('nobodys', 0o600, 'mine', owner=(65534, 65534))`;
};

export const permissions: PosixSection = {
  title: 'permissions for an unprivileged user (uid/gid 65534, no groups)',
  needs: ['python3', 'writable', 'permissions', 'root', 'tool:setpriv'],
  tests: {
    'reading, writing and searching follow the owner, group and other bits': async ({ expect, fresh }) => {
      const t = await fresh('perm-rw');
      await setup(t);
      const r = await t.nobody`
        import subprocess
        def run(path):
            try:
                return subprocess.run([path], capture_output=True, text=True, timeout=10).stdout.strip()
            except OSError as e:
                return errno.errorcode[e.errno]
        out({'read own 0600 file': err(read_file, p('nobodys')),
             'read 0600 file of root': err(read_file, p('secret')),
             'read 0644 file of root': err(read_file, p('public')),
             'write 0644 file of root': err(os.open, p('public'), os.O_WRONLY),
             'truncate 0644 file of root': err(os.truncate, p('public'), 0),
             'write 0666 file of root': err(write_file, p('shared'), 'nobody was here', flags=os.O_WRONLY),
             'read 0640 file of group 65534': err(read_file, p('group-read')),
             'read 0604 file of group 65534 (the group class denies)': err(read_file, p('group-deny')),
             'access R_OK 0600 file of root': os.access(p('secret'), os.R_OK),
             'access W_OK 0666 file of root': os.access(p('shared'), os.W_OK),
             'stat inside a 0700 dir': err(os.stat, p('closed', 'inner')),
             'list a 0700 dir': err(os.listdir, p('closed')),
             'list a 0711 dir': err(os.listdir, p('searchonly')),
             'stat a known name in a 0711 dir': err(os.stat, p('searchonly', 'known')),
             'exec a 0644 script': run(p('script')),
             'exec a 0755 script': run(p('script-x'))})`;
      expect(r, `${t}`).toEqual({
        'read own 0600 file': 'ok',
        'read 0600 file of root': 'EACCES',
        'read 0644 file of root': 'ok',
        'write 0644 file of root': 'EACCES',
        'truncate 0644 file of root': 'EACCES',
        'write 0666 file of root': 'ok',
        'read 0640 file of group 65534': 'ok',
        'read 0604 file of group 65534 (the group class denies)': 'EACCES',
        'access R_OK 0600 file of root': false,
        'access W_OK 0666 file of root': true,
        'stat inside a 0700 dir': 'EACCES',
        'list a 0700 dir': 'EACCES',
        'list a 0711 dir': 'EACCES',
        'stat a known name in a 0711 dir': 'ok',
        'exec a 0644 script': 'EACCES',
        'exec a 0755 script': 'ran',
      });
    },
    'creating, removing and renaming need write permission on the directory': async ({ expect, fresh }) => {
      const t = await fresh('perm-dir');
      await setup(t);
      const r = await t.nobody`
        out({'create in a 0755 dir of root': err(touch, p('mine')),
             'mkdir in a 0755 dir of root': err(os.mkdir, p('mydir')),
             'unlink in a 0755 dir of root': err(os.unlink, p('public')),
             'rename in a 0755 dir of root': err(os.rename, p('public'), p('public2')),
             'create in a 0777 dir': err(touch, p('open', 'mine')),
             "unlink root's file in a 0777 dir": err(os.unlink, p('open', 'roots'))})`;
      expect(r, `${t}`).toEqual({
        'create in a 0755 dir of root': 'EACCES',
        'mkdir in a 0755 dir of root': 'EACCES',
        'unlink in a 0755 dir of root': 'EACCES',
        'rename in a 0755 dir of root': 'EACCES',
        'create in a 0777 dir': 'ok',
        "unlink root's file in a 0777 dir": 'ok',
      });
    },
    "a sticky directory protects other users' entries (EPERM)": async ({ expect, fresh }) => {
      const t = await fresh('perm-sticky');
      await setup(t);
      const r = await t.nobody`
        out({'create in a 1777 dir': err(touch, p('sticky', 'mine')),
             'rename own file': err(os.rename, p('sticky', 'mine'), p('sticky', 'mine2')),
             'unlink own file': err(os.unlink, p('sticky', 'mine2')),
             "write root's 0666 file": err(write_file, p('sticky', 'roots'), 'x', flags=os.O_WRONLY),
             "unlink root's file": err(os.unlink, p('sticky', 'roots')),
             "rename root's file": err(os.rename, p('sticky', 'roots'), p('sticky', 'stolen')),
             'listing': sorted(os.listdir(p('sticky')))})`;
      expect(r, `${t}`).toEqual({
        'create in a 1777 dir': 'ok',
        'rename own file': 'ok',
        'unlink own file': 'ok',
        "write root's 0666 file": 'ok',
        "unlink root's file": 'EPERM',
        "rename root's file": 'EPERM',
        listing: ['roots'],
      });
    },
    'new entries belong to the caller, who may chmod and chgrp them but not give them away': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('perm-owner');
      await setup(t);
      const r = await t.nobody`
        fd = os.open(p('open', 'new'), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b'x')
        os.close(fd)
        os.mkdir(p('open', 'newdir'))
        s, sd = os.stat(p('open', 'new')), os.stat(p('open', 'newdir'))
        out({'file owner': [s.st_uid, s.st_gid], 'dir owner': [sd.st_uid, sd.st_gid],
             'reopen own 0600 file read-write': err(os.open, p('open', 'new'), os.O_RDWR),
             'chmod own file': err(os.chmod, p('open', 'new'), 0o640),
             'chgrp own file to own group': err(os.chown, p('open', 'new'), -1, 65534),
             'chown own file to root': err(os.chown, p('open', 'new'), 0, -1),
             'chgrp own file to group 0': err(os.chown, p('open', 'new'), -1, 0),
             "chmod root's file": err(os.chmod, p('public'), 0o777),
             "chown root's file": err(os.chown, p('public'), 65534, 65534)})`;
      expect(r, `${t}`).toEqual({
        'file owner': [65534, 65534],
        'dir owner': [65534, 65534],
        'reopen own 0600 file read-write': 'ok',
        'chmod own file': 'ok',
        'chgrp own file to own group': 'ok',
        'chown own file to root': 'EPERM',
        'chgrp own file to group 0': 'EPERM',
        "chmod root's file": 'EPERM',
        "chown root's file": 'EPERM',
      });
    },
    'explicit times need ownership (EPERM); "now" needs write permission (EACCES)': async ({ expect, fresh }) => {
      const t = await fresh('perm-utime');
      await setup(t);
      const r = await t.nobody`
        out({"explicit times on root's 0666 file": err(os.utime, p('shared'), ns=(0, 0)),
             "now on root's 0666 file": err(os.utime, p('shared')),
             "now on root's 0644 file": err(os.utime, p('public')),
             'explicit times on own file': err(os.utime, p('nobodys'), ns=(10**18, 10**18))})`;
      expect(r, `${t}`).toEqual({
        "explicit times on root's 0666 file": 'EPERM',
        "now on root's 0666 file": 'ok',
        "now on root's 0644 file": 'EACCES',
        'explicit times on own file': 'ok',
      });
    },
    'root may read and write regardless of the bits, but not execute a file with no x bit': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('perm-root');
      await setup(t);
      const r = await t.py`
        import subprocess
        os.chmod(p('nobodys'), 0o000)
        try:
            ran = subprocess.run([p('script')], capture_output=True, timeout=10).returncode
        except OSError as e:
            ran = errno.errorcode[e.errno]
        out({"read nobody's 0000 file": err(read_file, p('nobodys')),
             "write nobody's 0000 file": err(os.open, p('nobodys'), os.O_WRONLY),
             'list a 0700 dir': err(os.listdir, p('closed')),
             'exec a 0644 script': ran})`;
      expect(r, `${t}`).toEqual({
        "read nobody's 0000 file": 'ok',
        "write nobody's 0000 file": 'ok',
        'list a 0700 dir': 'ok',
        'exec a 0644 script': 'EACCES',
      });
    },
  },
};
