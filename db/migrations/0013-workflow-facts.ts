/**
 * 0013 — a case names its workflow (any definition in workflows/, not only request and breach), keeps the facts its
 * events recorded (JSON, never personal data: field values a definition marks as facts), and, for an obligation
 * whose clock runs from a notice being sent, the instant it started. Frozen in time.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cases').addColumn('workflow', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('cases').addColumn('facts', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('cases').addColumn('clock_from', 'bigint').execute();
  await sql`update cases set workflow = kind where workflow = ''`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cases').dropColumn('clock_from').execute();
  await db.schema.alterTable('cases').dropColumn('facts').execute();
  await db.schema.alterTable('cases').dropColumn('workflow').execute();
}
