/**
 * A triage case from the mail intake (issue 11) is decided by a person in one step: "not a request" is recorded
 * with who decided and why and closes the case; "Classified" moves it into the request workflow. Only agents and
 * the DPO may decide; the reasons are required.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { ingestMail } from '../../../src/app/ingest-mail.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { readFixture } from '../../unit/intake/intake-fixtures.ts';

describe.each(testDatabases())('deciding a triage case on $name', (tdb) => {
  let desk: Desk;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-11T08:00:00Z');
  const agent = { id: 'U0AGENT', role: 'agent' as const };

  beforeAll(async () => {
    const fresh = await freshDatabase(tdb);
    drop = fresh.drop;
    desk = testDesk(fresh.url, { clock, env: { MAIL_FROM: 'privacy@example.com', MAIL_RECEIVING_HOSTS: 'mx.example.com' } });
  });
  afterAll(async () => { await desk?.close(); await drop?.(); });

  const triageCase = async (fixture: string) => {
    const r = await ingestMail(desk.deps, { raw: readFixture(fixture), deliveredAt: clock(), source: 'imap' }, clock());
    expect(r).toMatchObject({ action: 'create', reason: 'triage' });
    return r.caseNumber!;
  };

  it('"not a request": who decided and why, the case closed; reasons required, managers may not', async () => {
    const number = await triageCase('other-en-job-application');
    const manager = await recordCaseEvent(desk.deps, { caseNumber: number, type: 'NotARequest', actor: { id: 'U0MGR', role: 'manager' }, fields: { reasons: 'x' } }, clock());
    expect(manager).toMatchObject({ ok: false, code: 'ROLE_NOT_PERMITTED' });
    const bare = await recordCaseEvent(desk.deps, { caseNumber: number, type: 'NotARequest', actor: agent }, clock());
    expect(bare.ok).toBe(false);
    const r = await recordCaseEvent(desk.deps, {
      caseNumber: number, type: 'NotARequest', actor: agent, fields: { reasons: 'A job application, forwarded to HR.' },
    }, clock());
    expect(r.ok).toBe(true);
    const c = (await findCaseByNumber(desk.deps.database.db, number))!;
    expect(c).toMatchObject({ state: 'not_a_request', outcome: 'A job application, forwarded to HR.' });
    expect(c.closedAt).not.toBeNull();
    const events = [];
    for await (const e of readAudit(desk.deps.database.db, 100, c.id)) events.push(e);
    expect(events.find((e) => e.type === 'NotARequest')).toMatchObject({ actor: 'U0AGENT' });
  });

  it('"Classified" moves the case into the request workflow, its clock unchanged', async () => {
    const number = await triageCase('triage-it-cancellazione');
    const before = (await findCaseByNumber(desk.deps.database.db, number))!;
    const r = await recordCaseEvent(desk.deps, { caseNumber: number, type: 'Classified', actor: agent, fields: { types: ['erasure'] } }, clock());
    expect(r.ok).toBe(true);
    const after = (await findCaseByNumber(desk.deps.database.db, number))!;
    expect(after.state).toBe('received');
    expect(after.governingDueAt).toEqual(before.governingDueAt); // the clock ran from receipt all along
  });
});
