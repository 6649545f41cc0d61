/** Tamper detection of the hash-chained audit log, on SQLite and PostgreSQL. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../../src/adapters/db/audit-log.ts';
import type { Database } from '../../../src/adapters/db/database.ts';
import { verifyAudit } from '../../../src/app/verify-audit.ts';
import { testDatabases } from '../../support/databases.ts';

describe.each(testDatabases())('audit chain on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    ({ database, drop } = await tdb.create());
    for (let i = 1; i <= 6; i++) {
      await database.db.transaction().execute((trx) => appendAudit(trx, [
        { caseId: 'case-1', type: i === 1 ? 'CaseOpened' : 'DeadlineComputed', actor: 'system', at: new Date(Date.UTC(2026, 2, i)), data: { i, due: '2026-04-07' } },
      ]));
    }
  });
  afterEach(async () => { await drop(); });

  const db = () => database.db;

  it('verifies an intact chain', async () => {
    expect(await verifyAudit(db())).toEqual({ ok: true, count: 6, problems: [] });
  });

  it('detects an edited event', async () => {
    await db().updateTable('audit_events').set({ data: JSON.stringify({ i: 3, due: '2026-05-07' }) }).where('seq', '=', 3).execute();
    const r = await verifyAudit(db());
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ seq: 3, problem: 'content does not match its hash (edited)' }]);
  });

  it('detects an edited event whose hash was recomputed naively (the next link breaks)', async () => {
    await db().updateTable('audit_events').set({ actor: 'mallory', hash: 'f'.repeat(64) }).where('seq', '=', 2).execute();
    const r = await verifyAudit(db());
    expect(r.problems.map((p) => p.seq)).toEqual([2, 3]);
  });

  it('detects a removed event', async () => {
    await db().deleteFrom('audit_events').where('seq', '=', 4).execute();
    const r = await verifyAudit(db());
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual({ seq: 5, problem: 'event(s) 4..4 are missing (removed)' });
  });

  it('detects reordered events', async () => {
    await sql`UPDATE audit_events SET seq = -seq WHERE seq IN (2, 3)`.execute(db());
    await sql`UPDATE audit_events SET seq = CASE WHEN seq = -2 THEN 3 ELSE 2 END WHERE seq IN (-2, -3)`.execute(db());
    const r = await verifyAudit(db());
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.seq)).toEqual(expect.arrayContaining([2, 3]));
  });

  it('detects events removed at the end of the log', async () => {
    await db().deleteFrom('audit_events').where('seq', '>=', 5).execute();
    const r = await verifyAudit(db());
    expect(r.ok).toBe(false);
    expect(r.problems[0]!.problem).toContain('events removed at the end');
  });

  it('appends from concurrent transactions without forking the chain', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => database.db.transaction().execute((trx) =>
      appendAudit(trx, [{ caseId: null, type: 'Noted', actor: `u${i}`, at: new Date(0), data: {} }]))));
    expect(await verifyAudit(db())).toMatchObject({ ok: true, count: 26 });
  });
});
