/**
 * Starts or checks what integration tests need. Without CI=true a missing service is skipped loudly;
 * with CI=true it fails the run.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
  }
}

const CI = process.env.CI === 'true';

async function findPostgres(): Promise<string | null> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch (e) {
    const message = `PostgreSQL is not reachable at ${url.replace(/\/\/[^@]*@/, '//')}: ${(e as Error).message}`;
    if (CI) throw new Error(`${message} — required when CI=true`);
    console.warn(`\n!!! ${message}\n!!! PostgreSQL tests are SKIPPED. Start it or set TEST_DATABASE_URL.\n`);
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('pgUrl', await findPostgres());
}
