/**
 * Mount options: validated once, turned into libfuse's argument list.
 * @module
 */
import { cString, object, optionalUint, typeError } from './validate.js';

/** How to mount. */
export interface MountOptions {
  /** The source shown in /proc/mounts and `df` (default `'fuse-lowlevel'`). */
  fsName?: string;
  /** The type suffix in /proc/mounts: `fuse.<subtype>`. */
  subtype?: string;
  /** Mount read-only. */
  readOnly?: boolean;
  /** Let other users access the mount (needs root or `user_allow_other` in /etc/fuse.conf). */
  allowOther?: boolean;
  /** Let the kernel check permissions from the attributes (then `access` is not called). */
  defaultPermissions?: boolean;
  /** Unmount when the process ends, even by SIGKILL (uses fusermount3). */
  autoUnmount?: boolean;
  /** The most bytes in one read request. */
  maxRead?: number;
  /** Further `-o` options passed to libfuse as they are, e.g. `['noatime']`. */
  mountOptions?: readonly string[];
  /**
   * Loop threads reading /dev/fuse. The default, 0, reads it from the JS
   * thread's own event loop: the kernel wakes the JS thread directly, with no
   * hand-off between threads (fastest for most filesystems). n > 0 runs n
   * threads that read and queue requests for the JS thread. Handlers always
   * run on the JS thread.
   */
  threads?: number;
  /**
   * Log every request and reply to stderr (libfuse's `-d`; the raw `-d`,
   * `-odebug` or `debug` in `mountOptions` are refused in favour of this).
   */
  debug?: boolean;
  /** How long `unmount()` waits for requests in flight, in ms, before answering them EIO (default 5000). */
  unmountTimeout?: number;
  /**
   * Answer a request EIO (and report it with an `'error'` event) when its
   * handler has not replied within this many ms. Default 0: no deadline
   * (a blocking lock request may rightly wait for ever).
   */
  requestTimeout?: number;
}

/** Validated options, as the session uses them. */
export interface ResolvedOptions {
  args: string[];
  /** The max_read option (0 when unset), which init repeats to libfuse. */
  maxRead: number;
  autoUnmount: boolean;
  /** ms; 0: requests may stay unanswered for ever. */
  requestTimeout: number;
  threads: number;
  debug: boolean;
  unmountTimeout: number;
}

const KNOWN = new Set([
  'fsName',
  'subtype',
  'readOnly',
  'allowOther',
  'defaultPermissions',
  'autoUnmount',
  'maxRead',
  'mountOptions',
  'threads',
  'debug',
  'unmountTimeout',
  'requestTimeout',
]);

function optionString(name: string, value: unknown): string {
  const s = cString('mount', `options.${name}`, value, 255);
  if (s.length === 0 || s.includes(','))
    typeError('mount', `options.${name}`, 'a non-empty string without commas', value);
  return s;
}

function flag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') typeError('mount', `options.${name}`, 'a boolean', value);
  return value === true;
}

/** Raw -o options that have a typed option, which must be used instead. */
const TYPED_EQUIVALENT: Readonly<Record<string, keyof MountOptions>> = {
  fsname: 'fsName',
  subtype: 'subtype',
  ro: 'readOnly',
  rw: 'readOnly',
  allow_other: 'allowOther',
  default_permissions: 'defaultPermissions',
  auto_unmount: 'autoUnmount',
  max_read: 'maxRead',
  debug: 'debug',
};

/** libfuse's command-line flags that have a typed option. */
const FLAG_EQUIVALENT: Readonly<Record<string, keyof MountOptions>> = {
  '-d': 'debug',
  '--debug': 'debug',
};

function rawOption(i: number, raw: unknown, allowOther: boolean): string {
  const opt = optionString(`mountOptions[${i}]`, raw);
  const name = opt.split('=', 1)[0] as string;
  // '-odebug' is the option 'debug' written as a command-line flag.
  const key = name.startsWith('-o') ? name.slice(2) : name;
  const typed = TYPED_EQUIVALENT[key] ?? FLAG_EQUIVALENT[key];
  if (typed !== undefined) {
    typeError(
      'mount',
      `options.mountOptions[${i}]`,
      `an option without a typed equivalent (use options.${typed})`,
      opt,
    );
  }
  if (key.startsWith('-')) {
    typeError(
      'mount',
      `options.mountOptions[${i}]`,
      'a -o option name such as noatime (command-line flags are not options)',
      opt,
    );
  }
  if (key === 'allow_root' && allowOther) {
    typeError('mount', `options.mountOptions[${i}]`, 'compatible with options.allowOther (allow_root conflicts)', opt);
  }
  return opt;
}

function threadCount(value: unknown): number {
  return optionalUint('mount', 'options.threads', value, 0, 64);
}

/** Validates `options` and builds libfuse's arguments. */
export function resolveOptions(options: MountOptions | undefined): ResolvedOptions {
  const o = object('mount', 'options', options ?? {}) as MountOptions;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key))
      typeError('mount', `options.${key}`, `one of the known options (${[...KNOWN].join(', ')})`, key);
  }
  const opts: string[] = [`fsname=${o.fsName === undefined ? 'fuse-lowlevel' : optionString('fsName', o.fsName)}`];
  if (o.subtype !== undefined) opts.push(`subtype=${optionString('subtype', o.subtype)}`);
  if (flag('readOnly', o.readOnly)) opts.push('ro');
  const allowOther = flag('allowOther', o.allowOther);
  if (allowOther) opts.push('allow_other');
  if (flag('defaultPermissions', o.defaultPermissions)) opts.push('default_permissions');
  const autoUnmount = flag('autoUnmount', o.autoUnmount);
  if (autoUnmount) opts.push('auto_unmount');
  const maxRead = optionalUint('mount', 'options.maxRead', o.maxRead, 0, 0xffffffff);
  if (maxRead > 0) opts.push(`max_read=${maxRead}`);
  if (o.mountOptions !== undefined) {
    if (!Array.isArray(o.mountOptions))
      typeError('mount', 'options.mountOptions', 'an array of strings', o.mountOptions);
    for (const [i, raw] of (o.mountOptions as unknown[]).entries()) opts.push(rawOption(i, raw, allowOther));
  }
  const debug = flag('debug', o.debug);
  const args = opts.flatMap((opt) => ['-o', opt]);
  if (debug) args.push('-d');
  return {
    args,
    maxRead,
    autoUnmount,
    threads: threadCount(o.threads),
    debug,
    unmountTimeout: optionalUint('mount', 'options.unmountTimeout', o.unmountTimeout, 5000),
    requestTimeout: optionalUint('mount', 'options.requestTimeout', o.requestTimeout, 0),
  };
}
