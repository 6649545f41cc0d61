/**
 * 0009 — the breach desk: customers as data (processor role), breaches linked to the customers they affect, the
 * facts and decisions of each breach (Art. 33(5) register), each notification phase, and the Art. 34 recipients.
 * Frozen in time: typed `Kysely<any>`, dialect-neutral (instants BIGINT epoch ms, JSON as TEXT).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A processor's customers (the controllers): where requests are forwarded and incidents are alerted.
  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('domains', 'text', (c) => c.notNull()) // JSON array of domains or addresses
    .addColumn('request_address', 'text')
    .addColumn('security_address', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('notice_hours', 'integer', (c) => c.notNull().defaultTo(72))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('breach_customers')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('linked_at', 'bigint', (c) => c.notNull())
    .addColumn('alerted_at', 'bigint')
    .addPrimaryKeyConstraint('breach_customers_pk', ['case_id', 'customer_id'])
    .execute();

  // The facts and decisions of one breach (JSON, validated by the domain schema); one row per breach case.
  await db.schema
    .createTable('breach_facts')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Each notification phase: to the authority, a customer, the data subjects or the public.
  await db.schema
    .createTable('breach_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('given', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('late_reasons', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('breach_notifications_case').on('breach_notifications').column('case_id').execute();

  // Art. 34 recipients: one row per address and breach (deduplicated), with the outbox row of its notice.
  await db.schema
    .createTable('breach_recipients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('outbox_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('breach_recipients_case_email')
    .on('breach_recipients')
    .columns(['case_id', 'email'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['breach_recipients', 'breach_notifications', 'breach_facts', 'breach_customers', 'customers']) {
    await db.schema.dropTable(t).execute();
  }
}
