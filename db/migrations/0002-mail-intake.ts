/**
 * 0002 — the mail intake: raw messages first (exactly once), the IMAP watermark, the Message-IDs of each case
 * (threading), its participants (as hashes: matching without keeping another copy of an address) and the log of
 * automatic mails per recipient (loop protection). Frozen in time.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  await db.schema.createTable('inbox_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Message-ID, or sha256 of the bytes when there is none: the same message delivered twice is one row.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('mailbox', 'text')
    .addColumn('uid_validity', 'bigint')
    .addColumn('uid', 'bigint')
    .addColumn('raw', pg ? sql`bytea` : sql`blob`, (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    .addColumn('reason', 'text')
    .addColumn('case_id', 'text')
    .addColumn('moved_to', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .addUniqueConstraint('inbox_messages_uid', ['mailbox', 'uid_validity', 'uid'])
    .execute();
  await db.schema.createIndex('inbox_messages_state').on('inbox_messages').column('state').execute();

  await db.schema.createTable('imap_state')
    .addColumn('mailbox', 'text', (c) => c.primaryKey())
    .addColumn('uid_validity', 'bigint', (c) => c.notNull())
    .addColumn('last_uid', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('case_messages')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_messages_pk', ['message_id', 'case_id'])
    .execute();

  await db.schema.createTable('case_participants')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('address_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_participants_pk', ['case_id', 'address_hash'])
    .execute();

  await db.schema.createTable('auto_mail_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('address_hash', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auto_mail_log_recipient').on('auto_mail_log').columns(['address_hash', 'sent_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['auto_mail_log', 'case_participants', 'case_messages', 'imap_state', 'inbox_messages']) {
    await db.schema.dropTable(t).execute();
  }
}
