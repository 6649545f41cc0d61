/**
 * Channel messages: the triage parent of a case with its buttons, the stub it becomes on closure, thread lines
 * for updates, DPO alerts and reminders. Only case facts (see case-facts.ts) — a workspace admin can read any
 * channel, so nothing here may identify the data subject or repeat what they wrote.
 */
import { ACTION } from '../action-ids.ts';
import { eventSentence } from '../../../app/event-words.ts';
import type { CaseNoticePayload, DpoAlertPayload } from '../../../app/ports.ts';
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
  /** The data subject's address waits to be confirmed. */
  confirm?: boolean;
}

/** Take, Reply, Confirm address (when it waits), the definition's event buttons, Escalate to DPO, Close. */
export function caseButtons(number: string, b: CaseButtons): unknown[] {
  return [
    button(ACTION.take, 'Take', number, 'primary'),
    ...(b.reply ? [button(ACTION.reply, 'Reply', number)] : []),
    ...(b.confirm ? [button(ACTION.confirm, 'Confirm address', number)] : []),
    ...b.events.map((e) => button(ACTION.event, e.label, `${number}|${e.event}`)),
    button(ACTION.escalate, 'Escalate to DPO', number),
    ...(b.close ? [button(ACTION.close, 'Close', number, 'danger')] : []),
  ].slice(0, 25);
}

/** What waits on an unconfirmed address (the case card and the triage message), or null when nothing does. */
export function addressWaiting(
  c: { number: string; kind: string; closedAt: Date | null },
  p: { requesterEmail: string | null; requesterVerified: boolean } | null,
): string | null {
  if (c.kind !== 'request' || c.closedAt || !p || p.requesterVerified) return null;
  const why = p.requesterEmail ? ' (recovered from a forwarded mail)' : ' (none on file)';
  return `The data subject's address is not confirmed${why}: `
    + `no mail goes to them until someone confirms it (\`/dpo confirm ${c.number}\`).`;
}

/** The parent message: facts, what waits on the team, and the case's buttons. */
export function parentMessage(
  f: CaseFacts, zone: string, now: Date, b: CaseButtons, waiting: string | null = null,
): SlackMessage {
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

const by = (who: unknown) => (typeof who !== 'string' || who === 'system' ? ''
  : /^[UW][A-Z0-9]+$/.test(who) ? ` by <@${who}>` : who === 'cli' ? ' from the command line' : ` by ${who}`);

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** What happened to the mail that went with a step: queued, or not sent and why — never "queued" when withheld. */
function mailLine(p: Record<string, unknown>): string {
  if (typeof p.mailWithheld === 'string') {
    return `\n:warning: The mail to the data subject was *not* sent: ${p.mailWithheld}.`;
  }
  if (typeof p.mailsQueued === 'number' && p.mailsQueued > 0) {
    return `\nA mail to the data subject is queued (${p.mailsQueued}).`;
  }
  return '';
}

const KIND_TEXT: Record<string, string> = {
  'reply-received': 'The data subject replied (details on demand in the app).',
  'reply-on-closed-case': 'A reply arrived on this closed case; a DPO should look at it.',
  'controller-unknown': 'No controller is configured for this customer: forward the request by hand.',
};

/** A line in the case's thread for one outbox notice. */
export function threadLine(
  kind: string, payload: CaseNoticePayload, f: CaseFacts, zone: string, now: Date,
): SlackMessage {
  const who = typeof payload.by === 'string' ? payload.by : null;
  // A workflow event brings its own words (`done` in its definition); the desk's own steps have theirs.
  const said = typeof payload.done === 'string' ? `${capital(payload.done)}${by(payload.by)}.`
    : typeof payload.event === 'string' ? eventSentence(payload.event, who) : 'Updated.';
  const head = KIND_TEXT[kind] ?? `${said}${mailLine(payload)}`;
  const text = `${head}\n${factsLine(f, zone, now)}`;
  return { text: text.replace(/\*/g, ''), blocks: [section(text)] };
}

/** A DPO alert: the case number and the reason (PII-free by contract of `dpoAlert`). */
export function alertMessage(p: DpoAlertPayload): SlackMessage {
  const number = typeof p.caseNumber === 'string' ? `*${p.caseNumber}* · ` : '';
  const head = p.deliveryFailed ? ':warning: Delivery failed' : ':rotating_light: DPO alert';
  const text = `${head}: ${number}${String(p.reason ?? '')}`;
  return {
    text: text.replace(/\*/g, ''),
    blocks: [section(text), ...(typeof p.caseNumber === 'string' ? [{
      type: 'actions',
      elements: [button(ACTION.take, 'Take', p.caseNumber), button(ACTION.reply, 'Reply', p.caseNumber)],
    }] : [])],
  };
}

export interface ReminderItemPayload {
  caseNumber: string;
  kind: string;
  state: string;
  /** The clock's name ("GDPR one month"), that clock's date, what is due (see domain/reminder-words.ts). */
  clock?: string;
  due?: string | null;
  what?: string;
  overdue?: boolean;
  action?: string;
}

/** The one button of an item: what the reminder asks for (an extension is the request workflow's event). */
const ITEM_ACTION: Record<string, [string, string, string?]> = {
  reply: [ACTION.reply, 'Reply'],
  extend: [ACTION.event, 'Extend…', 'ExtensionRequested'],
  details: [ACTION.details, 'Open case'],
  take: [ACTION.take, 'Take'],
};

/** One line of a reminder: the case, its clock and that clock's date, then what is due. */
export function reminderLine(i: ReminderItemPayload): string {
  const due = i.overdue ? `*overdue* — was due ${i.due ?? '—'}` : `due ${i.due ?? '—'}`;
  return `*${i.caseNumber}* · ${i.clock ?? 'deadline'}: ${due}\n${i.what ?? 'This case needs attention.'}`;
}

/**
 * One message listing a recipient's reminder items, each with its one action button (Reply, Extend…, Open case or
 * Take), then Acknowledge / Snooze for the whole message (value: the reminder ids).
 */
export function reminderMessage(
  items: readonly ReminderItemPayload[], reminderIds: readonly string[], outboxId: string,
): SlackMessage {
  const shown = items.slice(0, 40);
  const ids = JSON.stringify(reminderIds);
  // A button value holds at most 2,000 characters: past that, the handler finds the ids through the outbox row.
  const value = ids.length <= 2000 ? ids : JSON.stringify({ outbox: outboxId });
  const head = `:alarm_clock: ${items.length === 1 ? 'Reminder' : `${items.length} reminders`}`;
  const itemBlocks = shown.map((i) => {
    const [actionId, label, event] = ITEM_ACTION[i.action ?? 'details'] ?? ITEM_ACTION.details!;
    const text = `${i.overdue ? ':red_circle: ' : ''}${reminderLine(i)}`;
    return { ...section(text), accessory: button(actionId, label, event ? `${i.caseNumber}|${event}` : i.caseNumber) };
  });
  const more = items.length > 40 ? [context(`…and ${items.length - 40} more (\`/dpo list overdue\`).`)] : [];
  const text = [head, ...items.map((i) => reminderLine(i).replace(/\*/g, '').replace('\n', ' — '))].join('\n');
  return {
    text: text.slice(0, 3000),
    blocks: [section(head), ...itemBlocks, ...more, {
      type: 'actions',
      elements: [
        button(ACTION.reminderAck, 'Acknowledge', value, 'primary'), button(ACTION.reminderSnooze, 'Snooze', value),
      ],
    }],
  };
}
