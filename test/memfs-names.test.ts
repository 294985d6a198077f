/**
 * memfs stores and lists names byte-exact: names that are not UTF-8 stay
 * distinct, 255 bytes is the limit whatever the bytes, and symlink targets
 * and xattr names keep their bytes — through real mounts, from python3
 * children that pass bytes paths.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { createMemfs } from '../examples/memfs/index.js';
import { describeMount, python, run, withSession } from './helpers/fuse.js';

/** Whether stress-ng is installed (checked before any mount exists). */
const STRESS_NG = spawnSync('sh', ['-c', 'command -v stress-ng'], { timeout: 10_000 }).status === 0;

const py = python(`
d = os.fsencode(sys.argv[1])
def listing(path):
    return sorted(n.hex() for n in os.listdir(path))
`);

describeMount('memfs: names are bytes', () => {
  it('a\\xff and a\\xfe are two files, listed with their bytes', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py(
        `
os.close(os.open(d + b'/a\\xff', os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
first = listing(d)
os.close(os.open(d + b'/a\\xfe', os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644))
with open(d + b'/a\\xfe', 'wb') as f: f.write(b'fe')
print(json.dumps({'first': first, 'both': listing(d), 'size of a ff': os.stat(d + b'/a\\xff').st_size,
                  'a U+FFFD': attempt(lambda: os.stat(d + b'/a\\xef\\xbf\\xbd').st_size)}))`,
        mnt,
      );
      expect(r).toEqual({
        first: ['61ff'],
        both: ['61fe', '61ff'],
        'size of a ff': 0,
        'a U+FFFD': { error: 'ENOENT' },
      });
    });
  }, 60_000);

  it('takes 255 bytes of 0x80 (not 255 characters) and refuses 256 with ENAMETOOLONG', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py(
        `
res = {}
for n in (200, 255, 256):
    res[str(n)] = attempt(lambda: os.close(os.open(d + b'/' + b'\\x80' * n, os.O_CREAT | os.O_WRONLY, 0o644)) or 'ok')
res['mkdir 255'] = attempt(lambda: os.mkdir(d + b'/' + b'\\xc3' * 255) or 'ok')
res['listed'] = sorted(len(n) for n in os.listdir(d))
print(json.dumps(res))`,
        mnt,
      );
      expect(r).toEqual({
        '200': 'ok',
        '255': 'ok',
        '256': { error: 'ENAMETOOLONG' },
        'mkdir 255': 'ok',
        listed: [200, 255, 255],
      });
    });
  }, 60_000);

  it('symlink targets, xattr names, link, rename and unlink keep the bytes', async () => {
    const memfs = createMemfs({ timeout: 0 });
    await withSession(memfs.operations, async (mnt) => {
      const r = await py(
        `
res = {}
target = b'../t\\xff\\x80/\\xc3(x'
os.symlink(target, d + b'/l\\xfe')
res['readlink'] = os.readlink(d + b'/l\\xfe').hex()
res['lstat size'] = os.lstat(d + b'/l\\xfe').st_size
os.close(os.open(d + b'/f\\xfa', os.O_CREAT | os.O_WRONLY, 0o644))
os.setxattr(d + b'/f\\xfa', b'user.\\xff\\xfe', b'v1')
os.setxattr(d + b'/f\\xfa', b'user.\\xef\\xbf\\xbd', b'v2')
res['listxattr'] = sorted(n.hex() for n in [os.fsencode(x) for x in os.listxattr(d + b'/f\\xfa')])
res['getxattr'] = os.getxattr(d + b'/f\\xfa', b'user.\\xff\\xfe').decode()
os.removexattr(d + b'/f\\xfa', b'user.\\xff\\xfe')
res['after removexattr'] = sorted(os.fsencode(x).hex() for x in os.listxattr(d + b'/f\\xfa'))
os.link(d + b'/f\\xfa', d + b'/h\\x81')
res['nlink'] = os.stat(d + b'/f\\xfa').st_nlink
os.mkdir(d + b'/d\\xf0')
os.rename(d + b'/h\\x81', d + b'/d\\xf0/r\\x82')
res['renamed'] = listing(d + b'/d\\xf0')
os.rename(d + b'/d\\xf0', d + b'/e\\xf1')
os.unlink(d + b'/e\\xf1/r\\x82')
os.rmdir(d + b'/e\\xf1')
res['left'] = listing(d)
print(json.dumps(res))`,
        mnt,
      );
      expect(r).toEqual({
        readlink: Buffer.from('../t\xff\x80/\xc3(x', 'latin1').toString('hex'),
        'lstat size': 10,
        listxattr: [
          Buffer.from('user.\xef\xbf\xbd', 'latin1').toString('hex'),
          Buffer.from('user.\xff\xfe', 'latin1').toString('hex'),
        ].sort(),
        getxattr: 'v1',
        'after removexattr': [Buffer.from('user.\xef\xbf\xbd', 'latin1').toString('hex')],
        nlink: 2,
        renamed: ['7282'],
        left: ['66fa', '6cfe'],
      });
    });
  }, 60_000);

  it.skipIf(!STRESS_NG)(
    "stress-ng's filename (posix, ext, probe) and fsize stressors pass with --verify",
    async () => {
      const memfs = createMemfs({ timeout: 0 });
      await withSession(memfs.operations, async (mnt) => {
        for (const opts of [
          '--filename 1 --filename-opts posix',
          '--filename 1 --filename-opts ext',
          '--filename 1 --filename-opts probe',
          '--fsize 1',
        ]) {
          const r = await run(
            'sh',
            ['-c', `cd /tmp && stress-ng ${opts} --timeout 4 --verify --temp-path ${mnt} 2>&1`],
            60_000,
          );
          expect(r.stdout, opts).toMatch(/successful run completed/);
          expect(r.stdout, opts).not.toMatch(/fail|error/i);
        }
      });
    },
    180_000,
  );
});
