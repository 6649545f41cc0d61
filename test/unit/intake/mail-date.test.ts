import { describe, expect, it } from 'vitest';
import { parseMailDate, zoneOffsetIn } from '../../../src/domain/intake/mail-date.ts';

// text, fallback offset (minutes), expected ISO or null
const TABLE: [string, number, string | null][] = [
  ['Tue, 3 Mar 2026 09:15:02 +0100 (CET)', 0, '2026-03-03T08:15:02.000Z'],
  ['Mon,  9 Mar 2026 09:00:07 +0000 (UTC)', 0, '2026-03-09T09:00:07.000Z'],
  ['3 Mar 26 09:15 -0500', 0, '2026-03-03T14:15:00.000Z'],
  ['Sat, 7 Mar 2026 10:31:15 -0800', 0, '2026-03-07T18:31:15.000Z'],
  ['Mon, 3 Mar 2026 09:15:02 +0100', 0, '2026-03-03T08:15:02.000Z'], // wrong weekday: still read
  // Gmail
  ['Mon, Mar 2, 2026 at 4:15 PM', 60, '2026-03-02T15:15:00.000Z'],
  ['Mo., 2. März 2026 um 16:15 Uhr', 60, '2026-03-02T15:15:00.000Z'],
  ['lun. 2 mars 2026 à 16:15', 60, '2026-03-02T15:15:00.000Z'],
  ['lun, 2 mar 2026 a las 16:15', 60, '2026-03-02T15:15:00.000Z'],
  // Outlook
  ['Monday, March 2, 2026 4:15 PM', 0, '2026-03-02T16:15:00.000Z'],
  ['Tuesday, March 3, 2026 12:05 AM', 0, '2026-03-03T00:05:00.000Z'],
  ['Montag, 2. März 2026 16:15', 60, '2026-03-02T15:15:00.000Z'],
  ['lundi 2 mars 2026 16:15', 60, '2026-03-02T15:15:00.000Z'],
  ['lunes, 2 de marzo de 2026 16:15', 60, '2026-03-02T15:15:00.000Z'],
  ['miércoles, 4 de marzo de 2026 17:20', 60, '2026-03-04T16:20:00.000Z'],
  // Apple Mail
  ['2 March 2026 at 16:15:07 CET', 0, '2026-03-02T15:15:07.000Z'],
  ['March 2, 2026 at 4:15:07 PM GMT+1', 0, '2026-03-02T15:15:07.000Z'],
  // numeric and ISO
  ['02.03.2026 16:15', 60, '2026-03-02T15:15:00.000Z'],
  ['2026-03-02T16:15:00Z', 60, '2026-03-02T16:15:00.000Z'],
  // refused
  ['3/2/26 4:15 PM', 0, null], // US or European order? unknowable
  ['2 March 2026', 0, null], // no time
  ['31 February 2026 10:00', 0, null],
  ['Monday, March 2, 2026 13:15 PM', 0, null],
  ['yesterday', 0, null],
  ['', 0, null],
];

describe('parseMailDate', () => {
  it.each(TABLE)('%s', (text, offset, expected) => {
    expect(parseMailDate(text, offset)?.toISOString() ?? null).toBe(expected);
  });
});

describe('zoneOffsetIn', () => {
  it.each([
    ['Thu, 5 Mar 2026 08:30:00 +0100', 60],
    ['Sat, 7 Mar 2026 10:31:15 -0800', -480],
    ['Tue, 3 Mar 2026 09:15:02 +0100 (CET)', 60],
    ['2 March 2026 at 16:15:07 CEST', 120],
    ['March 2, 2026 at 4:15:07 PM GMT-05:00', -300],
    ['Monday, March 2, 2026 4:15 PM', null],
  ] as [string, number | null][])('%s', (text, expected) => {
    expect(zoneOffsetIn(text)).toBe(expected);
  });
});
