/** The board of cases as text: governing deadline first, overdue on top, with countdowns. No personal data. */
import type { Case } from '../domain/case.ts';
import { countdown } from '../domain/countdown.ts';
import { formatInZone, lastDayBefore } from '../domain/local-date.ts';

/** A breach clock runs to the minute; a request clock to the end of its due day. */
function dueText(c: Case, zone: string): string {
  if (!c.governingDueAt) return '—';
  return c.kind === 'breach' ? formatInZone(c.governingDueAt, zone).slice(0, 16) : lastDayBefore(c.governingDueAt, zone);
}

export function renderBoard(cases: readonly Case[], now: Date, zone: string): string[] {
  if (!cases.length) return ['No cases.'];
  const rows = cases.map((c) => [
    c.number, c.kind === 'request' ? c.requestTypes.join('+') || 'request' : 'breach', c.state,
    c.governingRegime ?? '—', dueText(c, zone),
    c.closedAt ? 'closed' : countdown(c.governingDueAt, now), c.owner ?? '—',
  ]);
  const head = ['CASE', 'TYPE', 'STATE', 'CLOCK', 'DUE', 'COUNTDOWN', 'OWNER'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
}
