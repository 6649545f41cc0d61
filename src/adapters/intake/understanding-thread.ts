/**
 * Where the running desk understands mail: a worker thread with the intake policy, so the event loop that acks
 * Slack only stores and routes (a mail's parse and keyword matching took up to 30 ms, the longest uninterrupted
 * work left on that loop). One thread, messages in order of arrival; the database stays on the desk's thread.
 *
 * A thread that dies (a message that exhausts its memory) fails the calls it held with the same error, so the
 * intake retries each and quarantines the one that keeps failing; the next call starts a new thread. A thread that
 * cannot start at all (it never said it was ready) is not a fault of any mail: the calls it held, and every later
 * one, are understood in-process instead, and that is logged once.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Understand } from '../../app/ports.ts';
import type { Delivery } from '../../domain/intake/receipt-instant.ts';
import { understandMessage } from '../../domain/intake/understand-message.ts';
import type { IntakePolicy, UnderstandResult } from '../../domain/intake/understanding.ts';

export interface UnderstandingThread {
  understand: Understand;
  stop(): Promise<void>;
}

interface Pending {
  raw: Uint8Array;
  delivery: Delivery;
  resolve: (r: UnderstandResult) => void;
  reject: (e: Error) => void;
}
type Reply = { id: number; result?: UnderstandResult; error?: string } | { ready: true };

export interface UnderstandingThreadOptions {
  /** Test seam: another worker script speaking the same messages. */
  script?: URL;
}

export function startUnderstandingThread(
  policy: IntakePolicy, log: Logger, opts: UnderstandingThreadOptions = {},
): UnderstandingThread {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let worker: Worker | null = null;
  let stopped = false;
  let inProcess = false;
  const here = (raw: Uint8Array, delivery: Delivery) => understandMessage(raw, policy, delivery);

  const takeAll = () => {
    const held = [...pending.values()];
    pending.clear();
    return held;
  };
  const failAll = (why: string) => {
    for (const p of takeAll()) p.reject(new Error(`the understanding thread stopped: ${why}`));
  };

  function start(): Worker {
    const w = new Worker(opts.script ?? new URL('./understanding-worker.mjs', import.meta.url), {
      execArgv: [], workerData: { policy },
    });
    let ready = false;
    w.on('message', (m: Reply) => {
      if ('ready' in m) return void (ready = true);
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`understanding failed: ${m.error}`));
      else p?.resolve(m.result!);
    });
    const ended = (why: string) => {
      if (worker !== w) return;
      worker = null;
      if (!ready && !stopped) {
        inProcess = true;
        log.warn({ err: why }, 'understanding thread could not start; mail is understood on the main thread');
        for (const p of takeAll()) here(p.raw, p.delivery).then(p.resolve, p.reject);
        return;
      }
      if (!stopped) {
        log.warn({ err: why, held: pending.size }, 'understanding thread stopped; the next mail starts one');
      }
      failAll(why);
    };
    w.on('error', (e) => ended(e.message));
    w.on('exit', (code) => ended(`exit code ${code}`));
    w.unref();
    return w;
  }

  return {
    understand(raw: Uint8Array, delivery: Delivery) {
      if (stopped) return Promise.reject(new Error('the understanding thread is stopped'));
      if (inProcess) return here(raw, delivery);
      worker ??= start();
      const id = nextId++;
      return new Promise<UnderstandResult>((resolve, reject) => {
        pending.set(id, { raw, delivery, resolve, reject });
        worker!.postMessage({ id, raw, delivery });
      });
    },
    async stop() {
      stopped = true;
      const w = worker;
      worker = null;
      failAll('the desk is stopping');
      await w?.terminate();
    },
  };
}
