import { describe, expect, it } from 'vitest';
import { intakeDecision } from '../../../src/domain/intake/intake-decision.ts';
import type { Understanding, UnderstandResult } from '../../../src/domain/intake/understanding.ts';

const BASE: Understanding = {
  messageId: 'm@example.test',
  inReplyTo: null,
  references: [],
  subject: 'Hello',
  from: { email: 'jane@example.test', name: 'Jane' },
  auto: 'human',
  autoReason: null,
  forward: null,
  requester: { email: 'jane@example.test', name: 'Jane', verified: true },
  original: { subject: 'Hello', date: null, text: '', messageId: 'm@example.test' },
  kind: 'request',
  requestTypes: ['access'],
  confidence: 0.8,
  matched: ['access: right of access'],
  language: 'en',
  detectedLanguage: 'en',
  receivedAt: new Date('2026-03-02T09:00:00Z'),
  receiptSource: 'received',
  receiptHeader: null,
  bouncedMessageId: null,
  attachments: [],
};

const ok = (patch: Partial<Understanding>): UnderstandResult => ({ ok: true, value: { ...BASE, ...patch } });

describe('intakeDecision', () => {
  it.each([
    ['a request', ok({}), 'create', null],
    ['a breach report', ok({ kind: 'breach', requestTypes: [] }), 'create', null],
    ['an out-of-office reply', ok({ auto: 'out_of_office', kind: 'other' }), 'ignore', 'out_of_office'],
    ['a bounce', ok({ auto: 'bounce', kind: 'other' }), 'ignore', 'bounce'],
    ['our own loop', ok({ auto: 'own_loop', kind: 'request' }), 'ignore', 'own_loop'],
    ['a list mail', ok({ auto: 'list', kind: 'other' }), 'ignore', 'list'],
    ['an auto-reply', ok({ auto: 'auto_reply', kind: 'other' }), 'ignore', 'auto_reply'],
    ['a breach report with one breach word only', ok({ kind: 'breach', requestTypes: [], confidence: 0.5 }), 'create', 'triage'],
    ['data-protection words without a named right', ok({ kind: 'request', requestTypes: [], confidence: 0.4 }), 'create', 'triage'],
    // A person's mail is never dropped: what we do not understand goes to a person (triage), never to "ignore".
    ['other mail from a stranger', ok({ kind: 'other', requestTypes: [], confidence: 0 }), 'create', 'triage'],
    ['other mail forwarded inline by a colleague', ok({ kind: 'other', requestTypes: [], confidence: 0, forward: { kind: 'inline', forwardedBy: 'sam@example.com' } }), 'create', 'triage'],
    ['other mail redirected', ok({ kind: 'other', requestTypes: [], confidence: 0, forward: { kind: 'redirect', forwardedBy: 'x@example.org' } }), 'create', 'triage'],
    ['a message too large to read', { ok: false, reason: 'too_large', detail: '' } as UnderstandResult, 'quarantine', 'too_large'],
    ['an unparseable message', { ok: false, reason: 'unparseable', detail: '' } as UnderstandResult, 'quarantine', 'unparseable'],
  ] as const)('%s', (_name, result, action, reason) => {
    expect(intakeDecision(result)).toEqual({ action, reason });
  });
});
