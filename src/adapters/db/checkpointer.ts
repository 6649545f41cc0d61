/**
 * Checkpoints off the event loop. SQLite copies its write-ahead log into the database file at the commit that
 * crosses 1,000 log pages: on the desk's one connection that commit then holds the event loop for 10–25 ms (a
 * backlog intake crossed it 175 times in 2,000 mails), and a Slack ack waits behind it. While the desk runs, that
 * connection checkpoints never (`wal_autocheckpoint = 0`) and a worker thread with its own connection does it once
 * a second. If the worker fails, the connection checkpoints itself again (logged once): slower, never unbounded.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Database } from './database.ts';

const EVERY_MS = 1_000;
const AUTO_PAGES = 1_000; // SQLite's default

export interface Checkpointer {
  stop(): Promise<void>;
}

/** What one checkpoint did: pages in the log, pages copied into the database file. */
export interface CheckpointReport { log: number; checkpointed: number }

export interface CheckpointerOptions {
  onCheckpoint?: (r: CheckpointReport) => void;
  /** How often the worker checkpoints (default once a second); it checkpoints once more when stopped. */
  everyMs?: number;
  /** Test seam: another worker script in its place. */
  script?: URL;
}

/** Starts the worker for an SQLite file; nothing for PostgreSQL or an in-memory database. */
export function startCheckpointer(database: Database, log: Logger, opts: CheckpointerOptions = {}): Checkpointer {
  const sqlite = database.sqlite;
  if (!sqlite) return { stop: async () => {} };
  const worker = new Worker(opts.script ?? new URL('./checkpoint-worker.mjs', import.meta.url), {
    workerData: { file: sqlite.file, everyMs: opts.everyMs ?? EVERY_MS },
  });
  let stopping = false;
  const setting = (source: string) => {
    try {
      const done = sqlite.pragma(source); // on the writer thread, a promise
      if (done instanceof Promise) done.catch(() => undefined);
    } catch { /* the desk's connection is closed already: nothing to restore */ }
  };
  setting('wal_autocheckpoint = 0');
  const autocheckpoint = () => setting(`wal_autocheckpoint = ${AUTO_PAGES}`);
  const inline = (why: string) => {
    if (stopping) return;
    stopping = true;
    autocheckpoint();
    log.warn({ err: why }, 'WAL checkpoint worker stopped; the desk checkpoints inline again');
  };
  worker.on('message', (r: CheckpointReport) => opts.onCheckpoint?.(r));
  worker.on('error', (e) => inline(e.message));
  worker.on('exit', (code) => inline(`exited with code ${code}`));
  worker.unref();
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      await exited;
      autocheckpoint();
    },
  };
}
