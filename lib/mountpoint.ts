/**
 * Mountpoint checks before mounting, and cleaning up a stale mount left by a
 * crashed server.
 * @module
 */
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { typeError } from './validate.js';

/** A line of /proc/self/mounts. */
interface MountEntry {
  source: string;
  target: string;
  type: string;
}

/** Undoes the octal escapes of /proc/mounts (`\040` is a space). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

async function mounts(): Promise<MountEntry[]> {
  const text = await readFile('/proc/self/mounts', 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [source = '', target = '', type = ''] = line.split(' ');
      return { source: unescapeMountField(source), target: unescapeMountField(target), type };
    });
}

/** The FUSE mount on exactly `path`, if any. */
async function fuseMountAt(path: string): Promise<MountEntry | undefined> {
  const all = await mounts();
  return all.findLast((m) => m.target === path && (m.type === 'fuse' || m.type.startsWith('fuse.')));
}

/** Whether an executable is on PATH. */
export async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** The FUSE mount that `path` is on (at it or under it), if any. */
async function fuseMountHolding(path: string): Promise<MountEntry | undefined> {
  const holding = (await mounts()).filter(
    (m) => m.target === path || path.startsWith(m.target === '/' ? '/' : `${m.target}/`),
  );
  // The last of the longest targets is the mount that is visible there.
  const top = holding.reduce<MountEntry | undefined>(
    (best, m) => (best === undefined || m.target.length >= best.target.length ? m : best),
    undefined,
  );
  return top !== undefined && (top.type === 'fuse' || top.type.startsWith('fuse.')) ? top : undefined;
}

/** How long mount() waits for a stat of a mountpoint on a FUSE filesystem. */
export const MOUNTPOINT_STAT_TIMEOUT_MS = 3000;

/** The script of the child that stats a mountpoint on FUSE: prints `dir`, `other` or the errno code. */
const STAT_CHILD = `require('node:fs').stat(process.argv[1], (e, s) =>
  process.stdout.write(e ? String(e.code) : s.isDirectory() ? 'dir' : 'other'))`;

/**
 * Whether `path` is a directory, asked from a child process: a mountpoint on
 * a FUSE filesystem may be served by this very process (its handlers, on this
 * thread, would see a request from their own process) or by a server that
 * never answers. At the deadline the child is killed and let go: a process
 * waiting for a FUSE reply the kernel has already sent on ends only once the
 * reply comes, and a thread of this process would be stuck the same way.
 */
function statInChild(path: string, fuse: MountEntry): Promise<{ isDirectory(): boolean }> {
  return new Promise((resolveStat, reject) => {
    const child = spawn(process.execPath, ['-e', STAT_CHILD, path], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.unref();
      child.stdout.destroy();
      reject(
        new Error(
          `mount: mountpoint ${path} did not answer a stat within ${MOUNTPOINT_STAT_TIMEOUT_MS / 1000} s: ` +
            `the FUSE filesystem it is on (${fuse.source} on ${fuse.target}, ${fuse.type}) is not responding`,
        ),
      );
    }, MOUNTPOINT_STAT_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`mount: cannot check mountpoint ${path}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (stdout === 'dir' || stdout === 'other') resolveStat({ isDirectory: () => stdout === 'dir' });
      else if (/^E[A-Z0-9]+$/.test(stdout))
        reject(Object.assign(new Error(`stat ${path}: ${stdout}`), { code: stdout }));
      else reject(new Error(`mount: cannot check mountpoint ${path}: its stat ended with ${signal ?? code}`));
    });
  });
}

/** Checks that `path` can be mounted on, and returns it absolute. */
export async function checkMountpoint(path: unknown): Promise<string> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    typeError('mount', 'mountpoint', 'a non-empty path without NUL', path);
  }
  const absolute = resolve(path);
  let info: { isDirectory(): boolean };
  try {
    const fuse = await fuseMountHolding(absolute);
    info = fuse === undefined ? await stat(absolute) : await statInChild(absolute, fuse);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined && (error as Error).message.startsWith('mount: ')) throw error;
    if (code === 'ENOENT') throw new Error(`mount: mountpoint ${absolute} does not exist; create the directory first`);
    if (code === 'ENOTCONN') {
      throw new Error(
        `mount: mountpoint ${absolute} is a dead FUSE mount (its server is gone); clean it up: fusermount3 -u -z ${absolute} (or unmountStale() from code)`,
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(
        `mount: permission denied on mountpoint ${absolute}: the user needs search (x) access to it and its parents`,
      );
    }
    throw new Error(`mount: cannot use mountpoint ${absolute}: ${(error as Error).message}`);
  }
  if (!info.isDirectory()) throw new Error(`mount: mountpoint ${absolute} is not a directory`);
  const existing = await fuseMountAt(absolute);
  if (existing !== undefined) {
    throw new Error(
      `mount: ${absolute} is already a FUSE mount (${existing.source}, ${existing.type}); unmount it first: fusermount3 -u ${absolute}`,
    );
  }
  return absolute;
}

/** Checks /dev/fuse, and fusermount3 when libfuse will need it. */
export async function checkMountTools(autoUnmount: boolean): Promise<void> {
  try {
    await access('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      'mount: /dev/fuse is missing or not accessible; load the module (modprobe fuse) or, in a container, pass --device /dev/fuse',
    );
  }
  const needsHelper = autoUnmount || process.getuid?.() !== 0;
  if (needsHelper && !(await onPath('fusermount3'))) {
    const why = autoUnmount ? 'autoUnmount uses it' : 'mounting without root uses it';
    throw new Error(`mount: fusermount3 is not installed (${why}); install it: apt-get install fuse3`);
  }
}

/**
 * Detaches a stale FUSE mount at `path` — one whose server died and left
 * "Transport endpoint is not connected" behind — with `fusermount3 -u -z`.
 * Resolves true if something was unmounted, false if `path` was no FUSE mount.
 * Refuses a mount whose server still answers, unless `force` is set.
 */
export async function unmountStale(path: string, options: { force?: boolean } = {}): Promise<boolean> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    typeError('unmountStale', 'path', 'a non-empty path without NUL', path);
  }
  const absolute = resolve(path);
  if ((await fuseMountAt(absolute)) === undefined) return false;
  if (options.force !== true) {
    const alive = await stat(absolute).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOTCONN',
    );
    if (alive)
      throw new Error(`unmountStale: ${absolute} is a live FUSE mount; pass { force: true } to detach it anyway`);
  }
  await new Promise<void>((done, fail) => {
    execFile('fusermount3', ['-u', '-z', absolute], (error, _stdout, stderr) => {
      if (error)
        fail(new Error(`unmountStale: fusermount3 -u -z ${absolute} failed: ${stderr.trim() || error.message}`));
      else done();
    });
  });
  return true;
}
