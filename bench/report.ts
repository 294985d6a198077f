/**
 * The bench's report: the summary rows (medians per workload, client
 * threads and filesystem pair), the terminal table, and the SVG bar chart of
 * the ratios to the C references (hand-written SVG text, no dependencies).
 * @module
 */

/** The two pairs: our example and its C reference. */
export type FsName = 'memfs' | 'passthrough';

/** Medians over a side's rounds. */
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
}

/** One cell of the matrix: a workload with a client thread count, on one pair. */
export interface Row {
  workload: string;
  title: string;
  unit: 'ops' | 'MB';
  threads: number;
  fs: FsName;
  ours: Stats | undefined;
  c: Stats | undefined;
  /** ours / C on the headline number (higher is better). */
  ratio: number | undefined;
  /** ours / C on server CPU per operation (lower is better). */
  cpuRatio: number | undefined;
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

function pair(a: number | undefined, b: number | undefined): string {
  const f = (v: number | undefined): string =>
    v === undefined ? '—' : v >= 1000 ? v.toFixed(0) : v >= 100 ? v.toFixed(0) : v.toFixed(1);
  return `${f(a)} / ${f(b)}`;
}

/** The results as a text table, one line per row (with a header and a legend). */
export function formatTable(rows: Row[]): string {
  const header = [
    'workload'.padEnd(14),
    'thr'.padStart(3),
    'fs'.padEnd(11),
    'ours'.padStart(11),
    'C'.padStart(11),
    'ratio'.padStart(7),
    'target'.padEnd(9),
    'p50 µs ours/C'.padStart(16),
    'p99 µs ours/C'.padStart(16),
    'cpu µs/op ours/C'.padStart(18),
    'cpu ratio'.padStart(9),
  ].join(' ');
  const lines = [header, '-'.repeat(header.length)];
  let last = '';
  for (const r of rows) {
    if (last !== '' && last !== r.workload) lines.push('');
    last = r.workload;
    const verdict = r.met === undefined ? '' : r.met ? ' ok' : ' LOW';
    lines.push(
      [
        r.workload.padEnd(14),
        String(r.threads).padStart(3),
        r.fs.padEnd(11),
        rate(r.ours, r.unit).padStart(11),
        rate(r.c, r.unit).padStart(11),
        (r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`).padStart(7),
        `≥${r.target.toFixed(2)}${verdict}`.padEnd(9),
        pair(r.ours?.p50_us, r.c?.p50_us).padStart(16),
        pair(r.ours?.p99_us, r.c?.p99_us).padStart(16),
        pair(r.ours?.cpu_us_per_op, r.c?.cpu_us_per_op).padStart(18),
        (r.cpuRatio === undefined ? '—' : `${r.cpuRatio.toFixed(2)}×`).padStart(9),
      ].join(' ') + (r.error === undefined ? '' : `  ERROR: ${r.error}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const COLORS: Record<FsName, string> = { memfs: '#4e79a7', passthrough: '#f28e2b' };

/**
 * A horizontal bar chart of the ratios: one group per workload and client
 * thread count, one bar per pair, a tick at each target and a line at 1×.
 */
export function renderSvg(rows: Row[], subtitle: string): string {
  const groups: { key: string; label: string; rows: Row[] }[] = [];
  for (const r of rows) {
    const key = `${r.workload}/${r.threads}`;
    let g = groups.find((x) => x.key === key);
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
  const x = (v: number): number => left + (Math.min(v, xMax) / xMax) * plotW;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">fuse-lowlevel ÷ C reference (libfuse lowlevel), higher is better</text>`,
    `<text x="10" y="36" fill="#555">${xml(subtitle)}</text>`,
  ];
  // Legend.
  let lx = left;
  for (const fs of fsNames) {
    const ref = fs === 'memfs' ? 'memfs_ll' : 'passthrough_ll';
    out.push(`<rect x="${lx}" y="44" width="10" height="10" fill="${COLORS[fs]}"/>`);
    out.push(`<text x="${lx + 14}" y="53">${fs} ÷ ${ref}</text>`);
    lx += 170;
  }
  out.push(`<line x1="${lx}" y1="49" x2="${lx + 10}" y2="49" stroke="#000" stroke-width="2"/>`);
  out.push(`<text x="${lx + 14}" y="53">target</text>`);
  // Grid.
  const plotBottom = top + groups.length * groupH;
  for (let v = 0; v <= xMax + 1e-9; v += 0.25) {
    const gx = x(v).toFixed(1);
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
      const w = Math.max(1, x(r.ratio) - left);
      out.push(
        `<rect x="${left}" y="${by + 1}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${COLORS[fs]}"><title>${xml(
          `${r.workload} ×${r.threads} ${fs}: ${r.ratio.toFixed(3)}× (target ${r.target})`,
        )}</title></rect>`,
      );
      const tx = x(r.target).toFixed(1);
      out.push(`<line x1="${tx}" y1="${by}" x2="${tx}" y2="${by + barH}" stroke="#000" stroke-width="2"/>`);
      const clipped = r.ratio > xMax ? ' ▶' : '';
      out.push(
        `<text x="${(x(r.ratio) + 4).toFixed(1)}" y="${by + barH - 3}" fill="${r.met === false ? '#c00' : '#222'}">${r.ratio.toFixed(2)}×${clipped}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
