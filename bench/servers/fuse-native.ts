/**
 * The fuse-native peer: the bench's memfs and passthrough workloads served
 * through fuse-native (npm `fuse-native`, the Node binding people use today:
 * libfuse 2's high-level path API, a native loop thread that blocks on a
 * semaphore while JavaScript answers each request), as its README shows it
 * used: callbacks, default options (its 15 s per-request timer included).
 *
 *     node dist/bench/servers/fuse-native.js memfs <mountpoint> --timeout 0
 *     node dist/bench/servers/fuse-native.js passthrough <mountpoint> --source DIR --timeout 0
 *
 * memfs holds the tree in a Map from path to node (a path API has no inode
 * numbers to key it by); file data is one growing Buffer per file, as in
 * memfs_ll. passthrough mirrors DIR like examples/passthrough: synchronous
 * metadata calls on the JS thread, reads and writes through libuv's pool.
 * fuse-native is loaded from bench/peers/node_modules (`npm run bench:peers`).
 * SIGINT/SIGTERM unmount; SIGUSR2 toggles the allocation probe (alloc.ts).
 * @module
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installAllocationProbe } from './alloc.js';

/** The stat fields fuse-native reads (times in ms or Dates). */
interface FnStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  ino?: number;
  atime: number | Date;
  mtime: number | Date;
  ctime: number | Date;
  blocks?: number;
  blksize?: number;
}
type Cb = (res: number) => void;
type StatCb = (err: number, stat?: FnStat) => void;
type FdCb = (err: number, fd?: number) => void;

/** fuse-native's operations, as far as the bench uses them (errors are negative errnos). */
interface FnOps {
  getattr(path: string, cb: StatCb): void;
  fgetattr(path: string, fd: number, cb: StatCb): void;
  readdir(path: string, cb: (err: number, names?: string[]) => void): void;
  open(path: string, flags: number, cb: FdCb): void;
  create(path: string, mode: number, cb: FdCb): void;
  read(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb): void;
  write(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb): void;
  flush(path: string, fd: number, cb: Cb): void;
  fsync(path: string, datasync: number, fd: number, cb: Cb): void;
  release(path: string, fd: number, cb: Cb): void;
  truncate(path: string, size: number, cb: Cb): void;
  ftruncate(path: string, fd: number, size: number, cb: Cb): void;
  utimens(path: string, atime: number, mtime: number, cb: Cb): void;
  chmod(path: string, mode: number, cb: Cb): void;
  unlink(path: string, cb: Cb): void;
  mkdir(path: string, mode: number, cb: Cb): void;
}

interface FuseInstance {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
}
type FuseClass = new (mnt: string, ops: Partial<FnOps>, opts: Record<string, unknown>) => FuseInstance;

const PEERS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'peers', 'package.json');

const ENOENT = -2;
const EEXIST = -17;
const ENOTDIR = -20;
const EISDIR = -21;

// --- memfs -------------------------------------------------------------------

interface MemNode {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  ino: number;
  size: number;
  data: Buffer | null;
  atime: number;
  mtime: number;
  ctime: number;
  children: Set<string> | null;
}

function memfs(): Partial<FnOps> {
  const nodes = new Map<string, MemNode>();
  let nextIno = 1;
  const node = (mode: number, dir: boolean): MemNode => {
    const now = Date.now();
    return {
      mode,
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      nlink: dir ? 2 : 1,
      ino: nextIno++,
      size: 0,
      data: null,
      atime: now,
      mtime: now,
      ctime: now,
      children: dir ? new Set() : null,
    };
  };
  nodes.set('/', node(0o40755, true));
  const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';
  const baseOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
  const add = (path: string, n: MemNode): number => {
    const parent = nodes.get(parentOf(path));
    if (parent === undefined) return ENOENT;
    if (parent.children === null) return ENOTDIR;
    if (nodes.has(path)) return EEXIST;
    nodes.set(path, n);
    parent.children.add(baseOf(path));
    if (n.children !== null) parent.nlink++;
    parent.mtime = parent.ctime = n.ctime;
    return 0;
  };
  const resize = (n: MemNode, size: number): void => {
    if (n.data === null || size > n.data.length) {
      let cap = n.data === null ? 4096 : n.data.length;
      while (cap < size) cap *= 2;
      const data = Buffer.alloc(cap);
      if (n.data !== null) n.data.copy(data, 0, 0, n.size);
      n.data = data;
    } else if (size > n.size) {
      n.data.fill(0, n.size, size);
    }
    n.size = size;
  };
  const getattr = (path: string, cb: StatCb): void => {
    const n = nodes.get(path);
    if (n === undefined) cb(ENOENT);
    else cb(0, n);
  };
  return {
    getattr,
    fgetattr: (path, _fd, cb) => getattr(path, cb),
    readdir(path, cb) {
      const n = nodes.get(path);
      if (n === undefined) cb(ENOENT);
      else if (n.children === null) cb(ENOTDIR);
      else cb(0, [...n.children]);
    },
    open(path, _flags, cb) {
      const n = nodes.get(path);
      if (n === undefined) cb(ENOENT);
      else if (n.children !== null) cb(EISDIR);
      else cb(0, 0);
    },
    create(path, mode, cb) {
      cb(add(path, node(0o100000 | (mode & 0o7777), false)), 0);
    },
    read(path, _fd, buf, len, pos, cb) {
      const n = nodes.get(path);
      if (n === undefined || n.data === null || pos >= n.size) {
        cb(0);
        return;
      }
      const end = Math.min(n.size, pos + len);
      cb(n.data.copy(buf, 0, pos, end));
    },
    write(path, _fd, buf, len, pos, cb) {
      const n = nodes.get(path);
      if (n === undefined) {
        cb(ENOENT);
        return;
      }
      if (pos + len > n.size) resize(n, pos + len);
      buf.copy(n.data as Buffer, pos, 0, len);
      n.mtime = n.ctime = Date.now();
      cb(len);
    },
    flush: (_path, _fd, cb) => cb(0),
    fsync: (_path, _datasync, _fd, cb) => cb(0),
    release: (_path, _fd, cb) => cb(0),
    truncate(path, size, cb) {
      const n = nodes.get(path);
      if (n === undefined) {
        cb(ENOENT);
        return;
      }
      resize(n, size);
      n.mtime = n.ctime = Date.now();
      cb(0);
    },
    ftruncate(path, _fd, size, cb) {
      this.truncate?.(path, size, cb);
    },
    utimens(path, atime, mtime, cb) {
      const n = nodes.get(path);
      if (n === undefined) {
        cb(ENOENT);
        return;
      }
      n.atime = atime;
      n.mtime = mtime;
      n.ctime = Date.now();
      cb(0);
    },
    chmod(path, mode, cb) {
      const n = nodes.get(path);
      if (n === undefined) {
        cb(ENOENT);
        return;
      }
      n.mode = (n.mode & 0o170000) | (mode & 0o7777);
      cb(0);
    },
    unlink(path, cb) {
      const n = nodes.get(path);
      if (n === undefined) {
        cb(ENOENT);
        return;
      }
      if (n.children !== null) {
        cb(EISDIR);
        return;
      }
      nodes.delete(path);
      const parent = nodes.get(parentOf(path)) as MemNode;
      parent.children?.delete(baseOf(path));
      parent.mtime = parent.ctime = Date.now();
      cb(0);
    },
    mkdir(path, mode, cb) {
      cb(add(path, node(0o40000 | (mode & 0o7777), true)));
    },
  };
}

// --- passthrough -------------------------------------------------------------

function passthrough(source: string): Partial<FnOps> {
  const at = (path: string): string => (path === '/' ? source : source + path);
  const errno = (error: unknown): number => {
    const n = (error as NodeJS.ErrnoException).errno;
    return typeof n === 'number' ? n : -5;
  };
  const sync = (cb: Cb, call: () => void): void => {
    try {
      call();
      cb(0);
    } catch (error) {
      cb(errno(error));
    }
  };
  const getattr = (path: string, cb: StatCb): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at(path));
    } catch (error) {
      cb(errno(error));
      return;
    }
    cb(0, st);
  };
  return {
    getattr,
    fgetattr: (path, _fd, cb) => getattr(path, cb),
    readdir(path, cb) {
      let names: string[];
      try {
        names = fs.readdirSync(at(path));
      } catch (error) {
        cb(errno(error));
        return;
      }
      cb(0, names);
    },
    open(path, flags, cb) {
      let fd: number;
      try {
        fd = fs.openSync(at(path), flags);
      } catch (error) {
        cb(errno(error));
        return;
      }
      cb(0, fd);
    },
    create(path, mode, cb) {
      let fd: number;
      try {
        fd = fs.openSync(at(path), fs.constants.O_CREAT | fs.constants.O_RDWR, mode);
      } catch (error) {
        cb(errno(error));
        return;
      }
      cb(0, fd);
    },
    read(_path, fd, buf, len, pos, cb) {
      fs.read(fd, buf, 0, len, pos, (error, n) => cb(error ? errno(error) : n));
    },
    write(_path, fd, buf, len, pos, cb) {
      fs.write(fd, buf, 0, len, pos, (error, n) => cb(error ? errno(error) : n));
    },
    flush: (_path, _fd, cb) => cb(0),
    fsync(_path, datasync, fd, cb) {
      (datasync ? fs.fdatasync : fs.fsync)(fd, (error) => cb(error ? errno(error) : 0));
    },
    release: (_path, fd, cb) => sync(cb, () => fs.closeSync(fd)),
    truncate(path, size, cb) {
      fs.truncate(at(path), size, (error) => cb(error ? errno(error) : 0));
    },
    ftruncate(_path, fd, size, cb) {
      fs.ftruncate(fd, size, (error) => cb(error ? errno(error) : 0));
    },
    utimens: (path, atime, mtime, cb) => sync(cb, () => fs.utimesSync(at(path), atime / 1000, mtime / 1000)),
    chmod: (path, mode, cb) => sync(cb, () => fs.chmodSync(at(path), mode)),
    unlink: (path, cb) => sync(cb, () => fs.unlinkSync(at(path))),
    mkdir: (path, mode, cb) => sync(cb, () => fs.mkdirSync(at(path), mode)),
  };
}

// --- main --------------------------------------------------------------------

const USAGE = 'usage: fuse-native <memfs|passthrough> <mountpoint> [--source DIR] [--timeout S]\n';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { source: { type: 'string' }, timeout: { type: 'string', default: '1' } },
  });
  const [name, mountpoint, ...extra] = positionals;
  const timeout = Number(values.timeout);
  if (mountpoint === undefined || extra.length > 0 || !(timeout >= 0)) throw new Error(USAGE);
  let ops: Partial<FnOps>;
  const options: Record<string, unknown> = {
    fsname: `fuse-native-${name}`,
    // Strings: fuse-native drops a falsy 0, and libfuse 2's default is 1 s.
    entryTimeout: String(timeout),
    attrTimeout: String(timeout),
  };
  if (name === 'memfs') {
    ops = memfs();
  } else if (name === 'passthrough') {
    if (values.source === undefined) throw new Error(`passthrough needs --source DIR\n${USAGE}`);
    ops = passthrough(values.source);
    options.defaultPermissions = true;
  } else {
    throw new Error(USAGE);
  }
  const Fuse = createRequire(PEERS)('fuse-native') as FuseClass;
  const fuse = new Fuse(mountpoint, ops, options);
  installAllocationProbe();
  fuse.mount((error) => {
    if (error) {
      process.stderr.write(`fuse-native: mount ${mountpoint}: ${error.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify({ ready: mountpoint, pid: process.pid })}\n`);
  });
  const stop = (): void => {
    fuse.unmount((error) => {
      // fuse-native unmounts with libfuse 2's `fusermount`, which a machine with only fuse3 lacks.
      if (error) execFile('fusermount3', ['-u', '-z', mountpoint], () => process.exit(0));
      else process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench fuse-native: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
