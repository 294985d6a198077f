/**
 * notify: files that change behind the kernel's back, kept right in the
 * kernel's caches by notifications — while the kernel is told to cache
 * everything (names, attributes, data, listings) for a minute.
 *
 *     fuse-lowlevel notify /mnt/notify
 *     watch -n1 cat /mnt/notify/clock
 *     ls /mnt/notify/live; tail -f /mnt/notify/events
 *
 * - `clock` reads the current time (ISO 8601, UTC), new every second. Each
 *   tick drops the kernel's cached data and attributes of the file with
 *   `notifyInvalInode`; the next read asks the filesystem again.
 * - `live/` holds files `entry-N`: every second one appears and the oldest
 *   goes (the last three stay). A new name is announced with
 *   `notifyInvalEntry` (which drops a cached "no such file" for it and the
 *   directory's attributes and cached listing); a name that goes with
 *   `notifyDelete` (which drops the entry; inotify watchers see a delete).
 * - `events` is a log of those changes, one line each. New lines are pushed
 *   into the kernel's page cache with `notifyStore` at the old end of the
 *   file: readers see them without a read request reaching the filesystem.
 *
 * Lookups, attributes and listings are cached for 60 s (`timeout`), files and
 * `live/` are opened with `keepCache` (and `cacheReaddir`), and `init` asks
 * the kernel for EXPLICIT_INVAL_DATA: cached data is only dropped when the
 * filesystem says so. Without the notifications, `cat clock` would show the
 * same time for a minute.
 *
 * The notifications need the session, so this example is a factory: mount
 * `ops`, then hand the session to `attach()`, which starts the timer (it
 * stops when the session unmounts).
 *
 * ```ts
 * const fs = notifyOperations();
 * const session = await mount('/mnt/notify', fs.ops, { fsName: 'notify' });
 * fs.attach(session);
 * ```
 *
 * Limits: an `entry-N` that is gone answers ENOENT even to a caller that still
 * has it open; the log restarts empty when it reaches 64 KiB.
 * @module
 */
import { constants } from 'node:fs';
import { type Attr, CAP, type Operations, type Session } from '../lib/index.js';

const { S_IFDIR, S_IFREG } = constants;
const ROOT = 1;
const CLOCK = 2;
const EVENTS = 3;
const LIVE = 4;
/** Inode numbers of live entries: FIRST_ENTRY + their sequence number. */
const FIRST_ENTRY = 100;
const ROOT_NAMES = new Map([
  ['clock', CLOCK],
  ['events', EVENTS],
  ['live', LIVE],
]);
/** The events log restarts empty beyond this size. */
const EVENTS_MAX = 64 * 1024;

/** How the notify example behaves. */
export interface NotifyOptions {
  /** Entry and attribute cache timeouts, in seconds (default 60). */
  timeout?: number;
  /** Milliseconds between ticks once attached (default 1000); 0: no timer, call `tick()` yourself. */
  interval?: number;
  /** How many `entry-N` files stay in `live/` (default 3). */
  keep?: number;
  /** The clock (default: the system's). */
  now?: () => Date;
}

/** What one tick changed and what the kernel said to each notification (false: it had nothing cached). */
export interface TickReport {
  /** The clock's new content. */
  clock: string;
  /** notifyInvalInode(clock). */
  clockInvalidated: boolean;
  /** The name that appeared in live/, and notifyInvalEntry's answer. */
  added: { name: string; ino: number; notified: boolean };
  /** The names that went from live/, and notifyDelete's answers. */
  removed: { name: string; ino: number; notified: boolean }[];
  /** The lines appended to events, and notifyStore's answer (or notifyInvalInode's when the log restarted). */
  events: { appended: string; notified: boolean };
}

/** The notify filesystem: its handlers, and the session hook that makes it live. */
export interface NotifyFilesystem {
  /** The handlers to mount. */
  readonly ops: Operations;
  /** Hands over the mounted session and starts the timer (unless `interval` is 0). */
  attach(session: Session): void;
  /**
   * Advances one step — a new time, a new entry, the oldest gone, lines in
   * the log — and sends the notifications. Resolves once the kernel has
   * taken them all (answers are false without an attached session).
   */
  tick(): Promise<TickReport>;
  /** Stops the timer (also done when the session unmounts). */
  stop(): void;
}

interface LiveEntry {
  name: string;
  ino: number;
  content: Buffer;
  time: Date;
}

/** The notify filesystem (see the module's description). */
export function notifyOperations(options: NotifyOptions = {}): NotifyFilesystem {
  const timeout = options.timeout ?? 60;
  const interval = options.interval ?? 1000;
  const keep = options.keep ?? 3;
  const now = options.now ?? (() => new Date());
  if (!Number.isFinite(timeout) || timeout < 0) throw new RangeError(`notify: timeout must be >= 0, got ${timeout}`);
  if (!Number.isInteger(interval) || interval < 0)
    throw new RangeError(`notify: interval must be a whole number of ms >= 0, got ${interval}`);
  if (!Number.isInteger(keep) || keep < 1)
    throw new RangeError(`notify: keep must be a whole number >= 1, got ${keep}`);

  const started = now();
  let clock = { content: Buffer.from(`${started.toISOString()}\n`), time: started };
  let events = { content: Buffer.alloc(0), time: started };
  let liveTime = started;
  /** Entries in live/, oldest first. */
  const live: LiveEntry[] = [];
  let seq = 0;
  /** Listings of live/ taken at opendir, by file handle: offsets stay stable while entries come and go. */
  const listings = new Map<number, [string, number, number][]>();
  let nextFh = 1;
  let session: Session | undefined;
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;

  function addEntry(time: Date): LiveEntry {
    seq++;
    const entry = {
      name: `entry-${seq}`,
      ino: FIRST_ENTRY + seq,
      content: Buffer.from(`entry ${seq}, born ${time.toISOString()}\n`),
      time,
    };
    live.push(entry);
    return entry;
  }

  function log(lines: string, time: Date): { offset: number; bytes: Buffer; restarted: boolean } {
    const bytes = Buffer.from(lines);
    const restarted = events.content.length + bytes.length > EVENTS_MAX;
    const offset = restarted ? 0 : events.content.length;
    events = { content: Buffer.concat([restarted ? Buffer.alloc(0) : events.content, bytes]), time };
    return { offset, bytes, restarted };
  }

  // The starting state: `keep` entries already there.
  const initial: string[] = [];
  for (let i = 0; i < keep; i++) initial.push(`${started.toISOString()} + ${addEntry(started).name}\n`);
  log(initial.join(''), started);

  function attrOf(ino: number): Attr | undefined {
    const times = (t: Date) => ({ atime: t, mtime: t, ctime: t });
    switch (ino) {
      case ROOT:
        return { ino, mode: S_IFDIR | 0o755, nlink: 3, ...times(started) };
      case LIVE:
        return { ino, mode: S_IFDIR | 0o755, nlink: 2, ...times(liveTime) };
      case CLOCK:
        return { ino, mode: S_IFREG | 0o444, nlink: 1, size: clock.content.length, ...times(clock.time) };
      case EVENTS:
        return { ino, mode: S_IFREG | 0o444, nlink: 1, size: events.content.length, ...times(events.time) };
    }
    const entry = live.find((e) => e.ino === ino);
    if (entry === undefined) return undefined;
    return { ino, mode: S_IFREG | 0o444, nlink: 1, size: entry.content.length, ...times(entry.time) };
  }

  function contentOf(ino: number): Buffer | undefined {
    if (ino === CLOCK) return clock.content;
    if (ino === EVENTS) return events.content;
    return live.find((e) => e.ino === ino)?.content;
  }

  function childOf(parent: number, name: string): number | undefined {
    if (parent === ROOT) return ROOT_NAMES.get(name);
    if (parent === LIVE) return live.find((e) => e.name === name)?.ino;
    return undefined;
  }

  function listing(ino: number): [string, number, number][] {
    if (ino === ROOT) {
      return [
        ['.', ROOT, S_IFDIR],
        ['..', ROOT, S_IFDIR],
        ['clock', CLOCK, S_IFREG],
        ['events', EVENTS, S_IFREG],
        ['live', LIVE, S_IFDIR],
      ];
    }
    return [
      ['.', LIVE, S_IFDIR],
      ['..', ROOT, S_IFDIR],
      ...live.map((e): [string, number, number] => [e.name, e.ino, S_IFREG]),
    ];
  }

  /** What the kernel answered, or false without a mounted session. */
  function send(notification: () => Promise<boolean>): Promise<boolean> {
    if (session === undefined || !session.mounted) return Promise.resolve(false);
    return notification();
  }

  async function tick(): Promise<TickReport> {
    const time = now();
    // Change the state first, then tell the kernel: a lookup or read racing
    // with the notification then gets the new state either way.
    clock = { content: Buffer.from(`${time.toISOString()}\n`), time };
    const added = addEntry(time);
    const gone = live.splice(0, Math.max(0, live.length - keep));
    liveTime = time;
    const lines = [
      `${time.toISOString()} + ${added.name}\n`,
      ...gone.map((e) => `${time.toISOString()} - ${e.name}\n`),
    ];
    const appended = log(lines.join(''), time);

    const s = session as Session;
    const [clockInvalidated, addedNotified, eventsNotified, ...removedNotified] = await Promise.all([
      send(() => s.notifyInvalInode(CLOCK)),
      send(() => s.notifyInvalEntry(LIVE, added.name)),
      // The new lines go straight into the page cache; a restarted log is dropped instead.
      send(() =>
        appended.restarted ? s.notifyInvalInode(EVENTS) : s.notifyStore(EVENTS, appended.offset, appended.bytes),
      ),
      ...gone.map((e) => send(() => s.notifyDelete(LIVE, e.ino, e.name))),
    ]);
    return {
      clock: clock.content.toString(),
      clockInvalidated,
      added: { name: added.name, ino: added.ino, notified: addedNotified },
      removed: gone.map((e, i) => ({ name: e.name, ino: e.ino, notified: removedNotified[i] ?? false })),
      events: { appended: appended.bytes.toString(), notified: eventsNotified },
    };
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function attach(mounted: Session): void {
    stop();
    session = mounted;
    mounted.once('unmount', stop);
    if (interval === 0) return;
    timer = setInterval(() => {
      if (ticking) return; // the kernel is still taking the last tick's notifications
      ticking = true;
      tick()
        .catch((error: unknown) => {
          if (session?.mounted) process.emitWarning(`notify: a tick failed: ${(error as Error).message}`);
        })
        .finally(() => {
          ticking = false;
        });
    }, interval);
    timer.unref(); // the session keeps the process alive, not the timer
  }

  const ops: Operations = {
    init(conn) {
      // Cached data stays until a notification drops it, even when getattr
      // shows a new mtime (the events log grows in place).
      let want = conn.want & ~CAP.AUTO_INVAL_DATA;
      if (conn.canDo(CAP.EXPLICIT_INVAL_DATA)) want |= CAP.EXPLICIT_INVAL_DATA;
      conn.want = want >>> 0; // (bitwise operators make signed 32-bit numbers)
    },
    lookup(req) {
      const ino = childOf(req.parent, req.name);
      // A name that does not exist is cached as missing too: notifyInvalEntry drops that when it appears.
      if (ino === undefined) return req.replyEntry({ ino: 0, entryTimeout: timeout });
      req.replyEntry({ ino, attr: attrOf(ino) as Attr, attrTimeout: timeout, entryTimeout: timeout });
    },
    getattr(req) {
      const attr = attrOf(req.ino);
      if (attr === undefined) return req.replyError('ENOENT');
      req.replyAttr(attr, timeout);
    },
    opendir(req) {
      if (req.ino !== ROOT && req.ino !== LIVE) return req.replyError('ENOTDIR');
      const fh = nextFh++;
      listings.set(fh, listing(req.ino));
      req.replyOpen(fh, { keepCache: true, cacheReaddir: true });
    },
    readdir(req) {
      const entries = listings.get(req.fh);
      if (entries === undefined) return req.replyError('EBADF');
      for (let i = req.offset; i < entries.length; i++) {
        const [name, ino, mode] = entries[i] as [string, number, number];
        if (!req.add(name, ino, mode, i + 1)) break;
      }
      req.replyDirents();
    },
    releasedir(req) {
      listings.delete(req.fh);
      req.replyOk();
    },
    open(req) {
      if (contentOf(req.ino) === undefined) return req.replyError(attrOf(req.ino) ? 'EISDIR' : 'ENOENT');
      if ((req.flags & 3) !== constants.O_RDONLY) return req.replyError('EACCES');
      req.replyOpen(0, { keepCache: true });
    },
    read(req) {
      const content = contentOf(req.ino);
      if (content === undefined) return req.replyError('ENOENT');
      const start = Math.min(req.offset, content.length);
      req.replyBuf(content.subarray(start, Math.min(start + req.size, content.length)));
    },
  };
  return { ops, attach, tick, stop };
}
