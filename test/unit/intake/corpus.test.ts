/**
 * The fixture corpus: every `test/fixtures/mail/NAME.eml` is understood with the corpus policy and compared, field
 * by field, with `NAME.expected.json` (email.md, "Test corpus").
 */
import { describe, expect, it } from 'vitest';
import { understandMessage } from '../../../src/domain/intake/understand-message.ts';
import { DELIVERED_AT, corpusPolicy, fixtureNames, fixtureOutcome, readExpected, readFixture } from './intake-fixtures.ts';

const names = fixtureNames();

describe('intake fixture corpus', () => {
  it('has at least 64 fixtures, each with its expected outcome', () => {
    expect(names.length).toBeGreaterThanOrEqual(64);
    for (const name of names) expect(() => readExpected(name), name).not.toThrow();
  });

  it.each(names)('%s', async (name) => {
    const result = await understandMessage(readFixture(name), corpusPolicy(), DELIVERED_AT);
    expect(fixtureOutcome(result)).toEqual(readExpected(name));
  });
});
