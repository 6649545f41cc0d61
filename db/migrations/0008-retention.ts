/**
 * 0008 — retention (gdpr-rules §7): the cleartext of free-text audit fields lives apart from the hash chain
 * (the chain holds a salted commitment), so redacting it keeps `audit verify` passing; an index finds closed
 * cases for the purge. Frozen in time: typed `Kysely<any>`, dialect-neutral.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_texts')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_texts_pk', ['seq', 'field'])
    .execute();
  await db.schema.createIndex('audit_texts_case').on('audit_texts').column('case_id').execute();
  await db.schema.createIndex('cases_closed').on('cases').columns(['closed_at']).execute();
  await db.schema.createIndex('inbox_messages_case').on('inbox_messages').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('inbox_messages_case').execute();
  await db.schema.dropIndex('cases_closed').execute();
  await db.schema.dropTable('audit_texts').execute();
}
