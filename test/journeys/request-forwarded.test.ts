/**
 * Journey (issue 9, item 7): a colleague forwards a person's request inline. The address recovered from the
 * forwarded body is unconfirmed, so nothing is mailed to it; the triage thread says so and what waits. An agent
 * confirms it with `/dpo confirm`: the withheld acknowledgement goes once, with its original wording and due date,
 * and the request is answered within the 15-day promise (ORG_REGIMES=gdpr,contract). SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { readFixture } from '../unit/intake/intake-fixtures.ts';
import {
  answer, casesOpened, caseNo, click, command, dovecot, expectNoPersonalData, expectNothingTwice, mailIn, mailsTo,
  openedView, postsIn, settled, slackText, startJourney, submit, textOf, TRIAGE, USERS, withDetails, type Journey,
} from './request-harness.ts';

const PERSON = 'petra.lang@example.test';
const COLLEAGUE = 'anna.keller@example.com';

describe.skipIf(!dovecot).each(testDatabases())('an inline-forwarded request on $name', (tdb) => {
  let j: Journey;
  beforeEach(async () => { j = await startJourney(tdb, '2026-03-05T07:35:00Z', { ORG_REGIMES: 'gdpr,contract' }); });
  afterEach(async () => { await j.close(); });

  it('address unconfirmed → /dpo confirm → the acknowledgement once → answered within the 15-day promise', async () => {
    await mailIn(j, readFixture('fwd-inline-outlook-de'));
    const [c] = await casesOpened(j, 1);
    await settled(j);
    const n = c!.number;
    expect(c).toMatchObject({ requestTypes: ['objection'], language: 'de', governingRegime: 'contract' });
    // Nothing went to the recovered address; the triage card says it is unconfirmed and what waits on it
    expect(j.sink.messages).toEqual([]);
    const card = postsIn(j, TRIAGE).filter((m) => !m.params.thread_ts);
    expect(card).toHaveLength(1);
    expect(slackText(card[0]!)).toContain(
      'The data subject\'s address is not confirmed (recovered from a forwarded mail): '
      + `no mail goes to them until someone confirms it (\`/dpo confirm ${n}\`).`);
    expect(slackText(card[0]!)).not.toContain(PERSON);
    const shown = await answer(await command(j, USERS.agent, `show ${n}`));
    expect(shown).toContain('contract: due 2026-03-17 — contract: 15 calendar days');
    expect(shown).toContain('gdpr: due 2026-04-02');
    expect(shown).toContain(':warning: The data subject\'s address is not confirmed (recovered from a forwarded mail): '
      + `no mail goes to them until someone confirms it (\`/dpo confirm ${n}\`).`); // the case card says so too

    // An event whose meaning is a mail is refused with the way out, and changes nothing
    const extend = JSON.parse(await answer(await command(j, USERS.dpo, `extend ${n} Archived systems to search.`)));
    expect(extend.text).toBe(`:x: Not done: the data subject's address is not confirmed yet (it was recovered from a `
      + `forwarded mail). Confirm it first: \`/dpo confirm ${n} [address]\` or \`dpo-desk case confirm ${n}\`.`);
    expect((await caseNo(j, n)).extension).toBeNull();

    // ── An agent confirms the address with the card's button: the acknowledgement goes, once ──
    expect(shown).toContain('case_confirm');
    j.clock.set('2026-03-05T09:10:00Z');
    expect(await answer(await click(j, USERS.agent, 'case_confirm', n)))
      .toContain(`${n}: the data subject's address is confirmed; 1 mail(s) that waited on it go now.`);
    await settled(j);
    expect(await answer(await command(j, USERS.agent, `confirm ${n}`)))
      .toContain('already confirmed; nothing waits on it');
    await settled(j);
    const ack = mailsTo(j, PERSON);
    expect(ack).toHaveLength(1);
    expect(ack[0]!.parsed.subject).toBe(`[${n}] Example Org: Eingangsbestätigung Ihrer Datenschutzanfrage`);
    const ackText = textOf(ack[0]!);
    expect(ackText).toContain('Guten Tag Petra Lang,');
    expect(ackText).toContain('am 2. März 2026 bei uns eingegangen'); // the original receipt, not the forward's
    expect(ackText).toContain('spätestens am 17. März 2026'); // the 15-day promise governs
    expect(mailsTo(j, COLLEAGUE)).toEqual([]);
    expect(await answer(await command(j, USERS.agent, `show ${n}`))).not.toContain('not confirmed');
    const thread = () => postsIn(j, TRIAGE).filter((m) => m.params.thread_ts).map((m) => String(m.params.text));
    expect(thread()).toEqual([`The data subject's address was confirmed by <@U0AGENT>.\n`
      + 'A mail to the data subject is queued (1).\n'
      + `${n} · Request: objection · contract · due 2026-03-17 (in 12d 13h) · received · unassigned`]);

    const parent = postsIn(j, TRIAGE).find((m) => m.params.thread_ts)!.params.thread_ts;
    const updated = j.fake.of('chat.update', (u) => u.params.ts === parent);
    expect(updated.length).toBeGreaterThan(0);
    expect(slackText(updated.at(-1)!)).not.toContain('not confirmed'); // the card no longer says so
    // ── Answered on day 8 of 15; the case closes on time ──
    j.clock.set('2026-03-10T10:00:00Z');
    expect(await answer(await command(j, USERS.agent, `take ${n}`))).toContain(`${n} is yours`);
    const reply = await openedView(j, (await command(j, USERS.agent, `reply ${n}`)).trigger);
    const details = 'objection:\n  processing: Weitergabe Ihrer Daten an Werbepartner\n  effectiveDate: 2026-03-10\n'
      + '  directMarketing: true\n';
    const preview = await submit(j, USERS.agent, withDetails(reply, 'Answered'), {
      reply_template: 'Answered', language: 'de', details,
    });
    expect(preview.ack, JSON.stringify(preview.ack)).toMatchObject({ response_action: 'push' });
    const send = { ...preview.ack.view, id: 'V-preview-fwd', root_view_id: reply.id };
    expect((await submit(j, USERS.agent, send, {})).ack).toEqual({ response_action: 'clear' });
    await settled(j);
    const closed = await caseNo(j, n);
    expect(closed).toMatchObject({ state: 'answered', closedAt: new Date('2026-03-10T10:00:00Z') });
    const mails = mailsTo(j, PERSON);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.parsed.subject).toBe(`[${n}] Example Org: Ihr Widerspruch wurde umgesetzt`);
    expect(textOf(mails[1]!)).toContain('wir haben Ihren Widerspruch vom 2. März 2026');
    expect(textOf(mails[1]!)).toContain('Seit dem 10. März 2026 verarbeiten wir Ihre personenbezogenen Daten');
    expect(thread().at(-1)).toContain('Answered by <@U0AGENT>.\nA mail to the data subject is queued (1).');
    // Within the promise: closed on day 8, before the contract clock's date
    expect(closed.closedAt!.getTime()).toBeLessThan(closed.governingDueAt!.getTime());
    expect(closed.governingRegime).toBe('contract');
    expect(j.sink.messages).toHaveLength(2);
    expectNothingTwice(j);
    expectNoPersonalData(j, ['Petra', 'Anna Keller', PERSON, COLLEAGUE, 'Werbepartner']);
  });

  it('a wrong address is refused and changes nothing; a corrected one gets the acknowledgement, once', async () => {
    await mailIn(j, readFixture('fwd-inline-gmail-en'));
    const [c] = await casesOpened(j, 1);
    const n = c!.number;
    await settled(j);
    expect(j.sink.messages).toEqual([]);
    j.clock.set('2026-03-05T09:00:00Z');
    const refused = JSON.parse(await answer(await command(j, USERS.agent, `confirm ${n} rachel.moss-at-example.test`)));
    expect(refused.text).toBe(':x: "rachel.moss-at-example.test" is not an e-mail address.');
    await settled(j);
    expect(j.sink.messages).toEqual([]);
    expect(await answer(await command(j, USERS.agent, `confirm ${n} r.moss@example.test`)))
      .toContain(`${n}: the data subject's address is confirmed; 1 mail(s) that waited on it go now.`);
    await settled(j);
    expect(mailsTo(j, 'rachel.moss@example.test')).toEqual([]); // the recovered address, corrected
    const ack = mailsTo(j, 'r.moss@example.test');
    expect(ack).toHaveLength(1);
    expect(ack[0]!.parsed.subject).toBe(`[${n}] Example Org: we have received your data protection request`);
    expect(textOf(ack[0]!)).toContain('we received your data protection request on 2 March 2026');
    expect(textOf(ack[0]!)).toContain('by 17 March 2026 at the latest');
    expect(j.sink.messages).toHaveLength(1);
    expectNothingTwice(j);
    expectNoPersonalData(j, ['Rachel', 'moss@example.test']);
  });
});
