/**
 * The bench's report: the summary rows (medians per workload, client
 * threads and filesystem, for every server of the run), the terminal tables,
 * the README's Markdown table, and the SVG bar chart of the ratios to the C
 * references (hand-written SVG text, no dependencies).
 * @module
 */

/** The two filesystems: each has our example, its C reference, and the peers that serve it. */
export type FsName = 'memfs' | 'passthrough';

/** Who serves a filesystem: us, the C reference, or a peer binding. */
export type Side = 'ours' | 'c' | 'fuse-native' | 'pyfuse3';

/** The peers: other bindings, optional (`npm run bench:peers`). */
export type Peer = 'fuse-native' | 'pyfuse3';

export const SIDES: readonly Side[] = ['ours', 'c', 'fuse-native', 'pyfuse3'];
export const PEERS: readonly Peer[] = ['fuse-native', 'pyfuse3'];

/** The server names of each side, per filesystem. */
export const SERVER_NAMES: Record<FsName, Record<Side, string>> = {
  memfs: { ours: 'memfs', c: 'memfs_ll', 'fuse-native': 'fuse-native-memfs', pyfuse3: 'pyfuse3-memfs' },
  passthrough: {
    ours: 'passthrough',
    c: 'passthrough_ll',
    'fuse-native': 'fuse-native-passthrough',
    pyfuse3: 'pyfuse3-passthrough',
  },
};

/** One counting pass of a server (see harness.ts `countPass`): totals over one client run. */
export interface Counts {
  /** Client operations in the run. */
  ops: number;
  /** FUSE requests the kernel sent this mount (fuse:fuse_request_send), when perf could count them. */
  requests?: number;
  /** System calls the server made, all threads (raw_syscalls:sys_enter), when perf could count them. */
  syscalls?: number;
  /** Bytes the server allocated on the V8 heap / as external memory (our Node servers and fuse-native). */
  heap_bytes?: number;
  external_bytes?: number;
  /** Garbage collections during the run. */
  gcs?: number;
}

/** Medians over a side's rounds, and its counting pass. */
export interface Stats {
  /** The headline number in the workload's unit: ops/s, or MB/s. */
  value: number;
  ops_per_sec: number;
  mb_per_sec: number;
  p50_us: number;
  p99_us: number;
  /** Server CPU time (user + system, all threads) per client operation. */
  cpu_us_per_op: number;
  /** How many rounds the medians are over. */
  rounds: number;
  /** FUSE requests per client operation (counting pass). */
  requests_per_op?: number;
  /** Server system calls per FUSE request (counting pass). */
  syscalls_per_request?: number;
  /** Bytes allocated on the V8 heap per FUSE request (counting pass; Node servers). */
  heap_bytes_per_request?: number;
  /** External bytes (ArrayBuffer backing stores) allocated per FUSE request (counting pass; Node servers). */
  external_bytes_per_request?: number;
  /** The same per client operation (also when the FUSE requests could not be counted). */
  syscalls_per_op?: number;
  heap_bytes_per_op?: number;
  external_bytes_per_op?: number;
}

/**
 * A per-request cost of `s`, or — where the FUSE requests could not be
 * counted — the per-operation one, marked `/op`.
 */
function perRequest(
  s: Stats | undefined,
  key: 'syscalls' | 'heap_bytes' | 'external_bytes',
  show: (v: number | undefined) => string,
): string {
  const request = s?.[`${key}_per_request`];
  if (request !== undefined || s?.[`${key}_per_op`] === undefined) return show(request);
  return `${show(s[`${key}_per_op`])}/op`;
}

/** One cell of the matrix: a workload with a client thread count, on one filesystem. */
export interface Row {
  workload: string;
  title: string;
  unit: 'ops' | 'MB';
  threads: number;
  fs: FsName;
  /** Each side's medians (absent: not run, or every round failed). */
  sides: Partial<Record<Side, Stats>>;
  /** ours ÷ C on the headline number (higher is better). */
  ratio: number | undefined;
  /** ours ÷ C on server CPU per operation (lower is better). */
  cpuRatio: number | undefined;
  /** ours ÷ each peer on the headline number. */
  peerRatios: Partial<Record<Peer, number>>;
  /** The target for ours ÷ C. */
  target: number;
  met: boolean | undefined;
  /** The first error of the cell's runs, if any failed. */
  error?: string;
}

function rate(stats: Stats | undefined, unit: Row['unit']): string {
  if (stats === undefined) return '—';
  if (unit === 'MB') return `${stats.value.toFixed(0)} MB/s`;
  return stats.value >= 10_000 ? `${(stats.value / 1000).toFixed(1)}k/s` : `${stats.value.toFixed(0)}/s`;
}

/** A number in 3–4 significant characters: 0.52, 3.1, 27, 1234. */
function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(2);
}

function bytes(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return v >= 10_240 ? `${(v / 1024).toFixed(0)}K` : v.toFixed(0);
}

const x = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(2)}×`);

/** The sides that have a result in some row, in SIDES order. */
function presentSides(rows: Row[]): Side[] {
  return SIDES.filter((s) => rows.some((r) => r.sides[s] !== undefined));
}

const SHORT: Record<Side, string> = { ours: 'ours', c: 'C', 'fuse-native': 'f-n', pyfuse3: 'py' };

/** The results as text tables: throughput and ratios, then the costs per request. */
export function formatTable(rows: Row[]): string {
  const sides = presentSides(rows);
  const peers = PEERS.filter((p) => sides.includes(p));
  const joined =
    (f: (s: Stats | undefined) => string, list: Side[] = sides) =>
    (r: Row) =>
      list.map((s) => f(r.sides[s])).join(' / ');
  const tableOf = (columns: { head: string; width: number; cell: (r: Row) => string; left?: boolean }[]) => {
    const header = columns.map((c) => (c.left ? c.head.padEnd(c.width) : c.head.padStart(c.width))).join(' ');
    const lines = [header, '-'.repeat(header.length)];
    let last = '';
    for (const r of rows) {
      if (last !== '' && last !== r.workload) lines.push('');
      last = r.workload;
      const line = columns.map((c) => (c.left ? c.cell(r).padEnd(c.width) : c.cell(r).padStart(c.width))).join(' ');
      lines.push(line + (r.error === undefined ? '' : `  ERROR: ${r.error}`));
    }
    return `${lines.join('\n')}\n`;
  };
  const base = [
    { head: 'workload', width: 14, cell: (r: Row) => r.workload, left: true },
    { head: 'thr', width: 3, cell: (r: Row) => String(r.threads) },
    { head: 'fs', width: 11, cell: (r: Row) => r.fs, left: true },
  ];
  const throughput = tableOf([
    ...base,
    ...sides.map((s) => ({ head: SHORT[s], width: 10, cell: (r: Row) => rate(r.sides[s], r.unit) })),
    { head: 'ours/C', width: 7, cell: (r) => x(r.ratio) },
    {
      head: 'target',
      width: 9,
      cell: (r) => `≥${r.target.toFixed(2)}${r.met === undefined ? '' : r.met ? ' ok' : ' LOW'}`,
      left: true,
    },
    ...peers.map((p) => ({ head: `ours/${SHORT[p]}`, width: 9, cell: (r: Row) => x(r.peerRatios[p]) })),
    { head: 'p50 µs ours/C', width: 14, cell: joined((s) => num(s?.p50_us), ['ours', 'c']) },
    { head: 'p99 µs ours/C', width: 14, cell: joined((s) => num(s?.p99_us), ['ours', 'c']) },
  ]);
  const node = sides.filter((s) => s === 'ours' || s === 'fuse-native');
  const costs = tableOf([
    ...base,
    {
      head: `cpu µs/op ${sides.map((s) => SHORT[s]).join('/')}`,
      width: 26,
      cell: joined((s) => num(s?.cpu_us_per_op)),
    },
    { head: 'cpu ours/C', width: 10, cell: (r) => x(r.cpuRatio) },
    { head: 'req/op', width: 6, cell: (r) => num(r.sides.c?.requests_per_op ?? r.sides.ours?.requests_per_op) },
    {
      head: `syscalls/req ${sides.map((s) => SHORT[s]).join('/')}`,
      width: 26,
      cell: joined((s) => perRequest(s, 'syscalls', num)),
    },
    {
      head: `heap B/req ${node.map((s) => SHORT[s]).join('/')}`,
      width: 17,
      cell: joined((s) => perRequest(s, 'heap_bytes', bytes), node),
    },
    {
      head: `ext B/req ${node.map((s) => SHORT[s]).join('/')}`,
      width: 16,
      cell: joined((s) => perRequest(s, 'external_bytes', bytes), node),
    },
  ]);
  return `${throughput}\nCosts per request (server side; req/op from the C server's counting pass):\n\n${costs}`;
}

/** What the Markdown table says about the run it comes from. */
export interface MarkdownMeta {
  /** The command that reproduces the run. */
  command: string;
  /** One line on the machine: CPUs, kernel, how idle it was. */
  machine: string;
  /** Peers that were requested but could not run, with the reason. */
  missing: string[];
}

/**
 * The README's performance table: one row per workload and filesystem, the
 * ratios with 1 and 4 clients, then the per-request costs with 1 client.
 */
export function formatMarkdown(rows: Row[], meta: MarkdownMeta): string {
  const sides = presentSides(rows);
  const peers = PEERS.filter((p) => sides.includes(p));
  const node = sides.filter((s) => s === 'ours' || s === 'fuse-native');
  const threads = [...new Set(rows.map((r) => r.threads))].sort((a, b) => a - b);
  const label = (t: number): string => `${t} client${t === 1 ? '' : 's'}`;
  const names = (list: Side[]): string => list.map((s) => (s === 'ours' ? 'ours' : s === 'c' ? 'C' : s)).join(' · ');
  const first = threads[0] as number;
  const head = [
    'workload',
    'fs',
    ...threads.map((t) => `ours/C, ${label(t)}`),
    ...peers.map((p) => `ours/${p}, ${threads.map((t) => `${t}`).join(' · ')} clients`),
    `CPU µs/op, ${label(first)}: ${names(sides)}`,
    `syscalls/request: ${names(sides)}`,
    `heap bytes/request: ${names(node)}`,
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  const keys = [...new Set(rows.map((r) => `${r.workload}\u0000${r.fs}`))];
  for (const key of keys) {
    const [workload, fs] = key.split('\u0000') as [string, FsName];
    const of = (t: number): Row | undefined =>
      rows.find((r) => r.workload === workload && r.fs === fs && r.threads === t);
    const r1 = of(first);
    const dot = (list: (string | undefined)[]): string => list.map((v) => v ?? '—').join(' · ');
    const cells = [
      workload,
      fs,
      ...threads.map((t) => {
        const r = of(t);
        return r?.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×${r.met === false ? ' (LOW)' : ''}`;
      }),
      ...peers.map((p) => dot(threads.map((t) => x(of(t)?.peerRatios[p])))),
      dot(sides.map((s) => num(r1?.sides[s]?.cpu_us_per_op))),
      dot(sides.map((s) => perRequest(r1?.sides[s], 'syscalls', num))),
      dot(node.map((s) => perRequest(r1?.sides[s], 'heap_bytes', bytes))),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const notes = [
    '',
    `Reproduce: \`${meta.command}\`. ${meta.machine}`,
    ...meta.missing.map((m) => `Peer not measured: ${m}.`),
  ];
  return `${lines.join('\n')}\n${notes.join('\n')}\n`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const COLORS: Record<FsName, string> = { memfs: '#4e79a7', passthrough: '#f28e2b' };

/** An estimate of the width of `text` at 11 px sans-serif (wide enough for a legend not to overlap). */
function textWidth(text: string): number {
  return Math.ceil(text.length * 6.6);
}

/**
 * A horizontal bar chart of the ratios ours ÷ C: one group per workload and
 * client thread count, one bar per filesystem, a tick at each target and a
 * line at 1×.
 */
export function renderSvg(rows: Row[], subtitle: string): string {
  const groups: { key: string; label: string; rows: Row[] }[] = [];
  for (const r of rows) {
    const key = `${r.workload}/${r.threads}`;
    let g = groups.find((gr) => gr.key === key);
    if (g === undefined) {
      g = { key, label: `${r.workload} ×${r.threads}`, rows: [] };
      groups.push(g);
    }
    g.rows.push(r);
  }
  const fsNames = [...new Set(rows.map((r) => r.fs))];
  const barH = 14;
  const groupGap = 10;
  const groupH = fsNames.length * barH + groupGap;
  const left = 150;
  const plotW = 560;
  const top = 64;
  const width = left + plotW + 90;
  const height = top + groups.length * groupH + 40;
  const ratios = rows.map((r) => r.ratio ?? 0);
  const xMax = Math.min(3, Math.max(1.25, Math.ceil(Math.max(...ratios, 0) * 4) / 4));
  const at = (v: number): number => left + (Math.min(v, xMax) / xMax) * plotW;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">fuse-lowlevel ÷ C reference (libfuse lowlevel), higher is better</text>`,
    `<text x="10" y="36" fill="#555">${xml(subtitle)}</text>`,
  ];
  // Legend: each item advances by its own text's width, so none overprints the next.
  let lx = left;
  for (const fs of fsNames) {
    const label = `${fs} ÷ ${SERVER_NAMES[fs].c}`;
    out.push(`<rect x="${lx}" y="44" width="10" height="10" fill="${COLORS[fs]}"/>`);
    out.push(`<text x="${lx + 14}" y="53">${xml(label)}</text>`);
    lx += 14 + textWidth(label) + 20;
  }
  out.push(`<line x1="${lx + 5}" y1="44" x2="${lx + 5}" y2="56" stroke="#000" stroke-width="2"/>`);
  out.push(`<text x="${lx + 14}" y="53">target</text>`);
  // Grid.
  const plotBottom = top + groups.length * groupH;
  for (let v = 0; v <= xMax + 1e-9; v += 0.25) {
    const gx = at(v).toFixed(1);
    const strong = Math.abs(v - 1) < 1e-9;
    out.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${plotBottom}" stroke="${strong ? '#333' : '#ddd'}" stroke-width="${strong ? 1.5 : 1}"/>`,
    );
    out.push(`<text x="${gx}" y="${plotBottom + 14}" text-anchor="middle" fill="#555">${v.toFixed(2)}×</text>`);
  }
  // Bars.
  groups.forEach((g, gi) => {
    const gy = top + gi * groupH;
    out.push(
      `<text x="${left - 8}" y="${gy + (fsNames.length * barH) / 2 + 4}" text-anchor="end">${xml(g.label)}</text>`,
    );
    fsNames.forEach((fs, fi) => {
      const r = g.rows.find((row) => row.fs === fs);
      if (r === undefined) return;
      const by = gy + fi * barH;
      if (r.ratio === undefined) {
        out.push(`<text x="${left + 4}" y="${by + barH - 3}" fill="#c00">${xml(r.error ?? 'no result')}</text>`);
        return;
      }
      const w = Math.max(1, at(r.ratio) - left);
      out.push(
        `<rect x="${left}" y="${by + 1}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${COLORS[fs]}"><title>${xml(
          `${r.workload} ×${r.threads} ${fs}: ${r.ratio.toFixed(3)}× (target ${r.target})`,
        )}</title></rect>`,
      );
      const tx = at(r.target).toFixed(1);
      out.push(`<line x1="${tx}" y1="${by}" x2="${tx}" y2="${by + barH}" stroke="#000" stroke-width="2"/>`);
      const clipped = r.ratio > xMax ? ' ▶' : '';
      out.push(
        `<text x="${(at(r.ratio) + 4).toFixed(1)}" y="${by + barH - 3}" fill="${r.met === false ? '#c00' : '#222'}">${r.ratio.toFixed(2)}×${clipped}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
