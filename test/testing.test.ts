/**
 * The test kit (`fuse-lowlevel/testing`): withMount and mountTemp mount on a
 * temporary directory, run functions in a child process, report what the
 * child threw, and always unmount — after a throw, a timeout, or a hung
 * request too. (definePosixSuite runs in test/posix/*, and from the packed
 * package in test/package.test.ts, where its skip rules are checked.)
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import { memfsOperations } from '../examples/memfs/index.js';
import type { Operations } from '../lib/index.js';
import { ChildFunctionError, mountTemp, runChild, withMount } from '../lib/testing/index.js';
import { describeMount, isMounted, MOUNT_PREFIX, RUN_PREFIX } from './helpers/fuse.js';

/** Mountpoints of this run still present as directories. */
async function leftoverDirs(): Promise<string[]> {
  const names = await readdir(dirname(MOUNT_PREFIX));
  return names.filter((n) => n.startsWith(RUN_PREFIX) && n.includes('kit'));
}

const prefix = `${MOUNT_PREFIX}kit-`;

describeMount('withMount', () => {
  it('runs the function in a child process (sync fs calls are safe) and resolves with its result', async () => {
    const result = await withMount(
      helloOperations(),
      (dir, { fs }) => ({
        pid: process.pid,
        names: fs.readdirSync(dir),
        text: fs.readFileSync(`${dir}/hello`, 'utf8'),
      }),
      { prefix },
    );
    expect(result.pid).not.toBe(process.pid);
    expect(result.names).toEqual(['hello']);
    expect(result.text).toBe('Hello World!\n');
    expect(await leftoverDirs()).toEqual([]);
  });

  it('passes arguments and returns Buffers, Maps and BigInts as themselves', async () => {
    const result = await withMount(
      memfsOperations(),
      async (dir, { fs, path }, name: string, data: Buffer) => {
        fs.writeFileSync(path.join(dir, name), data);
        const st = fs.statSync(path.join(dir, name), { bigint: true });
        return new Map<string, unknown>([
          ['back', fs.readFileSync(path.join(dir, name))],
          ['size', st.size],
        ]);
      },
      { prefix, args: ['f.bin', Buffer.from([0, 1, 2, 255])] },
    );
    expect(result).toBeInstanceOf(Map);
    expect(Buffer.from(result.get('back') as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(result.get('size')).toBe(4n);
  });

  it('rejects with what the child threw (message, code) and still unmounts', async () => {
    let mountpoint = '';
    const error = await withMount(helloOperations(), (dir, { fs }) => fs.readFileSync(`${dir}/missing`), {
      prefix,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChildFunctionError);
    const childError = error as ChildFunctionError;
    expect(childError.code).toBe('ENOENT');
    expect(childError.message).toMatch(/ENOENT.*missing/);
    expect(childError.stack).toContain('--- in the child ---');
    expect(childError.timedOut).toBe(false);
    mountpoint = childError.message.match(/'([^']*)\/missing'/)?.[1] ?? '';
    expect(mountpoint.startsWith(prefix)).toBe(true);
    expect(await isMounted(mountpoint)).toBe(false);
    await expect(stat(mountpoint)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('kills a child that outlives its deadline, answers the hung request, and unmounts', async () => {
    const held: unknown[] = [];
    const ops: Operations = {
      ...helloOperations(),
      open(req) {
        held.push(req); // never replied (and kept from the GC safety net): the unmount answers it EIO
      },
    };
    const started = Date.now();
    const error = await withMount(ops, (dir, { fs }) => fs.readFileSync(`${dir}/hello`, 'utf8'), {
      prefix,
      timeoutMs: 1500,
      unmountTimeout: 500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChildFunctionError);
    expect((error as ChildFunctionError).timedOut).toBe(true);
    expect((error as Error).message).toMatch(/did not finish within 1500 ms/);
    expect(held).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await leftoverDirs()).toEqual([]);
  });

  it('accepts method shorthand and async functions; a result that cannot be cloned is a clear error', async () => {
    const holder = {
      async list(dir: string, { fs }: { fs: typeof import('node:fs') }) {
        return fs.promises.readdir(dir);
      },
    };
    expect(await withMount(helloOperations(), holder.list, { prefix })).toEqual(['hello']);
    await expect(withMount(helloOperations(), () => () => 1, { prefix })).rejects.toThrow(
      /cannot be sent back.*could not be cloned/,
    );
  });

  it('rejects what cannot travel to a child, and unmounts', async () => {
    await expect(withMount(helloOperations(), Math.max as never, { prefix })).rejects.toThrow(
      /native or bound function/,
    );
    await expect(
      withMount(helloOperations(), (_dir, _ctx, f: () => void) => typeof f, { prefix, args: [() => {}] }),
    ).rejects.toThrow(/arguments cannot be sent/);
    expect(await leftoverDirs()).toEqual([]);
  });

  it('a bad mount option rejects with mount’s error and leaves no directory behind', async () => {
    await expect(withMount(helloOperations(), () => 1, { prefix, threads: -1 } as never)).rejects.toThrow(/threads/);
    await expect(mountTemp(helloOperations(), { prefix, timeoutMs: 0 })).rejects.toThrow(RangeError);
    expect(await leftoverDirs()).toEqual([]);
  });
});

describeMount('mountTemp', () => {
  it('await using unmounts at the end of the block; run and exec act from children', async () => {
    let mountpoint = '';
    {
      await using m = await mountTemp(memfsOperations(), { prefix, fsName: 'kit' });
      mountpoint = m.mountpoint;
      expect(await isMounted(mountpoint)).toBe(true);
      await m.run((dir, { fs }) => fs.mkdirSync(`${dir}/sub`));
      const ls = await m.exec('ls', ['-a', m.mountpoint]);
      expect(ls.code).toBe(0);
      expect(ls.stdout.split('\n')).toContain('sub');
      const missing = await m.exec('ls', [`${m.mountpoint}/nope`]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/No such file/);
    }
    expect(await isMounted(mountpoint)).toBe(false);
  });

  it('unmount() is idempotent and the session reports it', async () => {
    const m = await mountTemp(helloOperations(), { prefix });
    const unmounted = new Promise<void>((resolve) => m.session.once('unmount', () => resolve()));
    await Promise.all([m.unmount(), m.unmount()]);
    await m.unmount();
    await unmounted;
    expect(await isMounted(m.mountpoint)).toBe(false);
  });
});

describe('runChild', () => {
  it('kills the whole process group when the deadline passes', async () => {
    const r = await runChild('sh', ['-c', 'sleep 30 & sleep 30; echo never'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('');
    const left = await runChild('pgrep', ['-f', '^sleep 30$']);
    expect(left.stdout.trim()).toBe('');
  });

  it('feeds input, runs as another user, and rejects only for a command that cannot start', async () => {
    expect((await runChild('cat', [], { input: 'fed' })).stdout).toBe('fed');
    if (process.getuid?.() === 0) {
      expect((await runChild('id', ['-u'], { runAs: { uid: 65534, gid: 65534 } })).stdout.trim()).toBe('65534');
    }
    await expect(runChild('/nonexistent/tool', [])).rejects.toThrow(/cannot run \/nonexistent\/tool/);
  });
});
