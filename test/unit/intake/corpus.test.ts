/**
 * The fixture corpus: every `test/fixtures/mail/NAME.eml` is understood with the corpus policy and compared, field
 * by field, with `NAME.expected.json` (email.md, "Test corpus").
 */
import { describe, expect, it } from 'vitest';
import { intakeDecision } from '../../../src/domain/intake/intake-decision.ts';
import { understandMessage } from '../../../src/domain/intake/understand-message.ts';
import type { UnderstandResult } from '../../../src/domain/intake/understanding.ts';
import { DELIVERED_AT, corpusPolicy, fixtureNames, readExpected, readFixture } from './intake-fixtures.ts';

/** The outcome in the shape of the expected JSON files. */
function outcomeOf(result: UnderstandResult): Record<string, unknown> {
  const decision = intakeDecision(result);
  if (!result.ok) {
    return {
      action: decision.action, auto: null, kind: null, request_types: [], language: null, requester: null,
      forwarded_by: null, forward_kind: null, received_at: null, reason: decision.reason, bounced_message_id: null,
    };
  }
  const u = result.value;
  return {
    action: decision.action,
    auto: u.auto,
    kind: u.kind,
    request_types: u.requestTypes,
    language: u.language,
    requester: u.requester,
    forwarded_by: u.forward?.forwardedBy ?? null,
    forward_kind: u.forward?.kind ?? null,
    received_at: u.receivedAt.toISOString(),
    reason: decision.reason,
    bounced_message_id: u.bouncedMessageId,
  };
}

const names = fixtureNames();

describe('intake fixture corpus', () => {
  it('has at least 64 fixtures, each with its expected outcome', () => {
    expect(names.length).toBeGreaterThanOrEqual(64);
    for (const name of names) expect(() => readExpected(name), name).not.toThrow();
  });

  it.each(names)('%s', async (name) => {
    const result = await understandMessage(readFixture(name), corpusPolicy(), DELIVERED_AT);
    expect(outcomeOf(result)).toEqual(readExpected(name));
  });
});
