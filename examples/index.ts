/**
 * The examples the CLI can mount, by name.
 * @module
 */
import type { MountOptions, Operations, Session } from '../lib/index.js';
import { helloOperations } from './hello.js';
import { memfsOperations } from './memfs/index.js';
import { notifyOperations } from './notify.js';
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
  create(args: ExampleArgs): CreatedExample;
}

/** A built example: what to mount, and what to tell it once mounted. */
export interface CreatedExample {
  ops: Operations;
  options: MountOptions;
  /** Called with the session once mounted (examples that send notifications need it). */
  attach?(session: Session): void;
}

/** The examples by name. */
export const EXAMPLES: Readonly<Record<string, Example>> = {
  hello: {
    summary: 'one read-only file, hello, reading "Hello World!" (libfuse\'s hello_ll)',
    tryThis: (mnt) => [`ls -l ${mnt}`, `cat ${mnt}/hello`],
    create: () => ({ ops: helloOperations(), options: { fsName: 'hello', subtype: 'hello' } }),
  },
  notify: {
    summary: 'a clock file and a live/ directory that change every second, cached 60 s, kept right by notifications',
    tryThis: (mnt) => [`cat ${mnt}/clock; sleep 1; cat ${mnt}/clock`, `ls ${mnt}/live`, `tail -f ${mnt}/events`],
    create: () => {
      const fs = notifyOperations();
      return { ops: fs.ops, options: { fsName: 'notify', subtype: 'notify' }, attach: (session) => fs.attach(session) };
    },
  },
  memfs: {
    summary: 'an in-memory POSIX filesystem: permissions, links, sparse files, xattrs, locks',
    tryThis: (mnt) => [`cp -r /usr/include/linux ${mnt}/ && find ${mnt} | wc -l`, `df -h ${mnt}`],
    create: ({ timeout }) => ({
      ops: memfsOperations({ timeout }),
      // memfs checks permissions itself, so it is safe to let other users in
      // with --allow-other (-o allow_other); only this user gets in by default.
      options: { fsName: 'memfs', subtype: 'memfs' },
    }),
  },
  passthrough: {
    summary: "mirrors --source <dir>, reads spliced from the real files (libfuse's passthrough_ll)",
    // Read-only commands: whatever is written to the mount lands in the user's real directory.
    tryThis: (mnt) => [`ls -l ${mnt}`, `du -sh ${mnt}`, `find ${mnt} -maxdepth 2 | head`],
    create: ({ source, timeout }) => {
      if (source === undefined) throw new Error('passthrough needs --source <dir>');
      return { ops: passthroughOperations(source, { timeout }), options: passthroughMountOptions(source) };
    },
  },
};
