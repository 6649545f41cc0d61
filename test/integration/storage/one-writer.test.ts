/**
 * One writer per SQLite file per process, and transient is not poison. SQLite only: the write lock and
 * `BEGIN IMMEDIATE` are SQLite's (PostgreSQL locks rows; its transient errors are covered by the unit test).
 * Another connection to the file stands for another process (a CLI command).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCases } from '../../../src/adapters/db/case-repository.ts';
import { getInbox } from '../../../src/adapters/db/mail-repository.ts';
import { createSafeIntake, storeRaw } from '../../../src/app/ingest-mail.ts';
import type { Desk } from '../../../src/main.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

const mail = new TextEncoder().encode([
  'Received: from mail.example.test by mx.example.com with ESMTP; Tue, 10 Mar 2026 09:00:00 +0000',
  'From: Ada Example <ada.example@example.test>', 'To: dpo@example.com', 'Subject: Data access request',
  'Message-ID: <one-writer-1@example.test>', 'Date: Tue, 10 Mar 2026 09:00:00 +0000', '',
  'Under Art. 15 GDPR please send me a copy of all personal data you hold about me.', '',
].join('\r\n'));

describe('one writer on SQLite', () => {
  let dir: string;
  let file: string;
  let desk: Desk;
  let other: SQLite.Database;
  const clock = virtualClock('2026-03-10T10:00:00Z');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'one-writer-'));
    file = join(dir, 'desk.sqlite');
    desk = testDesk(`sqlite:${file}`, { clock, env: { MAIL_RECEIVING_HOSTS: 'mx.example.com' } });
    await desk.migrate();
    other = new SQLite(file, { timeout: 0 });
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await desk.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one process opens the file once: every desk of the process shares the connection', async () => {
    const second = testDesk(`sqlite:${file}`, { clock });
    try {
      expect(second.deps.database.db).toBe(desk.deps.database.db);
    } finally {
      await second.close();
    }
  });

  it('a write transaction takes the write lock at BEGIN (BEGIN IMMEDIATE), before its first read', async () => {
    await desk.deps.database.db.transaction().execute(async (trx) => {
      await sql`select count(*) from cases`.execute(trx); // reads only, so far
      expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/database is locked/);
    });
    other.exec('BEGIN IMMEDIATE'); // released at commit
    other.exec('ROLLBACK');
  });

  it('a mail met by a locked database waits and becomes a case; it is never quarantined', async () => {
    await sql`pragma busy_timeout = 20`.execute(desk.deps.database.db); // fail fast: the lock is held until we release it
    const { row } = await storeRaw(desk.deps, { raw: mail, deliveredAt: clock(), source: 'file' }, clock());
    other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
    let waits = 0;
    const intake = createSafeIntake(desk.deps, {
      sleep: async () => { if (++waits === 2) other.exec('COMMIT'); }, // the other process commits during the 2nd backoff
    });
    expect(await intake.process(row.id)).toBe('processed');
    expect(waits).toBe(2);
    expect((await getInbox(desk.deps.database.db, row.id))?.state).toBe('processed');
    expect(await listCases(desk.deps.database.db, {})).toHaveLength(1);
  });
});
