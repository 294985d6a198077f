/**
 * Process-wide safety nets for mounted sessions: when the process exits
 * (normally, by process.exit() or an uncaught exception) or is stopped by
 * SIGINT/SIGTERM that nobody else handles, every mounted session is closed
 * synchronously, so no dead mount ("Transport endpoint is not connected") is
 * left behind.
 * @module
 */

/** What the hooks need from a session. */
export interface Closable {
  /** Closes synchronously: pending requests get EIO, the mount goes away. */
  _closeNow(): void;
}

const live = new Set<Closable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function closeAll(): void {
  for (const session of [...live]) session._closeNow();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener means the application handles the signal itself (and
  // unmounts, or exits — which the exit hook covers).
  if (process.listenerCount(signal) > 1) return;
  closeAll();
  uninstall();
  // Die of the signal as Node would have without our listener.
  process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', closeAll);
  // First in line, so an application's once() listener is still counted.
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
}

function uninstall(): void {
  process.removeListener('exit', closeAll);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/** A session was mounted. */
export function track(session: Closable): void {
  if (live.size === 0) install();
  live.add(session);
}

/** A session was closed. */
export function untrack(session: Closable): void {
  if (live.delete(session) && live.size === 0) uninstall();
}
