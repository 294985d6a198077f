/**
 * Mountpoint checks before mounting, and cleaning up a stale mount left by a
 * crashed server.
 * @module
 */
import { execFile } from 'node:child_process';
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
async function onPath(name: string): Promise<boolean> {
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

/** Checks that `path` can be mounted on, and returns it absolute. */
export async function checkMountpoint(path: unknown): Promise<string> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    typeError('mount', 'mountpoint', 'a non-empty path without NUL', path);
  }
  const absolute = resolve(path);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`mount: mountpoint ${absolute} does not exist; create the directory first`);
    if (code === 'ENOTCONN') {
      throw new Error(
        `mount: mountpoint ${absolute} is a dead FUSE mount (its server is gone); clean it up with unmountStale() or: fusermount3 -u -z ${absolute}`,
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
