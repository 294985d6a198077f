/**
 * POSIX suite section: client: tar.
 * @module
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, Workdir } from '../harness.js';
import type { PosixSection } from '../types.js';

export const clientTar: PosixSection = {
  title: 'client: tar',
  needs: ['python3', 'writable', 'tool:tar'],
  tests: ({ features, tools, beforeAll, afterAll }) => {
    let archive = '';

    let local = '';

    beforeAll(async () => {
      if (!tools.has('tar') || !tools.has(PYTHON)) return;
      local = await mkdtemp(join(tmpdir(), 'posix-suite-tar-'));
      const maker = new Workdir('local disk', local);
      // The tree: every size class, a sparse file, long and unicode names,
      // nested and empty dirs, odd modes, fixed mtimes with nanoseconds,
      // and (when claimed) symlinks, hard links and a FIFO.
      await maker.py`
        import random
        rng = random.Random(42)
        root = p('src')
        os.makedirs(os.path.join(root, 'a', 'b', 'c', 'd'))
        os.makedirs(os.path.join(root, 'empty'))
        os.makedirs(os.path.join(root, 'dir with spaces', 'ünïcödé'))
        sizes = [0, 1, 511, 512, 513, 4095, 4096, 4097, 65536 + 7, 1 << 20, (1 << 20) + 3, 3 * 1024 * 1024 + 11]
        for i, n in enumerate(sizes + [rng.randrange(1, 200000) for _ in range(20)]):
            sub = ['', 'a', os.path.join('a', 'b'), os.path.join('a', 'b', 'c', 'd'), 'dir with spaces'][i % 5]
            write_file(os.path.join(root, sub, f'file{i:02d}.bin'), pattern(n, 100 + i))
        write_file(os.path.join(root, 'dir with spaces', 'ünïcödé', '日本語.txt'), 'unicode\n')
        write_file(os.path.join(root, 'l' * 200), 'long name\n')
        fd = os.open(os.path.join(root, 'sparse.img'), os.O_WRONLY | os.O_CREAT, 0o644)
        os.pwrite(fd, b'start', 0)
        os.pwrite(fd, b'middle', 3 << 20)
        os.ftruncate(fd, 8 << 20)
        os.close(fd)
        os.chmod(os.path.join(root, 'file10.bin'), 0o600)
        os.chmod(os.path.join(root, 'file15.bin'), 0o755)
        os.chmod(os.path.join(root, 'file20.bin'), 0o444)
        os.chmod(os.path.join(root, 'a', 'b', 'c'), 0o700)
        if ${features.symlinks ? 'True' : 'False'}:
            os.symlink('file00.bin', os.path.join(root, 'link-rel'))
            os.symlink('a/b/c/d', os.path.join(root, 'link-dir'))
            os.symlink('nowhere', os.path.join(root, 'link-dangling'))
        if ${features.hardlinks ? 'True' : 'False'}:
            os.link(os.path.join(root, 'file05.bin'), os.path.join(root, 'a', 'hard1'))
            os.link(os.path.join(root, 'file05.bin'), os.path.join(root, 'a', 'b', 'hard2'))
        if ${features.fifo ? 'True' : 'False'}:
            os.mkfifo(os.path.join(root, 'fifo'))
        stamp = 1_234_567_890_123_456_789
        for dirpath, dirnames, filenames in os.walk(root, topdown=False):
            for name in dirnames + filenames + ['']:
                path = os.path.join(dirpath, name) if name else dirpath
                stamp += 1_000_000_007
                os.utime(path, ns=(stamp, stamp), follow_symlinks=False)`;
      archive = join(local, 'tree.tar');
      await maker.sh(`tar --format=posix --sparse -C src -cf ${archive} . && mkdir x && tar -xpf ${archive} -C x`);
    }, 60_000);

    afterAll(async () => {
      if (local) await rm(local, { recursive: true, force: true });
    });
    return {
      'extracts an archive with the same checksums, modes, links and times as on local disk; tar -d agrees; it archives back':
        {
          timeout: 90_000,
          run: async ({ expect, features, fresh }) => {
            const t = await fresh('tar');
            await t.sh(`mkdir x && tar -xpf ${archive} -C x`, { timeoutMs: 60_000 });
            // tar -d compares with the archive's nanosecond mtimes; a target without them may differ only there.
            const ns = features.nsTimestamps;
            const compare = await t.sh(`tar -df ${archive} -C x || true`, { timeoutMs: 60_000 });
            const differences = compare.stdout
              .split('\n')
              .filter((line) => line !== '' && (ns || !line.endsWith(': Mod time differs')));
            expect(differences, `${t}: tar -d`).toEqual([]);
            await t.sh(
              `mkdir ${local}/back && tar -C x --format=posix --sparse -cf ${local}/back.tar . && tar -xpf ${local}/back.tar -C ${local}/back`,
              { timeoutMs: 60_000 },
            );

            const r = await t.py`
            ns = ${ns ? 'True' : 'False'}
            local, here, back = manifest('${local}/x', ns), manifest(p('x'), ns), manifest('${local}/back', ns)
            diff = lambda a, b: {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
            out({'entries': len(local), 'differences from local disk': diff(local, here),
                 'round trip differences': diff(local, back)})`;
            expect(r['differences from local disk'], `${t}`).toEqual({});
            expect(r['round trip differences'], `${t}`).toEqual({});
            expect(r.entries).toBeGreaterThan(40);
          },
        },
    };
  },
};
