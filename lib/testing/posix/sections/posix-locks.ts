/**
 * POSIX suite section: POSIX record locks (fcntl).
 * @module
 */
import type { PosixSection } from '../types.js';

export const posixLocks: PosixSection = {
  title: 'POSIX record locks (fcntl)',
  needs: ['python3', 'writable', 'posixLocks'],
  tests: {
    'a write lock conflicts across processes, F_GETLK reports the holder, unlock releases it': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('lockf');
      const r = await t.py`
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        os.write(fd, bytes(100))
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 0)
        other = '''
        import struct
        fd = os.open(p('f'), os.O_RDWR)
        def lock(kind, length, start):
            code = err(fcntl.lockf, fd, kind | fcntl.LOCK_NB, length, start)
            return 'conflict' if code in ('EAGAIN', 'EACCES') else code
        q = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, os.SEEK_SET, 0, 100, 0))
        kind, whence, start, length, pid = struct.unpack('hhqqi4x', q)
        out({'overlapping write lock': lock(fcntl.LOCK_EX, 5, 5), 'overlapping read lock': lock(fcntl.LOCK_SH, 1, 9),
             'disjoint write lock': lock(fcntl.LOCK_EX, 10, 50),
             'F_GETLK': {'type': 'F_WRLCK' if kind == fcntl.F_WRLCK else kind, 'start': start, 'len': length, 'pid': pid}})
        '''
        held = child(other)
        holder_ok = held['F_GETLK']['pid'] == os.getpid()
        held['F_GETLK']['pid'] = 'the holder' if holder_ok else held['F_GETLK']['pid']
        fcntl.lockf(fd, fcntl.LOCK_UN, 10, 0)
        released = child(other)
        out({'while held': held, 'after unlock': released['overlapping write lock'],
             'F_GETLK after unlock': released['F_GETLK']['type']})`;
      expect(r, `${t}`).toEqual({
        'while held': {
          'overlapping write lock': 'conflict',
          'overlapping read lock': 'conflict',
          'disjoint write lock': 'ok',
          F_GETLK: { type: 'F_WRLCK', start: 0, len: 10, pid: 'the holder' },
        },
        'after unlock': 'ok',
        'F_GETLK after unlock': 2, // F_UNLCK
      });
    },
    'read locks share; a write lock conflicts with them': async ({ expect, fresh }) => {
      const t = await fresh('lockf-shared');
      const r = await t.py`
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 0, 0)
        out(child('''
        fd = os.open(p('f'), os.O_RDWR)
        sh = err(fcntl.lockf, fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 0, 0)
        fcntl.lockf(fd, fcntl.LOCK_UN, 0, 0)
        ex = err(fcntl.lockf, fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0)
        out({'second read lock': sh, 'write lock': 'conflict' if ex in ('EAGAIN', 'EACCES') else ex})
        '''))`;
      expect(r, `${t}`).toEqual({ 'second read lock': 'ok', 'write lock': 'conflict' });
    },
  },
};
