/**
 * Journey (issue 9, item 7): ORG_REGIMES=gdpr,contract. The DPO extends a request with reasons in its first month
 * (`/dpo extend`): the extension notice reaches the data subject and states the new statutory date; `/dpo show` shows
 * both clocks — the GDPR month extended, the 15-day promise kept as it was and marked missed once past, never moved.
 * SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { readFixture } from '../unit/intake/intake-fixtures.ts';
import {
  answer, casesOpened, caseNo, command, dovecot, expectNoPersonalData, expectNothingTwice, mailIn, mailsTo, postsIn,
  settled, startJourney, textOf, TRIAGE, USERS, type Journey,
} from './request-harness.ts';

describe.skipIf(!dovecot).each(testDatabases())('an extension with a 15-day promise on $name', (tdb) => {
  let j: Journey;
  beforeEach(async () => { j = await startJourney(tdb, '2026-03-09T08:00:00Z', { ORG_REGIMES: 'gdpr,contract' }); });
  afterEach(async () => { await j.close(); });

  it('the notice states the new statutory date; both clocks shown, the promise marked missed once past', async () => {
    await mailIn(j, readFixture('request-access-en'));
    const [c] = await casesOpened(j, 1);
    await settled(j);
    const n = c!.number;
    const person = 'jane.holloway@example.test';
    const ack = mailsTo(j, person);
    expect(ack).toHaveLength(1);
    expect(textOf(ack[0]!)).toContain('The period for our answer is 15 days from receipt, so you will receive '
      + 'our answer by 17 March 2026 at the latest.');

    // ── Day 10: the DPO extends, with reasons ──
    j.clock.set('2026-03-12T10:00:00Z');
    const reasons = 'Your request covers twelve years of records in archived systems.';
    expect(await answer(await command(j, USERS.dpo, `extend ${n} ${reasons}`)))
      .toContain(`${n}: extension requested; it applies once the notice is sent (state received).`);
    await settled(j);
    const notice = mailsTo(j, person).slice(1);
    expect(notice).toHaveLength(1);
    expect(notice[0]!.parsed.subject).toBe(`[${n}] Example Org: extension of the period for answering your request`);
    expect(textOf(notice[0]!)).toContain(`- ${reasons}`);
    expect(textOf(notice[0]!)).toContain('You will therefore receive our answer by 2 June 2026 at the latest');
    expect((await caseNo(j, n)).extension).toMatchObject({ sentOn: '2026-03-12' });

    // ── /dpo show: both clocks; the promise stays 17 March (never moved), marked missed once past ──
    expect(await clocks(j, n)).toEqual([
      '• contract: due 2026-03-17 — contract: 15 calendar days',
      '• gdpr: due 2026-06-02 — GDPR Art. 12(3); Reg. 1182/71 Art. 3; EDPB 01/2022 §§159-161',
    ]);
    j.clock.set('2026-03-25T10:00:00Z');
    expect(await clocks(j, n)).toEqual([
      '• contract: due 2026-03-17 — contract: 15 calendar days — *missed*',
      '• gdpr: due 2026-06-02 — GDPR Art. 12(3); Reg. 1182/71 Art. 3; EDPB 01/2022 §§159-161',
    ]);
    expect(postsIn(j, TRIAGE).some((p) => String(p.params.text).includes('Extension requested'))).toBe(true);
    expect(j.sink.messages).toHaveLength(2);
    expectNothingTwice(j);
    expectNoPersonalData(j, ['Jane', 'Holloway', person, 'twelve years']);
  });
});

/** The clock lines of `/dpo show`, as the DPO reads them. */
async function clocks(j: Journey, n: string): Promise<string[]> {
  const card = JSON.parse(await answer(await command(j, USERS.dpo, `show ${n}`)));
  const section = card.blocks.find((b: any) => b.type === 'section' && String(b.text.text).startsWith('*Clocks*'));
  return String(section.text.text).split('\n').slice(1);
}
