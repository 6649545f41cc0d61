/** Shared test setup for the intake tests: the fixed policy of the fixture corpus and fixture loading. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { intakeDecision } from '../../../src/domain/intake/intake-decision.ts';
import { loadIntakeKeywords } from '../../../src/domain/intake/intake-keywords.ts';
import type { IntakePolicy, UnderstandResult } from '../../../src/domain/intake/understanding.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/mail/', import.meta.url));
const KEYWORDS_FILE = fileURLToPath(new URL('../../../workflows/intake-keywords.yaml', import.meta.url));

/** IMAP INTERNALDATE used for every fixture: only fixtures without a Received header of ours fall back to it. */
export const DELIVERED_AT = new Date('2026-03-10T12:00:00.000Z');

export const KEYWORDS = loadIntakeKeywords(readFileSync(KEYWORDS_FILE, 'utf8'));

export function corpusPolicy(overrides: Partial<IntakePolicy> = {}): IntakePolicy {
  return {
    orgDomains: ['example.com'],
    ownAddresses: ['dpo@example.com', 'privacy@example.com'],
    loopHeader: 'X-DPO-Desk-Loop',
    receivingHosts: ['mx.example.com'],
    defaultLanguage: 'en',
    maxBytes: 10 * 1024 * 1024,
    keywords: KEYWORDS,
    ...overrides,
  };
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.slice(0, -'.eml'.length))
    .sort();
}

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${FIXTURE_DIR}${name}.eml`));
}

export function readExpected(name: string): unknown {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.expected.json`, 'utf8'));
}

/** The outcome of one message in the shape of the `NAME.expected.json` files (see test/fixtures/mail/README.md). */
export function fixtureOutcome(result: UnderstandResult): Record<string, unknown> {
  const decision = intakeDecision(result);
  if (!result.ok) {
    return {
      action: decision.action, auto: null, kind: null, request_types: [], language: null, detected_language: null,
      requester: null, forwarded_by: null, forward_kind: null, received_at: null, received_from: null,
      reason: decision.reason, bounced_message_id: null,
    };
  }
  const u = result.value;
  return {
    action: decision.action,
    auto: u.auto,
    kind: u.kind,
    request_types: u.requestTypes,
    language: u.language,
    detected_language: u.detectedLanguage,
    requester: u.requester,
    forwarded_by: u.forward?.forwardedBy ?? null,
    forward_kind: u.forward?.kind ?? null,
    received_at: u.receivedAt.toISOString(),
    received_from: u.receiptSource,
    reason: decision.reason,
    bounced_message_id: u.bouncedMessageId,
  };
}
