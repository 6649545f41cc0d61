/** Table types for kysely. Rows map to domain values only in the repositories. */

export interface CasesTable {
  id: string;
  number: string;
  source_key: string | null;
  kind: string;
  state: string;
  request_types: string;
  regimes: string;
  role: string;
  owner: string | null;
  language: string;
  channel: string;
  received_at: number;
  received_date: string;
  detected_at: number | null;
  aware_at: number | null;
  governing_regime: string | null;
  governing_due_at: number | null;
  identity_verified_at: number | null;
  extension_reasons: string | null;
  extension_requested_at: number | null;
  extension_sent_on: string | null;
  legal_hold: number;
  delivery_failures: number;
  outcome: string | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
  version: number;
  workflow: string;
  /** JSON: facts recorded by events (never personal data). */
  facts: string;
  clock_from: number | null;
}

export interface CasePrivateTable {
  case_id: string;
  requester_email: string | null;
  requester_name: string | null;
  requester_verified: number;
  requester_address: string | null;
  subject: string | null;
  content: string | null;
  redacted_at: number | null;
}

export interface CaseDeadlinesTable {
  case_id: string;
  regime: string;
  rule: string;
  inputs: string;
  received_date: string;
  raw_due: string | null;
  due: string;
  extended_due: string | null;
  extended: number;
  acknowledge_by: string | null;
  opt_out_by: string | null;
  due_at: number;
  holidays: string;
  paused_days: number;
  paused_since: string | null;
  steps: string;
  computed_at: number;
}

export interface CasePausesTable {
  id: string;
  case_id: string;
  reason: string;
  asked_on: string;
  asked_at: number;
  answered_on: string | null;
  answered_at: number | null;
}

export interface CaseLinksTable {
  case_id: string;
  linked_case_id: string;
  relation: string;
  created_at: number;
}

export interface CaseSequencesTable {
  prefix: string;
  year: number;
  last: number;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditEventsTable {
  seq: number;
  case_id: string | null;
  type: string;
  actor: string;
  at: number;
  data: string;
  prev_hash: string;
  hash: string;
}

export interface OutboxTable {
  id: string;
  case_id: string | null;
  channel: string;
  kind: string;
  idempotency_key: string;
  payload: string;
  on_sent: string | null;
  state: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  transport_ref: string | null;
  created_at: number;
  sent_at: number | null;
  failed_at: number | null;
}

export interface InboxMessagesTable {
  id: string;
  dedupe_key: string;
  sha256: string;
  source: string;
  mailbox: string | null;
  uid_validity: number | null;
  uid: number | null;
  raw: Uint8Array;
  size: number;
  delivered_at: number;
  state: string;
  action: string | null;
  reason: string | null;
  case_id: string | null;
  moved_to: string | null;
  created_at: number;
  processed_at: number | null;
}

export interface ImapStateTable {
  mailbox: string;
  uid_validity: number;
  last_uid: number;
}

export interface CaseMessagesTable {
  message_id: string;
  case_id: string;
  direction: string;
  created_at: number;
}

export interface CaseParticipantsTable {
  case_id: string;
  address_hash: string;
  role: string;
}

export interface AutoMailLogTable {
  id: string;
  address_hash: string;
  sent_at: number;
}

export interface HeartbeatsTable {
  name: string;
  owner: string;
  at: number;
}

export interface LeasesTable {
  name: string;
  owner: string;
  until: number;
}

export interface RemindersTable {
  id: string;
  case_id: string;
  rule_id: string;
  occurrence: string;
  recipients: string;
  fire_at: number;
  state: string;
  pending: number;
  outcome: string | null;
  snoozed_until: number | null;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  sent_at: number | null;
  created_at: number;
}

/** 0005: the triage message of a case, idempotent posts, handled Slack deliveries, private notes. */
export interface SlackThreadsTable {
  case_id: string;
  channel: string;
  ts: string;
  version: number;
  stub: number;
  updated_at: number;
}

export interface SlackPostsTable {
  key: string;
  channel: string;
  ts: string;
  created_at: number;
}

export interface SlackEventsTable {
  key: string;
  case_id: string | null;
  created_at: number;
}

export interface CaseNotesTable {
  id: string;
  case_id: string;
  author: string;
  text: string;
  created_at: number;
}

/** 0008: cleartext of free-text audit fields; the chain holds their salted commitment (retention may delete these). */
export interface AuditTextsTable {
  seq: number;
  field: string;
  case_id: string | null;
  salt: string;
  value: string;
}

/** 0009: customers (processor role), breach ↔ customers, breach facts, notification phases, Art. 34 recipients. */
export interface CustomersTable {
  id: string;
  name: string;
  domains: string;
  request_address: string | null;
  security_address: string | null;
  language: string;
  notice_hours: number;
  created_at: number;
  updated_at: number;
}

export interface BreachCustomersTable {
  case_id: string;
  customer_id: string;
  linked_at: number;
  alerted_at: number | null;
}

export interface BreachFactsTable {
  case_id: string;
  data: string;
  updated_at: number;
}

export interface BreachNotificationsTable {
  id: string;
  case_id: string;
  audience: string;
  customer_id: string | null;
  phase: string;
  given: string;
  at: number;
  reference: string | null;
  late_reasons: string | null;
  recorded_by: string;
}

export interface BreachRecipientsTable {
  id: string;
  case_id: string;
  email: string;
  name: string | null;
  language: string;
  outbox_id: string | null;
  created_at: number;
}

export interface DB {
  audit_texts: AuditTextsTable;
  customers: CustomersTable;
  breach_customers: BreachCustomersTable;
  breach_facts: BreachFactsTable;
  breach_notifications: BreachNotificationsTable;
  breach_recipients: BreachRecipientsTable;
  slack_threads: SlackThreadsTable;
  slack_posts: SlackPostsTable;
  slack_events: SlackEventsTable;
  case_notes: CaseNotesTable;
  reminders: RemindersTable;
  leases: LeasesTable;
  heartbeats: HeartbeatsTable;
  inbox_messages: InboxMessagesTable;
  imap_state: ImapStateTable;
  case_messages: CaseMessagesTable;
  case_participants: CaseParticipantsTable;
  auto_mail_log: AutoMailLogTable;
  cases: CasesTable;
  case_private: CasePrivateTable;
  case_deadlines: CaseDeadlinesTable;
  case_pauses: CasePausesTable;
  case_links: CaseLinksTable;
  case_sequences: CaseSequencesTable;
  audit_head: AuditHeadTable;
  audit_events: AuditEventsTable;
  outbox: OutboxTable;
}
