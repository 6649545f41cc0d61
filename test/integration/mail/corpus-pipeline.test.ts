/**
 * Every fixture of the corpus through the real intake pipeline (store raw → understand → route → case in one
 * transaction) on SQLite and PostgreSQL: the stored outcome matches the expected one beside each file, and a
 * second delivery of the whole corpus creates nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInbox } from '../../../src/adapters/db/mail-repository.ts';
import { listCases } from '../../../src/adapters/db/case-repository.ts';
import { ingestMail } from '../../../src/app/ingest-mail.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { DELIVERED_AT, fixtureNames, readExpected, readFixture } from '../../unit/intake/intake-fixtures.ts';

export const CORPUS_ENV = { MAIL_FROM: 'privacy@example.com', MAIL_RECEIVING_HOSTS: 'mx.example.com', MAIL_MAX_BYTES: String(10 * 1024 * 1024) };

interface Expected {
  action: string; auto: string | null; kind: string | null; request_types: string[]; language: string | null;
  requester: unknown; forwarded_by: string | null; received_at: string | null; reason: string | null;
}

describe.each(testDatabases())('the corpus through the intake pipeline on $name', (tdb) => {
  let desk: Desk;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-11T08:00:00Z');

  beforeAll(async () => {
    const fresh = await freshDatabase(tdb);
    drop = fresh.drop;
    desk = testDesk(fresh.url, { clock, env: CORPUS_ENV });
  });
  afterAll(async () => { await desk?.close(); await drop?.(); });

  it.each(fixtureNames())('%s', async (name) => {
    const expected = readExpected(name) as Expected;
    const r = await ingestMail(desk.deps, { raw: readFixture(name), deliveredAt: DELIVERED_AT, source: 'file' }, clock());
    const u = r.understanding;
    expect({
      action: r.action, auto: u?.auto ?? null, kind: u?.kind ?? null, request_types: u?.requestTypes ?? [],
      language: u?.language ?? null, requester: u?.requester ?? null, forwarded_by: u?.forward?.forwardedBy ?? null,
      received_at: u?.receivedAt.toISOString() ?? null, reason: r.reason?.split(':')[0] ?? null,
    }).toEqual({
      action: expected.action, auto: expected.auto, kind: expected.kind, request_types: expected.request_types,
      language: expected.language, requester: expected.requester, forwarded_by: expected.forwarded_by,
      received_at: expected.received_at, reason: expected.reason,
    });
    if (expected.action === 'create') {
      // a triage case is a request case whatever the words suggested: a person types it
      expect(r.caseNumber).toMatch(expected.kind === 'breach' && expected.reason !== 'triage' ? /^BRE-2026-\d{4}$/ : /^DSR-2026-\d{4}$/);
      const c = (await listCases(desk.deps.database.db)).find((x) => x.number === r.caseNumber)!;
      expect(c.receivedAt.toISOString()).toBe(expected.received_at);
    }
  });

  it('no mail from a person is ignored: each opens a typed case or a triage case (clock running), or attaches', async () => {
    const db = desk.deps.database.db;
    const rows = await listInbox(db);
    const cases = new Map((await listCases(db)).map((c) => [c.id, c]));
    const deadlines = await db.selectFrom('case_deadlines').select(['case_id']).execute();
    const automatic = ['auto_reply', 'out_of_office', 'bounce', 'list', 'own_loop'];
    let people = 0;
    for (const name of fixtureNames()) {
      const expected = readExpected(name) as Expected;
      const row = rows.find((r) => new TextDecoder().decode(r.raw) === new TextDecoder().decode(readFixture(name)))!;
      expect(row, name).toBeDefined();
      if (row.state === 'ignored') {
        expect(automatic, `${name} was ignored`).toContain(row.reason); // only machines are ignored without a person
        expect(expected.auto, name).not.toBe('human');
        continue;
      }
      if (expected.auto !== 'human') continue;
      people += 1;
      expect(row.state, name).toBe('processed');
      const c = cases.get(row.caseId!)!;
      expect(c, `${name} opened no case`).toBeDefined();
      if (row.reason === 'triage') {
        // a request case in triage: a person types it; its legal clock runs from receipt meanwhile
        expect({ kind: c.kind, state: c.state, types: c.requestTypes }, name).toEqual({ kind: 'request', state: 'triage', types: [] });
        expect(c.regimes.length, name).toBeGreaterThan(0);
        expect(deadlines.some((d) => d.case_id === c.id), name).toBe(true);
        expect(c.governingDueAt, name).not.toBeNull();
      } else {
        expect(c.state, name).not.toBe('triage');
      }
    }
    expect(people).toBeGreaterThanOrEqual(150);
  });

  it('a second delivery of every message changes nothing (exactly once)', async () => {
    const before = (await listCases(desk.deps.database.db)).length;
    for (const name of fixtureNames()) {
      const r = await ingestMail(desk.deps, { raw: readFixture(name), deliveredAt: DELIVERED_AT, source: 'file' }, clock());
      expect(r).toMatchObject({ duplicate: true, reason: 'duplicate' });
    }
    expect(await listCases(desk.deps.database.db)).toHaveLength(before);
    expect((await listInbox(desk.deps.database.db)).filter((m) => m.state === 'received')).toHaveLength(0);
  });
});
