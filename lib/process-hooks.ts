/**
 * Process-wide safety nets for mounted sessions: when the process exits
 * (normally, by process.exit() or an uncaught exception) or is stopped by
 * SIGINT/SIGTERM that nobody else handles, every mounted session is closed
 * synchronously, so no dead mount ("Transport endpoint is not connected") is
 * left behind.
 *
 * Signals reach only the main thread, so the threads talk over a
 * BroadcastChannel: a worker announces how many sessions it has mounted; the
 * main thread (when it has loaded this library) keeps its signal hooks while
 * any thread has one, and on a signal asks every worker to close its
 * sessions and waits (a moment) for them before the process dies. A worker
 * whose main thread never loaded the library gets no answer when it asks
 * whether it is covered; mount() then mounts with auto_unmount, so the mount
 * goes away with the process (process.exit() already ends workers through
 * their cleanup hooks).
 * @module
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';

/** What the hooks need from a session. */
export interface Closable {
  /** Closes synchronously: pending requests get EIO, the mount goes away. */
  _closeNow(): void;
}

/** The messages between threads. */
type HookMessage =
  /** A worker's count of mounted sessions. */
  | { type: 'sessions'; thread: number; count: number }
  /** The main thread, on a signal: close every session now. */
  | { type: 'close' }
  /** A worker asks whether the main thread's hooks cover it (`id`: the question's). */
  | { type: 'covered?'; id: string }
  | { type: 'covered'; id: string };

const live = new Set<Closable>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** With the main thread: the workers that have sessions mounted, by thread id. */
const workers = new Map<number, number>();
/** How long the main thread waits, on a signal, for the workers to close their sessions. */
const WORKER_CLOSE_MS = 2000;
/** How long a worker waits for the main thread to say it covers it. */
const COVERED_WAIT_MS = 250;
let installed = false;
let stopping = false;
/** Called whenever `workers` changes (a signal waits for it to empty). */
let workersChanged: (() => void) | undefined;
const questions = new Map<string, () => void>();

const channel = new BroadcastChannel('fuse-lowlevel:process-hooks');
channel.unref();
channel.onmessage = (event) => onMessage((event as { data: HookMessage }).data);

function onMessage(message: HookMessage): void {
  if (isMainThread) {
    if (message.type === 'sessions') {
      if (message.count > 0) workers.set(message.thread, message.count);
      else workers.delete(message.thread);
      update();
      workersChanged?.();
    } else if (message.type === 'covered?') {
      channel.postMessage({ type: 'covered', id: message.id } satisfies HookMessage);
    }
  } else if (message.type === 'close') {
    closeAll();
  } else if (message.type === 'covered') {
    questions.get(message.id)?.();
  }
}

function closeAll(): void {
  for (const session of [...live]) session._closeNow();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener means the application handles the signal itself (and
  // unmounts, or exits — which the exit hook and the workers' cleanup hooks cover).
  if (process.listenerCount(signal) > 1 || stopping) return;
  stopping = true;
  closeAll();
  const die = () => {
    workersChanged = undefined;
    uninstall();
    // Die of the signal as Node would have without our listener.
    process.kill(process.pid, signal);
  };
  if (workers.size === 0) {
    die();
    return;
  }
  // The workers close their sessions on their own threads; the process waits for them (briefly).
  const timer = setTimeout(die, WORKER_CLOSE_MS);
  workersChanged = () => {
    if (workers.size > 0) return;
    clearTimeout(timer);
    die();
  };
  channel.postMessage({ type: 'close' } satisfies HookMessage);
}

function install(): void {
  installed = true;
  process.on('exit', closeAll);
  // First in line, so an application's once() listener is still counted.
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
}

function uninstall(): void {
  installed = false;
  process.removeListener('exit', closeAll);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

/** Installs the hooks while any session of this thread (or, on the main thread, of any worker) is mounted. */
function update(): void {
  if (isMainThread) {
    const wanted = live.size > 0 || workers.size > 0;
    if (wanted && !installed) install();
    else if (!wanted && installed && !stopping) uninstall();
    return;
  }
  // A worker: the exit hook is its own; signals are the main thread's.
  if (live.size > 0 && !installed) {
    installed = true;
    process.on('exit', closeAll);
  } else if (live.size === 0 && installed) {
    installed = false;
    process.removeListener('exit', closeAll);
  }
  // Once the session has finished closing (untrack comes first in _closeNow): a
  // signal's wait on the main thread ends with this message.
  queueMicrotask(() =>
    channel.postMessage({ type: 'sessions', thread: threadId, count: live.size } satisfies HookMessage),
  );
}

/** A session was mounted. */
export function track(session: Closable): void {
  live.add(session);
  if (live.size === 1) update();
}

/** A session was closed. */
export function untrack(session: Closable): void {
  if (live.delete(session) && live.size === 0) update();
}

let covered: Promise<boolean> | undefined;

/**
 * Whether SIGINT/SIGTERM will close this thread's sessions: always on the
 * main thread; in a worker, when the main thread has loaded this library
 * (it answers over the channel). Asked once per worker.
 */
export function signalsCovered(): Promise<boolean> {
  if (isMainThread) return Promise.resolve(true);
  covered ??= new Promise<boolean>((resolve) => {
    const id = `${threadId}:${process.hrtime.bigint()}`;
    const timer = setTimeout(() => {
      questions.delete(id);
      resolve(false);
    }, COVERED_WAIT_MS);
    questions.set(id, () => {
      clearTimeout(timer);
      questions.delete(id);
      resolve(true);
    });
    channel.postMessage({ type: 'covered?', id } satisfies HookMessage);
  });
  return covered;
}
