/**
 * Case events in the words of the people who read them (thread lines, the CLI's audit trail): "Work started by
 * <@U…>", "The data subject replied" — never an event's internal name. One table in one place; the lead engineer
 * moves these words into the workflow definitions (a `label` per transition) and this table then only keeps the
 * events that are not transitions (owner changes, notes, escalation).
 */

interface EventWords {
  /** What happened, as a sentence start: "Work started". */
  text: string;
  /** Whether an actor is named ("… by <@U1>"); false where the actor is not a person of the team. */
  byline: boolean;
}

const WORDS: Record<string, EventWords> = {
  WorkStarted: { text: 'Work started', byline: true },
  IdentityRequested: { text: 'Proof of identity was requested; the clock is paused', byline: true },
  ClarificationRequested: { text: 'A clarification was requested; the clock is paused', byline: true },
  SubjectReplied: { text: 'The data subject replied; the clock runs again', byline: false },
  IdentityVerified: { text: 'Identity verified', byline: true },
  ExtensionRequested: { text: 'Extension requested (it applies once the notice with reasons is sent)', byline: true },
  Answered: { text: 'Answered and closed', byline: true },
  Refused: { text: 'Refused with reasons and closed', byline: true },
  Withdrawn: { text: 'Withdrawn by the data subject and closed', byline: false },
  Assessed: { text: 'Risk assessed', byline: true },
  AuthorityNotified: { text: 'The supervisory authority was notified', byline: true },
  CustomerNotified: { text: 'The customer (controller) was notified', byline: true },
  SubjectsNotified: { text: 'The affected people were told', byline: true },
  NotNotifiable: { text: 'Recorded as not notifiable', byline: true },
  Closed: { text: 'Closed', byline: true },
  OwnerAssigned: { text: 'Owner changed', byline: true },
  NoteAdded: { text: 'A private note was added', byline: true },
  Escalated: { text: 'Escalated to the DPO', byline: true },
  MailQueued: { text: 'A mail to the data subject was queued', byline: true },
  DeadlineOverridden: { text: 'The clock was recomputed (deadline override)', byline: true },
};

const SLACK_USER = /^[UW][A-Z0-9]+$/;

/** Who did it, for a byline in Slack: a mention, "from the command line", or nothing (dpo-desk itself, mail). */
export function actorWords(actor: string | null | undefined): string | null {
  if (!actor || actor === 'system') return null;
  if (SLACK_USER.test(actor)) return `<@${actor}>`;
  if (actor === 'cli') return 'from the command line';
  return null;
}

/** The same for plain text (the CLI): the actor's id as recorded, never a Slack mention. */
export function plainActorWords(actor: string | null | undefined): string | null {
  if (!actor || actor === 'system') return null;
  return actor === 'cli' ? 'from the command line' : actor;
}

/**
 * A sentence for an event: "Work started by <@U1>.", "The data subject replied; the clock runs again.". An event
 * this table does not know is spelt out from its name ("SomethingHappened" → "Something happened").
 */
export function eventSentence(event: string, actor?: string | null, who: typeof actorWords = actorWords): string {
  const w = WORDS[event] ?? { text: spelledOut(event), byline: true };
  const by = w.byline ? who(actor) : null;
  return `${w.text}${by ? (by.startsWith('from ') ? ` ${by}` : ` by ${by}`) : ''}.`;
}

function spelledOut(name: string): string {
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
