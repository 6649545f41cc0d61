/**
 * 0005 — Slack: where each case's triage message lives, idempotent posts, handled Slack deliveries and private
 * case notes. Frozen in time: typed `Kysely<any>`, dialect-neutral (instants as BIGINT epoch milliseconds).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One parent message per case in the triage channel; `version` is the case version it shows (coalesced updates).
  await db.schema.createTable('slack_threads')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('stub', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('slack_threads_ts').on('slack_threads').columns(['channel', 'ts']).unique().execute();

  // A message posted for an outbox row and one target (a DM to one DPO): a retried row never posts it twice.
  await db.schema.createTable('slack_posts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Keys of handled Slack deliveries (event ids, modal submissions, commands): a retry or double click is a no-op.
  await db.schema.createTable('slack_events')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Notes by the team: free text that may mention people, so never posted to a channel; redacted with the case.
  await db.schema.createTable('case_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_notes_case').on('case_notes').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['case_notes', 'slack_events', 'slack_posts', 'slack_threads']) await db.schema.dropTable(t).execute();
}
