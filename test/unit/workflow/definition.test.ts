import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkWorkflow } from '../../../src/domain/workflow/definition.ts';

const requestYaml = () => parse(readFileSync(new URL('../../../workflows/request.yaml', import.meta.url), 'utf8'));
const all = () => true;

describe('checkWorkflow names what is wrong', () => {
  it('accepts the shipped definitions', () => {
    expect(checkWorkflow('request.yaml', requestYaml(), all).ok).toBe(true);
    const breach = parse(readFileSync(new URL('../../../workflows/breach.yaml', import.meta.url), 'utf8'));
    expect(checkWorkflow('breach.yaml', breach, all).ok).toBe(true);
  });

  it('reports unknown states, missing templates, late reminders and leaving a final state — all at once', () => {
    const wf = requestYaml();
    wf.initial = 'new';
    wf.transitions[0].to = 'doing';
    const [t, r0] = [wf.transitions.length, wf.reminders.length];
    wf.transitions.push({ on: 'Reopened', from: ['answered'], to: 'in_progress', roles: ['dpo'] });
    wf.reminders.push({ id: 'late', anchor: 'due', at: '+2d', to: ['owner'], states: ['received'] });
    wf.reminders.push({ id: 'ghost', anchor: 'due', at: '-1d', to: ['owner'], states: ['limbo'] });
    const refused = wf.transitions.findIndex((x: { on: string }) => x.on === 'Refused');
    const hasTemplate = (name: string, lang: string) => !(name === 'refusal' && lang === 'fr');
    const r = checkWorkflow('request.yaml', wf, hasTemplate);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(expect.arrayContaining([
      'request.yaml: initial: unknown state "new"',
      'request.yaml: transitions.0 (WorkStarted): unknown state "doing"',
      `request.yaml: transitions.${t} (Reopened): leaves final state "answered"`,
      `request.yaml: reminders.${r0} (late): fires after its deadline; mark it overdue: true or move it before`,
      `request.yaml: reminders.${r0 + 1} (ghost): unknown state "limbo"`,
      `request.yaml: transitions.${refused} (Refused): missing template "refusal" in fr`,
    ]));
    expect(r.errors).toHaveLength(6);
  });

  it('rejects a breach reminder after 72 h unless it is an overdue one, and working days on a breach clock', () => {
    const wf = parse(readFileSync(new URL('../../../workflows/breach.yaml', import.meta.url), 'utf8'));
    wf.reminders.push({ id: 'too-late', anchor: 'aware', at: '+80h', to: ['dpo'], states: ['reported'] });
    wf.reminders.push({ id: 'office-hours', anchor: 'due', at: '-1wd', to: ['dpo'], states: ['reported'] });
    const r = checkWorkflow('breach.yaml', wf, all);
    expect(r.ok ? [] : r.errors).toEqual([
      'breach.yaml: reminders.7 (too-late): fires after its deadline; mark it overdue: true or move it before',
      'breach.yaml: reminders.8 (office-hours): breach clocks count elapsed time, not working days',
    ]);
  });

  it('escalation: only owner reminders escalate; requests count working hours (wh), breaches every hour (h)', () => {
    const request = requestYaml();
    request.reminders.find((r: { id: string }) => r.id === 'dpo-at-deadline').escalate = true;
    request.escalation[0].after = '4h';
    const breach = parse(readFileSync(new URL('../../../workflows/breach.yaml', import.meta.url), 'utf8'));
    breach.escalation[1].after = '2wh';
    expect([checkWorkflow('request.yaml', request, all), checkWorkflow('breach.yaml', breach, all)].flatMap((r) => (r.ok ? [] : r.errors))).toEqual([
      'request.yaml: reminders.5 (dpo-at-deadline): only a reminder to the owner escalates',
      'request.yaml: escalation.0: request escalation counts working hours: write 4wh',
      'breach.yaml: escalation.1: breach clocks count every hour: write 2h',
    ]);
  });

  it('the shipped request workflow escalates only the last reminders before the due date and the overdue one', () => {
    const r = checkWorkflow('request.yaml', requestYaml(), all);
    expect(r.ok && r.workflow.reminders.filter((x) => x.escalate).map((x) => x.id)).toEqual(['owner-2wd', 'owner-1wd', 'overdue-daily']);
  });

  it('reports schema errors with their path', () => {
    const wf = requestYaml();
    wf.transitions[0].roles = ['janitor'];
    wf.reminders[0].at = 'soon';
    const r = checkWorkflow('request.yaml', wf, all);
    expect(r.ok ? [] : r.errors.map((e) => e.split(':').slice(0, 2).join(':'))).toEqual([
      'request.yaml: transitions.0.roles.0', 'request.yaml: reminders.0.at',
    ]);
  });
});

describe('what surfaces need from a definition', () => {
  it('names a select without options, a built-in word, an ambiguous word, a reply without a mail', () => {
    const wf = requestYaml();
    wf.transitions.push({ on: 'Escalated', from: ['received'], roles: ['dpo'], offer: { command: 'take' } });
    wf.transitions.push({ on: 'Poked', from: ['received'], roles: ['dpo'], offer: { command: 'verify', reply: true } });
    wf.transitions.push({
      on: 'Graded', from: ['received'], roles: ['dpo'], offer: { close: true },
      fields: [{ name: 'grade', type: 'select', label: 'Grade' }],
    });
    const r = checkWorkflow('request.yaml', wf, all);
    expect(r.ok ? [] : r.errors).toEqual(expect.arrayContaining([
      expect.stringContaining('"/dpo take" is a built-in word'),
      expect.stringContaining('(Poked): offered in the reply modal but sends no template'),
      expect.stringContaining('"/dpo verify" names several events: IdentityVerified, Poked'),
      expect.stringContaining('(Graded): field "grade" needs options or options_from'),
      expect.stringContaining('(Graded): offered in the close modal but does not end the case'),
    ]));
  });

  it('an obligation needs its prefix, its clock and who opens it; an unknown effect is named', () => {
    const r = checkWorkflow('x.yaml', {
      id: 'x', kind: 'obligation', initial: 'open', states: { open: {}, done: { final: true } },
      transitions: [{ on: 'Done', from: ['open'], to: 'done', roles: ['dpo'], effects: ['teleport'] }],
    }, all);
    expect(r.ok ? [] : r.errors.join('\n')).toMatch(/transitions\.0\.effects\.0/);
    const r2 = checkWorkflow('x.yaml', {
      id: 'x', kind: 'obligation', initial: 'open', states: { open: {}, done: { final: true } },
      transitions: [{ on: 'Done', from: ['open'], to: 'done', roles: ['dpo'] }],
    }, all);
    expect(r2.ok ? [] : r2.errors).toEqual([
      'x.yaml: prefix: an obligation workflow needs its case-number prefix',
      'x.yaml: clock: an obligation workflow needs its clock',
      'x.yaml: open: an obligation workflow needs who may open it',
    ]);
  });
});
