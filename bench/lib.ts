/**
 * Small helpers shared by the benchmarks: peak-memory sampling, an explicit GC between phases, number formatting.
 */
import pg from 'pg';
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

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A positive whole number from the environment (a benchmark's size knob), or the default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return n;
}

/** A PostgreSQL admin URL if the server answers within 2 s, else the reason it is skipped. */
export async function postgresReachable(): Promise<{ url: string } | { skip: string }> {
  const url = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_PG_URL;
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return { url };
  } catch (e) {
    return { skip: `PostgreSQL not reachable at ${url.replace(/\/\/[^@/]*@/, '//…@')}: ${(e as Error).message}` };
  } finally {
    await c.end().catch(() => {});
  }
}

/** Runs `fn` with an admin connection (create/drop a schema). */
export async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}
