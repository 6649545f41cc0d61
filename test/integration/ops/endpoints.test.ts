/**
 * /health, /ready and /metrics over real HTTP, on SQLite and PostgreSQL, in virtual time: readiness follows the
 * reminder sweep's heartbeat (not ready 3 minutes after its last run) and the mailbox poller's state; metrics are
 * Prometheus text read from the database, with channels and states as labels and no personal data.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueue } from '../../../src/adapters/db/outbox-repository.ts';
import { startHttpServer, type HttpServer } from '../../../src/adapters/http/http-server.ts';
import { databaseProbe, opsRoutes, sweepProbe, type Probe } from '../../../src/adapters/http/ops-routes.ts';
import { deliverOutbox } from '../../../src/app/deliver-outbox.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { sweepReminders } from '../../../src/app/sweep-reminders.ts';
import { DeliveryError } from '../../../src/domain/outbox-policy.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

describe.each(testDatabases())('operations endpoints on $name', (tdb) => {
  let desk: Desk;
  let server: HttpServer;
  let drop: () => Promise<void>;
  let mailboxUp = true;
  const clock = virtualClock('2026-03-05T10:00:00Z');
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, text: await res.text() };
  };

  beforeEach(async () => {
    const fresh = await freshDatabase(tdb);
    drop = fresh.drop;
    clock.set('2026-03-05T10:00:00Z');
    desk = testDesk(fresh.url, { clock });
    const d = { db: desk.deps.database.db, clock, startedAt: clock() };
    const mailbox: Probe = { name: 'mailbox', check: async () => ({ ok: mailboxUp }) };
    server = await startHttpServer({
      port: 0, host: '127.0.0.1', routes: opsRoutes(d, [databaseProbe(d.db), sweepProbe(d), mailbox]), onError: () => {},
    });
  });
  afterEach(async () => { await server.close(); await desk.close(); await drop(); });

  it('is live, and ready only while the sweep has run in the last 3 minutes and the mailbox works', async () => {
    expect(await get('/health')).toMatchObject({ status: 200 });
    clock.advance(60_000);
    expect(await get('/ready')).toMatchObject({ status: 200 }); // starting: the first sweep is not due yet
    clock.advance(3 * 60_000);
    const never = await get('/ready');
    expect(never.status).toBe(503);
    expect(JSON.parse(never.text).checks.scheduler).toEqual({ ok: false, detail: 'reminder sweep never ran' });
    await sweepReminders(desk.deps, clock());
    expect(await get('/ready')).toMatchObject({ status: 200 });
    clock.advance(3 * 60_000);
    expect((await get('/ready')).status).toBe(200);
    clock.advance(1_000);
    const stale = await get('/ready');
    expect(stale.status).toBe(503);
    expect(JSON.parse(stale.text).checks).toMatchObject({ database: { ok: true }, scheduler: { ok: false, detail: 'reminder sweep last ran 181 s ago' } });
    await sweepReminders(desk.deps, clock());
    mailboxUp = false;
    expect(JSON.parse((await get('/ready')).text)).toEqual({ ok: false, checks: { database: { ok: true }, scheduler: { ok: true }, mailbox: { ok: false } } });
    mailboxUp = true;
  });

  it('serves Prometheus metrics from the database without personal data in labels', async () => {
    const deps = desk.deps;
    await openCase(deps, {
      kind: 'request', requestTypes: ['access'], channel: 'mail', receivedAt: new Date('2026-01-02T09:00:00Z'),
      requester: { email: 'ada.private@example.test', name: 'Ada Lovelace-Example', verified: true },
      actor: { id: 'system', role: 'system' },
    }, clock()); // received in January: overdue by March
    await openCase(deps, { kind: 'breach', channel: 'cli', receivedAt: clock(), awareAt: clock(), actor: { id: 'cli', role: 'dpo' } }, clock());
    await enqueue(deps.database.db, [{ id: 'x1', caseId: null, channel: 'slack', kind: 't', idempotencyKey: 'x1', payload: {}, notBefore: clock() }], clock());
    const failing = { send: async () => { throw new DeliveryError('550 no', false); } };
    const ok = { send: async () => ({ ref: null }) };
    await deliverOutbox(deps, { mail: ok, slack: failing }, { owner: 'A', limit: 100 }); // mail sent, slack failed
    clock.advance(90_000);
    await enqueue(deps.database.db, [{ id: 'x2', caseId: null, channel: 'mail', kind: 't', idempotencyKey: 'x2', payload: {}, notBefore: clock() }], clock());
    await sweepReminders(deps, clock());
    clock.advance(12_000);

    const m = await get('/metrics');
    expect(m.status).toBe(200);
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(m.text)?.[1]);
    expect(value('dpo_desk_cases_open{kind="request"}')).toBe(1);
    expect(value('dpo_desk_cases_open{kind="breach"}')).toBe(1);
    expect(value('dpo_desk_cases_overdue{kind="request"}')).toBe(1);
    expect(value('dpo_desk_seconds_since_last_sweep')).toBe(12);
    expect(value('dpo_desk_seconds_since_last_mail_poll')).toBe(-1);
    expect(value('dpo_desk_outbox_oldest_pending_seconds')).toBe(102); // x2 and the DPO alerts, queued 102 s ago
    expect(value('dpo_desk_outbox_rows{channel="mail",state="sent"}')).toBeGreaterThan(0);
    expect(value('dpo_desk_outbox_rows{channel="slack",state="failed"}')).toBeGreaterThan(0);
    expect(m.text).toContain('# TYPE dpo_desk_outbox_rows gauge');
    for (const pii of ['ada', 'lovelace', 'example.test', 'DSR-', 'BRE-']) expect(m.text.toLowerCase()).not.toContain(pii.toLowerCase());
  });
});
