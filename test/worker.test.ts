import { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { helloOperations } from '../examples/hello.js';
import { cleanup, describeMount, isMounted, sh, tempMountpoint, waitFor, withSession } from './helpers/fuse.js';

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
