/**
 * The hello example with kernel caching off, for round-trip benchmarks:
 * every attribute and entry reply carries timeout 0 (as the bench's patched
 * copy of libfuse's hello_ll does), so each stat reaches the server.
 *
 *     node dist/bench/servers/hello-notimeout.js <mountpoint> [--threads N]
 *
 * The handlers are examples/hello.ts's own; only the timeouts they pass are
 * replaced, once, on the request classes' prototypes (no per-request
 * wrapping). SIGINT/SIGTERM unmount; on the way out it prints one JSON line
 * with the requests it served, by operation.
 * @module
 */
import { helloOperations } from '../../examples/hello.js';
import { type Entry, GetattrRequest, LookupRequest, mount, type Operations } from '../../lib/index.js';
import { serveUntilStopped } from './serve.js';

/** Makes every attr/entry reply in this process uncacheable (timeouts 0). */
function disableKernelCaching(): void {
  const { replyAttr } = GetattrRequest.prototype;
  GetattrRequest.prototype.replyAttr = function (this: GetattrRequest, attr) {
    replyAttr.call(this, attr, 0);
  };
  const { replyEntry } = LookupRequest.prototype;
  LookupRequest.prototype.replyEntry = function (this: LookupRequest, entry: Entry) {
    replyEntry.call(this, { ...entry, attrTimeout: 0, entryTimeout: 0 });
  };
}

/** The hello handlers, each counting the requests it gets. */
function countingHello(served: Record<string, number>): Operations {
  const ops = helloOperations() as Record<string, (req: unknown) => unknown>;
  const counted: Record<string, (req: unknown) => unknown> = {};
  for (const [name, handler] of Object.entries(ops)) {
    served[name] = 0;
    counted[name] = (req) => {
      served[name]!++;
      return handler(req);
    };
  }
  return counted as Operations;
}

async function main(): Promise<void> {
  const [mountpoint, flag, value] = process.argv.slice(2);
  if (mountpoint === undefined || (flag !== undefined && (flag !== '--threads' || value === undefined))) {
    process.stderr.write('usage: hello-notimeout <mountpoint> [--threads N]\n');
    process.exit(2);
  }
  disableKernelCaching();
  const served: Record<string, number> = {};
  const session = await mount(mountpoint, countingHello(served), {
    fsName: 'hello-bench',
    subtype: 'hello',
    threads: value === undefined ? 1 : Number(value),
  });
  await serveUntilStopped(session);
  process.stdout.write(`${JSON.stringify({ served })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`hello-notimeout: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
