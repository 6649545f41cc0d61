/**
 * 0004 — reminders as rows, not timers: one row per (case, rule, occurrence) with its fire time; a sweep claims
 * due rows with one statement, and a row counts as sent only when its transport confirmed. Frozen in time.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('reminders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    // Which clock, anchor date and recipient: `gdpr:2026-04-07:owner`; a daily overdue one adds its day.
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('fire_at', 'bigint', (c) => c.notNull())
    // planned → queued (outbox rows written) → sent (every one confirmed) | suppressed | failed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('outcome', 'text')
    .addColumn('snoozed_until', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('sent_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('reminders_key', ['case_id', 'rule_id', 'occurrence'])
    .execute();
  await db.schema.createIndex('reminders_due').on('reminders').columns(['state', 'fire_at']).execute();
  // A case's planned reminders (re-planning): without state and fire_at here SQLite prefers reminders_due and
  // scans every planned reminder of every case.
  await db.schema.createIndex('reminders_case').on('reminders').columns(['case_id', 'state', 'fire_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reminders').execute();
}
