/**
 * 0001 — cases, their private data, deadlines, pauses, links, numbering, the audit chain and the outbox.
 * Frozen in time: typed `Kysely<any>`, never edited after release; later changes are new migrations.
 * Dialect-neutral: instants are BIGINT epoch milliseconds, dates TEXT `YYYY-MM-DD`, JSON and booleans as TEXT/INTEGER.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    // Where the case came from (a Message-ID, a Slack view, an import): the same source never opens two cases.
    .addColumn('source_key', 'text', (c) => c.unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('request_types', 'text', (c) => c.notNull())
    .addColumn('regimes', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('received_date', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'bigint')
    .addColumn('aware_at', 'bigint')
    .addColumn('governing_regime', 'text')
    .addColumn('governing_due_at', 'bigint')
    .addColumn('identity_verified_at', 'bigint')
    .addColumn('extension_reasons', 'text')
    .addColumn('extension_requested_at', 'bigint')
    .addColumn('extension_sent_on', 'text')
    .addColumn('legal_hold', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('outcome', 'text')
    .addColumn('closed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_state_due').on('cases').columns(['state', 'governing_due_at']).execute();

  // Personal data of the data subject, apart from the case facts so that retention can redact it.
  await db.schema.createTable('case_private')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('requester_email', 'text')
    .addColumn('requester_name', 'text')
    .addColumn('requester_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('requester_address', 'text')
    .addColumn('subject', 'text')
    .addColumn('content', 'text')
    .addColumn('redacted_at', 'bigint')
    .execute();

  await db.schema.createTable('case_deadlines')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('regime', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('received_date', 'text', (c) => c.notNull())
    .addColumn('raw_due', 'text')
    .addColumn('due', 'text', (c) => c.notNull())
    .addColumn('extended_due', 'text')
    .addColumn('extended', 'integer', (c) => c.notNull())
    .addColumn('acknowledge_by', 'text')
    .addColumn('opt_out_by', 'text')
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('paused_days', 'integer', (c) => c.notNull())
    .addColumn('paused_since', 'text')
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_deadlines_pk', ['case_id', 'regime'])
    .execute();

  await db.schema.createTable('case_pauses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('asked_on', 'text', (c) => c.notNull())
    .addColumn('asked_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_on', 'text')
    .addColumn('answered_at', 'bigint')
    .execute();
  await db.schema.createIndex('case_pauses_case').on('case_pauses').column('case_id').execute();

  await db.schema.createTable('case_links')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('linked_case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('relation', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_links_pk', ['case_id', 'linked_case_id'])
    .execute();

  await db.schema.createTable('case_sequences')
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('last', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_sequences_pk', ['prefix', 'year'])
    .execute();

  // The audit log: append-only, hash-chained. audit_head serialises appends (one row, locked per append).
  await db.schema.createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: '' }).execute();
  await db.schema.createTable('audit_events')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('case_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_case').on('audit_events').column('case_id').execute();

  // The outbox: every effect outside the database, written in the transaction of the decision that caused it.
  await db.schema.createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('on_sent', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('transport_ref', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_lease').on('outbox').columns(['state', 'lease_until']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['outbox', 'audit_events', 'audit_head', 'case_sequences', 'case_links', 'case_pauses',
    'case_deadlines', 'case_private', 'cases']) {
    await db.schema.dropTable(t).execute();
  }
}
