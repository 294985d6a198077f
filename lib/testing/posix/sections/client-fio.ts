/**
 * POSIX suite section: client: fio.
 * @module
 */
import type { PosixSection } from '../types.js';

export const clientFio: PosixSection = {
  title: 'client: fio',
  needs: ['writable', 'tool:fio'],
  tests: {
    'random reads and writes verified with crc32c, aligned and unaligned, two jobs at once': {
      timeout: 90_000,
      run: async ({ expect, fresh }) => {
        const t = await fresh('fio');
        const job = [
          '[global]',
          `directory=${t.path}`,
          'ioengine=psync',
          'fallocate=none',
          'verify=crc32c',
          'verify_fatal=1',
          'do_verify=1',
          'randrepeat=1',
          'size=8m',
          '',
          '[aligned-randrw]',
          'rw=randrw',
          'rwmixread=50',
          'bs=4k',
          'numjobs=2',
          '',
          '[unaligned-randwrite]',
          'rw=randwrite',
          'bsrange=1k-64k',
          'bs_unaligned=1',
          'verify=crc32c',
          '',
        ].join('\n');
        const r = await t.sh(`cat > job.fio <<'EOF'\n${job}EOF\nfio --output-format=normal job.fio`, {
          timeoutMs: 60_000,
        });
        const errors = [...r.stdout.matchAll(/err=\s*(\d+)/g)].map((m) => Number(m[1]));
        expect(errors.length, `${t}: fio output\n${r.stdout}`).toBeGreaterThanOrEqual(3);
        expect(
          errors.every((e) => e === 0),
          `${t}: fio output\n${r.stdout}`,
        ).toBe(true);
        expect(r.stdout + r.stderr, `${t}`).not.toMatch(/verify:|bad magic|crc32c: verify failed/i);
      },
    },
  },
};
