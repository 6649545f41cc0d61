/**
 * Checkpoints off the event loop (adapters/db/checkpointer.ts): while the desk runs, its connection never copies the
 * write-ahead log into the database file at a commit; a worker thread with its own connection does. A worker that
 * fails hands the job back to the connection.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type CheckpointReport } from '../../../src/adapters/db/checkpointer.ts';
import { openDatabase, type Database } from '../../../src/adapters/db/database.ts';
import { createLogger } from '../../../src/logger.ts';

/** The setting on the desk's connection (on the writer thread: in order after every pragma sent before). */
const autocheckpoint = async (db: Database) =>
  (await (db.sqlite!.pragma('wal_autocheckpoint') as Promise<{ wal_autocheckpoint: number }[]>))[0]!
    .wal_autocheckpoint;

describe('WAL checkpoints on a worker thread', () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
    db = openDatabase(`sqlite:${join(dir, 'desk.sqlite')}`);
    await sql`create table t (id integer primary key, body text)`.execute(db.db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the connection stops checkpointing and the worker copies the log into the file', async () => {
    const reports: CheckpointReport[] = [];
    const file = join(dir, 'desk.sqlite');
    // An hour between checkpoints: the only one is the worker's last, when it is stopped.
    const onCheckpoint = (r: CheckpointReport) => { reports.push(r); };
    const c = startCheckpointer(db, createLogger('silent'), { everyMs: 3_600_000, onCheckpoint });
    expect(await autocheckpoint(db)).toBe(0);
    const before = statSync(file).size;
    for (let i = 0; i < 2_000; i++) await sql`insert into t (body) values (${'x'.repeat(500)})`.execute(db.db);
    expect(statSync(file).size).toBe(before); // nothing copied into the file at any commit
    await c.stop();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.log).toBeGreaterThan(1_000); // past SQLite's own threshold of 1,000 pages
    expect(reports[0]!.checkpointed).toBe(reports[0]!.log);
    expect(statSync(file).size).toBeGreaterThan(before + 1_000_000);
    expect(await autocheckpoint(db)).toBe(1_000);
  });

  it('a worker that fails hands checkpoints back to the connection, and says so once', async () => {
    const warnings: string[] = [];
    const log = createLogger('silent');
    let warned: () => void = () => {};
    const once = new Promise<void>((r) => { warned = r; });
    log.warn = ((_: unknown, msg: string) => { warnings.push(msg); warned(); }) as typeof log.warn;
    const script = new URL('./failing-checkpoint-worker.mjs', import.meta.url);
    const c = startCheckpointer(db, log, { script });
    await once;
    expect(warnings).toEqual(['WAL checkpoint worker stopped; the desk checkpoints inline again']);
    expect(await autocheckpoint(db)).toBe(1_000);
    await c.stop();
  });
});
