/**
 * Journey (issue 9, item 7): a data subject writes to the DPO mailbox in German → the acknowledgement in German
 * with the due date → an agent asks for proof of identity in Slack (the clock pauses, the mail goes) → the data
 * subject replies by mail (the clock resumes, the due date moves by the paused days) → the agent answers → the case
 * is closed as answered. The real desk, on SQLite and PostgreSQL; what each person receives, nothing twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDeadlines } from '../../src/adapters/db/case-repository.ts';
import { testDatabases } from '../support/databases.ts';
import { readFixture } from '../unit/intake/intake-fixtures.ts';
import {
  casesOpened, caseNo, click, dovecot, expectNoPersonalData, expectNothingTwice, mailIn, mailsTo, openedView,
  personMail, postsIn, settled, slackText, startJourney, submit, textOf, TRIAGE, USERS, command, answer, withDetails,
  type Journey,
} from './request-harness.ts';

const SUBJECT = 'lukas.brenner@example.test';

describe.skipIf(!dovecot).each(testDatabases())('a direct request, from the mailbox to the answer, on $name', (tdb) => {
  let j: Journey;
  beforeEach(async () => { j = await startJourney(tdb, '2026-03-06T07:15:00Z'); });
  afterEach(async () => { await j.close(); });

  it('acknowledged, identity asked (clock paused), the data subject replies (clock resumes), answered, closed',
    async () => {
    // ── The data subject's mail arrives; the poller takes it ──
    await mailIn(j, readFixture('request-erasure-de'));
    const [opened] = await casesOpened(j, 1);
    const c = opened!;
    expect(c).toMatchObject({ kind: 'request', requestTypes: ['erasure'], language: 'de', state: 'received' });
    await settled(j);
    const ack = mailsTo(j, SUBJECT);
    expect(ack).toHaveLength(1);
    const ackText = textOf(ack[0]!);
    expect(ack[0]!.parsed.subject).toBe(`[${c.number}] Example Org: Eingangsbestätigung Ihrer Datenschutzanfrage`);
    expect(ackText).toContain('Guten Tag Lukas Brenner,');
    expect(ackText).toContain('am 6. März 2026 bei uns eingegangen');
    expect(ackText).toContain('spätestens am 7. April 2026'); // one month, Easter Monday rolled over
    const card = postsIn(j, TRIAGE);
    expect(card).toHaveLength(1);
    expect(card[0]!.params.text).toContain(`${c.number} · Request: erasure · gdpr · due 2026-04-07`);

    // ── Monday: the agent takes it and asks for proof of identity through the reply modal ──
    j.clock.set('2026-03-09T09:00:00Z');
    expect(await answer(await command(j, USERS.agent, `take ${c.number}`))).toContain(`${c.number} is yours`);
    const compose = await openedView(j, (await click(j, USERS.agent, 'case_reply', c.number)).trigger);
    const details = 'identity:\n  reason: Die Anfrage kam von einer Adresse, die keinem Kundenkonto zugeordnet ist.\n'
      + '  proofNeeded:\n    - Ihre Kundennummer\n';
    const preview = await submit(j, USERS.agent, withDetails(compose, 'IdentityRequested'), {
      reply_template: 'IdentityRequested', language: 'de', details,
    });
    expect(preview.ack.response_action).toBe('push');
    const sent = await submit(j, USERS.agent, { ...preview.ack.view, id: 'V-preview-1', root_view_id: compose.id }, {});
    expect(sent.ack).toEqual({ response_action: 'clear' });
    await settled(j);
    expect(await caseNo(j, c.number)).toMatchObject({ state: 'identity_pending' });
    const identity = mailsTo(j, SUBJECT).slice(1);
    expect(identity).toHaveLength(1);
    const asked = textOf(identity[0]!);
    expect(identity[0]!.parsed.subject).toBe(`[${c.number}] Example Org: Bitte bestätigen Sie Ihre Identität`);
    expect(asked).toContain('Guten Tag Lukas Brenner,');
    expect(asked).toContain('- Ihre Kundennummer');
    expect(asked).toContain('Die Frist für die Beantwortung Ihrer Anfrage ruht');
    // in the person's own thread
    expect(identity[0]!.parsed.inReplyTo).toBe('<785279b781de.lukasbrenner@mout.example.test>');
    expect(await clock(j, c.id)).toMatchObject({ due: '2026-04-07', pausedSince: '2026-03-09' });

    // ── Thursday: the data subject answers by mail; the clock resumes, three days later ──
    j.clock.set('2026-03-12T10:31:00Z');
    await mailIn(j, personMail({
      from: SUBJECT, name: 'Lukas Brenner', subject: `Re: ${identity[0]!.parsed.subject}`, at: '2026-03-12T10:30:00Z',
      inReplyTo: identity[0]!.parsed.messageId, body: 'Guten Tag,\n\nmeine Kundennummer ist 10-77812.\n\nLukas Brenner',
    }));
    await casesOpened(j, 1); // the reply joined the case: no new one
    await settled(j);
    expect(await caseNo(j, c.number)).toMatchObject({ state: 'in_progress' });
    expect(await clock(j, c.id)).toMatchObject({ due: '2026-04-09', pausedDays: 3, pausedSince: null });

    // ── The agent confirms the identity and answers; the case closes as answered ──
    j.clock.set('2026-03-16T13:00:00Z');
    expect(await answer(await command(j, USERS.agent, `verify ${c.number}`))).toContain('identity verified');
    const reply = await openedView(j, (await command(j, USERS.agent, `reply ${c.number}`)).trigger);
    const options = reply.blocks.find((b: any) => b.block_id === 'template').element.options.map((o: any) => o.value);
    expect(options).toContain('Answered');
    const erasure = 'erasure:\n  completedDate: 2026-03-16\n'
      + '  scope: Kundenkonto, Bestellhistorie und Newsletter-Anmeldung\n'
      + 'recipientNotice:\n  informed:\n    - Versanddienstleister Paketblitz GmbH\n';
    const protocol = Buffer.from('Löschprotokoll: Kundenkonto, Bestellhistorie, Newsletter — gelöscht am 2026-03-16\n');
    const file = j.fake.addFile('loeschprotokoll.txt', 'text/plain', protocol);
    const answerPreview = await submit(j, USERS.agent, withDetails(reply, 'Answered'), {
      reply_template: 'Answered', language: 'de', details: erasure, files: [file],
    });
    expect(answerPreview.ack, JSON.stringify(answerPreview.ack)).toMatchObject({ response_action: 'push' });
    expect(JSON.stringify(answerPreview.ack.view)).toContain(SUBJECT);
    const send = { ...answerPreview.ack.view, id: 'V-preview-2', root_view_id: reply.id };
    expect((await submit(j, USERS.agent, send, {})).ack).toEqual({ response_action: 'clear' });
    expect((await submit(j, USERS.agent, send, {})).ack).toEqual({ response_action: 'clear' }); // a double click
    await settled(j);
    expect(await caseNo(j, c.number)).toMatchObject({ state: 'answered', closedAt: new Date('2026-03-16T13:00:00Z') });

    // ── What the data subject received: three mails in German, each once, in one thread ──
    const all = mailsTo(j, SUBJECT);
    expect(all.map((m) => m.parsed.subject)).toEqual([
      `[${c.number}] Example Org: Eingangsbestätigung Ihrer Datenschutzanfrage`,
      `[${c.number}] Example Org: Bitte bestätigen Sie Ihre Identität`,
      `[${c.number}] Example Org: Ihre personenbezogenen Daten wurden gelöscht`,
    ]);
    const answered = textOf(all[2]!);
    expect(answered).toContain('Guten Tag Lukas Brenner,');
    // The answer carries the file attached in the reply modal, byte for byte
    const attached = all[2]!.parsed.attachments;
    expect(attached.map((a) => a.filename)).toEqual(['loeschprotokoll.txt']);
    expect(Buffer.from(attached[0]!.content as ArrayBuffer).equals(protocol)).toBe(true);
    expect(answered).toContain('Kundenkonto, Bestellhistorie und Newsletter-Anmeldung');
    expect(all.every((m) => m.envelope.from === 'privacy@example.com')).toBe(true);
    // The team: one card in the triage channel, the steps in its thread, in words
    const cards = postsIn(j, TRIAGE).filter((m) => !m.params.thread_ts);
    expect(cards).toHaveLength(1);
    const thread = postsIn(j, TRIAGE).filter((m) => m.params.thread_ts).map((m) => String(m.params.text));
    expect(thread.map((t) => t.split('\n').slice(0, -1).join(' '))).toEqual([
      'Work started by <@U0AGENT>.',
      'Proof of identity requested; the clock is paused by <@U0AGENT>. A mail to the data subject is queued (1).',
      'Clock resumed.',
      'Identity verified by <@U0AGENT>.',
      'Answered by <@U0AGENT>. A mail to the data subject is queued (1).',
    ]);
    expect(thread[2]).toContain('due 2026-04-09'); // the thread shows the resumed clock's new date
    const parent = postsIn(j, TRIAGE).find((m) => m.params.thread_ts)!.params.thread_ts;
    const updated = j.fake.of('chat.update', (u) => u.params.ts === parent).at(-1)!;
    expect(String(updated.params.text)).toContain('answered'); // the card in the channel follows the case
    expect(j.sink.messages).toHaveLength(3); // nothing else left the desk by mail (the DPO was not alerted)
    expectNothingTwice(j);
    expectNoPersonalData(j, ['Lukas', 'Brenner', SUBJECT, '10-77812', 'Kundenkonto']);
  });
});

const clock = async (j: Journey, caseId: string) => (await getDeadlines(j.desk.deps.database.db, caseId))[0]!;
