/**
 * The examples the CLI can mount, by name.
 * @module
 */
import type { MountOptions, Operations } from '../lib/index.js';
import { helloOperations } from './hello.js';
import { passthroughMountOptions, passthroughOperations } from './passthrough/index.js';

/** What the CLI passes to an example. */
export interface ExampleArgs {
  /** `--source <dir>`: the directory to mirror (passthrough). */
  source?: string;
  /** `--timeout <seconds>`: entry, attr and negative-entry cache timeouts (default 1). */
  timeout: number;
}

/** A filesystem the CLI can run. */
export interface Example {
  /** One line for `--help`. */
  summary: string;
  /** Commands to try on the mount, printed by the CLI. */
  tryThis(mountpoint: string): string[];
  /** Builds the handlers and the options the example needs; throws a usage error for bad args. */
  create(args: ExampleArgs): { ops: Operations; options: MountOptions };
}

/** The examples by name. */
export const EXAMPLES: Readonly<Record<string, Example>> = {
  hello: {
    summary: 'one read-only file, hello, reading "Hello World!" (libfuse\'s hello_ll)',
    tryThis: (mnt) => [`ls -l ${mnt}`, `cat ${mnt}/hello`],
    create: () => ({ ops: helloOperations(), options: { fsName: 'hello', subtype: 'hello' } }),
  },
  passthrough: {
    summary: "mirrors --source <dir>, reads spliced from the real files (libfuse's passthrough_ll)",
    tryThis: (mnt) => [`ls -l ${mnt}`, `cp -r /usr/include/linux ${mnt}/ && diff -r /usr/include/linux ${mnt}/linux`],
    create: ({ source, timeout }) => {
      if (source === undefined) throw new Error('passthrough needs --source <dir>');
      return { ops: passthroughOperations(source, { timeout }), options: passthroughMountOptions(source) };
    },
  },
};
