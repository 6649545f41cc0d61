/**
 * Journey (issue 9, item 7): the managers' daily digest. Requests arrive by mail over a month; one is answered in
 * Slack on time, the others are left. At DIGEST_TIME the digest reaches the managers' channel (blocks, not the
 * triage channel) and the managers' mailbox: overdue, due this week, the on-time rate — no personal data, once a
 * day. SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { readFixture } from '../unit/intake/intake-fixtures.ts';
import {
  answer, casesOpened, command, digestAt, dovecot, expectNothingTwice, mailIn, mailsTo, MANAGERS, MANAGERS_EMAIL,
  openedView, postsIn, settled, slackText, startJourney, submit, textOf, TRIAGE, USERS, type Journey,
} from './request-harness.ts';

describe.skipIf(!dovecot).each(testDatabases())('the managers\' digest on $name', (tdb) => {
  let j: Journey;
  beforeEach(async () => { j = await startJourney(tdb, '2026-03-06T08:00:00Z'); });
  afterEach(async () => { await j.close(); });

  it('overdue, due this week and the on-time rate, in the managers\' channel and mail, once a day', async () => {
    for (const f of ['request-access-de', 'request-erasure-de', 'request-access-fr']) await mailIn(j, readFixture(f));
    const cases = await casesOpened(j, 3);
    await settled(j);
    const [late, answered, dueSoon] = cases.map((c) => c.number);
    // ── One is answered on time (outside the desk, recorded in Slack) ──
    j.clock.set('2026-03-20T10:00:00Z');
    expect(await answer(await command(j, USERS.agent, `take ${answered}`))).toContain(`${answered} is yours`);
    const close = await openedView(j, (await command(j, USERS.agent, `close ${answered}`)).trigger);
    const closed = await submit(j, USERS.agent, close, {
      resolution: 'AnswerRecorded', outcome: 'Per Brief beantwortet.',
    });
    expect(closed.ack.response_action).toBe('update');
    await settled(j);
    const triageBefore = postsIn(j, TRIAGE).length;

    // ── The digest at 08:00 on Monday 6 April ──
    await digestAt(j, '2026-04-06T06:00:00Z');
    const posts = postsIn(j, MANAGERS);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.params.text).toBe('DPO desk digest 2026-04-06: 2 open · 1 overdue · 1 due this week · '
      + 'answered on time (90 days): 100% (1 of 1)');
    const blocks = posts[0]!.params.blocks as any[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'DPO desk digest — 2026-04-06' } });
    expect(blocks[1].fields.map((f: any) => f.text)).toEqual([
      '*Overdue*\n1', '*Due this week*\n1', '*Open*\n2', '*Answered on time (90 days)*\n100% (1 of 1)',
    ]);
    expect(slackText(posts[0]!)).toContain(`• *${late}* · request · received · due 2026-04-02 · OVERDUE 3d 8h`);
    expect(slackText(posts[0]!)).toContain(`• *${dueSoon}* · request · received · due 2026-04-07 · in 1d 16h`);
    expect(slackText(posts[0]!)).not.toContain(answered);
    expect(postsIn(j, TRIAGE)).toHaveLength(triageBefore); // never in the triage channel
    const mail = mailsTo(j, MANAGERS_EMAIL);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.parsed.subject).toBe('dpo-desk digest 2026-04-06: 2 open, 1 overdue');
    const text = textOf(mail[0]!);
    expect(text).toContain(`- ${late} (request, received): due 2026-04-02 – OVERDUE 3d 8h`);
    expect(text).toContain('Open: 2 · overdue: 1 · due this week: 1');
    expect(text).toContain('Answered on time (last 90 days): 100% (1 of 1)');
    expect(text).toMatch(/Audit anchor: [0-9a-f]{64}:\d+/);
    for (const what of [slackText(posts[0]!), text]) {
      expect(what).not.toMatch(/Jürgen|Weiß|Brenner|example\.test|Auskunft|Löschung|accès/i); // no personal data
    }

    // ── A second run the same day sends nothing; the next day's digest goes ──
    await digestAt(j, '2026-04-06T06:00:30Z');
    expect(postsIn(j, MANAGERS)).toHaveLength(1);
    expect(mailsTo(j, MANAGERS_EMAIL)).toHaveLength(1);
    await digestAt(j, '2026-04-07T06:00:00Z');
    expect(postsIn(j, MANAGERS).map((p) => String(p.params.text).slice(0, 39))).toEqual([
      'DPO desk digest 2026-04-06: 2 open · 1 ', 'DPO desk digest 2026-04-07: 2 open · 1 ',
    ]);
    expect(mailsTo(j, MANAGERS_EMAIL)).toHaveLength(2);
    expectNothingTwice(j);
  });
});
