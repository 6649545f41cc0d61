/**
 * Starts or checks what integration tests need. Without CI=true a missing service is skipped loudly;
 * with CI=true it fails the run.
 */
import { rmSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { findDovecotBinary, startDovecot, type DovecotEndpoint, type DovecotServer } from './support/dovecot.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string | null;
    /** The run's shared Dovecot (IMAP + LMTP on loopback, any user name, one password), or null if absent. */
    dovecot: DovecotEndpoint | null;
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

async function startMailServer(): Promise<DovecotServer | null> {
  if (!findDovecotBinary()) {
    const message = 'Dovecot not found (looked for $DOVECOT_BIN, /usr/sbin/dovecot, /usr/local/sbin/dovecot, PATH)';
    if (CI) throw new Error(`${message} — required when CI=true; .ci/run installs it (apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd)`);
    console.warn(`\n!!! ${message}\n!!! mail integration tests are SKIPPED. Install: apt-get install -y --no-install-recommends dovecot-imapd dovecot-lmtpd\n`);
    return null;
  }
  try {
    return await startDovecot();
  } catch (e) {
    if (CI) throw e;
    console.warn(`\n!!! Dovecot is installed but did not start: ${(e as Error).message}\n!!! mail integration tests are SKIPPED.\n`);
    return null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('pgUrl', await findPostgres());
  const dovecot = await startMailServer();
  project.provide('dovecot', dovecot && {
    host: dovecot.host, imapPort: dovecot.imapPort, lmtpPort: dovecot.lmtpPort, password: dovecot.password, conf: dovecot.conf,
  });
  return async () => {
    if (!dovecot) return;
    await dovecot.stop();
    if (process.env.KEEP_DOVECOT === '1') console.log(`[global-setup] Dovecot dir kept: ${dovecot.dir}`);
    else rmSync(dovecot.dir, { recursive: true, force: true });
  };
}
