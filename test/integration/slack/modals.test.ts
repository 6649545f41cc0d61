/**
 * The modals: new request, breach report, extend (reasons required; refused after the first month, reason shown),
 * close (outcome required), reply (template and language, preview by the real renderer, sent through the outbox).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { findCaseByNumber, findCaseBySource, getPrivate, listCases } from '../../../src/adapters/db/case-repository.ts';
import { testDatabases } from '../../support/databases.ts';
import {
  click, command, deliver, expectNoPersonalData, mailsTo, openedView, PII, seedRequest, startHarness, submit, threadTs,
  TRIAGE, USERS, type Harness,
} from './harness.ts';

describe('Slack modals', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });

  const db = () => h.desk.deps.database.db;
  const auditTypes = async (caseId: string) => {
    const out: { type: string; actor: string; data: Record<string, unknown> }[] = [];
    for await (const e of readAudit(db(), 1000, caseId)) out.push(e);
    return out;
  };

  it('new request: validated, opens one case with its private data apart, and posts a PII-free triage message', async () => {
    const r = await command(h, USERS.agent, 'new');
    const view = await openedView(h, r.trigger);
    expect(view.callback_id).toBe('new_request');
    const bad = await submit(h, USERS.agent, view, { received_at: '2026-04-01T10:00:00Z' });
    expect(bad.ack).toMatchObject({ response_action: 'errors', errors: { types: expect.any(String), received_at: 'The receipt cannot be in the future.' } });
    const values = {
      types: ['access', 'erasure'], regimes: ['gdpr'], received_at: '2026-03-04T15:30:00Z', received_via: 'letter',
      requester_name: PII.name, requester_email: PII.email, requester_address: PII.address, language: 'de', notes: PII.content,
    };
    const ok = await submit(h, USERS.agent, view, values);
    expect(ok).toMatchObject({ status: 200, ack: {} });
    const c = (await vi.waitFor(async () => (await findCaseBySource(db(), `slack:view:${view.id}`))!))!;
    expect(c).toMatchObject({ kind: 'request', requestTypes: ['access', 'erasure'], regimes: ['gdpr'], language: 'de', channel: 'slack', receivedDate: '2026-03-04' });
    expect(await getPrivate(db(), c.id)).toMatchObject({ requesterName: PII.name, requesterEmail: PII.email, requesterAddress: PII.address, content: PII.content, requesterVerified: true });
    expect((await auditTypes(c.id)).find((e) => e.type === 'IntakeRecorded')).toMatchObject({ actor: USERS.agent, data: { receivedVia: 'letter' } });
    await vi.waitFor(() => expect(h.fake.of('chat.postEphemeral', (m) => String(m.params.text).includes(c.number))).toHaveLength(1));
    // Submitted again (a double click): still one case.
    await submit(h, USERS.agent, view, values);
    expect((await listCases(db())).filter((x) => x.sourceKey === `slack:view:${view.id}`)).toHaveLength(1);

    await deliver(h);
    const parent = h.fake.of('chat.postMessage', (m) => m.params.channel === TRIAGE && !m.params.thread_ts && JSON.stringify(m.params).includes(c.number));
    expect(parent).toHaveLength(1);
    const text = JSON.stringify(parent[0]!.params.blocks);
    for (const fact of [c.number, 'Request: access, erasure', 'gdpr', 'due 2026-04-07', 'received', 'unassigned']) expect(text).toContain(fact);
    for (const b of ['case_take', 'case_reply', 'ExtensionRequested', 'case_escalate', 'case_close']) expect(text).toContain(b);
  });

  it('breach report: the 72-hour clock from awareness, the Art. 33 facts in the register, the description private', async () => {
    const view = await openedView(h, (await command(h, USERS.dpo, 'breach')).trigger);
    const missing = await submit(h, USERS.dpo, view, {});
    expect(missing.ack.errors).toMatchObject({ description: expect.any(String), data_categories: expect.any(String) });
    await submit(h, USERS.dpo, view, {
      detected_at: '2026-03-04T20:00:00Z', aware_at: '2026-03-05T07:15:00Z', description: PII.breach, data_categories: 'payroll, bank details',
      people: '120', records: '1300', systems: 'HR laptop', processor: 'yes', processor_name: 'PayCo GmbH',
    });
    const c = (await vi.waitFor(async () => (await findCaseBySource(db(), `slack:view:${view.id}`))!))!;
    expect(c.kind).toBe('breach');
    expect(c.governingDueAt!.toISOString()).toBe('2026-03-08T07:15:00.000Z');
    expect((await getPrivate(db(), c.id))!.content).toContain(PII.breach);
    expect((await auditTypes(c.id)).find((e) => e.type === 'IntakeRecorded')!.data).toMatchObject({
      dataCategories: ['payroll', 'bank details'], people: 120, records: 1300, processor: 'yes', processorName: 'PayCo GmbH',
    });
  });

  it('extend: reasons required; accepted in the first month; refused after it with the reason shown', async () => {
    const c = await seedRequest(h);
    const view = await openedView(h, (await command(h, USERS.dpo, `extend ${c.number}`)).trigger);
    expect(JSON.stringify(view.blocks)).toContain('extended to 2026-06-05');
    expect((await submit(h, USERS.dpo, view, {})).ack).toMatchObject({ response_action: 'errors', errors: { reasons: expect.stringContaining('needs reasons') } });
    expect(view.callback_id).toBe('case_event');
    const ok = await submit(h, USERS.dpo, view, { reasons: 'Twelve years of archived records to review.' });
    expect(ok.ack.response_action).toBe('update');
    expect((await findCaseByNumber(db(), c.number))!.extension).toMatchObject({ reasons: 'Twelve years of archived records to review.', sentOn: null });
    expect((await mailsTo(h, c.id)).map((m) => m.kind)).toContain('extension-notice');
    await deliver(h);
    expect((await findCaseByNumber(db(), c.number))!.extension!.sentOn).toBe('2026-03-05');

    const late = await seedRequest(h, { receivedAt: '2026-01-20T09:00:00Z' });
    const lateView = await openedView(h, (await command(h, USERS.dpo, `extend ${late.number}`)).trigger);
    const refused = await submit(h, USERS.dpo, lateView, { reasons: 'Complex request.' });
    expect(refused.ack).toMatchObject({ response_action: 'errors', errors: { reasons: expect.stringMatching(/after the original deadline 2026-02-20: too late to extend/) } });
    expect((await findCaseByNumber(db(), late.number))!.extension).toBeNull();
  });

  it('close: outcome required; the parent becomes a stub; a refusal needs the DPO and mails the refusal', async () => {
    const c = await seedRequest(h, { owner: USERS.agent });
    await deliver(h);
    const view = await openedView(h, (await command(h, USERS.agent, `close ${c.number}`)).trigger);
    const options = view.blocks.find((b: any) => b.block_id === 'resolution').element.options.map((o: any) => o.value);
    expect(options).toEqual(['Withdrawn']);
    expect((await submit(h, USERS.agent, view, { resolution: 'Withdrawn' })).ack.errors).toMatchObject({ outcome: expect.stringContaining('needs outcome') });
    expect((await submit(h, USERS.agent, view, { resolution: 'Withdrawn', outcome: 'withdrawn by phone' })).ack.response_action).toBe('update');
    expect((await findCaseByNumber(db(), c.number))!).toMatchObject({ state: 'withdrawn', outcome: 'withdrawn by phone' });
    await deliver(h);
    const ts = await threadTs(h, c.id);
    const stub = h.fake.of('chat.update', (m) => m.params.ts === ts).at(-1)!;
    expect(stub.params.text).toBe(`${c.number} · closed (withdrawn)`);
    expect(JSON.stringify(stub.params.blocks)).not.toContain('case_take');
    expect(JSON.stringify(stub.params)).not.toContain('withdrawn by phone');

    const r = await seedRequest(h);
    const dpoView = await openedView(h, (await command(h, USERS.dpo, `close ${r.number}`)).trigger);
    const noAuthority = await submit(h, USERS.dpo, dpoView, { resolution: 'Refused', reasons: 'Manifestly unfounded: sixth identical request.' });
    expect(noAuthority.ack.errors['authority.name']).toMatch(/Refuse/);
    await submit(h, USERS.dpo, dpoView, {
      resolution: 'Refused', reasons: 'Manifestly unfounded: sixth identical request.', 'authority.name': 'Example DPA', 'authority.url': 'https://dpa.example.test/complaints',
    });
    expect((await findCaseByNumber(db(), r.number))!.state).toBe('refused');
    expect((await mailsTo(h, r.id)).map((m) => m.kind)).toContain('refusal');
  });

  it('reply: template and language picker, preview by the real renderer, one mail through the outbox', async () => {
    const c = await seedRequest(h, { owner: USERS.agent });
    const r = await click(h, USERS.agent, 'case_reply', c.number);
    const compose = await openedView(h, r.trigger);
    const templates = compose.blocks.find((b: any) => b.block_id === 'template').element.options.map((o: any) => o.value);
    expect(templates).toEqual(['IdentityRequested', 'ClarificationRequested', 'AcknowledgementResent']);
    // Picking a template redraws the modal with that template's skeleton.
    await click(h, USERS.agent, 'reply_template', '', { view: compose, selected: 'IdentityRequested' });
    await vi.waitFor(() => expect(h.fake.of('views.update', (u) => u.params.view_id === compose.id)).toHaveLength(1));
    const redrawn = h.fake.of('views.update', (u) => u.params.view_id === compose.id)[0]!.params.view;
    expect(JSON.stringify(redrawn)).toContain('proofNeeded');
    const view = { ...redrawn, id: compose.id, root_view_id: compose.id };

    const invalid = await submit(h, USERS.agent, view, { reply_template: 'IdentityRequested', language: 'de', details: 'identity:\n  reason: ""\n' });
    expect(invalid.ack).toMatchObject({ response_action: 'errors', errors: { 'details:IdentityRequested': expect.stringContaining('identity-request') } });
    const details = 'identity:\n  reason: Die Anfrage kam von einer unbekannten Adresse.\n  proofNeeded:\n    - Kundennummer\n';
    const preview = await submit(h, USERS.agent, view, { reply_template: 'IdentityRequested', language: 'de', details });
    expect(preview.ack.response_action).toBe('push');
    const shown = JSON.stringify(preview.ack.view);
    expect(shown).toContain(c.number);
    expect(shown).toContain('Kundennummer');
    expect(shown).toMatch(/Identität|Sehr geehrte/);
    expect(shown).toContain(PII.email);
    expect((await auditTypes(c.id)).some((e) => e.type === 'ReplyDrafted' && e.actor === USERS.agent)).toBe(true);

    const previewView = { ...preview.ack.view, id: 'V-preview-1', root_view_id: compose.id };
    const sent = await submit(h, USERS.agent, previewView, {});
    expect(sent.ack).toEqual({ response_action: 'clear' });
    const again = await submit(h, USERS.agent, previewView, {});
    expect(again.ack).toEqual({ response_action: 'clear' });
    const after = (await findCaseByNumber(db(), c.number))!;
    expect(after).toMatchObject({ state: 'identity_pending', language: 'de' });
    const mails = (await mailsTo(h, c.id)).filter((m) => m.kind === 'identity-request');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.payload).toMatchObject({ to: PII.email, subject: expect.stringContaining(c.number) });
    expect(String(mails[0]!.payload.text)).toContain('Kundennummer');
    await deliver(h);
    expect((await mailsTo(h, c.id)).filter((m) => m.kind === 'identity-request').map((m) => m.state)).toEqual(['sent']);
  });
});
