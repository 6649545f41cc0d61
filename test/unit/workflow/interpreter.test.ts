/**
 * Every state × event of both workflows: the expected matrix is written here as the policy reads, independently
 * of the YAML, so an edit of a definition that changes behaviour fails this table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflowSchema, type WorkflowDefinition } from '../../../src/domain/workflow/definition.ts';
import { allowedEvents, applyEvent } from '../../../src/domain/workflow/interpreter.ts';

const load = (f: string): WorkflowDefinition =>
  workflowSchema.parse(parse(readFileSync(new URL(`../../../workflows/${f}`, import.meta.url), 'utf8')));
const request = load('request.yaml');
const breach = load('breach.yaml');

/** event → [from states] → to (undefined = stays), roles, required fields */
const REQUEST_POLICY: Record<string, { from: string[]; to?: string; roles: string[]; requires?: string[] }> = {
  WorkStarted: { from: ['received'], to: 'in_progress', roles: ['agent', 'dpo'] },
  IdentityRequested: { from: ['received', 'in_progress'], to: 'identity_pending', roles: ['agent', 'dpo'] },
  ClarificationRequested: { from: ['received', 'in_progress'], to: 'clarification_pending', roles: ['agent', 'dpo'] },
  SubjectReplied: { from: ['identity_pending', 'clarification_pending'], to: 'in_progress', roles: ['system', 'agent', 'dpo'] },
  IdentityVerified: { from: ['received', 'identity_pending', 'in_progress'], to: 'in_progress', roles: ['agent', 'dpo'] },
  ExtensionRequested: { from: ['received', 'identity_pending', 'clarification_pending', 'in_progress'], roles: ['dpo'], requires: ['reasons'] },
  Answered: { from: ['in_progress'], to: 'answered', roles: ['agent', 'dpo'] },
  AnswerRecorded: { from: ['in_progress'], to: 'answered', roles: ['agent', 'dpo'], requires: ['outcome'] },
  Refused: {
    from: ['received', 'identity_pending', 'clarification_pending', 'in_progress'], to: 'refused', roles: ['dpo'],
    requires: ['reasons', 'authority.name', 'authority.url'],
  },
  Withdrawn: { from: ['received', 'identity_pending', 'clarification_pending', 'in_progress'], to: 'withdrawn', roles: ['agent', 'dpo', 'system'], requires: ['outcome'] },
  AcknowledgementResent: { from: ['received', 'identity_pending', 'clarification_pending', 'in_progress'], roles: ['agent', 'dpo'] },
  Classified: { from: ['triage'], to: 'received', roles: ['agent', 'dpo'], requires: ['types'] },
  NotARequest: { from: ['triage'], to: 'not_a_request', roles: ['agent', 'dpo'], requires: ['reasons'] },
  BreachReported: { from: ['triage'], to: 'became_breach', roles: ['agent', 'dpo'] },
};
const BREACH_POLICY: typeof REQUEST_POLICY = {
  Assessed: { from: ['reported', 'assessed'], to: 'assessed', roles: ['dpo'], requires: ['risk', 'reasons'] },
  AuthorityNotified: { from: ['reported', 'assessed', 'notified'], to: 'notified', roles: ['dpo'], requires: ['phase'] },
  // issue 10: each linked customer is alerted (phases numbered by the desk); the people's list may be imported before
  CustomerNotified: { from: ['reported', 'assessed', 'notified'], to: 'notified', roles: ['dpo'] },
  SubjectsNotificationDecided: { from: ['assessed', 'notified'], roles: ['dpo'], requires: ['decision', 'reasons'] },
  SubjectsNotified: { from: ['assessed', 'notified'], to: 'notified', roles: ['dpo'] },
  NotABreach: { from: ['reported', 'assessed'], to: 'not_notifiable', roles: ['dpo'], requires: ['reasons'] },
  NotNotifiable: { from: ['reported', 'assessed'], to: 'not_notifiable', roles: ['dpo'], requires: ['reasons'] },
  Closed: { from: ['notified', 'not_notifiable'], to: 'closed', roles: ['dpo'], requires: ['outcome'] },
};
const ROLES = ['agent', 'dpo', 'manager', 'system'] as const;

function matrix(wf: WorkflowDefinition, policy: typeof REQUEST_POLICY) {
  const rows: [string, string, (typeof ROLES)[number]][] = [];
  for (const state of Object.keys(wf.states)) for (const ev of Object.keys(policy)) for (const role of ROLES) rows.push([state, ev, role]);
  return rows;
}

function check(wf: WorkflowDefinition, policy: typeof REQUEST_POLICY, state: string, ev: string, role: (typeof ROLES)[number]) {
  const p = policy[ev]!;
  const t = wf.transitions.find((x) => x.on === ev)!;
  expect(t.fields.filter((f) => f.required).map((f) => f.name).sort()).toEqual([...(p.requires ?? [])].sort());
  const sample: Record<string, string> = { risk: 'high', phase: 'initial', decision: 'communicate', 'authority.url': 'https://dpa.example.test' };
  const fields = Object.fromEntries((p.requires ?? []).map((f) => [f, sample[f] ?? 'given']));
  const r = applyEvent(wf, state, { type: ev, role, fields }, ['access']);
  const expected = wf.states[state]!.final ? 'CASE_CLOSED'
    : !p.from.includes(state) ? 'NOT_FROM_STATE'
      : !p.roles.includes(role) ? 'ROLE_NOT_PERMITTED' : 'ok';
  if (expected === 'ok') {
    expect(r).toMatchObject({ ok: true, from: state, to: p.to ?? state });
  } else {
    expect(r).toMatchObject({ ok: false, code: expected });
  }
}

describe('request workflow: every state × event × role', () => {
  it.each(matrix(request, REQUEST_POLICY))('%s + %s by %s', (s, e, r) => check(request, REQUEST_POLICY, s, e, r));
  it('defines exactly the events of the policy', () => {
    expect([...new Set(request.transitions.map((t) => t.on))].sort()).toEqual(Object.keys(REQUEST_POLICY).sort());
  });
});

describe('breach workflow: every state × event × role', () => {
  it.each(matrix(breach, BREACH_POLICY))('%s + %s by %s', (s, e, r) => check(breach, BREACH_POLICY, s, e, r));
  it('defines exactly the events of the policy', () => {
    expect([...new Set(breach.transitions.map((t) => t.on))].sort()).toEqual(Object.keys(BREACH_POLICY).sort());
  });
});

describe('effects and refusals', () => {
  it('pauses the clock entering identity_pending and resumes it on the reply', () => {
    const ask = applyEvent(request, 'received', { type: 'IdentityRequested', role: 'agent' });
    expect(ask).toMatchObject({ ok: true, clock: { action: 'pause', reason: 'identity' }, templates: ['identity-request'] });
    const reply = applyEvent(request, 'identity_pending', { type: 'SubjectReplied', role: 'system' });
    expect(reply).toMatchObject({ ok: true, to: 'in_progress', clock: { action: 'resume' } });
  });

  it('expands the answer template per request type and marks the final state', () => {
    const r = applyEvent(request, 'in_progress', { type: 'Answered', role: 'agent', fields: { outcome: 'sent' } }, ['access', 'automated_decision']);
    expect(r).toMatchObject({ ok: true, final: true, templates: ['answer-access', 'answer-automated-decision'] });
  });

  it('names missing required fields and unknown events', () => {
    expect(applyEvent(request, 'in_progress', { type: 'Refused', role: 'dpo', fields: { reasons: ' ' } }))
      .toMatchObject({ ok: false, code: 'FIELD_REQUIRED', message: 'Refused needs: reasons, authority.name, authority.url.' });
    expect(applyEvent(breach, 'reported', { type: 'Assessed', role: 'dpo', fields: { risk: 'huge', reasons: 'x' } }))
      .toMatchObject({ ok: false, code: 'FIELD_INVALID', message: 'Assessed: risk must be none, risk, high (got huge).' });
    expect(applyEvent(request, 'received', { type: 'Teleported', role: 'dpo' })).toMatchObject({ ok: false, code: 'UNKNOWN_EVENT' });
  });

  it('lists the events a role may take', () => {
    expect(allowedEvents(request, 'received', 'agent').sort()).toEqual(
      ['AcknowledgementResent', 'ClarificationRequested', 'IdentityRequested', 'IdentityVerified', 'WorkStarted', 'Withdrawn'].sort());
    expect(allowedEvents(request, 'answered', 'dpo')).toEqual([]);
    expect(allowedEvents(breach, 'reported', 'manager')).toEqual([]);
  });
});
