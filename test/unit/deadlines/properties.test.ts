/** Properties over every receipt date 2026–2030 (fast-check samples the dates; the sweep covers all of them). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeDeadline } from '../../../src/domain/deadlines/clocks.ts';
import { createWorkingCalendar } from '../../../src/domain/deadlines/working-calendar.ts';
import { addDays, daysBetween, dayOfMonth, isLastDayOfMonth } from '../../../src/domain/local-date.ts';

const calendars = ['none', 'DE', 'DE-BY', 'GB-ENG', 'FR', 'ES', 'US'].map((id) => createWorkingCalendar(id));
const FIRST = '2026-01-01';
const DAYS = daysBetween(FIRST, '2030-12-31') + 1;

function checkGdpr(received: string, calIndex: number): void {
  const calendar = calendars[calIndex]!;
  const d = computeDeadline({ regime: 'gdpr', receivedAt: new Date(`${received}T10:00:00Z`), zone: 'Europe/Berlin', calendar });
  expect(d.received).toBe(received);
  const span = daysBetween(received, d.rawDue!);
  expect(span).toBeGreaterThanOrEqual(28);
  expect(span).toBeLessThanOrEqual(31);
  const sameDay = dayOfMonth(d.rawDue!) === dayOfMonth(received);
  expect(sameDay || (isLastDayOfMonth(d.rawDue!) && dayOfMonth(d.rawDue!) < dayOfMonth(received))).toBe(true);
  expect(d.due >= d.rawDue!).toBe(true);
  expect(calendar.dayOff(d.due)).toBeNull();
  expect(d.extendedDue! > d.due).toBe(true);
  expect(calendar.dayOff(d.extendedDue!)).toBeNull();
}

describe('gdpr clock properties, receipt dates 2026–2030', () => {
  it('holds for every receipt date and every calendar (exhaustive sweep)', () => {
    for (let i = 0; i < DAYS; i++) checkGdpr(addDays(FIRST, i), i % calendars.length);
  });

  it('holds for random dates × calendars (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAYS - 1 }), fc.integer({ min: 0, max: calendars.length - 1 }), (i, c) => {
        checkGdpr(addDays(FIRST, i), c);
      }),
      { numRuns: 2000 },
    );
  });

  it('paused days move the raw date by exactly that many days before rolling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: DAYS - 1 }), fc.integer({ min: 0, max: 40 }), (i, n) => {
        const received = addDays(FIRST, i);
        const calendar = calendars[1]!;
        const base = { regime: 'gdpr' as const, receivedAt: new Date(`${received}T10:00:00Z`), zone: 'Europe/Berlin', calendar };
        const plain = computeDeadline(base);
        const asked = addDays(received, 1);
        const paused = computeDeadline({ ...base, pauses: [{ reason: 'identity', askedOn: asked, answeredOn: addDays(asked, n) }] });
        expect(paused.pausedDays).toBe(n);
        expect(paused.due >= addDays(plain.rawDue!, n)).toBe(true);
        expect(calendar.dayOff(paused.due)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});

describe('breach clock properties', () => {
  it('is exactly 72 h after awareness for any instant 2026–2030 in any zone', () => {
    const zones = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Australia/Sydney', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 11, 31) }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const aware = new Date(ms);
          const d = computeDeadline({ regime: 'gdpr-breach', receivedAt: aware, awareAt: aware, zone, calendar: calendars[0]! });
          expect(d.dueAt.getTime() - aware.getTime()).toBe(72 * 3_600_000);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
