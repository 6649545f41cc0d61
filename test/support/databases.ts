/**
 * The databases repository and use-case tests run against: an SQLite file and a fresh PostgreSQL schema.
 * PostgreSQL is skipped loudly on a laptop without it, and required when CI=true (see global-setup).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/db/database.ts';
import { migrateToLatest } from '../../src/adapters/db/migrations.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  /** A new, migrated, empty database; `url` opens a second connection pool to the same one. */
  create(): Promise<{ database: Database; url: string; drop(): Promise<void> }>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-test-'));
    const url = `sqlite:${join(dir, 'test.sqlite')}`;
    const database = openDatabase(url);
    await migrateToLatest(database.db);
    return { database, url, drop: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
  },
};

const postgres: TestDatabase = {
  name: 'postgres',
  async create() {
    const base = inject('pgUrl')!;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const database = openDatabase(url);
    await migrateToLatest(database.db);
    return {
      database, url,
      drop: async () => {
        await database.close();
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  },
};

/** A new, migrated database left closed: tests open it through the desk (by URL), as the application does. */
export async function freshDatabase(tdb: TestDatabase): Promise<{ url: string; drop(): Promise<void> }> {
  const created = await tdb.create();
  await created.database.close();
  return { url: created.url, drop: created.drop };
}

/** SQLite always; PostgreSQL when global setup found it. */
export function testDatabases(): TestDatabase[] {
  return inject('pgUrl') ? [sqlite, postgres] : [sqlite];
}
