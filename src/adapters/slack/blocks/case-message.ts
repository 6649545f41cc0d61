/**
 * Channel messages: the triage parent of a case with its buttons, the stub it becomes on closure, thread lines
 * for updates, DPO alerts and reminders. Only case facts (see case-facts.ts) — a workspace admin can read any
 * channel, so nothing here may identify the data subject or repeat what they wrote.
 */
import { ACTION } from '../action-ids.ts';
import { button, context, factsLine, section, sections, type CaseFacts } from './case-facts.ts';

export interface SlackMessage {
  text: string;
  blocks: unknown[];
}

/** What a case's buttons offer, from its workflow definition in its state (each press is checked again). */
export interface CaseButtons {
  reply: boolean;
  close: boolean;
  events: readonly { event: string; label: string }[];
}

/** Take, Reply, the definition's event buttons, Escalate to DPO, Close. */
export function caseButtons(number: string, b: CaseButtons): unknown[] {
  return [
    button(ACTION.take, 'Take', number, 'primary'),
    ...(b.reply ? [button(ACTION.reply, 'Reply', number)] : []),
    ...b.events.map((e) => button(ACTION.event, e.label, `${number}|${e.event}`)),
    button(ACTION.escalate, 'Escalate to DPO', number),
    ...(b.close ? [button(ACTION.close, 'Close', number, 'danger')] : []),
  ].slice(0, 25);
}

/** The parent message: facts, what waits on the team, and the case's buttons. */
export function parentMessage(f: CaseFacts, zone: string, now: Date, b: CaseButtons, waiting: string | null = null): SlackMessage {
  if (f.closed) return stubMessage(f);
  const line = factsLine(f, zone, now);
  return {
    text: line.replace(/\*/g, ''),
    blocks: [
      section(line),
      ...(waiting ? [context(`:warning: ${waiting}`)] : []),
      { type: 'actions', block_id: `case:${f.number}`, elements: caseButtons(f.number, b) },
    ],
  };
}

/** A closed case keeps only a stub: its number and final state (no outcome text: it is free text). */
export function stubMessage(f: Pick<CaseFacts, 'number' | 'state'>): SlackMessage {
  const text = `${f.number} · closed (${f.state.replace(/_/g, ' ')})`;
  return { text, blocks: [context(`~${f.number}~ · closed (${f.state.replace(/_/g, ' ')})`)] };
}

/** The desk's own steps in words; a workflow event brings its own words (`done` in its definition). */
const EVENT_TEXT: Record<string, string> = {
  OwnerAssigned: 'Owner changed',
  NoteAdded: 'A private note was added',
  Escalated: 'Escalated to the DPO',
  DeadlineOverridden: 'The clock was recomputed (deadline override)',
};

const by = (who: unknown) => (typeof who !== 'string' || who === 'system' ? ''
  : /^[UW][A-Z0-9]+$/.test(who) ? ` by <@${who}>` : who === 'cli' ? ' from the command line' : ` by ${who}`);

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** What happened to the mail that went with a step: queued, or not sent and why — never "queued" when withheld. */
function mailLine(p: Record<string, unknown>): string {
  if (typeof p.mailWithheld === 'string') return `\n:warning: The mail to the data subject was *not* sent: ${p.mailWithheld}.`;
  if (typeof p.mailsQueued === 'number' && p.mailsQueued > 0) return `\nA mail to the data subject is queued (${p.mailsQueued}).`;
  return '';
}

const KIND_TEXT: Record<string, string> = {
  'reply-received': 'The data subject replied (details on demand in the app).',
  'reply-on-closed-case': 'A reply arrived on this closed case; a DPO should look at it.',
  'controller-unknown': 'No controller is configured for this customer: forward the request by hand.',
};

/** A line in the case's thread for one outbox notice. */
export function threadLine(kind: string, payload: Record<string, unknown>, f: CaseFacts, zone: string, now: Date): SlackMessage {
  const event = typeof payload.done === 'string' ? capital(payload.done)
    : typeof payload.event === 'string' ? EVENT_TEXT[payload.event] ?? capital(payload.event.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()) : null;
  const head = KIND_TEXT[kind] ?? `${event ?? 'Updated'}${by(payload.by)}.${mailLine(payload)}`;
  const text = `${head}\n${factsLine(f, zone, now)}`;
  return { text: text.replace(/\*/g, ''), blocks: [section(text)] };
}

/** A DPO alert: the case number and the reason (PII-free by contract of `dpoAlert`). */
export function alertMessage(p: Record<string, unknown>): SlackMessage {
  const number = typeof p.caseNumber === 'string' ? `*${p.caseNumber}* · ` : '';
  const head = p.deliveryFailed ? ':warning: Delivery failed' : ':rotating_light: DPO alert';
  const text = `${head}: ${number}${String(p.reason ?? '')}`;
  return {
    text: text.replace(/\*/g, ''),
    blocks: [section(text), ...(typeof p.caseNumber === 'string' ? [{
      type: 'actions', elements: [button(ACTION.take, 'Take', p.caseNumber), button(ACTION.reply, 'Reply', p.caseNumber)],
    }] : [])],
  };
}

export interface ReminderItemPayload {
  caseNumber: string;
  kind: string;
  state: string;
  regime?: string | null;
  due?: string | null;
  dueAt?: string | null;
  overdue?: boolean;
  rules?: string[];
  rule?: string;
}

/** One message listing a recipient's reminder items, with Acknowledge / Snooze (value: the reminder ids). */
export function reminderMessage(items: readonly ReminderItemPayload[], reminderIds: readonly string[], outboxId: string): SlackMessage {
  const lines = items.slice(0, 40).map((i) => {
    const due = i.due ?? i.dueAt ?? '—';
    const rules = i.rules?.join(', ') ?? i.rule ?? '';
    return `• *${i.caseNumber}* · ${i.kind} · ${i.state.replace(/_/g, ' ')} · due ${due}${i.overdue ? ' · *OVERDUE*' : ''}${rules ? ` · _${rules}_` : ''}`;
  });
  if (items.length > 40) lines.push(`…and ${items.length - 40} more`);
  const ids = JSON.stringify(reminderIds);
  // A button value holds at most 2,000 characters: past that, the handler finds the ids through the outbox row.
  const value = ids.length <= 2000 ? ids : JSON.stringify({ outbox: outboxId });
  const head = `:alarm_clock: ${items.length === 1 ? 'Reminder' : `${items.length} reminders`}`;
  return {
    text: `${head}: ${items.map((i) => i.caseNumber).join(', ')}`,
    blocks: [...sections([head, ...lines]), {
      type: 'actions', elements: [button(ACTION.reminderAck, 'Acknowledge', value, 'primary'), button(ACTION.reminderSnooze, 'Snooze', value)],
    }],
  };
}
