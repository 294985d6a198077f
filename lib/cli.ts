#!/usr/bin/env node
/**
 * fuse-lowlevel <example> <mountpoint> [--debug] [-o opt,…]
 *
 * Mounts an example filesystem in the foreground; Ctrl+C or SIGTERM unmounts
 * and exits 0.
 * @module
 */
import { EXAMPLES } from '../examples/index.js';
import { mount } from './mount.js';

const USAGE = `usage: fuse-lowlevel <example> <mountpoint> [options]

options:
  --source <dir>      the directory to mirror (passthrough)
  --timeout <s>       entry/attr cache timeouts in seconds (default 1; 0 turns caching off)
  --threads <n>       loop threads reading /dev/fuse (default 0: the JS event loop reads it)
  --debug, -d         log every request and reply
  -o opt[,opt...]     mount options (ro, allow_other, default_permissions, auto_unmount, others as-is)

examples:
${Object.entries(EXAMPLES)
  .map(([name, e]) => `  ${name.padEnd(12)} ${e.summary}`)
  .join('\n')}
`;

interface CliArgs {
  example: string;
  mountpoint: string;
  debug: boolean;
  mountOptions: string[];
  source: string | undefined;
  timeout: number;
  threads: number;
}

function numberFlag(flag: string, value: string | undefined, integer: boolean): number {
  const n = value === undefined ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} needs a ${integer ? 'whole ' : ''}number, got ${value ?? 'nothing'}`);
  }
  return n;
}

function parse(argv: string[]): CliArgs {
  const positional: string[] = [];
  const mountOptions: string[] = [];
  let debug = false;
  let source: string | undefined;
  let timeout = 1;
  let threads = 0;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--source') {
      source = argv[++i];
      if (source === undefined) throw new Error('--source needs a directory');
    } else if (arg === '--timeout') {
      timeout = numberFlag(arg, argv[++i], false);
    } else if (arg === '--threads') {
      threads = numberFlag(arg, argv[++i], true);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (arg === '--debug' || arg === '-d') {
      debug = true;
    } else if (arg === '-o') {
      const value = argv[++i];
      if (value === undefined) throw new Error('-o needs a value');
      mountOptions.push(...value.split(',').filter((o) => o.length > 0));
    } else if (arg.startsWith('-o')) {
      mountOptions.push(
        ...arg
          .slice(2)
          .split(',')
          .filter((o) => o.length > 0),
      );
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown flag ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [example, mountpoint, ...extra] = positional;
  if (example === undefined || mountpoint === undefined || extra.length > 0)
    throw new Error('expected <example> <mountpoint>');
  if (!Object.hasOwn(EXAMPLES, example)) throw new Error(`unknown example ${JSON.stringify(example)}`);
  return { example, mountpoint, debug, mountOptions, source, timeout, threads };
}

/** Turns well-known -o flags into typed options; the rest pass through. */
function splitOptions(raw: string[]): { known: Record<string, boolean | string | number>; rest: string[] } {
  const map: Record<string, string> = {
    ro: 'readOnly',
    allow_other: 'allowOther',
    default_permissions: 'defaultPermissions',
    auto_unmount: 'autoUnmount',
  };
  const valued: Record<string, string> = { fsname: 'fsName', subtype: 'subtype', max_read: 'maxRead' };
  const known: Record<string, boolean | string | number> = {};
  const rest: string[] = [];
  for (const opt of raw) {
    const [name = '', value] = opt.split(/=(.*)/s, 2);
    const flagKey = map[opt];
    const valuedKey = valued[name];
    if (flagKey !== undefined) known[flagKey] = true;
    else if (valuedKey !== undefined && value !== undefined)
      known[valuedKey] = name === 'max_read' ? Number(value) : value;
    else rest.push(opt);
  }
  return { known, rest };
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`fuse-lowlevel: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const example = EXAMPLES[args.example];
  if (example === undefined) return;
  let created: ReturnType<typeof example.create>;
  try {
    created = example.create({ source: args.source, timeout: args.timeout });
  } catch (error) {
    process.stderr.write(`fuse-lowlevel: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const { ops, options } = created;
  const { known, rest } = splitOptions(args.mountOptions);
  const session = await mount(args.mountpoint, ops, {
    ...options,
    ...known,
    mountOptions: [...(options.mountOptions ?? []), ...rest],
    debug: args.debug,
    threads: args.threads,
  });
  created.attach?.(session);
  session.on('error', (error, op) => process.stderr.write(`fuse-lowlevel: ${op}: ${error.stack ?? error.message}\n`));
  const hints = example.tryThis(session.mountpoint).map((line) => `  ${line}\n`);
  process.stdout.write(`${args.example} mounted on ${session.mountpoint}; Ctrl+C to unmount. Try:\n${hints.join('')}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    if (args.debug) process.stderr.write(`fuse-lowlevel: ${signal}, unmounting\n`);
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
