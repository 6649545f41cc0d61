/**
 * The operational side of a running desk, in one place for the composition root: the process identity (owner of
 * its leases), the reaping of dead predecessors on this host, the liveness heartbeat, a log line instead of a dead
 * process for a stray promise rejection, and the /health, /ready, /metrics routes — served by the Slack app's
 * server when there is one, else by a small server of its own on PORT.
 *
 *   const ops = await startOperations(deps);            // before the poller and the outbox: they use ops.owner
 *   const routes = ops.routes({ poller, slack: () => slackApp });
 *   const slackApp = config.slack ? createSlackApp(deps, config.slack, { routes }) : null;
 *   await ops.serve(slackApp ? null : routes);        // after slackApp.start(); ops.stop() at the end
 */
import type { AppDeps } from '../../app/deps.ts';
import { ownerOf, processIdentity, reapDeadLocalOwners, startLiveness } from '../db/liveness.ts';
import type { MailboxPoller } from '../mail/imap-poller.ts';
import { startHttpServer, type Handler, type HttpServer } from './http-server.ts';
import { databaseProbe, opsRoutes, sweepProbe, type Probe } from './ops-routes.ts';

/** What /ready asks the Slack app (HTTP: listening; Socket Mode: connected). */
export interface SlackLink { connected(): boolean }

export interface Operations {
  /** `<host>:<pid>`: the owner of this process's leases and outbox claims. */
  readonly owner: string;
  routes(parts: { poller?: MailboxPoller | null; slack?: () => SlackLink | null }): Record<string, Handler>;
  /** Serves `routes` on PORT (null: the Slack app's server serves them already). */
  serve(routes: Record<string, Handler> | null): Promise<number | null>;
  stop(): Promise<void>;
}

/** `owner`: given by a caller running several desks in one process (tests); then no predecessor is reaped. */
export async function startOperations(deps: AppDeps, opts: { owner?: string } = {}): Promise<Operations> {
  const { db } = deps.database;
  const log = deps.log;
  const identity = processIdentity();
  const owner = opts.owner ?? ownerOf(identity);
  // A restart never waits for its own dead predecessor: its leases and claims on this host end now.
  const reaped = opts.owner ? [] : await reapDeadLocalOwners(db, identity, deps.clock());
  if (reaped.length) log.info({ reaped }, 'ended the leases of dead predecessors on this host');
  const liveness = await startLiveness(db, owner, deps.clock, log);
  // Isolation: a stray rejection in any subsystem is logged, never the end of the process.
  const stray = (e: unknown) => {
    log.error({ err: (e as Error)?.message ?? String(e) }, 'unexpected error (the desk keeps running)');
  };
  process.on('unhandledRejection', stray);
  const startedAt = deps.clock();
  let server: HttpServer | null = null;
  return {
    owner,
    routes({ poller, slack }) {
      const d = { db, clock: deps.clock, startedAt };
      return opsRoutes(d, [
        databaseProbe(db), sweepProbe(d), ...(poller ? [pollerProbe(poller)] : []),
        ...(slack ? [{ name: 'slack', check: async () => ({ ok: Boolean(slack()?.connected()) }) }] : []),
      ]);
    },
    async serve(routes) {
      if (!routes) return null;
      server = await startHttpServer({
        port: deps.config.httpPort, routes, onError: (e) => log.error({ err: e.message }, 'HTTP request failed'),
      });
      return server.port;
    },
    async stop() {
      await server?.close();
      await liveness.stop();
      process.off('unhandledRejection', stray);
    },
  };
}

/** /ready's mailbox check: the poller's last attempt worked (it reads the mailbox, or another instance does). */
function pollerProbe(poller: MailboxPoller): Probe {
  return {
    name: 'mailbox',
    async check() {
      const s = poller.status();
      if (s.state === 'up') return { ok: true };
      if (s.state === 'standby') return { ok: true, detail: 'another instance holds the mailbox' };
      if (s.state === 'starting') return { ok: false, detail: 'starting' };
      return { ok: false, detail: `failing since ${s.since.toISOString()} (${s.failures} attempts)` };
    },
  };
}
