/**
 * The composition root: configuration → adapters → use cases. The CLI, the tests and the demo all build the desk
 * here, so what they run is the same code; only the clock, ids and transports may be swapped.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { openDatabase } from './adapters/db/database.ts';
import { migrateToLatest } from './adapters/db/migrations.ts';
import { startCheckpointer } from './adapters/db/checkpointer.ts';
import { startUnderstandingThread } from './adapters/intake/understanding-thread.ts';
import { createFileTransport } from './adapters/transports/file-transport.ts';
import { createLogTransport } from './adapters/transports/log-transport.ts';
import { createSmtpTransport } from './adapters/mail/smtp-transport.ts';
import { createSentFolderLookup, createSentFolderTransport } from './adapters/mail/sent-folder.ts';
import { createSlackClient, createSlackTransport } from './adapters/slack/slack-transport.ts';
import { loadWorkflows } from './adapters/workflows/load-workflows.ts';
import type { Transports } from './app/ports.ts';
import type { AppDeps } from './app/deps.ts';
import type { Config } from './config.ts';
import { createWorkingCalendar } from './domain/deadlines/working-calendar.ts';
import { createLogger } from './logger.ts';
import type { MailComposer } from './app/ports.ts';
import { createMailComposer, LOOP_HEADER } from './adapters/mail/mail-composer.ts';
import { loadIntakeKeywords } from './domain/intake/understand-message.ts';
import type { IntakePolicy } from './domain/intake/understanding.ts';
import { createMailRenderer } from './adapters/templates/mail-renderer.ts';
import { createImapPoller, type PollerHooks } from './adapters/mail/imap-poller.ts';
import { startOperations } from './adapters/http/operations.ts';
import { runTask } from './adapters/scheduler/run-task.ts';
import { createScheduler, type Scheduler } from './adapters/scheduler/scheduler.ts';
import { createSlackApp, type SlackApp, type SlackAppOptions } from './adapters/slack/slack-app.ts';
import { outboxService, type Service } from './app/desk-runner.ts';

/** The repository root: workflows/ and templates/ are read from here. */
export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface DeskOptions {
  config: Config;
  clock?: () => Date;
  newId?: () => string;
  random?: () => number;
  log?: Logger;
  /** Replace or add transports (tests: a failing one; later: SMTP, Slack). */
  transports?: Transports;
  mail?: MailComposer | null;
  /** See every statement (tests that count what a use case does to the database). */
  onQuery?: (sql: string) => void;
  /** Each SQLite statement's own running time (see DatabaseOptions). */
  onRun?: (sql: string, ms: number) => void;
  /** Where an SQLite file's read-write connection runs (DatabaseOptions.writer; benchmarks compare the two). */
  writer?: 'thread' | 'inline';
}

export interface Desk {
  deps: AppDeps;
  transports: Transports;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function intakePolicy(config: Config): IntakePolicy {
  return {
    orgDomains: config.org.domains,
    ownAddresses: [...new Set([config.org.dpoEmail, config.mail.from])],
    loopHeader: LOOP_HEADER,
    receivingHosts: config.mail.receivingHosts,
    defaultLanguage: config.org.defaultLanguage,
    maxBytes: config.mail.maxBytes,
    keywords: loadIntakeKeywords(readFileSync(join(ROOT_DIR, 'workflows', 'intake-keywords.yaml'), 'utf8')),
  };
}

/** Builds the desk. Throws on invalid workflow definitions, naming every problem. */
export function createDesk(opts: DeskOptions): Desk {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.logLevel);
  const database = openDatabase(config.databaseUrl, { onQuery: opts.onQuery, onRun: opts.onRun, writer: opts.writer ?? config.sqliteWriter });
  const templatesDir = config.templatesDir ?? join(ROOT_DIR, 'templates');
  const deps: AppDeps = {
    database,
    config,
    workflows: loadWorkflows(config.workflowsDir ?? join(ROOT_DIR, 'workflows'), templatesDir),
    calendar: createWorkingCalendar(config.org.holidays, config.org.closures),
    intake: intakePolicy(config),
    mail: opts.mail === undefined
      ? createMailComposer(createMailRenderer({ dir: join(templatesDir, 'mail') }), config) : opts.mail,
    newId: opts.newId ?? randomUUID,
    random: opts.random ?? Math.random,
    clock: opts.clock ?? (() => new Date()),
    log,
  };
  const fallback = config.outboxDir ? createFileTransport(config.outboxDir) : createLogTransport(log);
  const sentCopies = config.imap && config.mail.sentMailbox ? createSentFolderTransport(config.imap, config.mail.sentMailbox) : null;
  const sentLookup = config.imap && config.mail.sentMailbox
    ? createSentFolderLookup(config.imap, config.mail.sentMailbox) : undefined;
  const smtp = config.smtp
    ? createSmtpTransport(config.smtp, config.mail.from, config.org.name, { keepCopy: Boolean(sentCopies), sentLookup })
    : null;
  const transports: Transports = {
    mail: smtp ?? fallback,
    slack: config.slack ? createSlackTransport(createSlackClient(config.slack), deps) : fallback,
    log: createLogTransport(log), ...(sentCopies ? { imap: sentCopies } : {}),
    ...opts.transports,
  };
  return {
    deps,
    transports,
    migrate: () => migrateToLatest(database.db),
    close: async () => {
      smtp?.close();
      await database.close();
    },
  };
}

export interface StartOptions {
  /** Lease owner of this process (mailbox, outbox rows); default `host:pid`. */
  owner?: string;
  sweepEvery?: string;
  outboxEveryMs?: number;
  slack?: SlackAppOptions;
  pollerHooks?: PollerHooks;
  /** No /health server when Slack does not run (tests that start several desks in one process). */
  noHttp?: boolean;
}

export interface RunningDesk {
  scheduler: Scheduler;
  slack: SlackApp | null;
  /** Where /health, /ready and /metrics answer (beside Slack's HTTP receiver, or on their own). */
  port: number | null;
  stop(): Promise<void>;
}

/**
 * Starts what `dpo-desk start` runs, all on this desk's one database connection: the mailbox poller, the one
 * outbox deliverer, the scheduler (reminder sweep, daily digest) and the Slack app. `stop()` is graceful, in
 * reverse order: no new Slack requests, the sweep finishes its pass, the poller settles the message in hand,
 * the deliverer records the row in hand. The database stays open (the caller closes the desk).
 */
export async function startDesk(desk: Desk, opts: StartOptions = {}): Promise<RunningDesk> {
  const { config } = desk.deps;
  // Identity, dead predecessors ended, liveness, stray rejections logged, /health /ready /metrics.
  const ops = await startOperations(desk.deps, { owner: opts.owner });
  const checkpointer = startCheckpointer(desk.deps.database, desk.deps.log);
  const owner = ops.owner;
  const outbox = outboxService(desk.deps, desk.transports, owner, opts.outboxEveryMs);
  // Mail is understood on a worker thread: this thread acks Slack (adapters/intake/understanding-thread.ts).
  const understanding = config.imap ? startUnderstandingThread(desk.deps.intake, desk.deps.log) : null;
  const intakeDeps = understanding ? { ...desk.deps, understand: understanding.understand } : desk.deps;
  const poller = config.imap ? createImapPoller(intakeDeps, config.imap, { owner, hooks: opts.pollerHooks }) : null;
  const services: Service[] = [outbox, ...(poller ? [poller] : [])];
  const scheduler = createScheduler(config, desk.deps.log, {
    sweepEvery: opts.sweepEvery,
    run: (task, stopped) => runTask(desk.deps, task, { stopped, queued: () => outbox.wake() }),
  });
  let slack: SlackApp | null = null;
  const routes = ops.routes({ poller, slack: config.slack ? () => slack : undefined });
  // A person's request reads and writes through the urgent handle: its statements never wait on background slices.
  const { database } = desk.deps;
  const slackDeps = { ...desk.deps, database: { ...database, db: database.urgent ?? database.db } };
  slack = config.slack ? createSlackApp(slackDeps, config.slack, { routes, ...opts.slack }) : null;
  for (const s of services) s.start();
  await scheduler.start();
  await slack?.start();
  const port = opts.noHttp && !slack ? null : (await ops.serve(slack ? null : routes)) ?? slack?.port ?? null;
  return {
    scheduler,
    slack,
    port,
    async stop() {
      await slack?.stop();
      await scheduler.stop();
      for (const s of [...services].reverse()) await s.stop();
      await understanding?.stop();
      await checkpointer.stop();
      await ops.stop();
    },
  };
}
