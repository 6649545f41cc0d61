/**
 * Slack identifiers as constants: button action ids, modal callback ids, the message shortcut. A button's value
 * carries the case number; a modal carries its case in `private_metadata`.
 */

/** Buttons on case messages, ephemerals and App Home. */
export const ACTION = {
  take: 'case_take',
  reply: 'case_reply',
  /** A workflow event offered as a button (`offer.button`): value = `<case>|<event>`. */
  event: 'case_event',
  escalate: 'case_escalate',
  /** Confirm the data subject's address on file (an inline-forwarded request): what waited on it goes once. */
  confirm: 'case_confirm',
  close: 'case_close',
  details: 'case_details',
  /** The template picker of the reply modal (dispatches so the details skeleton follows the template). */
  replyTemplate: 'reply_template',
  /** Reminder buttons: value = JSON array of reminder ids, or `{"outbox": id}` (the ids are on that outbox row). */
  reminderAck: 'reminder_ack',
  reminderSnooze: 'reminder_snooze',
} as const;

/** Modal callback ids (`view_submission`). */
export const VIEW = {
  newRequest: 'new_request',
  breachReport: 'breach_report',
  /** One workflow event's form, built from its definition. */
  caseEvent: 'case_event',
  close: 'close_case',
  /** Opening a case of any workflow the person may open. */
  openWorkflow: 'open_workflow',
  replyCompose: 'reply_compose',
  replySend: 'reply_send',
  details: 'case_details',
  reminderSnooze: 'reminder_snooze',
} as const;

/** The message shortcut "Open as DPO case" (declared in slack-app-manifest.yaml). */
export const SHORTCUT = { openAsCase: 'open_as_case' } as const;

/** The global shortcut "Report a privacy incident" and its modal (open to every member of the workspace). */
export const SHORTCUT_REPORT = 'report_incident';
export const VIEW_REPORT = 'incident_report';
/** The breach decision modal (`/dpo record <case> <event>`). */
export const VIEW_BREACH_EVENT = 'breach_event';
