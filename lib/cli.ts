#!/usr/bin/env node
/**
 * fuse-lowlevel <example> <mountpoint> [options]
 *
 * Mounts an example filesystem in the foreground; Ctrl+C or SIGTERM unmounts
 * and exits 0. The options, their parsing and `--help` all come from one
 * table, {@link OPTIONS}.
 * @module
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLES } from '../examples/index.js';
import { mount } from './mount.js';
import type { MountOptions } from './options.js';
import { traceOperations } from './trace.js';

/** One command-line option: how it is parsed, and its line in `--help`. */
interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's name in `--help`. */
  value?: string;
  help: string;
}

/** Every option the CLI takes. */
const OPTIONS = {
  source: { type: 'string', value: '<dir>', help: 'the directory to mirror (passthrough)' },
  timeout: {
    type: 'string',
    value: '<s>',
    help: 'entry/attr cache timeouts in seconds (default 1; 0 turns caching off)',
  },
  threads: {
    type: 'string',
    value: '<n>',
    help: 'loop threads reading /dev/fuse (default 0: the JS event loop reads it)',
  },
  'allow-other': {
    type: 'boolean',
    help: 'let other users use the mount (root, or user_allow_other in /etc/fuse.conf); same as -o allow_other',
  },
  option: {
    type: 'string',
    short: 'o',
    multiple: true,
    value: '<opt[,opt...]>',
    help: 'mount options: ro, allow_other, default_permissions, auto_unmount, fsname=, subtype=, max_read=, others as-is',
  },
  debug: {
    type: 'boolean',
    short: 'd',
    help: 'trace every request: its names, reply or errno, duration, and which handler threw',
  },
  'fuse-debug': { type: 'boolean', help: "libfuse's own -d output (the raw protocol, from libfuse)" },
  version: { type: 'boolean', short: 'v', help: 'print the version and exit' },
  help: { type: 'boolean', short: 'h', help: 'print this help and exit' },
} as const satisfies Record<string, CliOption>;

function usage(): string {
  const rows = Object.entries(OPTIONS as Record<string, CliOption>).map(([name, o]) => {
    const flags = `${o.short === undefined ? '    ' : `-${o.short}, `}--${name}${o.value === undefined ? '' : ` ${o.value}`}`;
    return `  ${flags.padEnd(32)} ${o.help}`;
  });
  const examples = Object.entries(EXAMPLES).map(([name, e]) => `  ${name.padEnd(12)} ${e.summary}`);
  return `usage: fuse-lowlevel <example> <mountpoint> [options]

options:
${rows.join('\n')}

examples:
${examples.join('\n')}

A dead mount left by a killed server ("Transport endpoint is not connected"): fusermount3 -u -z <mountpoint>
`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A usage error: printed with the usage, exit code 2. */
class UsageError extends Error {}

interface CliArgs {
  example: string;
  mountpoint: string;
  debug: boolean;
  fuseDebug: boolean;
  allowOther: boolean;
  mountOptions: string[];
  source: string | undefined;
  timeout: number;
  threads: number;
}

function numberFlag(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`--${flag} needs a ${integer ? 'whole ' : ''}number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses argv; prints and exits for --help and --version. */
function parse(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs says e.g. "Unknown option '--bogus'. To specify a positional argument starting with a '-' …"
    throw new UsageError((error as Error).message.split('. ')[0] ?? String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  if (values.version) {
    process.stdout.write(`fuse-lowlevel ${version()}\n`);
    process.exit(0);
  }
  const [example, mountpoint, ...extra] = positionals;
  if (example === undefined || mountpoint === undefined || extra.length > 0) {
    throw new UsageError('expected <example> <mountpoint>');
  }
  if (!Object.hasOwn(EXAMPLES, example)) throw new UsageError(`unknown example ${JSON.stringify(example)}`);
  return {
    example,
    mountpoint,
    debug: values.debug === true,
    fuseDebug: values['fuse-debug'] === true,
    allowOther: values['allow-other'] === true,
    mountOptions: (values.option ?? []).flatMap((value) => value.split(',').filter((o) => o.length > 0)),
    source: values.source,
    timeout: numberFlag('timeout', values.timeout, false) ?? 1,
    threads: numberFlag('threads', values.threads, true) ?? 0,
  };
}

/** Turns well-known -o options into typed options; the rest pass through. */
function splitOptions(raw: string[]): { known: MountOptions; rest: string[] } {
  const flags: Record<string, 'readOnly' | 'allowOther' | 'defaultPermissions' | 'autoUnmount'> = {
    ro: 'readOnly',
    allow_other: 'allowOther',
    default_permissions: 'defaultPermissions',
    auto_unmount: 'autoUnmount',
  };
  const known: Record<string, boolean | string | number> = {};
  const rest: string[] = [];
  for (const opt of raw) {
    const [name = '', value] = opt.split(/=(.*)/s, 2);
    const flag = flags[opt];
    if (flag !== undefined) known[flag] = true;
    else if (name === 'fsname' && value !== undefined) known.fsName = value;
    else if (name === 'subtype' && value !== undefined) known.subtype = value;
    else if (name === 'max_read' && value !== undefined) known.maxRead = Number(value);
    else rest.push(opt);
  }
  return { known: known as MountOptions, rest };
}

/** passthrough's --source, checked the way mount() checks a mountpoint. */
async function checkSource(source: string | undefined): Promise<void> {
  if (source === undefined) return;
  const absolute = resolve(source);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`--source ${absolute} does not exist; give a directory to mirror`);
    if (error.code === 'EACCES' || error.code === 'EPERM') {
      throw new Error(
        `permission denied on --source ${absolute}: the user needs search (x) access to it and its parents`,
      );
    }
    throw new Error(`cannot use --source ${absolute}: ${error.message}`);
  });
  if (!info.isDirectory()) throw new Error(`--source ${absolute} is not a directory`);
}

async function main(): Promise<void> {
  let args: CliArgs;
  let created: ReturnType<(typeof EXAMPLES)[string]['create']>;
  const example = (name: string) => EXAMPLES[name] as (typeof EXAMPLES)[string];
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fuse-lowlevel: ${(error as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  if (args.example === 'passthrough') await checkSource(args.source);
  try {
    created = example(args.example).create({ source: args.source, timeout: args.timeout });
  } catch (error) {
    process.stderr.write(`fuse-lowlevel: ${(error as Error).message}\n\n${usage()}`);
    process.exit(2);
  }
  const { options } = created;
  const ops = args.debug ? traceOperations(created.ops) : created.ops;
  const { known, rest } = splitOptions(args.mountOptions);
  const session = await mount(args.mountpoint, ops, {
    ...options,
    ...known,
    ...(args.allowOther ? { allowOther: true } : {}),
    mountOptions: [...(options.mountOptions ?? []), ...rest],
    debug: args.fuseDebug,
    threads: args.threads,
  });
  created.attach?.(session);
  session.on('error', (error, op) => process.stderr.write(`fuse-lowlevel: ${op}: ${error.stack ?? error.message}\n`));
  const hints = example(args.example)
    .tryThis(session.mountpoint)
    .map((line) => `  ${line}\n`);
  process.stdout.write(`${args.example} mounted on ${session.mountpoint}; Ctrl+C to unmount. Try:\n${hints.join('')}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    if (args.debug || args.fuseDebug) process.stderr.write(`fuse-lowlevel: ${signal}, unmounting\n`);
    session.unmount().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  await session.closed;
  if (!stopping) process.stdout.write(`${session.mountpoint} was unmounted\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`fuse-lowlevel: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
