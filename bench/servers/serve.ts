/**
 * What every bench server of ours does once mounted: SIGINT/SIGTERM unmount,
 * SIGUSR2 toggles the allocation probe (alloc.ts), one JSON line
 * `{"ready": mountpoint, "pid": …}` on stdout, then wait for the session to
 * close.
 * @module
 */
import type { Session } from '../../lib/index.js';
import { installAllocationProbe } from './alloc.js';

/** Serves `session` until a SIGINT/SIGTERM has unmounted it (exit 1 if unmounting fails). */
export async function serveUntilStopped(session: Session): Promise<void> {
  const stop = (): void => {
    session.unmount().catch(() => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  installAllocationProbe();
  process.stdout.write(`${JSON.stringify({ ready: session.mountpoint, pid: process.pid })}\n`);
  await session.closed;
}
