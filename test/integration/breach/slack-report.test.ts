/**
 * From Slack: a member without a role reports an incident through the global shortcut (and `/dpo breach`), the
 * DPO is paged by DM and mail, the reporter sees only their reports' number and state; the breach register is
 * uploaded as a file (files.uploadV2) to the DPO or a manager, refused to others.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getRecord } from '../../../src/adapters/db/breach-repository.ts';
import { findCaseBySource } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { sweepReminders } from '../../../src/app/sweep-reminders.ts';
import { REGISTER_COLUMNS } from '../../../src/domain/breach/register.ts';
import { interactiveBody, postSigned } from '../../support/fake-slack.ts';
import { testDatabases } from '../../support/databases.ts';
import {
  answer,
  command,
  deliver,
  expectNoPersonalData,
  openedView,
  PII,
  SECRET,
  startHarness,
  submit,
  USERS,
  type Harness,
} from '../slack/harness.ts';

/** A global shortcut as Slack sends it. */
async function globalShortcut(h: Harness, user: string, callbackId: string) {
  const trigger = `trigger-${randomUUID()}`;
  const payload = {
    type: 'shortcut',
    callback_id: callbackId,
    trigger_id: trigger,
    team: { id: 'T0001' },
    user: { id: user, team_id: 'T0001' },
    api_app_id: 'A0FAKE',
    token: 't',
    action_ts: '1700000000.1',
  };
  const res = await postSigned(h.url, interactiveBody(payload), { secret: SECRET });
  return { ...res, trigger };
}

describe.each(testDatabases())('reporting an incident from Slack on $name', (tdb) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(tdb);
  });
  afterAll(async () => {
    expectNoPersonalData(h.fake);
    await h?.close();
  });
  const db = () => h.desk.deps.database.db;

  it('a member without a role reports through the shortcut; the DPO is paged; the reporter sees number and state only', async () => {
    const s = await globalShortcut(h, USERS.nobody, 'report_incident');
    expect(s.status).toBe(200);
    const view = await openedView(h, s.trigger);
    expect(view.callback_id).toBe('incident_report');
    expect((await submit(h, USERS.nobody, view, { detected_at: '2026-03-06T10:00:00Z' })).ack).toMatchObject({
      response_action: 'errors',
      errors: { what: expect.any(String), detected_at: 'Detection cannot be in the future.' },
    });
    const ok = await submit(h, USERS.nobody, view, {
      what: PII.breach,
      detected_at: '2026-03-05T09:30:00Z',
      data: 'payroll, bank details',
      people: 'about 40',
      contained: 'no',
    });
    expect(ok.ack).toMatchObject({ response_action: 'update' });
    const c = (await findCaseBySource(db(), `slack:view:${view.id}`))!;
    expect(JSON.stringify(ok.ack.view)).toContain(`Your report is *${c.number}* (state: reported)`);
    expect(c).toMatchObject({
      kind: 'breach',
      state: 'reported',
      awareAt: h.clock(),
      governingDueAt: new Date(h.clock().getTime() + 72 * 3_600_000),
    });
    expect(await getRecord(db(), c.id)).toMatchObject({
      facts: {
        description: PII.breach,
        recordCategories: ['payroll', 'bank details'],
        subjectsApprox: 'about 40',
        contained: 'no',
      },
    });
    await submit(h, USERS.nobody, view, { what: PII.breach }); // submitted twice: one case
    expect(await db().selectFrom('cases').select('id').where('kind', '=', 'breach').execute()).toHaveLength(1);

    await sweepReminders(h.desk.deps, h.clock());
    await deliver(h);
    const dm = h.fake.of(
      'chat.postMessage',
      (m) => m.params.channel === 'D0DPO' && JSON.stringify(m.params).includes(c.number),
    );
    expect(dm.length).toBeGreaterThanOrEqual(1);
    // Reminders are grouped per person (no case id on the row): the DPO's page names the case.
    const mail = (await listOutbox(db())).filter(
      (o) => o.channel === 'mail' && o.payload.to === 'dpo@example.com' && JSON.stringify(o.payload).includes(c.number),
    );
    expect(mail.map((m) => m.state)).toEqual(['sent']);
    expect(String(mail[0]!.payload.text)).not.toContain(PII.breach);

    expect(await answer(await command(h, USERS.nobody, 'reports'))).toContain(`${c.number} — reported`);
    expect(await answer(await command(h, USERS.agent, 'reports'))).toContain('You have reported no incidents.');
    const viaCommand = await command(h, USERS.nobody, 'breach');
    expect((await openedView(h, viaCommand.trigger)).callback_id).toBe('incident_report');
    expect((await openedView(h, (await command(h, USERS.dpo, 'breach')).trigger)).callback_id).toBe('breach_report');
  });

  it('the breach register as a file to the DPO or a manager (files.uploadV2), refused to an agent', async () => {
    expect(await answer(await command(h, USERS.manager, 'export register'))).toContain(
      'uploaded to you in a direct message',
    );
    const done = h.fake.of('files.completeUploadExternal');
    expect(done.at(-1)!.params.channel_id).toBe('D0MANAGER');
    const id = done.at(-1)!.params.files[0].id as string;
    const asked = h.fake.of('files.getUploadURLExternal').at(-1)!;
    expect(asked.params.filename).toBe('breach-register-2026-03-05.csv');
    const csv = h.fake.uploads.get(id)!.toString('utf8');
    expect(csv).toContain(Object.keys(REGISTER_COLUMNS).join(','));
    expect(csv).toMatch(/BRE-2026-0001,controller,reported/);
    expect(await answer(await command(h, USERS.agent, 'export register'))).toContain(
      'Not allowed: export needs the role dpo or manager',
    );
    expect(h.fake.of('files.completeUploadExternal')).toHaveLength(done.length);
  });
});
