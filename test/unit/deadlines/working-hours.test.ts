/** Working hours of the organisation's calendar: office hours on working days, weekends and holidays skipped. */
import { describe, expect, it } from 'vitest';
import { addWorkingHours, createWorkingCalendar } from '../../../src/domain/deadlines/working-calendar.ts';

const DE = createWorkingCalendar('DE');
const add = (from: string, hours: number, office = '09:00-17:00') =>
  addWorkingHours(DE, 'Europe/Berlin', office, new Date(from), hours).toISOString();

describe('addWorkingHours', () => {
  it('Friday 16:00 + 8 working hours is Monday 16:00, never Saturday', () => {
    expect(add('2026-03-06T15:00:00Z', 8)).toBe('2026-03-09T15:00:00.000Z');
    expect(add('2026-03-06T15:00:00Z', 4)).toBe('2026-03-09T11:00:00.000Z');
    expect(add('2026-03-06T15:00:00Z', 16)).toBe('2026-03-10T15:00:00.000Z');
  });

  it('within a day, from before opening, on a weekend, and exactly at closing', () => {
    expect(add('2026-03-04T08:00:00Z', 4)).toBe('2026-03-04T12:00:00.000Z'); // Wednesday 09:00 + 4 → 13:00
    expect(add('2026-03-04T05:00:00Z', 2)).toBe('2026-03-04T10:00:00.000Z'); // 06:00 counts from 09:00
    expect(add('2026-03-07T10:00:00Z', 1)).toBe('2026-03-09T09:00:00.000Z'); // Saturday → Monday 10:00
    expect(add('2026-03-04T16:00:00Z', 8)).toBe('2026-03-05T16:00:00.000Z'); // Wednesday 17:00 → Thursday 17:00
  });

  it('skips public holidays (Good Friday, Easter Monday) and keeps wall-clock hours across the DST change', () => {
    expect(add('2026-04-02T14:00:00Z', 8)).toBe('2026-04-07T14:00:00.000Z'); // Thursday 16:00 → Tuesday 16:00
    expect(add('2026-03-27T15:00:00Z', 2)).toBe('2026-03-30T08:00:00.000Z'); // Friday 16:00 CET → Monday 10:00 CEST
  });

  it('other office hours, and a day that ends at midnight', () => {
    expect(add('2026-03-06T15:00:00Z', 8, '08:00-18:00')).toBe('2026-03-09T13:00:00.000Z'); // 2 h Friday + 6 h from 08:00
    expect(add('2026-03-04T22:00:00Z', 1, '00:00-24:00')).toBe('2026-03-04T23:00:00.000Z');
  });
});
