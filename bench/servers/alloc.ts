/**
 * The allocation probe of the bench's Node servers: SIGUSR2 starts counting
 * the bytes the process allocates, the next SIGUSR2 stops and prints them as
 * one JSON line on stdout, `{"alloc": {…}}` (and `{"alloc": "started"}` on
 * start, so the bench knows when to begin its client).
 *
 * V8 frees heap memory only in garbage collections, so the bytes allocated
 * between two moments are the growth of the used heap between collections:
 * Σ over the collections in between (used before it − used after the one
 * before), plus used now − used after the last one, with "the one before the
 * first" being the start. `v8.GCProfiler` records used heap (and external
 * memory: ArrayBuffer and Buffer backing stores, freed when their objects
 * are collected) before and after every collection, at a cost of a
 * microsecond or two per collection and nothing per allocation; nothing runs
 * while the probe is off.
 * @module
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';

/** What the probe prints when it stops. */
export interface AllocationCount {
  /** Bytes allocated on the V8 heap while the probe ran. */
  heap_bytes: number;
  /** Bytes of external memory (ArrayBuffer backing stores) allocated while the probe ran. */
  external_bytes: number;
  /** Garbage collections in between, and their total pause in ms. */
  gcs: number;
  gc_ms: number;
}

interface GcStat {
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number; externalMemory: number } };
  afterGC: { heapStatistics: { usedHeapSize: number; externalMemory: number } };
}

/** Installs the SIGUSR2 toggle (once per process). */
export function installAllocationProbe(): void {
  let profiler: GCProfiler | undefined;
  let start = { heap: 0, external: 0 };
  process.on('SIGUSR2', () => {
    if (profiler === undefined) {
      profiler = new GCProfiler();
      const h = getHeapStatistics();
      start = { heap: h.used_heap_size, external: h.external_memory };
      profiler.start();
      process.stdout.write('{"alloc":"started"}\n');
      return;
    }
    const result = profiler.stop();
    const h = getHeapStatistics();
    profiler = undefined;
    const stats = (result?.statistics ?? []) as unknown as GcStat[];
    let heap = 0;
    let external = 0;
    let prev = start;
    let gcMs = 0;
    for (const gc of stats) {
      heap += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - prev.heap);
      external += Math.max(0, gc.beforeGC.heapStatistics.externalMemory - prev.external);
      prev = { heap: gc.afterGC.heapStatistics.usedHeapSize, external: gc.afterGC.heapStatistics.externalMemory };
      gcMs += gc.cost / 1000;
    }
    heap += Math.max(0, h.used_heap_size - prev.heap);
    external += Math.max(0, h.external_memory - prev.external);
    const count: AllocationCount = { heap_bytes: heap, external_bytes: external, gcs: stats.length, gc_ms: gcMs };
    process.stdout.write(`${JSON.stringify({ alloc: count })}\n`);
  });
}
