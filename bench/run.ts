/**
 * `npm run bench`: our memfs and passthrough examples against C lowlevel
 * servers serving the same content, side by side in one run.
 *
 *     npm run bench                 # the full matrix (~13 min on 2 vCPUs)
 *     npm run bench -- --quick      # a ~1-minute smoke run (2 rounds, short runs, 64 MiB files)
 *     npm run bench -- --soak       # RSS of our memfs over 1,000,000 stat requests
 *
 * Pairs (ours ÷ C reference):
 * - memfs (examples/memfs) ÷ memfs_ll (bench/servers/memfs_ll.c, the bench's own in-memory server);
 * - passthrough (examples/passthrough) ÷ passthrough_ll (libfuse's example, built from
 *   libfuse3-dev), both mirroring one source directory.
 *
 * Two phases, each with all four servers mounted at once: the metadata
 * workloads with entry/attr/negative timeouts 0 (every stat, open and lookup
 * reaches the server), then the data workloads with timeouts --data-timeout
 * (default 1 s, so reads are READs, not a GETATTR each too). Every workload
 * runs with 1 and with 4 client threads; rounds alternate each pair's order
 * (A B, B A, …) after a warm-up of every server; medians are reported, with
 * the ratio to the C server and each server's CPU time per operation. Our
 * servers run with `threads: 0` (the JS event loop reads /dev/fuse) unless
 * --our-threads; the C servers run libfuse's multithreaded loop, as shipped.
 * @module
 */
import {
  accessSync,
  constants,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildClient,
  buildLibfuseExample,
  buildServer,
  idleFraction,
  type Measurement,
  measure,
  median,
  RESULTS_DIR,
  ROOT,
  replaceExactly,
  runClient,
  Server,
  saveResults,
  setServerLog,
  stopAll,
} from './harness.js';
import { type FsName, formatTable, type Row, renderSvg, type Stats } from './report.js';

const USAGE = `usage: npm run bench -- [options]

  --quick               smoke run: 2 rounds of 0.25 s, 64 MiB files (about a minute)
  --soak                our memfs's RSS over --soak-requests stat requests (timeouts 0), nothing else
  --rounds N            alternating rounds per workload and thread count (default 5)
  --seconds S           length of one measured run (default 2)
  --warmup S            warm-up run of every server before the rounds (default 0.5)
  --threads 1,4         client thread counts
  --size BYTES          file size for the data workloads (default 1G; K/M/G)
  --entries N           directory size for readdir (default 10000)
  --only a,b            workloads to run (${'stat,stat-missing,open-close,readdir,create-unlink,read-random,read-seq,write-seq'})
  --fs memfs,passthrough  pairs to run
  --our-threads N       loop threads of our servers (default 0: the JS event loop)
  --data-timeout S      cache timeouts of the data phase (default 1)
  --source-dir DIR      where to make the passthroughs' source (default /dev/shm, else the temp dir)
  --soak-requests N     stat requests in --soak (default 1000000)
  --report FILE         print the table of a saved run (bench/results/*.json) and make it latest.svg
`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    threads: { type: 'string', default: '1,4' },
    size: { type: 'string' },
    entries: { type: 'string', default: '10000' },
    only: { type: 'string' },
    fs: { type: 'string', default: 'memfs,passthrough' },
    'our-threads': { type: 'string', default: '0' },
    'data-timeout': { type: 'string', default: '1' },
    'source-dir': { type: 'string' },
    'soak-requests': { type: 'string', default: '1000000' },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function bytes(s: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(s);
  if (m === null) return Number.NaN;
  return Number(m[1]) * 1024 ** ['', 'K', 'M', 'G'].indexOf((m[2] as string).toUpperCase());
}

const config = {
  quick: flags.quick,
  rounds: Number(flags.rounds ?? (flags.quick ? 2 : 5)),
  seconds: Number(flags.seconds ?? (flags.quick ? 0.25 : 2)),
  warmup: Number(flags.warmup ?? (flags.quick ? 0.1 : 0.5)),
  threads: flags.threads.split(',').map(Number),
  size: bytes(flags.size ?? (flags.quick ? '64M' : '1G')),
  entries: Number(flags.entries),
  ourThreads: Number(flags['our-threads']),
  dataTimeout: Number(flags['data-timeout']),
  fs: flags.fs.split(',') as FsName[],
};
if (
  flags.help ||
  !(config.rounds >= 1) ||
  !(config.seconds > 0) ||
  !(config.warmup >= 0) ||
  config.threads.some((t) => !Number.isInteger(t) || t < 1) ||
  !(config.size >= 4 * 1024 * 1024) ||
  config.size % (1024 * 1024) !== 0 ||
  !Number.isInteger(config.entries) ||
  config.entries < 1 ||
  !Number.isInteger(config.ourThreads) ||
  !(config.dataTimeout >= 0) ||
  config.fs.some((f) => f !== 'memfs' && f !== 'passthrough')
) {
  process.stderr.write(USAGE);
  process.exit(flags.help ? 0 : 2);
}

// --- what runs ---------------------------------------------------------------

type Phase = 'metadata' | 'data';

interface Workload {
  id: string;
  title: string;
  client: string;
  phase: Phase;
  unit: 'ops' | 'MB';
  target: Record<FsName, number>;
  /** The client's arguments besides -d/-t, for a filesystem whose content is at `root`. */
  args(root: string): string[];
}

const MiB = 1024 * 1024;
const WORKLOADS: Workload[] = [
  {
    id: 'stat',
    title: 'stat(2) of one file: LOOKUP + GETATTR',
    client: 'stat',
    phase: 'metadata',
    unit: 'ops',
    target: { memfs: 0.8, passthrough: 0.8 },
    args: (root) => ['-p', join(root, 'file')],
  },
  {
    id: 'stat-missing',
    title: 'stat(2) of missing names: LOOKUP → ENOENT',
    client: 'stat_missing',
    phase: 'metadata',
    unit: 'ops',
    target: { memfs: 0.8, passthrough: 0.8 },
    args: (root) => ['-p', root],
  },
  {
    id: 'open-close',
    title: 'open(2) O_RDONLY + close(2): LOOKUP, OPEN, FLUSH, RELEASE',
    client: 'open_close',
    phase: 'metadata',
    unit: 'ops',
    target: { memfs: 0.8, passthrough: 0.8 },
    args: (root) => ['-p', join(root, 'file')],
  },
  {
    id: 'readdir',
    title: `opendir + readdir + closedir of a ${config.entries}-entry directory (READDIRPLUS)`,
    client: 'readdir',
    phase: 'metadata',
    unit: 'ops',
    target: { memfs: 0.8, passthrough: 0.8 },
    args: (root) => ['-p', join(root, 'dir'), '-e', String(config.entries)],
  },
  {
    id: 'create-unlink',
    title: 'create (O_EXCL) + close + unlink of a new file',
    client: 'create_unlink',
    phase: 'metadata',
    unit: 'ops',
    target: { memfs: 0.8, passthrough: 0.8 },
    args: (root) => ['-p', join(root, 'work')],
  },
  {
    id: 'read-random',
    title: 'pread(2) of 4 KiB at random offsets, page cache dropped (FADV_RANDOM + DONTNEED)',
    client: 'read_random',
    phase: 'data',
    unit: 'ops',
    target: { memfs: 0.8, passthrough: 0.8 },
    args: (root) => ['-p', join(root, 'big'), '-s', String(config.size), '-b', '4096'],
  },
  {
    id: 'read-seq',
    title: 'sequential 1 MiB reads (a slice per thread), FADV_DONTNEED between passes',
    client: 'read_seq',
    phase: 'data',
    unit: 'MB',
    target: { memfs: 0.85, passthrough: 0.95 },
    args: (root) => ['-p', join(root, 'big'), '-s', String(config.size), '-b', String(MiB)],
  },
  {
    id: 'write-seq',
    title: 'sequential 1 MiB writes (a file per thread, overwritten in turn)',
    client: 'write_seq',
    phase: 'data',
    unit: 'MB',
    target: { memfs: 0.85, passthrough: 0.85 },
    args: (root) => ['-p', join(root, 'work', 'w'), '-s', String(config.size), '-b', String(MiB)],
  },
];

const only = flags.only?.split(',');
if (only?.some((id) => !WORKLOADS.some((w) => w.id === id))) {
  process.stderr.write(`unknown workload in --only ${flags.only}\n\n${USAGE}`);
  process.exit(2);
}
const workloads = WORKLOADS.filter((w) => only === undefined || only.includes(w.id));

type Side = 'ours' | 'c';

interface ServerSpec {
  name: string;
  fs: FsName;
  side: Side;
}

const SERVERS: ServerSpec[] = [
  { name: 'memfs', fs: 'memfs', side: 'ours' },
  { name: 'memfs_ll', fs: 'memfs', side: 'c' },
  { name: 'passthrough', fs: 'passthrough', side: 'ours' },
  { name: 'passthrough_ll', fs: 'passthrough', side: 'c' },
];
const servers = SERVERS.filter((s) => config.fs.includes(s.fs));

// --- progress ----------------------------------------------------------------

const tty = process.stdout.isTTY === true;
let progressText = '';

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Prints a line above the progress line. */
function say(line: string): void {
  if (tty) process.stdout.write(`\r\x1b[K${line}\n${progressText}`);
  else process.stdout.write(`${line}\n`);
}

function progress(text: string): void {
  const columns = process.stdout.columns ?? 0;
  progressText = columns > 20 ? text.slice(0, columns - 1) : text;
  if (tty) process.stdout.write(`\r\x1b[K${progressText}`);
}

function endProgress(): void {
  if (tty && progressText !== '') process.stdout.write('\r\x1b[K');
  progressText = '';
}

setServerLog((name, line) => {
  if (tty) process.stdout.write('\r\x1b[K');
  process.stderr.write(`[${name}] ${line}\n`);
  if (tty) process.stdout.write(progressText);
});

// --- building and starting ---------------------------------------------------

interface Binaries {
  clients: Record<string, string>;
  prepare: string;
  memfsLl: string;
  passthroughLl: string;
}

function build(): Binaries {
  const clients: Record<string, string> = {};
  for (const client of new Set([...workloads.map((w) => w.client), 'stat'])) clients[client] = buildClient(client);
  return {
    clients,
    prepare: buildClient('prepare'),
    memfsLl: buildServer('memfs_ll'),
    passthroughLl: buildLibfuseExample('passthrough_ll', 'passthrough_ll_splice', withSpliceWrite),
  };
}

/**
 * passthrough_ll.c wanting FUSE_CAP_SPLICE_WRITE, as our library does by
 * default: both sides then splice fd replies (file → pipe → /dev/fuse). As
 * shipped, libfuse's example leaves it off and its fd replies are copied
 * through a buffer (read + writev).
 */
function withSpliceWrite(source: string): string {
  const anchor = '\tif(conn->capable & FUSE_CAP_EXPORT_SUPPORT)\n\t\tconn->want |= FUSE_CAP_EXPORT_SUPPORT;\n';
  return replaceExactly(
    source,
    anchor,
    `${anchor}\n\t/* fuse-lowlevel bench: zero-copy fd replies, as fuse-lowlevel negotiates by default. */\n` +
      '\tif (conn->capable & FUSE_CAP_SPLICE_WRITE)\n\t\tconn->want |= FUSE_CAP_SPLICE_WRITE;\n',
    1,
  );
}

function startServer(spec: ServerSpec, bin: Binaries, source: string, timeout: number): Promise<Server> {
  const ours = (mnt: string, ...extra: string[]): string[] => [
    join(ROOT, 'dist', 'bench', 'servers', 'example.js'),
    spec.fs,
    mnt,
    '--timeout',
    String(timeout),
    '--threads',
    String(config.ourThreads),
    ...extra,
  ];
  switch (spec.name) {
    case 'memfs':
      return Server.start(spec.name, process.execPath, (mnt) => ours(mnt));
    case 'passthrough':
      return Server.start(spec.name, process.execPath, (mnt) => ours(mnt, '--source', source));
    case 'memfs_ll':
      return Server.start(spec.name, bin.memfsLl, (mnt) => ['-f', '-o', `timeout=${timeout}`, mnt]);
    default:
      // Same options as ours: default_permissions (passthroughMountOptions), no direct_io or
      // keep_cache (cache=auto, the default), and the phase's timeouts.
      return Server.start(spec.name, bin.passthroughLl, (mnt) => [
        '-f',
        '-o',
        `source=${source},timeout=${timeout},default_permissions`,
        mnt,
      ]);
  }
}

/** The directory the passthroughs mirror: in memory when /dev/shm can hold it, so no disk is measured. */
function makeSource(): string {
  const base = flags['source-dir'] ?? (isWritableDir('/dev/shm') ? '/dev/shm' : tmpdir());
  return mkdtempSync(join(base, 'fuse-lowlevel-bench-source-'));
}

function isWritableDir(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// --- the matrix --------------------------------------------------------------

interface RunError {
  workload: string;
  threads: number;
  server: string;
  round: number;
  message: string;
}

interface RunRecord extends Measurement {
  workload: string;
  fs: FsName;
  side: Side;
  phase: Phase;
}

async function runMatrix(bin: Binaries, source: string): Promise<{ records: RunRecord[]; errors: RunError[] }> {
  const records: RunRecord[] = [];
  const errors: RunError[] = [];
  const phases: { phase: Phase; timeout: number }[] = [
    { phase: 'metadata', timeout: 0 },
    { phase: 'data', timeout: config.dataTimeout },
  ];
  const perCell = servers.length * (config.rounds + (config.warmup > 0 ? 1 : 0));
  const totalSteps = workloads.length * config.threads.length * perCell;
  let step = 0;
  const matrixStart = Date.now();

  for (const { phase, timeout } of phases) {
    const list = workloads.filter((w) => w.phase === phase);
    if (list.length === 0) continue;
    progress(`${phase} phase: mounting ${servers.map((s) => s.name).join(', ')} (timeouts ${timeout})`);
    const running = new Map<string, Server>();
    const dead = new Map<string, string>();
    try {
      for (const spec of servers) running.set(spec.name, await startServer(spec, bin, source, timeout));
      // memfs content is made through each mount; the passthroughs mirror the prepared source.
      for (const spec of servers.filter((s) => s.fs === 'memfs')) {
        const server = running.get(spec.name) as Server;
        progress(`${phase} phase: preparing ${spec.name}`);
        const t0 = Date.now();
        await runPrepare(
          bin.prepare,
          server.mountpoint,
          phase === 'metadata' && list.some((w) => w.id === 'readdir') ? config.entries : 0,
          phase === 'data' && list.some((w) => w.id.startsWith('read')) ? config.size : 0,
        );
        say(`  prepared ${spec.name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      for (const workload of list) {
        for (const threads of config.threads) {
          const cell = `${workload.id} ×${threads}`;
          const args = (server: Server, seconds: number): string[] => [
            ...workload.args(server.mountpoint),
            '-d',
            String(seconds),
            '-t',
            String(threads),
          ];
          const run = async (spec: ServerSpec, round: number): Promise<void> => {
            step++;
            const server = running.get(spec.name) as Server;
            const done = step / totalSteps;
            const elapsed = Date.now() - matrixStart;
            const eta = done > 0 ? (elapsed / done) * (1 - done) : 0;
            progress(
              `[${String(step).padStart(String(totalSteps).length)}/${totalSteps}] ${clock(elapsed)} elapsed, ~${clock(eta)} left  ` +
                `${cell}  ${round < 0 ? 'warm-up' : `round ${round + 1}/${config.rounds}`}  ${spec.name}`,
            );
            const reason = dead.get(spec.name);
            if (reason !== undefined) {
              if (!errors.some((e) => e.workload === workload.id && e.threads === threads && e.server === spec.name)) {
                errors.push({
                  workload: workload.id,
                  threads,
                  server: spec.name,
                  round,
                  message: `skipped: ${reason}`,
                });
              }
              return;
            }
            const seconds = round < 0 ? config.warmup : config.seconds;
            try {
              const m = await measure(
                server,
                bin.clients[workload.client] as string,
                args(server, seconds),
                round,
                (seconds + 60) * 1000,
              );
              if (round >= 0) records.push({ ...m, workload: workload.id, fs: spec.fs, side: spec.side, phase });
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              errors.push({ workload: workload.id, threads, server: spec.name, round, message });
              say(`  ERROR ${cell} ${spec.name}: ${message}`);
              if (!server.alive) {
                dead.set(spec.name, `the server exited (${server.exitCode})`);
                say(`  ${spec.name} exited (${server.exitCode}): skipping it for the rest of the ${phase} phase`);
              }
            }
          };
          if (config.warmup > 0) for (const spec of servers) await run(spec, -1);
          for (let round = 0; round < config.rounds; round++) {
            for (const fs of config.fs) {
              const pair = servers.filter((s) => s.fs === fs);
              for (const spec of round % 2 === 0 ? pair : [...pair].reverse()) await run(spec, round);
            }
          }
          for (const row of summarize(records, errors).filter(
            (r) => r.workload === workload.id && r.threads === threads,
          )) {
            say(
              `  ${cell.padEnd(18)} ${row.fs.padEnd(11)} ${row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`.padStart(6)}` +
                `  (${fmt(row.ours, row.unit)} vs ${fmt(row.c, row.unit)})`,
            );
          }
        }
      }
    } finally {
      progress(`${phase} phase: unmounting`);
      await stopAll();
    }
  }
  endProgress();
  return { records, errors };
}

function fmt(stats: Stats | undefined, unit: 'ops' | 'MB'): string {
  if (stats === undefined) return '—';
  return unit === 'MB' ? `${stats.value.toFixed(0)} MB/s` : `${stats.value.toFixed(0)} ops/s`;
}

async function runPrepare(prepare: string, root: string, entries: number, size: number): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    execFile(
      prepare,
      ['-p', root, '-e', String(entries), '-s', String(size)],
      { timeout: 600_000 },
      (error, _out, err) => (error ? reject(new Error(`prepare ${root}: ${err.trim() || error.message}`)) : resolve()),
    );
  });
}

function statsOf(list: RunRecord[], unit: 'ops' | 'MB'): Stats | undefined {
  if (list.length === 0) return undefined;
  const ops = median(list.map((m) => m.ops_per_sec));
  const mb = median(list.map((m) => m.mb_per_sec ?? 0));
  return {
    value: unit === 'MB' ? mb : ops,
    ops_per_sec: ops,
    mb_per_sec: mb,
    p50_us: median(list.map((m) => m.p50_us)),
    p99_us: median(list.map((m) => m.p99_us)),
    cpu_us_per_op: median(list.map((m) => m.cpu_us_per_op)),
    rounds: list.length,
  };
}

function summarize(records: RunRecord[], errors: RunError[]): Row[] {
  const rows: Row[] = [];
  for (const w of workloads) {
    for (const threads of config.threads) {
      for (const fs of config.fs) {
        const of = (side: Side) =>
          records.filter((r) => r.workload === w.id && r.threads === threads && r.fs === fs && r.side === side);
        const ours = statsOf(of('ours'), w.unit);
        const c = statsOf(of('c'), w.unit);
        const ratio = ours !== undefined && c !== undefined ? ours.value / c.value : undefined;
        const cpuRatio = ours !== undefined && c !== undefined ? ours.cpu_us_per_op / c.cpu_us_per_op : undefined;
        const names = servers.filter((s) => s.fs === fs).map((s) => s.name);
        const error = errors.find((e) => e.workload === w.id && e.threads === threads && names.includes(e.server));
        const row: Row = {
          workload: w.id,
          title: w.title,
          unit: w.unit,
          threads,
          fs,
          ours,
          c,
          ratio,
          cpuRatio,
          target: w.target[fs],
          met: ratio === undefined ? undefined : ratio >= w.target[fs],
        };
        if (error !== undefined) row.error = `${error.server}: ${error.message}`;
        rows.push(row);
      }
    }
  }
  return rows;
}

// --- soak --------------------------------------------------------------------

async function soak(bin: Binaries): Promise<boolean> {
  const total = Number(flags['soak-requests']);
  const step = 100_000;
  if (!(total >= step) || total % step !== 0) throw new Error(`--soak-requests must be a multiple of ${step}`);
  const threads = 4;
  const server = await startServer(SERVERS[0] as ServerSpec, bin, '', 0);
  const samples: { requests: number; rss: number }[] = [];
  try {
    await runPrepare(bin.prepare, server.mountpoint, 0, 0);
    samples.push({ requests: 0, rss: server.rssBytes() });
    const t0 = Date.now();
    for (let done = step; done <= total; done += step) {
      progress(`soak: ${done - step}/${total} stat requests, RSS ${(server.rssBytes() / MiB).toFixed(1)} MiB`);
      const r = await runClient(
        bin.clients.stat as string,
        ['-p', join(server.mountpoint, 'file'), '-n', String(step), '-t', String(threads)],
        600_000,
      );
      if (r.ops !== step) throw new Error(`soak: the client made ${r.ops} stats, expected ${step}`);
      samples.push({ requests: done, rss: server.rssBytes() });
    }
    endProgress();
    const seconds = (Date.now() - t0) / 1000;
    const measured = samples.slice(1);
    const first = (measured[0] as { rss: number }).rss;
    const last = (measured[measured.length - 1] as { rss: number }).rss;
    const max = Math.max(...measured.map((s) => s.rss));
    const min = Math.min(...measured.map((s) => s.rss));
    const flat = max <= first * 1.05 && min >= first * 0.95;
    // Least-squares slope over the measured samples: growth that a GC sawtooth does not explain.
    const mx = measured.reduce((a, x) => a + x.requests, 0) / measured.length;
    const my = measured.reduce((a, x) => a + x.rss, 0) / measured.length;
    const slope =
      measured.reduce((a, x) => a + (x.requests - mx) * (x.rss - my), 0) /
      measured.reduce((a, x) => a + (x.requests - mx) ** 2, 0);
    const trend = (slope * step) / MiB;
    process.stdout.write(
      `\nsoak: ${total} stat(2) of one file on our memfs (timeouts 0: LOOKUP + GETATTR each), ${threads} client threads, ` +
        `${our()}; ${(total / seconds).toFixed(0)} stat/s\n\n   requests   RSS MiB   vs first\n`,
    );
    for (const s of samples) {
      process.stdout.write(
        `${String(s.requests).padStart(11)} ${(s.rss / MiB).toFixed(1).padStart(9)} ${s.requests === 0 ? '  (before)' : `${(((s.rss - first) / first) * 100).toFixed(1).padStart(8)} %`}\n`,
      );
    }
    process.stdout.write(
      `\nRSS first ${(first / MiB).toFixed(1)} MiB (after ${step}), last ${(last / MiB).toFixed(1)} MiB, max ${(max / MiB).toFixed(1)} MiB: ` +
        `${flat ? 'flat (within ±5 % of the first sample)' : 'NOT flat (beyond ±5 % of the first sample)'}\n` +
        `trend (least squares over the samples after the first ${step}): ${trend >= 0 ? '+' : ''}${trend.toFixed(2)} MiB per ${step} requests\n`,
    );
    const file = saveResults('soak', {
      benchmark: 'soak',
      date: new Date().toISOString(),
      config: { requests: total, step, threads, ourThreads: config.ourThreads },
      samples,
      first,
      last,
      max,
      min,
      flat,
      trend_mib_per_step: trend,
      stats_per_sec: total / seconds,
    });
    process.stdout.write(`results: ${file}\n`);
    return flat;
  } finally {
    endProgress();
    await stopAll();
  }
}

function our(): string {
  return config.ourThreads === 0
    ? 'ours with threads 0 (the JS event loop reads /dev/fuse)'
    : `ours with ${config.ourThreads} loop threads`;
}

// --- main --------------------------------------------------------------------

async function main(): Promise<void> {
  if (flags.report !== undefined) {
    const file = resolve(flags.report);
    report(JSON.parse(readFileSync(file, 'utf8')) as RunData, file);
    return;
  }
  process.stdout.write('building the clients, memfs_ll and passthrough_ll into bench/.build\n');
  const bin = build();
  if (flags.soak) {
    await soak(bin);
    return;
  }
  const idleBefore = await idleFraction();
  if (idleBefore < 0.9)
    say(`warning: the CPUs were only ${(idleBefore * 100).toFixed(0)} % idle before the run: expect noisy numbers`);
  const source = makeSource();
  process.on('exit', () => rmSync(source, { recursive: true, force: true }));
  let result: { records: RunRecord[]; errors: RunError[] };
  try {
    progress(`preparing the passthroughs' source ${source}`);
    const t0 = Date.now();
    await runPrepare(bin.prepare, source, config.entries, config.size);
    say(
      `prepared ${source} (${config.entries} entries, ${config.size / MiB} MiB file) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    result = await runMatrix(bin, source);
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
  const idleAfter = await idleFraction();
  const data: RunData = {
    benchmark: 'bench',
    date: new Date().toISOString(),
    config,
    machine: { cpus: cpus().length, kernel: release(), node: process.version, idleBefore, idleAfter },
    workloads: workloads.map(({ id, title, phase, unit, target }) => ({ id, title, phase, unit, target })),
    summary: summarize(result.records, result.errors),
    errors: result.errors,
    measurements: result.records,
  };
  const file = saveResults(config.quick ? 'bench-quick' : 'bench', data);
  report(data, file);
  if (result.errors.length > 0) {
    process.stderr.write(
      `\n${result.errors.length} run(s) failed or were skipped (see ERROR above and "errors" in the JSON)\n`,
    );
    process.exitCode = 1;
  }
}

/** What a run saves in bench/results/bench-<time>.json. */
interface RunData {
  benchmark: 'bench';
  date: string;
  config: typeof config;
  machine: { cpus: number; kernel: string; node: string; idleBefore: number; idleAfter: number };
  workloads: Pick<Workload, 'id' | 'title' | 'phase' | 'unit' | 'target'>[];
  summary: Row[];
  errors: RunError[];
  measurements: RunRecord[];
}

/** Prints the table of a run saved in `file`, and makes it bench/results/latest.{json,svg}. */
function report(data: RunData, file: string): void {
  const { config: c, machine: m } = data;
  const subtitle =
    `${c.quick ? 'QUICK smoke run, ' : ''}medians of ${c.rounds} alternating rounds of ${c.seconds} s; ` +
    `${m.cpus} CPUs, Linux ${m.kernel}; ${data.date.slice(0, 16).replace('T', ' ')} UTC`;
  const loop =
    c.ourThreads === 0 ? 'ours: threads 0 (the JS event loop reads /dev/fuse)' : `ours: ${c.ourThreads} loop threads`;
  process.stdout.write(
    `\nfuse-lowlevel vs C lowlevel servers — ${subtitle}\n` +
      `${loop}; C servers: libfuse's multithreaded loop. Metadata: timeouts 0; data: timeouts ${c.dataTimeout} s, ` +
      `${c.size / MiB} MiB file. ratio = ours ÷ C (ops/s, or MB/s for read-seq/write-seq); cpu = server CPU per operation.\n\n`,
  );
  process.stdout.write(formatTable(data.summary));
  process.stdout.write(
    `\nCPUs idle before/after the run: ${(m.idleBefore * 100).toFixed(0)} % / ${(m.idleAfter * 100).toFixed(0)} %\n`,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const latest = join(RESULTS_DIR, 'latest.json');
  if (file !== latest) copyFileSync(file, latest);
  writeFileSync(join(RESULTS_DIR, 'latest.svg'), renderSvg(data.summary, subtitle));
  process.stdout.write(`results: ${file}\nchart:   ${join(RESULTS_DIR, 'latest.svg')}\n`);
}

main().catch(async (error: unknown) => {
  endProgress();
  await stopAll();
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
