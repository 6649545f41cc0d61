/**
 * The scheduled jobs (bree): the reminder sweep every 30 s, the daily digest at DIGEST_TIME in the organisation's
 * zone, the daily retention purge at PURGE_TIME and the managers' monthly report on the 1st. Bree keeps the timing
 * (intervals, cron, time zone, no overlapping runs); its worker thread
 * only signals, and the job runs here, on the process's own desk — one database connection per process, so the
 * sweep never competes with intake or Slack for SQLite's write lock. Claims are single statements, so two
 * instances (PostgreSQL) never remind twice.
 */
import { fileURLToPath } from 'node:url';
import Bree from 'bree';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { TaskName } from './run-task.ts';

export interface SchedulerOptions {
  /** Runs one job on the desk; `stopped()` turns true when the scheduler is stopping. */
  run(task: TaskName, stopped: () => boolean): Promise<void>;
  sweepEvery?: string;
}

export interface Scheduler {
  start(): Promise<void>;
  /** Graceful: a running job finishes its pass, then its worker ends. */
  stop(): Promise<void>;
  readonly bree: Bree;
}

const JOB_FILE = fileURLToPath(new URL('./job.mjs', import.meta.url));

export function createScheduler(config: Config, log: Logger, opts: SchedulerOptions): Scheduler {
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const job = (name: TaskName, when: Record<string, unknown>) => ({
    // execArgv []: the signalling worker is plain JavaScript; it need not load the process's loaders (tsx).
    name, path: JOB_FILE, ...when, worker: { workerData: { task: name }, execArgv: [] },
  });
  const [hh, mm] = config.digestTime.split(':');
  const [ph, pm] = config.retention.purgeTime.split(':');
  const bree: Bree = new Bree({
    root: false,
    logger: false,
    defaultExtension: 'mjs',
    timezone: config.org.timezone,
    jobs: [
      job('sweep', { interval: opts.sweepEvery ?? '30s', timeout: 0 }),
      job('digest', { cron: `${Number(mm)} ${Number(hh)} * * *` }),
      job('purge', { cron: `${Number(pm)} ${Number(ph)} * * *` }), // issue 12: retention, daily at PURGE_TIME
      job('report', { cron: `${Number(mm)} ${Number(hh)} 1 * *` }), // issue 12: monthly report, the 1st at DIGEST_TIME
    ],
    workerMessageHandler: ({ name, message }: { name: string; message: unknown }) => {
      const task = (message as { run?: TaskName } | null)?.run;
      if (!task) return;
      const run = opts.run(task, () => stopping)
        .catch((e: unknown) => {
          log.error({ job: name, err: (e as Error)?.message ?? String(e) }, 'scheduled job failed');
        })
        .finally(() => {
          inFlight.delete(run);
          bree.workers.get(name)?.postMessage('ran');
        });
      inFlight.add(run);
    },
    errorHandler: (error, meta) => log.error({ job: meta?.name, err: (error as Error)?.message ?? String(error) }, 'scheduled job failed'),
  });
  return {
    bree,
    start: () => { stopping = false; return bree.start(); },
    async stop() {
      stopping = true;
      await Promise.all([...inFlight]);
      await bree.stop();
    },
  };
}
