/**
 * A triage case opened by mail in Slack (issue 11): the channel learns only that a case needs typing; the details
 * modal (after the role check) shows the intake's reading — triage, confidence, matched words, an unsupported
 * language — beside what the person wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMail } from '../../../src/app/ingest-mail.ts';
import { testDatabases } from '../../support/databases.ts';
import { readFixture } from '../../unit/intake/intake-fixtures.ts';
import { channelTraffic, click, deliver, openedView, startHarness, USERS, type Harness } from './harness.ts';

describe('Slack: a triage case from the mail intake', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { await h?.close(); });

  it('posts the case without its content and shows the reading in the details modal', async () => {
    const r = await ingestMail(h.desk.deps, { raw: readFixture('triage-it-cancellazione'), deliveredAt: h.clock(), source: 'imap' }, h.clock());
    expect(r).toMatchObject({ action: 'create', reason: 'triage' });
    await deliver(h);
    const traffic = channelTraffic(h.fake).filter((t) => t.includes(r.caseNumber!)).join('\n');
    expect(traffic).toContain(r.caseNumber!);
    for (const secret of ['Giorgio', 'Ferri', 'cancellare', 'giorgio.ferri']) expect(traffic).not.toContain(secret);

    const view = JSON.stringify((await openedView(h, (await click(h, USERS.dpo, 'case_details', r.caseNumber!)).trigger)).blocks);
    expect(view).toContain('*Intake:* TRIAGE');
    expect(view).toContain('confidence 0; matched: —; language not supported: it');
    expect(view).toContain('cancellare tutti i miei dati');
  });
});
