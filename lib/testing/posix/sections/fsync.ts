/**
 * POSIX suite section: fsync and fdatasync.
 * @module
 */
import type { PosixSection } from '../types.js';

export const fsync: PosixSection = {
  title: 'fsync and fdatasync',
  needs: ['python3', 'writable'],
  tests: {
    'succeed on files (written or read-only), directories and O_SYNC writes': async ({ expect, fresh }) => {
      const t = await fresh('fsync');
      const r = await t.py`
        fd = os.open(p('f'), os.O_RDWR | os.O_CREAT, 0o644)
        os.write(fd, b'durable')
        res = {'fsync': err(os.fsync, fd), 'fdatasync': err(os.fdatasync, fd)}
        ro = os.open(p('f'), os.O_RDONLY)
        res['fsync read-only fd'] = err(os.fsync, ro)
        dfd = os.open(D, os.O_RDONLY | os.O_DIRECTORY)
        res['fsync directory'] = err(os.fsync, dfd)
        sfd = os.open(p('s'), os.O_WRONLY | os.O_CREAT | os.O_SYNC, 0o644)
        res['O_SYNC write'] = os.write(sfd, b'sync')
        os.close(fd)
        res['data'] = [read_file(p('f')).decode(), read_file(p('s')).decode()]
        out(res)`;
      expect(r, `${t}`).toEqual({
        fsync: 'ok',
        fdatasync: 'ok',
        'fsync read-only fd': 'ok',
        'fsync directory': 'ok',
        'O_SYNC write': 4,
        data: ['durable', 'sync'],
      });
    },
  },
};
