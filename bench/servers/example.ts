/**
 * Our side of the bench: examples/memfs or examples/passthrough as they
 * ship, mounted with the cache timeout and loop threads the run asks for.
 *
 *     node dist/bench/servers/example.js memfs <mountpoint> --timeout 0 --threads 0
 *     node dist/bench/servers/example.js passthrough <mountpoint> --source DIR --timeout 0 --threads 0
 *
 * The same as `fuse-lowlevel <example> <mountpoint> --timeout T --threads N`
 * (memfs with its defaults: no `default_permissions`, it checks permissions
 * itself; passthrough with `passthroughMountOptions`), without the CLI's
 * banner. SIGINT/SIGTERM unmount; handler errors are reported on stderr.
 * @module
 */
import { parseArgs } from 'node:util';
import { memfsOperations } from '../../examples/memfs/index.js';
import { passthroughMountOptions, passthroughOperations } from '../../examples/passthrough/index.js';
import { type MountOptions, mount, type Operations } from '../../lib/index.js';
import { serveUntilStopped } from './serve.js';

const USAGE = 'usage: example <memfs|passthrough> <mountpoint> [--source DIR] [--timeout S] [--threads N]\n';

function serve(args: string[]): { name: string; mountpoint: string; ops: Operations; options: MountOptions } {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      timeout: { type: 'string', default: '1' },
      threads: { type: 'string', default: '0' },
    },
  });
  const [name, mountpoint, ...extra] = positionals;
  const timeout = Number(values.timeout);
  const threads = Number(values.threads);
  if (mountpoint === undefined || extra.length > 0 || !(timeout >= 0) || !Number.isInteger(threads)) {
    throw new Error(USAGE);
  }
  if (name === 'memfs') {
    return {
      name,
      mountpoint,
      ops: memfsOperations({ timeout }),
      options: { fsName: 'memfs', subtype: 'memfs', threads },
    };
  }
  if (name === 'passthrough') {
    if (values.source === undefined) throw new Error(`passthrough needs --source DIR\n${USAGE}`);
    return {
      name,
      mountpoint,
      ops: passthroughOperations(values.source, { timeout }),
      options: { ...passthroughMountOptions(values.source), threads },
    };
  }
  throw new Error(USAGE);
}

async function main(): Promise<void> {
  const { name, mountpoint, ops, options } = serve(process.argv.slice(2));
  const session = await mount(mountpoint, ops, options);
  session.on('error', (error, op) => process.stderr.write(`bench ${name}: ${op}: ${error.stack ?? error.message}\n`));
  await serveUntilStopped(session);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench example: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
