import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, it, onTestFinished } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import {
  cleanup,
  describeMount,
  isMounted,
  sh,
  spawnChild,
  tempMountpoint,
  waitFor,
  withSession,
} from './helpers/fuse.js';

const SERVER = new URL('./fixtures/worker-server.mjs', import.meta.url);

interface Started {
  worker: Worker;
  dir: string;
  messages: unknown[];
}

const started: Started[] = [];

async function startWorker(threads: number): Promise<Started> {
  const dir = tempMountpoint();
  const messages: unknown[] = [];
  const worker = new Worker(SERVER, { workerData: { dir, threads } });
  const s = { worker, dir, messages };
  started.push(s);
  worker.on('message', (m) => messages.push(m));
  worker.on('error', (e) => messages.push({ error: String(e) }));
  await waitFor(() => messages.length > 0, 10_000, 'the worker to mount');
  expect(messages[0]).toEqual({ mounted: dir });
  return s;
}

afterEach(async () => {
  for (const s of started.splice(0)) {
    await s.worker.terminate();
    await cleanup(undefined, s.dir);
  }
});

describeMount('worker_threads', () => {
  for (const threads of [0, 1]) {
    it(`a worker serves a mount, and terminate() unmounts it without crashing (threads: ${threads})`, async () => {
      const { worker, dir } = await startWorker(threads);
      expect((await sh(`cat ${dir}/hello`)).stdout).toBe('Hello World!\n');
      await worker.terminate();
      await waitFor(async () => !(await isMounted(dir)), 5000, 'the mount to go away');
      expect((await sh(`ls ${dir}`)).code).toBe(0);
    });
  }

  it('a worker and the main thread serve mounts at the same time', async () => {
    const { worker, dir: workerDir, messages } = await startWorker(0);
    await withSession(helloOperations(), async (mainDir) => {
      const both = await sh(`cat ${workerDir}/hello ${mainDir}/hello`);
      expect(both.stdout).toBe('Hello World!\nHello World!\n');
    });
    worker.postMessage('unmount');
    await waitFor(() => messages.length > 1, 5000, 'the worker to unmount');
    expect(messages[1]).toEqual({ unmounted: true });
    expect(await isMounted(workerDir)).toBe(false);
  });
});

/**
 * A process whose worker serves a mount, stopped by a signal: the main
 * thread's hooks close the worker's session too (when the main thread loaded
 * the library: 'import'; when it mounts one of its own: 'main-mounts'); a
 * worker whose main thread never loaded the library mounts with auto_unmount
 * ('none'). In no case is a dead mount left behind.
 */
const MAIN = `
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
const [dir, mainDir, mode] = process.argv.slice(2);
if (mode !== 'none') {
  const { mount } = await import(${JSON.stringify(new URL('../dist/lib/index.js', import.meta.url).pathname)});
  const { helloOperations } = await import(${JSON.stringify(new URL('../dist/examples/hello.js', import.meta.url).pathname)});
  if (mode === 'main-mounts') await mount(mainDir, helloOperations());
}
const worker = new Worker(${JSON.stringify(SERVER.pathname)}, { workerData: { dir, threads: 0 } });
worker.on('message', (m) => process.stdout.write(JSON.stringify(m) + '\\n'));
`;

describeMount('worker_threads and signals', () => {
  for (const mode of ['import', 'main-mounts', 'none'] as const) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal} with a worker's mount (main thread: ${mode}): the process dies of it, no dead mount`, async () => {
        const dir = tempMountpoint();
        const mainDir = tempMountpoint();
        started.push({ worker: { terminate: async () => 0 } as unknown as Worker, dir, messages: [] });
        started.push({ worker: { terminate: async () => 0 } as unknown as Worker, dir: mainDir, messages: [] });
        const script = join(mainDir, '..', `${basename(mainDir)}.mjs`);
        writeFileSync(script, MAIN);
        onTestFinished(() => rmSync(script, { force: true }));
        const child = spawnChild(process.execPath, [script, dir, mainDir, mode], 20_000);
        let stdout = '';
        child.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
        await waitFor(() => stdout.includes('mounted') || child.child.exitCode !== null, 10_000, 'the worker to mount');
        expect(stdout).toContain(JSON.stringify({ mounted: dir }));
        expect((await sh(`cat ${dir}/hello`)).stdout).toBe('Hello World!\n');
        child.child.kill(signal);
        const outcome = await child.done;
        expect(outcome.signal, outcome.stderr).toBe(signal);
        // auto_unmount ('none') unmounts from fusermount3 once the process is gone: wait for it.
        await waitFor(async () => !(await isMounted(dir)), 10_000, 'the worker mount to go away').catch(async (e) => {
          const diag = await sh(
            `stat ${dir}; ps -eo pid,ppid,pgid,stat,cmd | grep -E 'fusermount|worker' | grep -v grep`,
          );
          throw new Error(`${e}\n${diag.stdout}${diag.stderr}\nchild stderr: ${outcome.stderr}`);
        });
        await waitFor(async () => !(await isMounted(mainDir)), 10_000, 'the main mount to go away');
        expect((await sh(`stat -c %F ${dir}`)).stdout).toBe('directory\n');
      });
    }
  }
});
