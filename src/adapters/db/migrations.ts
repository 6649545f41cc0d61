/**
 * Migrations as a static list (not a folder scan): it works under vitest, tsx and a bundle alike.
 * kysely's Migrator holds a lock, so two instances starting at once migrate once.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as m0001 from '../../../db/migrations/0001-initial.ts';
import * as m0002 from '../../../db/migrations/0002-mail-intake.ts';
import * as m0003 from '../../../db/migrations/0003-leases.ts';
import * as m0004 from '../../../db/migrations/0004-reminders.ts';
import * as m0005 from '../../../db/migrations/0005-slack.ts';
import * as m0006 from '../../../db/migrations/0006-outbox-case-index.ts';
import * as m0007 from '../../../db/migrations/0007-heartbeats.ts';
import * as m0008 from '../../../db/migrations/0008-retention.ts';
import * as m0009 from '../../../db/migrations/0009-breach-desk.ts';
import * as m0013 from '../../../db/migrations/0013-workflow-facts.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-mail-intake': m0002,
  '0003-leases': m0003,
  '0004-reminders': m0004,
  '0005-slack': m0005,
  '0006-outbox-case-index': m0006,
  '0007-heartbeats': m0007,
  '0008-retention': m0008,
  '0009-breach-desk': m0009,
  '0013-workflow-facts': m0013,
};

/**
 * On PostgreSQL the migration tables live in the connection's current schema, named explicitly: otherwise
 * kysely may find another schema's migration tables (several desks or test schemas in one database).
 */
async function migrator(db: Kysely<any>): Promise<Migrator> {
  const isPostgres = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  const schema = isPostgres
    ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
    : undefined;
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema: schema });
}

/** Brings the schema up to date; returns what ran. Throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const result: MigrationResultSet = await (await migrator(db)).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'the migration lock';
    throw new Error(`migration ${failed} failed: ${(result.error as Error).message ?? String(result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied (for `doctor`). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await (await migrator(db)).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
