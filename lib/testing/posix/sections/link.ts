/**
 * POSIX suite section: link and nlink.
 * @module
 */
import type { PosixSection } from '../types.js';

export const link: PosixSection = {
  title: 'link and nlink',
  needs: ['python3', 'writable', 'hardlinks'],
  tests: {
    'a hard link shares the inode and data and counts in nlink': async ({ expect, fresh }) => {
      const t = await fresh('link');
      const r = await t.py`
        write_file(p('a'), 'one')
        os.mkdir(p('sub'))
        os.link(p('a'), p('sub', 'b'))
        sa, sb = os.stat(p('a')), os.stat(p('sub', 'b'))
        write_file(p('sub', 'b'), 'two', flags=os.O_WRONLY | os.O_TRUNC)
        res = {'same inode': sa.st_ino == sb.st_ino, 'nlink': [sa.st_nlink, sb.st_nlink],
               'write through b, read through a': read_file(p('a')).decode()}
        os.unlink(p('a'))
        res['nlink after unlink'] = os.stat(p('sub', 'b')).st_nlink
        res['data after unlink'] = read_file(p('sub', 'b')).decode()
        out(res)`;
      expect(r, `${t}`).toEqual({
        'same inode': true,
        nlink: [2, 2],
        'write through b, read through a': 'two',
        'nlink after unlink': 1,
        'data after unlink': 'two',
      });
    },
    'nlink counts many links up and down, and an open fd sees it': async ({ expect, fresh }) => {
      const t = await fresh('nlink');
      const r = await t.py`
        touch(p('f'))
        fd = os.open(p('f'), os.O_RDONLY)
        for i in range(20):
            os.link(p('f'), p(f'l{i}'))
        up = (os.stat(p('f')).st_nlink, os.fstat(fd).st_nlink)
        for i in range(10):
            os.unlink(p(f'l{i}'))
        os.rename(p('l10'), p('l11'))
        down = (os.stat(p('f')).st_nlink, os.fstat(fd).st_nlink)
        out({'after 20 links': up, 'after 10 unlinks and a rename onto a link': down})`;
      expect(r, `${t}`).toEqual({
        'after 20 links': [21, 21],
        'after 10 unlinks and a rename onto a link': [11, 11],
      });
    },
    'link fails with EEXIST onto an existing name, EPERM on a directory, ENOENT when missing': async ({
      expect,
      fresh,
    }) => {
      const t = await fresh('link-errors');
      const r = await t.py`
        touch(p('f'))
        touch(p('g'))
        os.mkdir(p('d'))
        out({'existing name': err(os.link, p('f'), p('g')), 'directory': err(os.link, p('d'), p('d2')),
             'missing source': err(os.link, p('missing'), p('x')), 'nlink unchanged': os.stat(p('f')).st_nlink})`;
      expect(r, `${t}`).toEqual({
        'existing name': 'EEXIST',
        directory: 'EPERM',
        'missing source': 'ENOENT',
        'nlink unchanged': 1,
      });
    },
  },
};
