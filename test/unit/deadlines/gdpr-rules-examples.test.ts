/** Every worked example of reference/gdpr-rules.md, as a table. */
import { describe, expect, it } from 'vitest';
import { computeDeadline } from '../../../src/domain/deadlines/clocks.ts';
import type { ClockInput } from '../../../src/domain/deadlines/deadline.ts';
import { createWorkingCalendar } from '../../../src/domain/deadlines/working-calendar.ts';

const BERLIN = 'Europe/Berlin';
const cal = (id: string) => createWorkingCalendar(id);
/** Noon on a date in Berlin: far from any midnight, so the receipt date is the date written. */
const noon = (d: string) => new Date(`${d}T11:00:00Z`);

function gdpr(received: string, holidays = 'none', extra: Partial<ClockInput> = {}) {
  return computeDeadline({ regime: 'gdpr', receivedAt: noon(received), zone: BERLIN, calendar: cal(holidays), ...extra });
}

describe('GDPR Art. 12(3) one month — gdpr-rules §2 examples', () => {
  it.each([
    ['2026-03-05', 'none', '2026-04-05', '2026-04-06'], // 5 April 2026 is a Sunday
    ['2025-08-31', 'none', '2025-09-30', '2025-09-30'], // 31 August → 30 September
    ['2026-01-31', 'none', '2026-02-28', '2026-03-02'], // clamped to a Saturday → Monday 2 March
    ['2026-03-05', 'DE', '2026-04-05', '2026-04-07'], // Easter Sunday, Easter Monday off
    ['2026-03-05', 'GB-ENG', '2026-04-05', '2026-04-07'],
  ])('received %s with calendar %s: raw %s, due %s', (received, holidays, raw, due) => {
    const d = gdpr(received, holidays);
    expect(d.rawDue).toBe(raw);
    expect(d.due).toBe(due);
    expect(d.rule).toContain('GDPR Art. 12(3)');
    expect(d.holidays).toBe(holidays);
  });

  it('takes the receipt date in the organisation time zone: 23:30 UTC on 31 January is 1 February in Berlin', () => {
    const d = computeDeadline({
      regime: 'gdpr', receivedAt: new Date('2026-01-31T23:30:00Z'), zone: BERLIN, calendar: cal('DE'),
    });
    expect(d.received).toBe('2026-02-01');
    expect(d.rawDue).toBe('2026-03-01');
    expect(d.due).toBe('2026-03-02'); // 1 March 2026 is a Sunday
  });

  it('adds paused days (answer date minus question date) to the raw due date, then rolls', () => {
    // asked 3 March, answered 10 March: 7 days. 5 February + 1 month = 5 March + 7 = 12 March (Thursday).
    const d = gdpr('2026-02-05', 'DE', { pauses: [{ reason: 'identity', askedOn: '2026-03-03', answeredOn: '2026-03-10' }] });
    expect(d.pausedDays).toBe(7);
    expect(d.due).toBe('2026-03-12');
    expect(d.extendedDue).toBe('2026-05-12'); // receipt + 3 months + 7 paused days
  });

  it('counts an open pause up to asOf and says the clock is paused', () => {
    const d = gdpr('2026-02-05', 'DE', {
      pauses: [{ reason: 'clarification', askedOn: '2026-02-10', answeredOn: null }], asOf: '2026-02-12',
    });
    expect(d.pausedDays).toBe(2);
    expect(d.pausedSince).toBe('2026-02-10');
    expect(d.due).toBe('2026-03-09'); // 7 March (Saturday) → Monday 9 March
  });

  it('ignores pauses when the pause tolerance is configured off', () => {
    const d = gdpr('2026-02-05', 'DE', {
      pauses: [{ reason: 'identity', askedOn: '2026-03-03', answeredOn: '2026-03-10' }], settings: { gdprPause: false },
    });
    expect(d.due).toBe('2026-03-05');
  });

  it('extends to receipt + 3 months, clamped and rolled (ICO method), or due + 2 months when configured', () => {
    const ico = gdpr('2026-01-31', 'DE');
    expect(ico.extendedDue).toBe('2026-04-30'); // 30 April 2026 is a Thursday
    const fromDue = gdpr('2026-01-31', 'DE', { settings: { gdprExtensionFrom: 'due' } });
    expect(fromDue.extendedDue).toBe('2026-05-04'); // 2 March + 2 months = 2 May (Saturday) → 4 May
  });

  it('governs by the extended date once extended', () => {
    const d = gdpr('2026-03-05', 'DE', { extension: { noticeSentOn: '2026-03-20', reasons: 'many requests' } });
    expect(d.extended).toBe(true);
    expect(d.dueAt.toISOString()).toBe('2026-06-05T22:00:00.000Z'); // end of 5 June in Berlin (CEST)
  });

  it('treats 24 and 31 December as working days in Germany unless configured as closures', () => {
    expect(gdpr('2026-11-24', 'DE').due).toBe('2026-12-24');
    const closed = computeDeadline({
      regime: 'gdpr', receivedAt: noon('2026-11-24'), zone: BERLIN, calendar: createWorkingCalendar('DE', ['2026-12-24']),
    });
    expect(closed.due).toBe('2026-12-28'); // 24 closed, 25/26 public holidays, 27 Sunday
  });

  it('rolls over a UK substitute bank holiday', () => {
    // 27 November 2027 + 1 month = 27 December 2027: Christmas Day (substitute day) in England.
    const d = computeDeadline({ regime: 'gdpr', receivedAt: noon('2027-11-27'), zone: 'Europe/London', calendar: cal('GB-ENG') });
    expect(d.due).toBe('2027-12-29');
  });
});

describe('other request clocks — gdpr-rules §3', () => {
  it('uk-gdpr runs from the relevant time and excludes clarification days inclusively', () => {
    const d = computeDeadline({
      regime: 'uk-gdpr', receivedAt: noon('2026-03-05'), zone: 'Europe/London', calendar: cal('GB-ENG'),
      idReceivedOn: '2026-03-10',
      pauses: [{ reason: 'clarification', askedOn: '2026-03-12', answeredOn: '2026-03-14' }],
    });
    expect(d.rawDue).toBe('2026-04-10');
    expect(d.pausedDays).toBe(3);
    expect(d.due).toBe('2026-04-13'); // 13 April 2026 is a Monday
    expect(d.extendedDue).toBe('2026-06-15'); // 10 June + 3 = 13 June (Saturday) → 15 June
  });

  it('uk-gdpr rolls with the UK calendar even when the organisation calendar is German', () => {
    const d = computeDeadline({ regime: 'uk-gdpr', receivedAt: noon('2026-04-25'), zone: BERLIN, calendar: cal('DE') });
    expect(d.holidays).toBe('GB-ENG');
    expect(d.due).toBe('2026-05-26'); // 25 May 2026: Spring bank holiday
  });

  it('ccpa: 45 calendar days, acknowledge within 10 business days, extension to 90, no pause', () => {
    const d = computeDeadline({
      regime: 'ccpa', receivedAt: new Date('2026-01-10T18:00:00Z'), zone: 'America/Los_Angeles', calendar: cal('US'),
      pauses: [{ reason: 'identity', askedOn: '2026-01-12', answeredOn: '2026-01-20' }],
    });
    expect(d.due).toBe('2026-02-24');
    expect(d.acknowledgeBy).toBe('2026-01-26'); // 19 January is Martin Luther King Jr. Day
    expect(d.extendedDue).toBe('2026-04-10');
    expect(d.pausedDays).toBe(0);
  });

  it('lgpd: 15 calendar days, no roll-forward by default, rolled when configured', () => {
    const base = { regime: 'lgpd' as const, receivedAt: noon('2026-03-07'), zone: 'America/Sao_Paulo', calendar: cal('BR') };
    expect(computeDeadline(base).due).toBe('2026-03-22'); // a Sunday, kept
    expect(computeDeadline({ ...base, settings: { lgpdRoll: true } }).due).toBe('2026-03-23');
  });

  it('contract: 15 calendar days by default, or business days when configured', () => {
    const base = { regime: 'contract' as const, receivedAt: noon('2026-03-27'), zone: BERLIN, calendar: cal('DE') };
    expect(computeDeadline(base).due).toBe('2026-04-11');
    // 15 working days after Friday 27 March 2026, skipping Good Friday and Easter Monday.
    expect(computeDeadline({ ...base, settings: { contractUnit: 'business' } }).due).toBe('2026-04-21');
    expect(computeDeadline({ ...base, settings: { contractDays: 10 } }).rule).toBe('contract: 10 calendar days');
  });
});

describe('breach — GDPR Art. 33(1), 72 h of elapsed time', () => {
  it('27 March 2026 10:00 Berlin + 72 h = 30 March 11:00 Berlin across the DST change', () => {
    const d = computeDeadline({
      regime: 'gdpr-breach', receivedAt: new Date('2026-03-27T09:00:00Z'), awareAt: new Date('2026-03-27T09:00:00Z'),
      zone: BERLIN, calendar: cal('DE'),
    });
    expect(d.dueAt.toISOString()).toBe('2026-03-30T09:00:00.000Z'); // 11:00 CEST
    expect(d.steps.join(' ')).toContain('2026-03-30 11:00 Europe/Berlin');
    expect(d.rawDue).toBeNull();
  });

  it('refuses to compute without awareness', () => {
    expect(() => computeDeadline({ regime: 'gdpr-breach', receivedAt: noon('2026-03-27'), zone: BERLIN, calendar: cal('DE') }))
      .toThrow(/awareAt/);
  });
});
