/**
 * `npm run bench`: our memfs and passthrough examples against C lowlevel
 * servers serving the same content, and against the other bindings (peers),
 * side by side in one run.
 *
 *     npm run bench                 # the full matrix (~30 min on 2 vCPUs with both peers, ~15 without)
 *     npm run bench -- --quick      # a smoke run (2 rounds, short runs, 64 MiB files; 2½-5½ min)
 *     npm run bench -- --soak       # RSS of our memfs over 1,000,000 stat requests
 *
 * Each filesystem, ours ÷ its C reference and ÷ each peer:
 * - memfs (examples/memfs) ÷ memfs_ll (bench/servers/memfs_ll.c, the bench's own in-memory server),
 *   fuse-native-memfs and pyfuse3-memfs (bench/servers/fuse-native.ts, pyfuse3_memfs.py);
 * - passthrough (examples/passthrough) ÷ passthrough_ll (libfuse's example, built from
 *   libfuse3-dev), fuse-native-passthrough and pyfuse3-passthrough, all mirroring one
 *   source directory.
 * The peers are optional (`npm run bench:peers` installs them): one that cannot
 * load is reported as missing and its columns are left out.
 *
 * After the rounds of each cell, a counting pass (one more client run per
 * server) counts the server's syscalls and the mount's FUSE requests with
 * perf, and the Node servers' allocations with their SIGUSR2 probe.
 *
 * Two phases, each with all servers mounted at once: the metadata
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

import { spawnSync } from 'node:child_process';
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
  type CountResult,
  countPass,
  idleFraction,
  type Measurement,
  measure,
  median,
  perfSupport,
  RESULTS_DIR,
  ROOT,
  replaceExactly,
  runClient,
  Server,
  saveResults,
  setServerLog,
  stopAll,
} from './harness.js';
import {
  type Counts,
  type FsName,
  formatMarkdown,
  formatTable,
  PEERS,
  type Peer,
  type Row,
  renderSvg,
  SERVER_NAMES,
  type Side,
  type Stats,
} from './report.js';

const USAGE = `usage: npm run bench -- [options]

  --quick               smoke run: 2 rounds of 0.25 s, 64 MiB files (2½-5½ min on 2 vCPUs, by peers and load)
  --soak                our memfs's RSS over --soak-requests stat requests (timeouts 0), nothing else
  --rounds N            alternating rounds per workload and thread count (default 5)
  --seconds S           length of one measured run (default 2)
  --warmup S            warm-up run of every server before the rounds (default 0.5)
  --threads 1,4         client thread counts
  --size BYTES          file size for the data workloads (default 1G; K/M/G)
  --entries N           directory size for readdir (default 10000)
  --only a,b            workloads to run (${'stat,stat-missing,open-close,readdir,create-unlink,read-random,read-seq,write-seq'})
  --fs memfs,passthrough  pairs to run
  --peers a,b           peers to run if installed (default fuse-native,pyfuse3; "none": none)
  --no-counts           skip the counting pass (syscalls, FUSE requests, allocations)
  --our-threads N       loop threads of our servers (default 0: the JS event loop)
  --data-timeout S      cache timeouts of the data phase (default 1)
  --source-dir DIR      where to make the passthroughs' source (default /dev/shm, else the temp dir)
  --soak-requests N     stat requests in --soak (default 1000000)
  --report FILE         print the table of a saved run (bench/results/*.json) and make it latest.{svg,md}
  --readme              with --report (or after a run): put the run's table into README.md
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
    peers: { type: 'string', default: 'fuse-native,pyfuse3' },
    'no-counts': { type: 'boolean', default: false },
    readme: { type: 'boolean', default: false },
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
  peers: (flags.peers === 'none' ? [] : flags.peers.split(',')) as Peer[],
  counts: !flags['no-counts'],
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
  config.fs.some((f) => f !== 'memfs' && f !== 'passthrough') ||
  config.peers.some((p) => !PEERS.includes(p))
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

interface ServerSpec {
  name: string;
  fs: FsName;
  side: Side;
  /** A Node process with the allocation probe (SIGUSR2). */
  node: boolean;
}

const spec = (fs: FsName, side: Side): ServerSpec => ({
  name: SERVER_NAMES[fs][side],
  fs,
  side,
  node: side === 'ours' || side === 'fuse-native',
});
/** Every server the bench knows. */
const SERVERS: ServerSpec[] = [
  spec('memfs', 'ours'),
  spec('memfs', 'c'),
  spec('memfs', 'fuse-native'),
  spec('memfs', 'pyfuse3'),
  spec('passthrough', 'ours'),
  spec('passthrough', 'c'),
  spec('passthrough', 'fuse-native'),
  spec('passthrough', 'pyfuse3'),
];

// --- peers -------------------------------------------------------------------

const PEERS_DIR = join(ROOT, 'bench', 'peers');

/** Whether each requested peer can run here: true, or why not. */
function probePeers(): Record<Peer, true | string> {
  const found = {} as Record<Peer, true | string>;
  const install = 'run `npm run bench:peers` (bench/peers/install.sh) to install it';
  for (const peer of PEERS) {
    if (!config.peers.includes(peer)) {
      found[peer] = 'not requested (--peers)';
    } else if (peer === 'fuse-native') {
      const r = spawnSync(
        process.execPath,
        ['-e', 'require(process.argv[1])', join(PEERS_DIR, 'node_modules', 'fuse-native')],
        {
          encoding: 'utf8',
        },
      );
      found[peer] = r.status === 0 ? true : `fuse-native does not load (${firstLine(r.stderr)}): ${install}`;
    } else {
      const python = pyfuse3Python();
      found[peer] = python !== undefined ? true : `no python3 here imports pyfuse3 and trio: ${install}`;
    }
  }
  return found;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => /^(Error|error|.*Error:)/.test(l)) ??
    text.trim().split('\n')[0] ??
    ''
  ).slice(0, 200);
}

let pythonFound: string | null | undefined;

/** The python3 that imports pyfuse3 and trio ($BENCH_PYTHON, Debian's /usr/bin/python3, or python3 on PATH). */
function pyfuse3Python(): string | undefined {
  if (pythonFound === undefined) {
    pythonFound = null;
    for (const py of [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3']) {
      if (py === undefined || py === '') continue;
      if (spawnSync(py, ['-c', 'import pyfuse3, trio']).status === 0) {
        pythonFound = py;
        break;
      }
    }
  }
  return pythonFound ?? undefined;
}

const peerState = flags.report === undefined ? probePeers() : ({} as Record<Peer, true | string>);
const servers = SERVERS.filter(
  (s) => config.fs.includes(s.fs) && (s.side === 'ours' || s.side === 'c' || peerState[s.side] === true),
);
/** Requested peers that cannot run, with why: said loudly at the start and in the report. */
const missingPeers = PEERS.filter((p) => config.peers.includes(p) && peerState[p] !== true).map(
  (p) => `${p}: ${peerState[p]}`,
);

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
  const fuseNative = (mnt: string): string[] => [
    join(ROOT, 'dist', 'bench', 'servers', 'fuse-native.js'),
    spec.fs,
    mnt,
    '--timeout',
    String(timeout),
    ...(spec.fs === 'passthrough' ? ['--source', source] : []),
  ];
  switch (spec.name) {
    case 'memfs':
      return Server.start(spec.name, process.execPath, (mnt) => ours(mnt));
    case 'passthrough':
      return Server.start(spec.name, process.execPath, (mnt) => ours(mnt, '--source', source));
    case 'fuse-native-memfs':
    case 'fuse-native-passthrough':
      return Server.start(spec.name, process.execPath, fuseNative);
    case 'pyfuse3-memfs':
      return Server.start(spec.name, pyfuse3Python() as string, (mnt) => [
        join(ROOT, 'bench', 'servers', 'pyfuse3_memfs.py'),
        mnt,
        '--timeout',
        String(timeout),
      ]);
    case 'pyfuse3-passthrough':
      return Server.start(spec.name, pyfuse3Python() as string, (mnt) => [
        join(ROOT, 'bench', 'servers', 'pyfuse3_passthrough.py'),
        mnt,
        '--source',
        source,
        '--timeout',
        String(timeout),
      ]);
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

/** One counting pass (harness.ts countPass) of one server in one cell. */
interface CountRecord extends Omit<CountResult, 'failures'> {
  workload: string;
  threads: number;
  server: string;
  fs: FsName;
  side: Side;
  failures?: string[];
}

interface MatrixResult {
  records: RunRecord[];
  errors: RunError[];
  counts: CountRecord[];
}

/** What the counting pass can count here (perf and its tracepoints), or why not. */
const perf = config.counts && flags.report === undefined ? perfSupport() : undefined;

async function runMatrix(bin: Binaries, source: string): Promise<MatrixResult> {
  const records: RunRecord[] = [];
  const errors: RunError[] = [];
  const counts: CountRecord[] = [];
  const phases: { phase: Phase; timeout: number }[] = [
    { phase: 'metadata', timeout: 0 },
    { phase: 'data', timeout: config.dataTimeout },
  ];
  const perCell = servers.length * (config.rounds + (config.warmup > 0 ? 1 : 0) + (config.counts ? 1 : 0));
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
      for (const spec of servers) {
        try {
          running.set(spec.name, await startServer(spec, bin, source, timeout));
        } catch (error) {
          // A peer that fails to mount is skipped (and said so); ours or C failing is an error.
          if (spec.side === 'ours' || spec.side === 'c') throw error;
          const message = error instanceof Error ? error.message : String(error);
          dead.set(spec.name, `did not mount: ${message}`);
          say(`  PEER FAILED: ${spec.name} did not mount (${message}): skipping it in the ${phase} phase`);
        }
      }
      // memfs content is made through each mount; the passthroughs mirror the prepared source.
      for (const spec of servers.filter((s) => s.fs === 'memfs' && running.has(s.name))) {
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
          const run = async (spec: ServerSpec, round: number, counting = false): Promise<void> => {
            step++;
            const server = running.get(spec.name) as Server;
            const done = step / totalSteps;
            const elapsed = Date.now() - matrixStart;
            const eta = done > 0 ? (elapsed / done) * (1 - done) : 0;
            progress(
              `[${String(step).padStart(String(totalSteps).length)}/${totalSteps}] ${clock(elapsed)} elapsed, ~${clock(eta)} left  ` +
                `${cell}  ${counting ? 'counting' : round < 0 ? 'warm-up' : `round ${round + 1}/${config.rounds}`}  ${spec.name}`,
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
              if (counting) {
                const { failures, ...c } = await countPass(
                  server,
                  bin.clients[workload.client] as string,
                  args(server, seconds),
                  {
                    syscalls: perf?.syscalls === true,
                    requests: perf?.requests === true,
                    alloc: spec.node,
                    timeoutMs: (seconds + 60) * 1000,
                  },
                );
                counts.push({ ...c, workload: workload.id, threads, server: spec.name, fs: spec.fs, side: spec.side });
                if (failures.length > 0) {
                  (counts[counts.length - 1] as CountRecord).failures = failures;
                  say(`  counting ${cell} ${spec.name}: ${failures.join('; ')}`);
                }
                return;
              }
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
              // Each round starts one later in the list (A B C, B C A, …; with two: A B, B A).
              const group = servers.filter((s) => s.fs === fs);
              const k = round % Math.max(1, group.length);
              for (const spec of [...group.slice(k), ...group.slice(0, k)]) await run(spec, round);
            }
          }
          if (config.counts) {
            for (const spec of servers) await run(spec, config.rounds, true);
          }
          for (const row of summarize(records, errors, counts).filter(
            (r) => r.workload === workload.id && r.threads === threads,
          )) {
            const peers = PEERS.filter((p) => row.sides[p] !== undefined).map(
              (p) => `, ${p} ${fmt(row.sides[p], row.unit)}`,
            );
            say(
              `  ${cell.padEnd(18)} ${row.fs.padEnd(11)} ${row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`.padStart(6)}` +
                `  (${fmt(row.sides.ours, row.unit)} vs ${fmt(row.sides.c, row.unit)}${peers.join('')})`,
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
  return { records, errors, counts };
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

function statsOf(list: RunRecord[], unit: 'ops' | 'MB', count: CountRecord | undefined): Stats | undefined {
  if (list.length === 0) return undefined;
  const ops = median(list.map((m) => m.ops_per_sec));
  const mb = median(list.map((m) => m.mb_per_sec ?? 0));
  const stats: Stats = {
    value: unit === 'MB' ? mb : ops,
    ops_per_sec: ops,
    mb_per_sec: mb,
    p50_us: median(list.map((m) => m.p50_us)),
    p99_us: median(list.map((m) => m.p99_us)),
    cpu_us_per_op: median(list.map((m) => m.cpu_us_per_op)),
    rounds: list.length,
  };
  if (count !== undefined && count.ops > 0) Object.assign(stats, perRequest(count));
  return stats;
}

/** A counting pass's totals per client operation, and per FUSE request where the requests were counted. */
function perRequest(c: Counts): Partial<Stats> {
  const out: Partial<Stats> = {};
  const requests = c.requests !== undefined && c.requests > 0 ? c.requests : undefined;
  if (requests !== undefined) out.requests_per_op = requests / c.ops;
  for (const key of ['syscalls', 'heap_bytes', 'external_bytes'] as const) {
    const total = c[key];
    if (total === undefined) continue;
    out[`${key}_per_op`] = total / c.ops;
    if (requests !== undefined) out[`${key}_per_request`] = total / requests;
  }
  return out;
}

function summarize(records: RunRecord[], errors: RunError[], counts: CountRecord[]): Row[] {
  const rows: Row[] = [];
  for (const w of workloads) {
    for (const threads of config.threads) {
      for (const fs of config.fs) {
        const sides: Row['sides'] = {};
        for (const spec of servers.filter((s) => s.fs === fs)) {
          const list = records.filter(
            (r) => r.workload === w.id && r.threads === threads && r.fs === fs && r.side === spec.side,
          );
          const count = counts.find(
            (c) => c.workload === w.id && c.threads === threads && c.fs === fs && c.side === spec.side,
          );
          const stats = statsOf(list, w.unit, count);
          if (stats !== undefined) sides[spec.side] = stats;
        }
        const { ours, c } = sides;
        const ratio = ours !== undefined && c !== undefined ? ours.value / c.value : undefined;
        const cpuRatio = ours !== undefined && c !== undefined ? ours.cpu_us_per_op / c.cpu_us_per_op : undefined;
        const peerRatios: Row['peerRatios'] = {};
        for (const peer of PEERS) {
          const p = sides[peer];
          if (ours !== undefined && p !== undefined) peerRatios[peer] = ours.value / p.value;
        }
        const names = servers.filter((s) => s.fs === fs).map((s) => s.name);
        const error = errors.find((e) => e.workload === w.id && e.threads === threads && names.includes(e.server));
        const row: Row = {
          workload: w.id,
          title: w.title,
          unit: w.unit,
          threads,
          fs,
          sides,
          ratio,
          cpuRatio,
          peerRatios,
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

/** Whether an error is a peer's (reported, never a failed run). */
function isPeerError(e: RunError): boolean {
  return SERVERS.some((s) => s.name === e.server && s.side !== 'ours' && s.side !== 'c');
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
        (measured.length < 2
          ? `trend: n/a (one sample; --soak-requests ${2 * step} or more for a trend)\n`
          : `trend (least squares over the samples after the first ${step}): ${trend >= 0 ? '+' : ''}${trend.toFixed(2)} MiB per ${step} requests\n`),
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
    const data = JSON.parse(readFileSync(file, 'utf8')) as RunData;
    // Runs saved before the peers had `ours` and `c` on each row instead of `sides`.
    data.summary = data.summary.map((r) => {
      const old = r as Row & { ours?: Stats; c?: Stats };
      return old.sides !== undefined ? r : { ...r, sides: { ours: old.ours, c: old.c }, peerRatios: {} };
    });
    report(data, file);
    return;
  }
  process.stdout.write('building the clients, memfs_ll and passthrough_ll into bench/.build\n');
  const bin = build();
  if (flags.soak) {
    await soak(bin);
    return;
  }
  for (const m of missingPeers) say(`PEER MISSING: ${m}. Its columns are left out of this run.`);
  if (perf !== undefined) {
    for (const [what, state] of Object.entries(perf)) {
      if (state !== true) say(`warning: the counting pass cannot count ${what}: ${state}`);
    }
  }
  const idleBefore = await idleFraction();
  if (idleBefore < 0.9)
    say(`warning: the CPUs were only ${(idleBefore * 100).toFixed(0)} % idle before the run: expect noisy numbers`);
  const others = othersMeter();
  const source = makeSource();
  process.on('exit', () => rmSync(source, { recursive: true, force: true }));
  let result: MatrixResult;
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
  const othersDuring = others();
  const idleAfter = await idleFraction();
  const data: RunData = {
    benchmark: 'bench',
    date: new Date().toISOString(),
    command: commandLine(),
    config,
    machine: {
      cpus: cpus().length,
      kernel: release(),
      node: process.version,
      idleBefore,
      idleAfter,
      othersDuring,
      idle: idleBefore >= 0.9 && idleAfter >= 0.9 && othersDuring < 0.05,
    },
    peers: Object.fromEntries(PEERS.map((p) => [p, peerState[p] === true ? 'measured' : peerState[p]])),
    counting: perf === undefined ? 'off (--no-counts)' : perf,
    workloads: workloads.map(({ id, title, phase, unit, target }) => ({ id, title, phase, unit, target })),
    summary: summarize(result.records, result.errors, result.counts),
    errors: result.errors,
    measurements: result.records,
    counts: result.counts,
  };
  const file = saveResults(config.quick ? 'bench-quick' : 'bench', data);
  report(data, file);
  const failed = result.errors.filter((e) => !isPeerError(e));
  const peerFailed = result.errors.length - failed.length;
  if (peerFailed > 0) {
    process.stderr.write(
      `\n${peerFailed} peer run(s) failed or were skipped (see "errors" in the JSON): not a failure of the bench\n`,
    );
  }
  if (failed.length > 0) {
    process.stderr.write(
      `\n${failed.length} run(s) of ours or C failed or were skipped (see ERROR above and "errors" in the JSON)\n`,
    );
    process.exitCode = 1;
  }
}

/** The command that reproduces this run, as a user types it. */
function commandLine(): string {
  const args = process.argv.slice(2).filter((a) => a !== '--readme');
  return `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

/**
 * Measures the CPU that everything but this process and its children (the
 * servers, clients and perf it started and waited for) used from now until
 * the returned function is called, as a fraction of all CPUs.
 */
function othersMeter(): () => number {
  const read = () => {
    const all = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
    const busy = all.slice(0, 8).reduce((a, b) => a + b, 0) - (all[3] ?? 0) - (all[4] ?? 0);
    const total = all.slice(0, 8).reduce((a, b) => a + b, 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // utime stime cutime cstime: fields 14-17, here 11-14.
    const mine = (f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0);
    return { busy, total, mine };
  };
  const a = read();
  return () => {
    const b = read();
    return b.total === a.total ? 0 : Math.max(0, b.busy - a.busy - (b.mine - a.mine)) / (b.total - a.total);
  };
}

/** What a run saves in bench/results/bench-<time>.json. */
interface RunData {
  benchmark: 'bench';
  date: string;
  /** The command that reproduces the run. */
  command: string;
  config: typeof config;
  machine: {
    cpus: number;
    kernel: string;
    node: string;
    /** Idle fraction of all CPUs over 1 s before and after the run. */
    idleBefore: number;
    idleAfter: number;
    /** CPU used by other processes during the run, as a fraction of all CPUs. */
    othersDuring: number;
    /** idle before and after ≥ 90 % and others < 5 % during. */
    idle: boolean;
  };
  /** Each peer: 'measured', or why not. */
  peers: Record<string, string>;
  /** What the counting pass could count (true), or why not. */
  counting: Record<string, string | true> | string;
  workloads: Pick<Workload, 'id' | 'title' | 'phase' | 'unit' | 'target'>[];
  summary: Row[];
  errors: RunError[];
  measurements: RunRecord[];
  counts: CountRecord[];
}

/** Whether a saved run's machine was idle, in words (older runs lack `othersDuring`). */
function machineLine(data: RunData): string {
  const m = data.machine;
  const pct = (v: number): string => `${(v * 100).toFixed(0)} %`;
  const during =
    m.othersDuring === undefined ? '' : `, other processes used ${pct(m.othersDuring)} of the CPUs during it`;
  const idle = m.idle ?? (m.idleBefore >= 0.9 && m.idleAfter >= 0.9);
  return (
    `${m.cpus} CPUs, Linux ${m.kernel}, Node ${m.node}, ${data.date.slice(0, 16).replace('T', ' ')} UTC. ` +
    `Machine ${idle ? 'idle' : 'BUSY (other work shared the CPUs: the ratios are noisy)'}: CPUs ${pct(m.idleBefore)} idle before the run, ` +
    `${pct(m.idleAfter)} after${during}.`
  );
}

/** Prints the tables of a run saved in `file`, and makes it bench/results/latest.{json,svg,md}. */
function report(data: RunData, file: string): void {
  const { config: c } = data;
  const busy = !(data.machine.idle ?? true);
  const subtitle =
    `${c.quick ? 'QUICK smoke run, ' : ''}${busy ? 'BUSY machine, ' : ''}medians of ${c.rounds} rotating rounds of ${c.seconds} s; ` +
    `${data.machine.cpus} CPUs, Linux ${data.machine.kernel}; ${data.date.slice(0, 16).replace('T', ' ')} UTC`;
  const loop =
    c.ourThreads === 0 ? 'ours: threads 0 (the JS event loop reads /dev/fuse)' : `ours: ${c.ourThreads} loop threads`;
  const peers = Object.entries(data.peers ?? {});
  const missing = peers.filter(([, state]) => state !== 'measured' && !state.startsWith('not requested'));
  process.stdout.write(
    `\nfuse-lowlevel vs C lowlevel servers and other bindings — ${subtitle}\n` +
      `${loop}; C servers: libfuse's multithreaded loop. Metadata: timeouts 0; data: timeouts ${c.dataTimeout} s, ` +
      `${c.size / MiB} MiB file. ours/X = ours ÷ X (ops/s, or MB/s for read-seq/write-seq); ` +
      `f-n = fuse-native, py = pyfuse3.\n\n`,
  );
  process.stdout.write(formatTable(data.summary));
  process.stdout.write(`\n${machineLine(data)}\n`);
  for (const [peer, state] of missing) process.stdout.write(`PEER MISSING: ${peer}: ${state}\n`);
  if (typeof data.counting === 'object') {
    for (const [what, state] of Object.entries(data.counting)) {
      if (state !== true) process.stdout.write(`NOT COUNTED: ${what}: ${state}\n`);
    }
  }
  const measured = peers.some(([, state]) => state === 'measured');
  const markdown = formatMarkdown(data.summary, {
    command: `${measured ? 'npm run bench:peers && ' : ''}${data.command ?? 'npm run bench'}`,
    machine: machineLine(data),
    missing: missing.map(([peer, state]) => `${peer} (${state})`),
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const latest = join(RESULTS_DIR, 'latest.json');
  if (file !== latest) copyFileSync(file, latest);
  writeFileSync(join(RESULTS_DIR, 'latest.svg'), renderSvg(data.summary, subtitle));
  writeFileSync(join(RESULTS_DIR, 'latest.md'), markdown);
  process.stdout.write(
    `results: ${file}\nchart:   ${join(RESULTS_DIR, 'latest.svg')}\ntable:   ${join(RESULTS_DIR, 'latest.md')}\n`,
  );
  if (flags.readme) {
    updateReadme(markdown);
    process.stdout.write('README.md: performance table replaced\n');
  }
}

const README_BEGIN = '<!-- bench:table:begin (generated by `node dist/bench/run.js --report FILE --readme`) -->';
const README_END = '<!-- bench:table:end -->';

/** Replaces the table between the bench markers in README.md. */
function updateReadme(markdown: string): void {
  const path = join(ROOT, 'README.md');
  const text = readFileSync(path, 'utf8');
  const begin = text.indexOf(README_BEGIN);
  const end = text.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${README_BEGIN} … ${README_END} markers`);
  writeFileSync(path, `${text.slice(0, begin + README_BEGIN.length)}\n${markdown}${text.slice(end)}`);
}

main().catch(async (error: unknown) => {
  endProgress();
  await stopAll();
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
