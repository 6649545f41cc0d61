import { describe, expect, it } from 'vitest';
import { classifySignals, type AutoClass } from '../../../src/domain/intake/auto-class.ts';

const POLICY = { loopHeader: 'X-DPO-Desk-Loop', ownAddresses: ['dpo@example.com', 'privacy@example.com'] };

function signals(headers: Record<string, string>, from: string | null = 'jane@example.test', subject = 'Hello') {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (name: string) => lower[name.toLowerCase()] ?? null, from, subject };
}

type Row = [string, Record<string, string>, string | null, string, AutoClass, string | null];

// name, headers, from, subject, expected class, expected reason
const TABLE: Row[] = [
  ['plain mail', {}, 'jane@example.test', 'Copy of my data', 'human', null],
  ['X-Auto-Response-Suppress alone is not auto', { 'X-Auto-Response-Suppress': 'All' }, 'jane@example.test', 'Hi', 'human', null],
  ['Auto-Submitted: no', { 'Auto-Submitted': 'no' }, 'jane@example.test', 'Hi', 'human', null],
  ['RFC 3834 auto-replied', { 'Auto-Submitted': 'auto-replied' }, 'jane@example.test', 'Re: x', 'auto_reply', 'Auto-Submitted: auto-replied'],
  ['RFC 3834 auto-generated with parameter', { 'Auto-Submitted': 'auto-generated; owner-email="x@example.test"' }, 'a@example.test', 'x', 'auto_reply', 'Auto-Submitted: auto-generated; owner-email="x@example.test"'],
  ['X-Autoreply', { 'X-Autoreply': 'yes' }, 'a@example.test', 'Thanks', 'auto_reply', 'X-Autoreply: yes'],
  ['X-Autorespond', { 'X-Autorespond': 'Received' }, 'a@example.test', 'Thanks', 'auto_reply', 'X-Autorespond: Received'],
  ['Exchange inbox rule', { 'X-MS-Exchange-Inbox-Rules-Loop': 'a@example.org' }, 'a@example.org', 'RE: x', 'auto_reply', 'X-MS-Exchange-Inbox-Rules-Loop: a@example.org'],
  ['null Return-Path alone', { 'Return-Path': '<>' }, 'a@example.test', 'Notice', 'auto_reply', 'Return-Path: <>'],
  ['read receipt', { 'Content-Type': 'multipart/report; report-type=disposition-notification; boundary="b"' }, 'a@example.test', 'Read: x', 'auto_reply', 'Content-Type: multipart/report; report-type=disposition-notification'],
  ['Exchange out of office', { 'Auto-Submitted': 'auto-generated' }, 'a@example.test', 'Automatic reply: Your request', 'out_of_office', 'Subject: Automatic reply: Your request'],
  ['German Outlook out of office', {}, 'a@example.test', 'Automatische Antwort: Ihre Anfrage', 'out_of_office', 'Subject: Automatische Antwort: Ihre Anfrage'],
  ['Abwesenheitsnotiz', {}, 'a@example.test', 'Abwesenheitsnotiz: Ihre Anfrage', 'out_of_office', 'Subject: Abwesenheitsnotiz: Ihre Anfrage'],
  ['French out of office', {}, 'a@example.test', 'Réponse automatique : Votre demande', 'out_of_office', 'Subject: Réponse automatique : Votre demande'],
  ['Spanish out of office', {}, 'a@example.test', 'Respuesta automática: Su solicitud', 'out_of_office', 'Subject: Respuesta automática: Su solicitud'],
  ['Gmail vacation subject', { 'Auto-Submitted': 'auto-replied' }, 'a@example.test', 'Out of Office until 16 March', 'out_of_office', 'Subject: Out of Office until 16 March'],
  ['"Abwesenheit" alone is a person\'s word', {}, 'a@example.test', 'Abwesenheit meines Sohnes - Löschung', 'human', null],
  ['a person writing about an absence stays human', {}, 'a@example.test', 'Re: out of office next week?', 'human', null],
  ['DSN', { 'Content-Type': 'multipart/report; report-type="delivery-status"; boundary="x"', 'Auto-Submitted': 'auto-replied' }, 'mailer-daemon@mx.example.com', 'Undelivered', 'bounce', 'Content-Type: multipart/report; report-type=delivery-status'],
  ['Exim bounce', { 'X-Failed-Recipients': 'x@example.test' }, 'mailer-daemon@mail.example.test', 'Mail delivery failed', 'bounce', 'X-Failed-Recipients: x@example.test'],
  ['MAILER-DAEMON without DSN', {}, 'mailer-daemon@mail.example.test', 'failure', 'bounce', 'From: mailer-daemon@mail.example.test'],
  ['postmaster with null sender', { 'Return-Path': '<>' }, 'postmaster@example.org', 'failure', 'bounce', 'From: postmaster@example.org, Return-Path: <>'],
  ['postmaster writing by hand', { 'Return-Path': '<postmaster@example.org>' }, 'postmaster@example.org', 'Your server', 'human', null],
  ['List-Id', { 'List-Id': 'News <news.example.org>' }, 'news@example.org', 'Issue 1', 'list', 'List-Id: News <news.example.org>'],
  ['List-Unsubscribe', { 'List-Unsubscribe': '<mailto:u@example.org>' }, 'news@example.org', 'Issue 1', 'list', 'List-Unsubscribe: <mailto:u@example.org>'],
  ['Precedence bulk', { Precedence: 'bulk' }, 'offers@example.test', 'Offers', 'list', 'Precedence: bulk'],
  ['Precedence junk', { Precedence: 'junk' }, 'offers@example.test', 'Offers', 'list', 'Precedence: junk'],
  ['Precedence list', { Precedence: 'list' }, 'offers@example.test', 'Offers', 'list', 'Precedence: list'],
  ['Precedence first-class is not bulk', { Precedence: 'first-class' }, 'a@example.test', 'Hi', 'human', null],
  ['our loop header wins over everything', { 'X-DPO-Desk-Loop': 'DSR-1', 'Content-Type': 'multipart/report; report-type=delivery-status' }, 'mailer-daemon@example.org', 'x', 'own_loop', 'X-DPO-Desk-Loop: DSR-1'],
  ['from our own address', {}, 'privacy@example.com', 'Test', 'own_loop', 'From: privacy@example.com (own address)'],
];

describe('classifySignals (RFC 3834, RFC 3464, list and loop markers)', () => {
  it.each(TABLE)('%s', (_name, headers, from, subject, auto, reason) => {
    expect(classifySignals(signals(headers, from, subject), POLICY)).toEqual({ auto, reason });
  });

  it('keeps reasons on one line and short', () => {
    const verdict = classifySignals(signals({ 'Auto-Submitted': `auto-replied\r\n${'x'.repeat(300)}` }), POLICY);
    expect(verdict.reason).not.toMatch(/[\r\n]/);
    expect(verdict.reason!.length).toBeLessThanOrEqual(160);
  });
});
