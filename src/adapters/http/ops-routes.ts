/**
 * Operations endpoints. `GET /health`: liveness (the process answers; the database is reported). `GET /ready`:
 * every probe passes — database, mailbox poller, Slack connection, scheduler heartbeat (the reminder sweep ran in
 * the last 3 minutes) — else 503 with the failing ones named. `GET /metrics`: Prometheus text (prom-client),
 * read from the database at scrape time so it covers every thread and instance. Labels hold channels and states
 * only: never an address, a name or a case number.
 */
import { sql } from 'kysely';
import { Gauge, Registry } from 'prom-client';
import { lastBeats } from '../db/heartbeat-repository.ts';
import type { Executor } from '../db/database.ts';
import { json, type Handler } from './http-server.ts';

export interface Probe {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export const SWEEP_STALE_MS = 3 * 60_000;

export interface OpsDeps {
  db: Executor;
  clock: () => Date;
  /** When the process started: before SWEEP_STALE_MS have passed, a sweep that has not run yet is not a failure. */
  startedAt: Date;
  mode?: string;
}

export function databaseProbe(db: Executor): Probe {
  return {
    name: 'database',
    async check() {
      try {
        await sql`select 1`.execute(db);
        return { ok: true };
      } catch (e) {
        return { ok: false, detail: (e as Error).message };
      }
    },
  };
}

export function sweepProbe(d: OpsDeps): Probe {
  return {
    name: 'scheduler',
    async check() {
      const now = d.clock().getTime();
      const sweep = (await lastBeats(d.db)).sweep;
      if (sweep && now - sweep.getTime() <= SWEEP_STALE_MS) return { ok: true };
      if (!sweep && now - d.startedAt.getTime() <= SWEEP_STALE_MS) return { ok: true, detail: 'starting' };
      const detail = sweep ? `reminder sweep last ran ${Math.round((now - sweep.getTime()) / 1000)} s ago` : 'reminder sweep never ran';
      return { ok: false, detail };
    },
  };
}

export function opsRoutes(d: OpsDeps, probes: Probe[]): Record<string, Handler> {
  const registry = deskMetrics(d);
  const database = databaseProbe(d.db);
  return {
    'GET /health': async (_req, res) => {
      const up = (await database.check()).ok;
      json(res, up ? 200 : 503, { ok: up, ...(d.mode ? { mode: d.mode } : {}), database: up ? 'up' : 'down' });
    },
    'GET /ready': async (_req, res) => {
      const results = await Promise.all(probes.map(async (p) => {
        try {
          return { name: p.name, ...(await p.check()) };
        } catch (e) {
          return { name: p.name, ok: false, detail: (e as Error).message };
        }
      }));
      const ok = results.every((r) => r.ok);
      const checks = Object.fromEntries(results.map((r) => [r.name, r.detail ? { ok: r.ok, detail: r.detail } : { ok: r.ok }]));
      json(res, ok ? 200 : 503, { ok, checks });
    },
    'GET /metrics': async (_req, res) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    },
  };
}

/** The desk's gauges, each computed from the database when scraped. */
export function deskMetrics(d: OpsDeps): Registry {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => Promise<void>) =>
    new Gauge({ name, help, labelNames, registers: [registry], async collect() { await collect(this); } });
  const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));
  const oldestHelp = 'Age of the oldest outbox row not yet sent or failed (0: none)';
  gauge('dpo_desk_outbox_oldest_pending_seconds', oldestHelp, [], async (g) => {
    const r = await d.db.selectFrom('outbox').select((eb) => eb.fn.min<number>('created_at').as('oldest'))
      .where('state', 'in', ['pending', 'sending']).executeTakeFirst();
    g.set(r?.oldest == null ? 0 : seconds(d.clock().getTime() - Number(r.oldest)));
  });
  for (const [name, beat] of [['sweep', 'sweep'], ['mail_poll', 'mail-poll']] as const) {
    const help = `Seconds since the last ${beat} by any instance (-1: never)`;
    gauge(`dpo_desk_seconds_since_last_${name}`, help, [], async (g) => {
      const at = (await lastBeats(d.db))[beat];
      g.set(at ? seconds(d.clock().getTime() - at.getTime()) : -1);
    });
  }
  gauge('dpo_desk_cases_open', 'Open cases', ['kind'], async (g) => {
    g.reset();
    const rows = await d.db.selectFrom('cases').select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('closed_at', 'is', null).groupBy('kind').execute();
    for (const r of rows) g.set({ kind: r.kind }, Number(r.n));
  });
  gauge('dpo_desk_cases_overdue', 'Open cases past their governing deadline', ['kind'], async (g) => {
    g.reset();
    const rows = await d.db.selectFrom('cases').select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('closed_at', 'is', null).where('governing_due_at', '<', d.clock().getTime()).groupBy('kind').execute();
    for (const r of rows) g.set({ kind: r.kind }, Number(r.n));
  });
  const rowsHelp = 'Outbox rows by channel and state: sent = deliveries, failed = permanent failures';
  gauge('dpo_desk_outbox_rows', rowsHelp, ['channel', 'state'], async (g) => {
    g.reset();
    const rows = await d.db.selectFrom('outbox').select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['channel', 'state']).execute();
    for (const r of rows) g.set({ channel: r.channel, state: r.state }, Number(r.n));
  });
  const retriesHelp = 'Outbox rows waiting for a retry after a failed attempt, by channel';
  gauge('dpo_desk_outbox_retries', retriesHelp, ['channel'], async (g) => {
    g.reset();
    const rows = await d.db.selectFrom('outbox').select(['channel', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', '=', 'pending').where('attempts', '>', 0).groupBy('channel').execute();
    for (const r of rows) g.set({ channel: r.channel }, Number(r.n));
  });
  return registry;
}
