/**
 * The Bolt app: HTTP receiver (signed requests on PORT, plus GET /health) or Socket Mode when an app-level token
 * is configured. The receiver handles transport only; listeners live in one folder per kind, each with
 * `register(app, ctx)`, and there is one error handler. Interactive responses (views.open with the trigger_id,
 * ephemerals, views.publish) use the app's client directly; every other Slack effect goes through the outbox.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type CustomRoute, type Logger, type webApi } from '@slack/bolt';
import { sql } from 'kysely';
import type { Logger as Pino } from 'pino';
import type { AppDeps } from '../../app/deps.ts';
import * as actions from './actions/index.ts';
import * as commands from './commands/index.ts';
import type { SlackContext } from './context.ts';
import * as events from './events/index.ts';
import * as reminders from './actions/reminders.ts';
import { createRoleResolver } from './roles.ts';
import * as shortcuts from './shortcuts/index.ts';
import type { SlackConfig } from './slack-transport.ts';
import * as views from './views/index.ts';
import * as reportView from './views/report.ts';
import * as reportShortcut from './shortcuts/report.ts';

export interface SlackAppOptions {
  /** Where the HTTP receiver (or, in Socket Mode, the health endpoint) listens; default PORT on all interfaces. */
  listen?: { port?: number; host?: string };
  /** Options of the app's own Web API client, merged over ours (tests: retryConfig). */
  clientOptions?: webApi.WebClientOptions;
  /** Socket Mode: how long to wait for a pong (and the reconnect delay); Slack's default is 5 s. */
  clientPingTimeout?: number;
  /** How long members of the agents user group are cached. */
  roleCacheMs?: number;
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The port actually listened on (HTTP receiver, or the Socket Mode health server); null before start. */
  readonly port: number | null;
}

/**
 * Bolt's own logging, into ours. Bolt's debug lines carry whole request bodies (modal inputs: personal data), so
 * they are dropped; the rest is logged as text.
 */
function boltLogger(log: Pino): Logger {
  let level = LogLevel.INFO;
  const line = (m: unknown[]) => m.map((x) => (x instanceof Error ? x.message : String(x))).join(' ');
  return {
    debug: () => {},
    info: (...m) => log.info({ slack: true }, line(m)),
    warn: (...m) => log.warn({ slack: true }, line(m)),
    error: (...m) => log.error({ slack: true }, line(m)),
    setLevel: (l) => { level = l; },
    getLevel: () => level,
    setName: () => {},
  };
}

function healthRoute(deps: AppDeps, mode: SlackApp['mode']): CustomRoute {
  return {
    path: '/health', method: ['GET'],
    handler: async (_req, res) => {
      let ok = true;
      try {
        await sql`select 1`.execute(deps.database.db);
      } catch {
        ok = false;
      }
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok, mode, database: ok ? 'up' : 'down' }));
    },
  };
}

/** Builds the app and registers every listener; nothing listens until `start()`. */
export function createSlackApp(deps: AppDeps, slack: SlackConfig, opts: SlackAppOptions = {}): SlackApp {
  const logger = boltLogger(deps.log);
  const mode: SlackApp['mode'] = slack.appToken ? 'socket' : 'http';
  const clientOptions: webApi.WebClientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    // Interactive calls must land within Slack's 3 s (a trigger_id expires): one quick retry at most.
    retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
    ...opts.clientOptions,
  };
  const routes = [healthRoute(deps, mode)];
  const receiver = slack.appToken
    ? new SocketModeReceiver({
      appToken: slack.appToken, logger, customRoutes: routes, clientPingTimeout: opts.clientPingTimeout,
      installerOptions: { clientOptions, port: opts.listen?.port ?? slack.port },
    })
    : new HTTPReceiver({ signingSecret: requireSecret(slack), logger, customRoutes: routes });
  const app = new App({ token: slack.botToken, receiver, logger, clientOptions });
  const ctx: SlackContext = {
    deps, slack, now: () => deps.clock(),
    roles: createRoleResolver(slack.roles, async (usergroup) => (await app.client.usergroups.users.list({ usergroup })).users ?? [], {
      ttlMs: opts.roleCacheMs,
    }),
  };
  for (const kind of [commands, actions, reminders, views, shortcuts, events, reportView, reportShortcut]) kind.register(app, ctx);
  // The one catch-all: a listener failed after its ack. Logged without the payload (it may hold personal data).
  app.error(async (error) => {
    deps.log.error({ err: error.message, code: (error as { code?: string }).code }, 'Slack listener failed');
  });

  let port: number | null = null;
  return {
    app, mode,
    get port() { return port; },
    async start() {
      if (receiver instanceof HTTPReceiver) {
        const server = await app.start({ port: opts.listen?.port ?? slack.port, host: opts.listen?.host }) as Server;
        port = (server.address() as AddressInfo).port;
      } else {
        await app.start();
        port = ((receiver as unknown as { httpServer?: Server }).httpServer?.address() as AddressInfo | null)?.port ?? null;
      }
    },
    async stop() {
      await app.stop();
    },
  };
}

function requireSecret(slack: SlackConfig): string {
  if (!slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for the HTTP receiver (or set SLACK_APP_TOKEN for Socket Mode)');
  return slack.signingSecret;
}
