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

const USAGE = `usage: fuse-lowlevel <example> <mountpoint> [--debug] [-o opt,...]

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
}

function parse(argv: string[]): CliArgs {
  const positional: string[] = [];
  const mountOptions: string[] = [];
  let debug = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
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
  return { example, mountpoint, debug, mountOptions };
}

/** Turns well-known -o flags into typed options; the rest pass through. */
function splitOptions(raw: string[]): { known: Record<string, boolean>; rest: string[] } {
  const map: Record<string, string> = {
    ro: 'readOnly',
    allow_other: 'allowOther',
    default_permissions: 'defaultPermissions',
    auto_unmount: 'autoUnmount',
  };
  const known: Record<string, boolean> = {};
  const rest: string[] = [];
  for (const opt of raw) {
    const key = map[opt];
    if (key !== undefined) known[key] = true;
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
  const { ops, options } = example.create();
  const { known, rest } = splitOptions(args.mountOptions);
  const session = await mount(args.mountpoint, ops, {
    ...options,
    ...known,
    mountOptions: [...(options.mountOptions ?? []), ...rest],
    debug: args.debug,
  });
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
