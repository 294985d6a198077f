/**
 * A request trace for debugging a filesystem: {@link traceOperations} wraps
 * a filesystem's handlers so that every request prints one line — the
 * operation, the inodes and names involved (lookup names, rename pairs …),
 * how it was answered (the reply and its main value, or the errno), how long
 * the handler took, and which handler threw what. The trace people otherwise
 * reach for strace to get, and more readable than libfuse's `-d`.
 *
 * It only wraps `ops` (and, per traced request, its reply methods): a
 * filesystem mounted without it pays nothing.
 * @example
 * const session = await mount(dir, traceOperations(myOps));
 * // lookup #12 parent=1 name="notes.txt" → entry ino=5 (0.08 ms)
 * // rename #13 parent=1 name="a" → newParent=1 newName="b" flags=0 → ok (0.11 ms)
 * // getattr #14 ino=7 → EIO: the handler threw TypeError: boom (0.05 ms)
 * @module
 */
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import type { ConnectionInfo } from './connection.js';
import { errnoName, FuseError } from './errors.js';
import type { HandlerResult, Operations } from './operations.js';

/** Where trace lines go, and how much they say. */
export interface TraceOptions {
  /** Receives each line, without a newline. Default: written to stderr with a `fuse-lowlevel: ` prefix. */
  write?: (line: string) => void;
}

/** The request fields a line shows, in this order (those a request has). */
const FIELDS = [
  'ino',
  'parent',
  'name',
  'target',
  'newParent',
  'newName',
  'fh',
  'offset',
  'size',
  'length',
  'mode',
  'flags',
  'mask',
  'toSet',
  'whence',
] as const;

/** Fields that start the second half of a two-name request (rename, link): shown after an arrow. */
const SECOND = new Set(['newParent']);

/** A value as a short string: names quoted, bytes counted, objects abbreviated. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array)
    return Buffer.isBuffer(value) ? `${value.length} bytes` : `${value.byteLength} bytes`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  const text = inspect(value, {
    depth: 1,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: 4,
    maxStringLength: 40,
  });
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** The main value of a reply, by method. */
function replyValue(method: string, args: unknown[]): string {
  const [first, second] = args;
  const record = (typeof first === 'object' && first !== null ? first : {}) as Record<string, unknown>;
  switch (method) {
    case 'replyOk':
      return 'ok';
    case 'replyError': {
      const errno = typeof first === 'number' ? (errnoName(first) ?? String(first)) : String(first);
      return errno;
    }
    case 'replyEntry':
      return record.ino === 0 ? 'negative entry' : `entry ino=${show(record.ino)}`;
    case 'replyCreate':
      return `entry ino=${show(record.ino)} fh=${show(second)}`;
    case 'replyAttr':
      return `attr ino=${show(record.ino)} mode=0o${typeof record.mode === 'number' ? record.mode.toString(8) : '?'} size=${show(record.size ?? 0)}`;
    case 'replyOpen':
      return `fh=${show(first)}`;
    case 'replyWrite':
      return `wrote ${show(first)}`;
    case 'replyBuf':
    case 'replyReadlink':
      return show(first);
    case 'replyFd':
      return `fd=${show(first)} offset=${show(second)} size=${show(args[2])}`;
    default:
      return `${method.slice('reply'.length).replace(/^./, (c) => c.toLowerCase())} ${args.map(show).join(' ')}`.trim();
  }
}

/** The request's fields, as `key=value` pairs (rename and link show their two sides around an arrow). */
function describeRequest(req: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of FIELDS) {
    if (!(key in req)) continue;
    const value = req[key];
    if (value === undefined) continue;
    if (SECOND.has(key)) parts.push('→');
    parts.push(`${key}=${key === 'mode' && typeof value === 'number' ? `0o${value.toString(8)}` : show(value)}`);
  }
  return parts.join(' ');
}

/** How a handler's throw is answered: the errno name, and whether it was a plain errno. */
function describeThrow(error: unknown): { errno: string; expected: boolean; text: string } {
  if (error instanceof FuseError) return { errno: error.code, expected: true, text: error.message };
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? `${error.name}: ${error.message}` : show(error);
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return { errno: code, expected: true, text };
  return { errno: 'EIO', expected: false, text };
}

function defaultWrite(line: string): void {
  process.stderr.write(`fuse-lowlevel: ${line}\n`);
}

/**
 * Wraps `ops` so that every request is traced, one line each (see the module
 * doc). Pass the result to `mount()` instead of `ops`.
 */
export function traceOperations(ops: Operations, options: TraceOptions = {}): Operations {
  const write = options.write ?? defaultWrite;
  let counter = 0;
  const traced: Record<string, unknown> = {};
  for (const [op, handler] of Object.entries(ops)) {
    if (typeof handler !== 'function') {
      traced[op] = handler;
      continue;
    }
    if (op === 'init') {
      traced.init = (conn: ConnectionInfo): HandlerResult => {
        write(`init (protocol ${show(conn.protoMajor)}.${show(conn.protoMinor)})`);
        return (handler as (conn: ConnectionInfo) => HandlerResult).call(ops, conn);
      };
      continue;
    }
    if (op === 'destroy') {
      traced.destroy = (): HandlerResult => {
        write('destroy');
        return (handler as () => HandlerResult).call(ops);
      };
      continue;
    }
    traced[op] = (req: Record<string, unknown>): HandlerResult => {
      const number = ++counter;
      const head = `${op} #${number} ${describeRequest(req)}`.trimEnd();
      const start = performance.now();
      const took = () => `(${(performance.now() - start).toFixed(2)} ms)`;
      if (op === 'forget') {
        const forgets = req.forgets as readonly { ino: number; nlookup: number }[];
        write(`forget #${number} ${forgets.map((f) => `${f.ino}×${f.nlookup}`).join(' ')}`);
        return (handler as (r: unknown) => HandlerResult).call(ops, req);
      }
      let thrown: unknown;
      let threw = false;
      let done = false;
      // This request's reply methods (and the error reply a throw becomes) say how it was answered.
      for (const method of replyMethods(req)) {
        const original = req[method] as (...args: unknown[]) => unknown;
        req[method] = function (this: unknown, ...args: unknown[]) {
          try {
            const result = original.apply(this, args);
            if (!done) {
              const value =
                method === 'replyDirents'
                  ? `${added.length} entries${added.length > 0 ? `: ${added.slice(0, 8).join(' ')}${added.length > 8 ? ' …' : ''}` : ''}`
                  : replyValue(method, args);
              write(`${head} → ${value} ${took()}`);
            }
            done = true;
            return result;
          } catch (error) {
            write(`${head} → ${method} threw ${describeThrow(error).text} ${took()}`);
            throw error;
          }
        };
      }
      // readdir/readdirplus: the names added, for the line of replyDirents.
      const added: string[] = [];
      const add = req.add;
      if (typeof add === 'function') {
        req.add = function (this: unknown, name: unknown, ...rest: unknown[]) {
          const fits = (add as (...args: unknown[]) => boolean).call(this, name, ...rest);
          if (fits) added.push(typeof name === 'string' ? JSON.stringify(name) : show(name));
          return fits;
        };
      }
      const fail = req._fail;
      if (typeof fail === 'function') {
        req._fail = function (this: unknown, errno: number) {
          const answered = (fail as (errno: number) => boolean).call(this, errno);
          if (answered && !done) {
            done = true;
            const name = errnoName(errno) ?? String(errno);
            const error = threw ? describeThrow(thrown) : undefined;
            const why =
              error === undefined
                ? ': no reply (requestTimeout or unmount)'
                : error.expected && error.errno === name
                  ? ' (thrown)'
                  : `: the ${op} handler threw ${error.text}`;
            write(`${head} → ${name}${why} ${took()}`);
          }
          return answered;
        };
      }
      const note = (error: unknown) => {
        threw = true;
        thrown = error;
      };
      try {
        const result = (handler as (r: unknown) => HandlerResult).call(ops, req);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            note(error);
            throw error;
          });
        }
        return result;
      } catch (error) {
        note(error);
        throw error;
      }
    };
  }
  return traced as Operations;
}

const methodsByClass = new WeakMap<object, string[]>();

/** The names of a request's reply methods (found once per request class). */
function replyMethods(req: object): string[] {
  const proto = Object.getPrototypeOf(req) as object;
  let names = methodsByClass.get(proto);
  if (names === undefined) {
    const found = new Set<string>();
    for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const key of Object.getOwnPropertyNames(p)) {
        if (key.startsWith('reply') && typeof Object.getOwnPropertyDescriptor(p, key)?.value === 'function') {
          found.add(key);
        }
      }
    }
    names = [...found];
    methodsByClass.set(proto, names);
  }
  return names;
}
