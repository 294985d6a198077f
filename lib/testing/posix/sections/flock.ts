/**
 * POSIX suite section: flock.
 * @module
 */
import type { PosixSection } from '../types.js';

export const flock: PosixSection = {
  title: 'flock',
  needs: ['python3', 'writable', 'flock'],
  tests: {
    'LOCK_EX excludes other open files until LOCK_UN': async ({ expect, fresh }) => {
      const t = await fresh('flock');
      const r = await t.py`
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        fd2 = os.open(p('f'), os.O_RDWR)
        fcntl.flock(fd, fcntl.LOCK_EX)
        other = '''
        fd = os.open(p('f'), os.O_RDWR)
        out({'LOCK_EX': err(fcntl.flock, fd, fcntl.LOCK_EX | fcntl.LOCK_NB),
             'LOCK_SH': err(fcntl.flock, fd, fcntl.LOCK_SH | fcntl.LOCK_NB)})
        '''
        res = {'same process, other open file': err(fcntl.flock, fd2, fcntl.LOCK_EX | fcntl.LOCK_NB),
               'other process while held': child(other)}
        fcntl.flock(fd, fcntl.LOCK_UN)
        res['other process after LOCK_UN'] = child(other)
        out(res)`;
      expect(r, `${t}`).toEqual({
        'same process, other open file': 'EAGAIN',
        'other process while held': { LOCK_EX: 'EAGAIN', LOCK_SH: 'EAGAIN' },
        'other process after LOCK_UN': { LOCK_EX: 'ok', LOCK_SH: 'ok' },
      });
    },
  },
};
