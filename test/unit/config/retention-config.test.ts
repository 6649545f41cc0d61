/** Retention keys (gdpr-rules §7): documented defaults, and never below 24 months of facts with ccpa. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.ts';

const noFiles = { readFile: (p: string): string => { throw new Error(`no file ${p}`); } };
const minimal = { ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com' };

describe('retention configuration', () => {
  it('defaults to 90 days of content, 36 months of facts, 5 years of breach entries, a purge at 03:30', () => {
    const r = parseConfig(minimal, noFiles);
    expect(r.ok && r.config.retention)
      .toEqual({ contentDays: 90, factsMonths: 36, breachYears: 5, purgeTime: '03:30' });
  });

  it('refuses fewer than 24 months of case facts when ccpa is enabled, and says why', () => {
    const r = parseConfig({ ...minimal, ORG_REGIMES: 'gdpr,ccpa', RETENTION_FACTS_MONTHS: '12' }, noFiles);
    expect(r).toEqual({
      ok: false,
      errors: [
        'RETENTION_FACTS_MONTHS: at least 24 when ORG_REGIMES includes ccpa (CCPA keeps request records 24 months)',
      ],
    });
    expect(parseConfig({ ...minimal, ORG_REGIMES: 'gdpr,ccpa', RETENTION_FACTS_MONTHS: '24' }, noFiles).ok).toBe(true);
    expect(parseConfig({ ...minimal, RETENTION_FACTS_MONTHS: '12' }, noFiles).ok).toBe(true);
  });

  it('names bad values', () => {
    const bad = { RETENTION_CONTENT_DAYS: 'ninety', RETENTION_BREACH_YEARS: '0', PURGE_TIME: '3am' };
    const r = parseConfig({ ...minimal, ...bad }, noFiles);
    expect(r.ok ? [] : r.errors).toEqual([
      'PURGE_TIME: expected HH:MM (organisation time zone)',
      'RETENTION_BREACH_YEARS: expected a whole number of years, 1–100',
      'RETENTION_CONTENT_DAYS: expected a whole number of days, 0–3650',
    ]);
  });
});
