/** Shared test setup for the intake tests: the fixed policy of the fixture corpus and fixture loading. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadIntakeKeywords } from '../../../src/domain/intake/intake-keywords.ts';
import type { IntakePolicy } from '../../../src/domain/intake/understanding.ts';

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
