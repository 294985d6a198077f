/**
 * POSIX suite section: open: O_APPEND.
 * @module
 */
import type { PosixSection } from '../types.js';

export const openAppend: PosixSection = {
  title: 'open: O_APPEND',
  needs: ['python3', 'writable'],
  tests: {
    'every write lands at the end, even after lseek to 0': async ({ expect, fresh }) => {
      const t = await fresh('append');
      const r = await t.py`
        write_file(p('f'), 'abc')
        fd = os.open(p('f'), os.O_WRONLY | os.O_APPEND)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b'def')
        os.lseek(fd, 1, os.SEEK_SET)
        os.write(fd, b'gh')
        pos = os.lseek(fd, 0, os.SEEK_CUR)
        os.close(fd)
        out({'content': read_file(p('f')).decode(), 'position': pos})`;
      expect(r, `${t}`).toEqual({ content: 'abcdefgh', position: 8 });
    },
    'two processes appending at once lose no record': async ({ expect, fresh }) => {
      const t = await fresh('append-2');
      const r = await t.py`
        import subprocess
        touch(p('log'))
        writer = '''
        import os, sys
        fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
        for i in range(300):
            rec = f'{sys.argv[2]}{i:05d}'.ljust(63, '.') + chr(10)
            assert os.write(fd, rec.encode()) == 64
        os.close(fd)
        '''
        procs = [subprocess.Popen([sys.executable, '-I', '-S', '-c', textwrap.dedent(writer), p('log'), w]) for w in 'AB']
        codes = [q.wait(timeout=30) for q in procs]
        lines = read_file(p('log')).decode().split('\n')[:-1]
        out({'exit codes': codes, 'size': os.stat(p('log')).st_size, 'records': len(lines),
             'distinct': len(set(lines)), 'all intact': all(len(x) == 63 and x[0] in 'AB' for x in lines)})`;
      expect(r, `${t}`).toEqual({
        'exit codes': [0, 0],
        size: 600 * 64,
        records: 600,
        distinct: 600,
        'all intact': true,
      });
    },
  },
};
