/**
 * The scheduled jobs (bree, one worker thread per run): the reminder sweep every 30 s, the outbox deliverer,
 * the daily digest at DIGEST_TIME in the organisation's zone, the daily retention purge at PURGE_TIME and the
 * managers' monthly report on the 1st at DIGEST_TIME. Each run opens its own database connection, so
 * every claim is one statement and two schedulers (two instances) never send anything twice.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import Bree from 'bree';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';

export interface SchedulerOptions {
  /** The environment the jobs build their desk from (the same as the main process's). */
  env: Record<string, string | undefined>;
  sweepEvery?: string;
  outboxEvery?: string;
}

export interface Scheduler {
  start(): Promise<void>;
  /** Graceful: each running job finishes its unit of work, then its worker ends. */
  stop(): Promise<void>;
  readonly bree: Bree;
}

const JOB_FILE = fileURLToPath(new URL('./job.mjs', import.meta.url));

export function createScheduler(config: Config, log: Logger, opts: SchedulerOptions): Scheduler {
  const env = Object.fromEntries(Object.entries(opts.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const owner = `${hostname()}:${process.pid}:scheduler`;
  const job = (name: 'sweep' | 'outbox' | 'digest' | 'purge' | 'report', when: Record<string, unknown>) => ({
    name, path: JOB_FILE, ...when, worker: { workerData: { task: name, env, owner } },
  });
  const [hh, mm] = config.digestTime.split(':');
  const [ph, pm] = config.retention.purgeTime.split(':');
  const bree = new Bree({
    root: false,
    logger: false,
    defaultExtension: 'mjs',
    timezone: config.org.timezone,
    jobs: [
      job('sweep', { interval: opts.sweepEvery ?? '30s', timeout: 0 }),
      job('outbox', { interval: opts.outboxEvery ?? '15s', timeout: 0 }),
      job('digest', { cron: `${Number(mm)} ${Number(hh)} * * *` }),
      job('purge', { cron: `${Number(pm)} ${Number(ph)} * * *` }), // issue 12: retention, daily at PURGE_TIME
      job('report', { cron: `${Number(mm)} ${Number(hh)} 1 * *` }), // issue 12: monthly report, the 1st at DIGEST_TIME
    ],
    errorHandler: (error, meta) => log.error({ job: meta?.name, err: (error as Error)?.message ?? String(error) }, 'scheduled job failed'),
  });
  return {
    bree,
    start: () => bree.start(),
    stop: () => bree.stop(),
  };
}
