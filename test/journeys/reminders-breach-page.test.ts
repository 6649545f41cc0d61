/**
 * Journey (issue 9, item 7): a colleague reports a breach by mail. The poller opens a breach case with its 72-hour
 * clock; on the first reminder sweep the DPO is paged — a Slack DM and a mail — in words, naming the clock and its
 * date, once. SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { readFixture } from '../unit/intake/intake-fixtures.ts';
import {
  casesOpened, dmsTo, dovecot, DPO_EMAIL, expectNothingTwice, mailIn, mailsTo, postsIn, settled, slackText,
  startJourney, sweepAt, textOf, TRIAGE, USERS, type Journey,
} from './request-harness.ts';

describe.skipIf(!dovecot).each(testDatabases())('a breach reported by mail on $name', (tdb) => {
  let j: Journey;
  beforeEach(async () => { j = await startJourney(tdb, '2026-03-06T07:50:00Z'); });
  afterEach(async () => { await j.close(); });

  it('the DPO is paged on the first sweep (Slack DM and mail), once', async () => {
    await mailIn(j, readFixture('breach-stolen-laptop-en'));
    const [c] = await casesOpened(j, 1);
    await settled(j);
    const n = c!.number;
    expect(c).toMatchObject({ kind: 'breach', awareAt: new Date('2026-03-06T07:48:14Z') });
    // The triage channel hears of it at once, without the reporter or what they wrote
    const card = postsIn(j, TRIAGE);
    expect(card).toHaveLength(1);
    expect(card[0]!.params.text)
      .toBe(`${n} · Breach · gdpr-breach · due 2026-03-09 08:48 (in 2d 23h) · reported · unassigned`);
    expect(slackText(card[0]!)).not.toMatch(/Sam|Patel|laptop|Manchester/i);
    expect(dmsTo(j, USERS.dpo)).toEqual([]);
    expect(j.sink.messages).toEqual([]);

    // ── The first sweep, 30 seconds later: the DPO is paged ──
    await sweepAt(j, '2026-03-06T07:50:30Z');
    const page = `${n} · 72 hours to notify the authority: due Mon 9 Mar 2026, 08:48`;
    const what = 'A breach was reported. Notify the supervisory authority by Mon 9 Mar 2026, 08:48, '
      + 'or record why it is not notifiable.';
    const dm = dmsTo(j, USERS.dpo);
    expect(dm).toHaveLength(1);
    expect(String(dm[0]!.params.text)).toContain(`${page} — ${what}`);
    const mail = mailsTo(j, DPO_EMAIL);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.parsed.subject).toBe('dpo-desk reminder: 1 case(s) need attention');
    expect(textOf(mail[0]!)).toContain(`- ${page}\n  ${what}`);
    expect(textOf(mail[0]!)).not.toMatch(/dpo-page|Sam|Patel/);

    // ── The next sweeps page nobody again ──
    await sweepAt(j, '2026-03-06T07:51:00Z');
    await sweepAt(j, '2026-03-06T12:00:00Z');
    expect(dmsTo(j, USERS.dpo)).toHaveLength(1);
    expect(j.sink.messages).toHaveLength(1);
    expectNothingTwice(j);
  });
});
