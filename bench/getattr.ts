/**
 * getattr round trips: ours (examples/hello.ts) against libfuse's C hello_ll,
 * side by side in one run.
 *
 *     npm run bench:getattr -- [--seconds 3] [--rounds 5] [--threads 1,4] [--c-single] [--our-threads 0]
 *
 * Both servers answer with attribute and entry timeouts 0 (hello_ll is built
 * from the system's libfuse3-dev example with its 1.0 s timeouts patched to 0;
 * ours is bench/servers/hello-notimeout.ts), so the kernel caches nothing and
 * every stat(2) of a mount's root is exactly one GETATTR request (the root is
 * never looked up; ours counts what it served, and the run checks it).
 *
 * For each client thread count, rounds alternate A/B (ours first in even
 * rounds, C first in odd ones) after a warm-up of each. Reported: medians of
 * ops/s, p50/p99 latency, the ratio ours/C, and each server's CPU time per
 * request (utime + stime from /proc/PID/stat over the round, all threads).
 * hello_ll runs as shipped (libfuse's multithreaded loop) unless --c-single;
 * ours runs with `--our-threads` loop threads (default 0: the JS thread's own
 * event loop reads /dev/fuse).
 * @module
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildClient,
  buildLibfuseExample,
  idleFraction,
  type Measurement,
  measure,
  median,
  ROOT,
  replaceExactly,
  runClient,
  Server,
  saveResults,
  stopAll,
} from './harness.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    threads: { type: 'string', default: '1,4' },
    warmup: { type: 'string', default: '1' },
    'c-single': { type: 'boolean', default: false },
    'our-threads': { type: 'string', default: '0' },
  },
});
const seconds = Number(flags.seconds);
const rounds = Number(flags.rounds);
const warmup = Number(flags.warmup);
const threadCounts = flags.threads.split(',').map(Number);
if (!(seconds > 0) || !(rounds >= 1) || !(warmup >= 0) || threadCounts.some((t) => !(t >= 1))) {
  throw new Error(
    'usage: getattr [--seconds S] [--rounds N] [--threads 1,4] [--warmup S] [--c-single] [--our-threads N]',
  );
}

/** hello_ll.c with its attribute and entry timeouts (1.0 s) set to 0. */
function withoutTimeouts(source: string): string {
  let s = replaceExactly(source, 'fuse_reply_attr(req, &stbuf, 1.0);', 'fuse_reply_attr(req, &stbuf, 0.0);', 1);
  s = replaceExactly(s, 'e.attr_timeout = 1.0;', 'e.attr_timeout = 0.0;', 1);
  return replaceExactly(s, 'e.entry_timeout = 1.0;', 'e.entry_timeout = 0.0;', 1);
}

async function main(): Promise<void> {
  process.stdout.write('building the stat client and hello_ll (timeouts 0) into bench/.build\n');
  const client = buildClient('stat');
  const helloLl = buildLibfuseExample('hello_ll', 'hello_ll_notimeout', withoutTimeouts);
  const idleBefore = await idleFraction();
  process.stdout.write(`CPUs idle before the run: ${(idleBefore * 100).toFixed(0)} %\n`);
  if (idleBefore < 0.9) process.stderr.write('warning: the machine is busy with other work; expect noisy numbers\n');

  const ours = await Server.start('ours', process.execPath, (mnt) => [
    join(ROOT, 'dist', 'bench', 'servers', 'hello-notimeout.js'),
    mnt,
    '--threads',
    flags['our-threads'],
  ]);
  const c = await Server.start('c', helloLl, (mnt) => ['-f', ...(flags['c-single'] ? ['-s'] : []), mnt]);
  const servers = [ours, c];
  const measurements: Measurement[] = [];
  let oursOps = 0;
  try {
    const args = (server: Server, threads: number, s: number): string[] => [
      '-p',
      server.mountpoint,
      '-d',
      String(s),
      '-t',
      String(threads),
    ];
    for (const threads of threadCounts) {
      if (warmup > 0) {
        for (const server of servers) {
          const w = await runClient(client, args(server, threads, warmup));
          if (server === ours) oursOps += w.ops;
        }
      }
      for (let round = 0; round < rounds; round++) {
        for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
          const m = await measure(server, client, args(server, threads, seconds), round);
          if (server === ours) oursOps += m.ops;
          measurements.push(m);
          process.stdout.write(
            `  threads ${threads} round ${round + 1} ${server.name.padEnd(4)} ${m.ops_per_sec.toFixed(0).padStart(7)} ops/s` +
              `  p50 ${m.p50_us.toFixed(1)} µs  p99 ${m.p99_us.toFixed(1)} µs  cpu ${m.cpu_us_per_op.toFixed(1)} µs/op\n`,
          );
        }
      }
    }
  } finally {
    await stopAll();
  }

  // Ours printed what it served: check that one stat was one GETATTR.
  const servedLine = ours.lines.map((l) => JSON.parse(l) as { served?: Record<string, number> }).find((l) => l.served);
  const getattrs = servedLine?.served?.getattr;
  const perStat = getattrs === undefined ? undefined : getattrs / oursOps;

  const summary = threadCounts.map((threads) => {
    const of = (name: string) => measurements.filter((m) => m.threads === threads && m.server === name);
    const stats = (list: Measurement[]) => ({
      ops_per_sec: median(list.map((m) => m.ops_per_sec)),
      p50_us: median(list.map((m) => m.p50_us)),
      p99_us: median(list.map((m) => m.p99_us)),
      cpu_us_per_op: median(list.map((m) => m.cpu_us_per_op)),
    });
    const a = stats(of('ours'));
    const b = stats(of('c'));
    return {
      threads,
      ours: a,
      c: b,
      ratio: a.ops_per_sec / b.ops_per_sec,
      cpu_ratio: a.cpu_us_per_op / b.cpu_us_per_op,
    };
  });

  const ourLoop =
    flags['our-threads'] === '0'
      ? 'the JS event loop reads /dev/fuse (threads 0)'
      : `${flags['our-threads']} loop thread(s)`;
  process.stdout.write(
    `\ngetattr (stat of the mount root, timeouts 0), medians of ${rounds} alternating rounds of ${seconds} s\n` +
      `C server: hello_ll ${flags['c-single'] ? 'single-threaded (-s)' : 'multithreaded loop (default)'}; ours: ${ourLoop}\n` +
      `ours served ${perStat === undefined ? '?' : perStat.toFixed(3)} GETATTR per stat\n\n` +
      'threads  server     ops/s   p50 µs   p99 µs   cpu µs/req\n',
  );
  for (const s of summary) {
    for (const [name, r] of [
      ['ours', s.ours],
      ['C', s.c],
    ] as const) {
      process.stdout.write(
        `${String(s.threads).padStart(7)}  ${name.padEnd(6)} ${r.ops_per_sec.toFixed(0).padStart(9)} ${r.p50_us.toFixed(1).padStart(8)} ` +
          `${r.p99_us.toFixed(1).padStart(8)} ${r.cpu_us_per_op.toFixed(1).padStart(12)}\n`,
      );
    }
    process.stdout.write(
      `${' '.repeat(9)}ours/C   ${s.ratio.toFixed(2).padStart(7)}×${' '.repeat(19)}cpu ${s.cpu_ratio.toFixed(2)}×\n`,
    );
  }
  const idleAfter = await idleFraction();
  process.stdout.write(`\nCPUs idle after the run: ${(idleAfter * 100).toFixed(0)} %\n`);
  const file = saveResults('getattr', {
    benchmark: 'getattr',
    date: new Date().toISOString(),
    idleBefore,
    idleAfter,
    config: { seconds, rounds, warmup, threads: threadCounts, cSingleThreaded: flags['c-single'] },
    getattrPerStat: perStat,
    summary,
    measurements,
  });
  process.stdout.write(`\nresults: ${file}\n`);
  if (perStat !== undefined && Math.abs(perStat - 1) > 0.01) {
    process.stderr.write(`warning: ours served ${perStat} GETATTR per stat, expected 1: kernel caching is not off\n`);
  }
}

main().catch(async (error: unknown) => {
  await stopAll();
  process.stderr.write(`bench getattr: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
