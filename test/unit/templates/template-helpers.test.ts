import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDuration,
  formatList,
  formatRequestTypes,
} from '../../../src/adapters/templates/template-helpers.ts';

describe('date helper', () => {
  it.each([
    ['en', '7 April 2026'],
    ['de', '7. April 2026'],
    ['fr', '7 avril 2026'],
    ['es', '7 de abril de 2026'],
  ] as const)('formats a date long-form in %s', (lang, expected) => {
    expect(formatDate('2026-04-07', lang)).toBe(expected);
  });

  it('writes the first of the month as an ordinal in French', () => {
    expect(formatDate('2026-03-01', 'fr')).toBe('1er mars 2026');
    expect(formatDate('2026-03-01', 'en')).toBe('1 March 2026');
  });

  it('is a calendar date, independent of the time zone the process runs in', () => {
    const original = process.env.TZ;
    try {
      for (const zone of ['Pacific/Kiritimati', 'America/Adak', 'Europe/Berlin']) {
        process.env.TZ = zone;
        expect(formatDate('2026-03-29', 'de'), zone).toBe('29. März 2026');
        expect(formatDate('2026-12-31', 'es'), zone).toBe('31 de diciembre de 2026');
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  it.each(['2026-02-30', '7 April 2026', '2026-04-07T10:00:00Z', 20260407, undefined])('rejects %s', (value) => {
    expect(() => formatDate(value, 'en')).toThrow(/YYYY-MM-DD/);
  });
});

describe('list helper', () => {
  it.each([
    ['en', 'a, b and c'],
    ['de', 'a, b und c'],
    ['fr', 'a, b et c'],
    ['es', 'a, b y c'],
  ] as const)('joins in %s', (lang, expected) => {
    expect(formatList(['a', 'b', 'c'], lang)).toBe(expected);
  });

  it('handles one and two items', () => {
    expect(formatList(['a'], 'en')).toBe('a');
    expect(formatList(['a', 'b'], 'de')).toBe('a und b');
  });

  it('rejects what is not an array of strings', () => {
    expect(() => formatList('a, b', 'en')).toThrow(/array of strings/);
  });
});

describe('requestTypeName helper', () => {
  it('names one request type in each language', () => {
    expect(formatRequestTypes('erasure', 'en')).toBe('erasure');
    expect(formatRequestTypes('erasure', 'de')).toBe('Löschung');
    expect(formatRequestTypes('erasure', 'fr')).toBe('effacement');
    expect(formatRequestTypes('erasure', 'es')).toBe('supresión');
  });

  it('joins several as a localised list', () => {
    expect(formatRequestTypes(['access', 'portability'], 'de')).toBe('Auskunft und Datenübertragbarkeit');
    expect(formatRequestTypes(['access', 'objection'], 'es')).toBe('acceso y oposición al tratamiento');
  });

  it('rejects an unknown type', () => {
    expect(() => formatRequestTypes('deletion', 'en')).toThrow(/unknown request type "deletion"/);
  });
});

describe('duration helper', () => {
  it('formats months, days and business days', () => {
    expect(formatDuration({ amount: 1, unit: 'months' }, 'en')).toBe('1 month');
    expect(formatDuration({ amount: 45, unit: 'days' }, 'de')).toBe('45 Tage');
    // French puts a no-break space between a number and its unit.
    expect(formatDuration({ amount: 15, unit: 'days' }, 'fr')).toBe('15\u00a0jours');
    expect(formatDuration({ amount: 10, unit: 'business_days' }, 'es')).toBe('10 días hábiles');
    expect(formatDuration({ amount: 1, unit: 'business_days' }, 'de')).toBe('1 Arbeitstag');
  });

  it('rejects a malformed duration', () => {
    expect(() => formatDuration({ amount: 0, unit: 'months' }, 'en')).toThrow(/duration/);
    expect(() => formatDuration({ amount: 2, unit: 'weeks' }, 'en')).toThrow(/duration/);
  });
});
