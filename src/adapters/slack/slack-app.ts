/**
 * The Bolt app: HTTP receiver (signed requests on PORT, checked by request-guard.ts first, beside /health, /ready
 * and /metrics) or Socket Mode when an app-level token is configured (the same routes on PORT). The receiver handles
 * transport only; listeners live in one folder per kind, each with `register(app, ctx)`, and there is one error
 * handler. Interactive responses (views.open with the trigger_id,
 * ephemerals, views.publish) use the app's client directly; every other Slack effect goes through the outbox.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger, type webApi } from '@slack/bolt';
import type { Logger as Pino } from 'pino';
import { startHttpServer, type Handler, type HttpServer } from '../http/http-server.ts';
import { databaseProbe, opsRoutes } from '../http/ops-routes.ts';
import { guardSlackRequest } from './request-guard.ts';
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
import { awaitingAck } from '../../event-loop.ts';

export interface SlackAppOptions {
  /** Where the HTTP receiver (or, in Socket Mode, the health endpoint) listens; default PORT on all interfaces. */
  listen?: { port?: number; host?: string };
  /** Options of the app's own Web API client, merged over ours (tests: retryConfig). */
  clientOptions?: webApi.WebClientOptions;
  /** Socket Mode: how long to wait for a pong (and the reconnect delay); Slack's default is 5 s. */
  clientPingTimeout?: number;
  /** How long members of the agents user group are cached. */
  roleCacheMs?: number;
  /** GET routes served beside Slack on the same port (default: /health, /ready and /metrics over the database). */
  routes?: Record<string, Handler>;
}

export interface SlackApp {
  app: App;
  mode: 'http' | 'socket';
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The port actually listened on (HTTP receiver, or the Socket Mode health server); null before start. */
  readonly port: number | null;
  /** HTTP: listening; Socket Mode: the WebSocket to Slack is connected (for /ready). */
  connected(): boolean;
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
  const routes = opts.routes
    ?? opsRoutes({ db: deps.database.db, clock: deps.clock, startedAt: deps.clock(), mode },
      [databaseProbe(deps.database.db)]);
  // Socket Mode without custom routes: Bolt starts no HTTP server of its own; ours serves the routes on PORT.
  const receiver = slack.appToken
    ? new SocketModeReceiver({
      appToken: slack.appToken, logger, clientPingTimeout: opts.clientPingTimeout, installerOptions: { clientOptions },
    })
    : new HTTPReceiver({
      signingSecret: requireSecret(slack), logger,
      // Reached only by errors before any listener ran (listener errors go to app.error below): Bolt could not make
      // sense of a signed payload (no team, no user, a broken shape). That is the sender's fault: 400, not 500.
      processEventErrorHandler: async ({ error, response }) => {
        if (response.headersSent) return false;
        deps.log.warn({ err: error.message }, 'Slack payload could not be processed');
        response.writeHead(error instanceof Error && error.name === 'AuthorizationError' ? 401 : 400).end();
        return false;
      },
    });
  let socketUp = false;
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => { socketUp = true; });
    for (const state of ['disconnected', 'reconnecting', 'disconnecting']) {
      receiver.client.on(state, () => { socketUp = false; });
    }
  }
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

  /** POST /slack/events: the guard (timestamp both ways, payload shape), then Bolt's receiver. */
  const slackEvents: Handler | undefined = receiver instanceof HTTPReceiver ? async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== '/slack/events') {
      res.writeHead(404).end();
      return;
    }
    const answered = awaitingAck(); // background work lets this acknowledgement go first
    res.once('finish', answered).once('close', answered);
    const verdict = await guardSlackRequest(req, requireSecret(slack), Date.now());
    if (!verdict.ok) {
      deps.log.warn({ status: verdict.status, why: verdict.why }, 'Slack request rejected');
      res.writeHead(verdict.status).end();
      return;
    }
    receiver.requestListener(req, res);
  } : undefined;

  let server: HttpServer | null = null;
  return {
    app, mode,
    get port() { return server?.port ?? null; },
    connected: () => (mode === 'http' ? server !== null : socketUp),
    async start() {
      server = await startHttpServer({
        port: opts.listen?.port ?? slack.port, host: opts.listen?.host, routes, other: slackEvents,
        onError: (e) => deps.log.error({ err: e.message }, 'HTTP request failed'),
      });
      if (mode === 'socket') await app.start();
    },
    async stop() {
      if (mode === 'socket') await app.stop();
      await server?.close();
      server = null;
    },
  };
}

function requireSecret(slack: SlackConfig): string {
  if (!slack.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for the HTTP receiver (or set SLACK_APP_TOKEN for Socket Mode)');
  return slack.signingSecret;
}
