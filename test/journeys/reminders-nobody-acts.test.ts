/**
 * Journey (issue 9, item 7): a request arrives by mail, an agent takes it, and then nobody acts. The scheduler's
 * sweep runs at each planned instant: the owner's reminders are DMs naming the clock and its date; the last ones
 * before the due date escalate after working hours (triage, DPO, managers) when nobody acknowledges; once overdue,
 * the owner and the DPO hear of it daily. What each person receives, when, and nothing twice. SQLite and PostgreSQL.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDatabases } from '../support/databases.ts';
import { nextFireAt } from '../support/scenario.ts';
import {
  answer, casesOpened, command, dmsTo, dovecot, DPO_EMAIL, expectNothingTwice, mailIn, mailsTo, MANAGERS,
  MANAGERS_EMAIL, personMail, postsIn, settled, startJourney, sweepAt, textOf, TRIAGE, USERS, type Journey,
} from './request-harness.ts';

/** Internal rule ids and escalation steps: never in what a person reads. */
const INTERNAL = /\b(owner|dpo)-\d+wd\b|overdue-daily|extend-or-not|dpo-at-deadline|>(triage|dpo|managers)/;

describe.skipIf(!dovecot).each(testDatabases())('nobody acts on a request, on $name', (tdb) => {
  let j: Journey;
  beforeEach(async () => { j = await startJourney(tdb, '2026-02-10T08:35:00Z'); });
  afterEach(async () => { await j.close(); });

  it('reminders name the clock, escalate at the working-hour offsets, then overdue daily', async () => {
    await mailIn(j, personMail({
      from: 'noah.fischer@example.test', name: 'Noah Fischer', subject: 'Access request under Article 15 GDPR',
      at: '2026-02-10T08:30:00Z', body: 'Hello,\n\nplease send me a copy of all personal data you hold about me '
        + '(Article 15 GDPR).\n\nRegards\nNoah Fischer',
    }));
    const [c] = await casesOpened(j, 1);
    const n = c!.number;
    await settled(j);
    expect(await answer(await command(j, USERS.agent, `take ${n}`))).toContain(`${n} is yours`);
    await settled(j);
    expect(c).toMatchObject({ governingDueAt: new Date('2026-03-10T23:00:00Z') }); // due Tuesday 10 March
    const seen = { dm: 0, dpo: 0, triage: postsIn(j, TRIAGE).length, managers: 0, mail: j.sink.messages.length };
    const log: { at: string; who: string; text: string }[] = [];
    // The scheduler's sweep at every planned instant until Friday 13 March; nobody acknowledges anything
    for (let guard = 0; guard < 100; guard++) {
      const next = await nextFireAt(j.desk);
      if (!next || next.getTime() > Date.parse('2026-03-13T12:00:00Z')) break;
      await sweepAt(j, new Date(Math.max(next.getTime(), j.clock().getTime())).toISOString());
      const at = j.clock().toISOString().slice(0, 16);
      const slack = (who: string, xs: { params: Record<string, any> }[]) => xs.forEach((m) => log.push({
        at, who, text: String(m.params.text).replace(':alarm_clock: Reminder\n', ''),
      }));
      slack('owner DM', dmsTo(j, USERS.agent).slice(seen.dm));
      slack('DPO DM', dmsTo(j, USERS.dpo).slice(seen.dpo));
      slack('triage', postsIn(j, TRIAGE).slice(seen.triage));
      slack('managers', postsIn(j, MANAGERS).slice(seen.managers));
      for (const m of j.sink.messages.slice(seen.mail)) log.push({ at, who: `mail ${m.envelope.to}`, text: textOf(m) });
      Object.assign(seen, {
        dm: dmsTo(j, USERS.agent).length, dpo: dmsTo(j, USERS.dpo).length, triage: postsIn(j, TRIAGE).length,
        managers: postsIn(j, MANAGERS).length, mail: j.sink.messages.length,
      });
    }
    const when = log.map((e) => `${e.at} ${e.who}`).sort();
    const dpoMail = `mail ${DPO_EMAIL}`;
    const bossMail = `mail ${MANAGERS_EMAIL}`;
    const at = (t: string, ...who: string[]) => who.map((w) => `2026-${t} ${w}`);
    expect(when).toEqual([ // when (UTC) who heard of it
      ...at('02-24T08:00', 'owner DM'), // 10 working days before (09:00 Berlin): the owner only, no escalation
      ...at('03-03T08:00', 'DPO DM', 'mail dpo@example.com', 'owner DM'), // 5 working days; extend or not
      ...at('03-06T08:00', 'owner DM'), // Friday, 2 working days before: escalates when nobody acknowledges…
      ...at('03-06T12:00', 'triage'), // …after 4 working hours (13:00)
      ...at('03-06T16:00', 'DPO DM', dpoMail), // …after 8 (17:00)
      ...at('03-09T08:00', 'owner DM'), // Monday, 1 working day before
      ...at('03-09T12:00', 'triage'),
      // Friday's after 16 working hours; Monday's after 8
      ...at('03-09T16:00', 'DPO DM', dpoMail, bossMail, 'managers'),
      ...at('03-10T08:00', 'DPO DM', dpoMail), // the due date, to the DPO
      ...at('03-10T16:00', bossMail, 'managers'), // Monday's after 16 working hours
      ...at('03-11T08:00', 'DPO DM', dpoMail, 'owner DM'), // overdue, daily, to the owner and the DPO
      ...at('03-11T12:00', 'triage'),
      ...at('03-11T16:00', 'DPO DM', dpoMail),
      ...at('03-12T08:00', 'DPO DM', dpoMail, 'owner DM'),
      ...at('03-12T12:00', 'triage'),
      ...at('03-12T16:00', 'DPO DM', dpoMail, bossMail, 'managers'),
      ...at('03-13T08:00', 'DPO DM', dpoMail, 'owner DM'),
      ...at('03-13T12:00', 'triage'),
    ]);
    const said = (t: string, who: string) => log.filter((e) => `${e.at} ${e.who}` === `2026-${t} ${who}`)
      .map((e) => e.text);
    expect(said('02-24T08:00', 'owner DM')).toEqual([
      `${n} · GDPR one month: due Tue 10 Mar 2026 — The answer to the data subject is due in 10 working days.`,
    ]);
    expect(said('03-06T12:00', 'triage')).toEqual([`${n} · GDPR one month: due Tue 10 Mar 2026 — The answer to the `
      + 'data subject is due in 2 working days. Nobody has acknowledged the reminder yet.']);
    expect(said('03-10T08:00', dpoMail)[0]).toContain(`- ${n} · GDPR one month: due Tue 10 Mar 2026\n`
      + '  The answer to the data subject is due today.');
    expect(said('03-12T08:00', 'owner DM')).toEqual([`${n} · GDPR one month: overdue — was due Tue 10 Mar 2026 — `
      + 'The answer to the data subject is overdue by 2 days (due Tue 10 Mar 2026). Answer now or tell the DPO.']);
    for (const e of log) {
      expect(e.text).not.toMatch(INTERNAL);
      expect(e.text).not.toMatch(/Noah|Fischer|example\.test/); // nobody's reminder names the data subject
    }
    expectNothingTwice(j);
  });
});
