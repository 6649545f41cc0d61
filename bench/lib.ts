/**
 * Small helpers shared by the benchmarks: peak-memory sampling, an explicit GC between phases, number formatting.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

export interface MemoryPeak {
  /** RSS when the phase started, MB. */
  startRssMb: number;
  peakRssMb: number;
  peakHeapUsedMb: number;
}

const MB = 1024 * 1024;

/**
 * Samples `process.memoryUsage()` every `intervalMs` until `stop()`, which returns the peaks (also sampled at start
 * and stop). The timer is unref'd: it never keeps the process alive, and stop() always clears it.
 */
export function sampleMemory(intervalMs = 50): { stop(): MemoryPeak } {
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) peakRss = m.rss;
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  let stopped: MemoryPeak | null = null;
  return {
    stop() {
      if (stopped) return stopped;
      clearInterval(timer);
      sample();
      stopped = { startRssMb: start.rss / MB, peakRssMb: peakRss / MB, peakHeapUsedMb: peakHeap / MB };
      return stopped;
    },
  };
}

let gcFn: (() => void) | null | undefined;

/** A full GC before a phase, so heap peaks of phases are comparable (no-op if V8 refuses to expose gc). */
export function collectGarbage(): void {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  gcFn?.();
}

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const seconds = (ms: number) => `${fixed(ms / 1000, 2)} s`;

/** Left-aligned first column, right-aligned others. */
export function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows
    .map((r) => indent + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ').trimEnd())
    .join('\n');
}
