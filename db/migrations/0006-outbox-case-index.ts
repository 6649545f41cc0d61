/**
 * 0006 — an index on outbox(case_id): the reminder sweep asks per case whether a reply was drafted, and without it
 * that question scans the whole outbox (found by bench/sweep). Frozen in time.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('outbox_case').on('outbox').columns(['case_id', 'kind']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_case').execute();
}
