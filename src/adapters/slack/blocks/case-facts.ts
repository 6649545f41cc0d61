/**
 * The facts of a case that may appear anywhere in Slack — number, kind, request types, regime, due date with its
 * countdown, state, owner — and nothing else: never the data subject's name, address or what they wrote.
 */
import type { CaseNoticePayload } from '../../../app/ports.ts';
import type { Case } from '../../../domain/case.ts';
import { countdown } from '../../../domain/countdown.ts';
import { formatInZone, lastDayBefore } from '../../../domain/local-date.ts';

/** What a channel message shows; built from a Case or from an outbox payload (same keys as `caseNotice`). */
export interface CaseFacts {
  number: string;
  kind: string;
  requestTypes: string[];
  regime: string | null;
  state: string;
  owner: string | null;
  dueAt: Date | null;
  closed: boolean;
}

export function factsOf(c: Case): CaseFacts {
  return {
    number: c.number, kind: c.kind, requestTypes: c.requestTypes, regime: c.governingRegime, state: c.state,
    owner: c.owner, dueAt: c.governingDueAt, closed: Boolean(c.closedAt),
  };
}

/** From a `caseNotice` payload: only its whitelisted keys are read, whatever else a payload might carry. */
export function factsOfPayload(p: CaseNoticePayload): CaseFacts {
  return {
    number: p.caseNumber, kind: p.kind, requestTypes: [...(p.requestTypes ?? [])], regime: p.regime ?? null,
    state: p.state, owner: p.owner ?? null, dueAt: p.dueAt ? new Date(p.dueAt) : null,
    closed: false,
  };
}

const SLACK_USER = /^[UW][A-Z0-9]+$/;

export function ownerText(owner: string | null): string {
  if (!owner) return 'unassigned';
  return SLACK_USER.test(owner) ? `<@${owner}>` : 'someone outside Slack';
}

export function kindText(f: Pick<CaseFacts, 'kind' | 'requestTypes'>): string {
  if (f.kind === 'breach') return 'Breach';
  if (f.kind === 'obligation') return 'Obligation';
  return `Request${f.requestTypes.length ? `: ${f.requestTypes.join(', ').replace(/_/g, ' ')}` : ''}`;
}

/** A breach clock runs to the minute (72 h elapsed); a request clock to the end of its due day. */
export function dueText(f: Pick<CaseFacts, 'kind' | 'dueAt'>, zone: string): string {
  if (!f.dueAt) return 'no clock';
  return f.kind === 'breach' ? formatInZone(f.dueAt, zone).slice(0, 16) : lastDayBefore(f.dueAt, zone);
}

export function isOverdue(f: Pick<CaseFacts, 'dueAt' | 'closed'>, now: Date): boolean {
  return !f.closed && Boolean(f.dueAt && f.dueAt.getTime() <= now.getTime());
}

/** One line: `*DSR-2026-0001* · Request: access · gdpr · due 2026-04-07 (in 3d 4h) · received · <@U1>`. */
export function factsLine(f: CaseFacts, zone: string, now: Date): string {
  const clock = f.closed ? dueText(f, zone) : `${dueText(f, zone)} (${countdown(f.dueAt, now)})`;
  return `*${f.number}* · ${kindText(f)} · ${f.regime ?? '—'} · due ${clock} · ${f.state.replace(/_/g, ' ')} · ${ownerText(f.owner)}`;
}

/** Overdue first, then by governing deadline; cases without a clock last. */
export function byDeadline(a: Case, b: Case): number {
  const da = a.governingDueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  const db = b.governingDueAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return da - db || a.number.localeCompare(b.number);
}

export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
/** Plain text; `max` is Block Kit's limit for where it goes (75 for buttons and options, 24 for modal titles). */
export const plain = (text: string, max = 2000) => ({ type: 'plain_text' as const, text: text.slice(0, max), emoji: false });
export const section = (text: string) => ({ type: 'section' as const, text: mrkdwn(text.slice(0, 3000)) });
/** Lines as as few sections as Block Kit's 3,000 characters per text allow (a list never loses a line). */
export function sections(lines: readonly string[]) {
  const out: ReturnType<typeof section>[] = [];
  let chunk: string[] = [];
  for (const line of lines) {
    if (chunk.length && [...chunk, line].join('\n').length > 3000) { out.push(section(chunk.join('\n'))); chunk = []; }
    chunk.push(line);
  }
  if (chunk.length) out.push(section(chunk.join('\n')));
  return out;
}
export const context = (text: string) => ({ type: 'context' as const, elements: [mrkdwn(text.slice(0, 3000))] });

/** A button; `style` only for the primary action of a message. */
export function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger') {
  return { type: 'button' as const, action_id: actionId, text: plain(text, 75), value, ...(style ? { style } : {}) };
}
