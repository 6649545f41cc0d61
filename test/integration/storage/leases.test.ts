/**
 * Leases follow liveness, on SQLite and PostgreSQL, in virtual time: a holder that renews keeps its lease; one that
 * stops renewing loses it within the TTL; an outbox row claimed by a process whose liveness lease ran out is taken
 * over at once (not after the row's 5-minute lease); a restarted process ends its dead predecessor's leases and
 * claims on the same host without waiting at all.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, LEASE_TTL_MS, listLeases } from '../../../src/adapters/db/lease-repository.ts';
import { reapDeadLocalOwners } from '../../../src/adapters/db/liveness.ts';
import { claimDue, enqueue, listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { openDatabase, type Database } from '../../../src/adapters/db/database.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { virtualClock } from '../../support/desk.ts';

/** A pid that certainly ran on this host and has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe.each(testDatabases())('leases on $name', (tdb) => {
  let database: Database;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-05T10:00:00Z');
  const at = (s: number) => new Date(clock().getTime() + s * 1000);

  beforeEach(async () => {
    const fresh = await freshDatabase(tdb);
    drop = fresh.drop;
    database = openDatabase(fresh.url);
    clock.set('2026-03-05T10:00:00Z');
  });
  afterEach(async () => { await database.close(); await drop(); });

  it('a renewed lease is kept; one its holder stops renewing is taken over within the TTL', async () => {
    const { db } = database;
    expect(LEASE_TTL_MS).toBe(30_000);
    expect(await acquireLease(db, 'imap:dpo/INBOX', 'host-a:100', at(0))).toBe(true);
    expect(await acquireLease(db, 'imap:dpo/INBOX', 'host-b:200', at(29))).toBe(false);
    expect(await acquireLease(db, 'imap:dpo/INBOX', 'host-a:100', at(20))).toBe(true); // the heartbeat
    expect(await acquireLease(db, 'imap:dpo/INBOX', 'host-b:200', at(45))).toBe(false);
    // host-a stops renewing after t=20 s: its lease ends at t=50 s.
    expect(await acquireLease(db, 'imap:dpo/INBOX', 'host-b:200', at(50))).toBe(true);
    expect(await acquireLease(db, 'imap:dpo/INBOX', 'host-a:100', at(52))).toBe(false); // the late renewal learns it lost
    expect((await listLeases(db)).map((l) => l.owner)).toEqual(['host-b:200']);
  });

  it('an outbox row is taken over once its deliverer stops its liveness heartbeat, not after the row lease', async () => {
    const { db, dialect } = database;
    const row = (id: string) => ({ id, caseId: null, channel: 'slack' as const, kind: 'test', idempotencyKey: id, payload: {}, notBefore: at(0) });
    await enqueue(db, [row('r1'), row('r2')], at(0));
    expect(await acquireLease(db, 'alive:host-a:100', 'host-a:100', at(0))).toBe(true);
    // A's scheduler worker takes r1, a deliverer with no heartbeat at all ('cli') takes r2; both with 5-minute leases.
    expect(await claimDue(db, dialect, { owner: 'host-a:100:scheduler', now: at(0), leaseMs: 300_000, limit: 1 })).toHaveLength(1);
    expect(await claimDue(db, dialect, { owner: 'cli', now: at(0), leaseMs: 300_000, limit: 1 })).toHaveLength(1);
    expect(await acquireLease(db, 'alive:host-a:100', 'host-a:100', at(10))).toBe(true); // A beats at 10 s, then dies
    expect(await claimDue(db, dialect, { owner: 'host-b:200', now: at(39), leaseMs: 300_000, limit: 10 })).toEqual([]);
    const taken = await claimDue(db, dialect, { owner: 'host-b:200', now: at(40), leaseMs: 300_000, limit: 10 });
    expect(taken.map((r) => r.id)).toEqual(['r1']); // A's row; the heartbeat-less claim keeps its own lease
    expect(await claimDue(db, dialect, { owner: 'host-b:200', now: at(299), leaseMs: 300_000, limit: 10 })).toEqual([]);
    expect((await claimDue(db, dialect, { owner: 'host-b:200', now: at(300), leaseMs: 300_000, limit: 10 })).map((r) => r.id)).toEqual(['r2']);
  });

  it('a restarted process ends its dead predecessor’s leases and claims at once; live or foreign holders are kept', async () => {
    const { db, dialect } = database;
    const dead = deadPid();
    const self = { host: 'desk-host', pid: process.pid };
    expect(await acquireLease(db, 'imap:dpo/INBOX', `desk-host:${dead}`, at(0))).toBe(true);
    expect(await acquireLease(db, `alive:desk-host:${dead}`, `desk-host:${dead}`, at(0))).toBe(true);
    expect(await acquireLease(db, 'imap:other/INBOX', `other-host:${dead}`, at(0))).toBe(true);
    expect(await acquireLease(db, 'imap:third/INBOX', `desk-host:${process.ppid}`, at(0))).toBe(true); // alive
    await enqueue(db, [{ id: 'r1', caseId: null, channel: 'slack', kind: 'test', idempotencyKey: 'r1', payload: {}, notBefore: at(0) }], at(0));
    expect(await claimDue(db, dialect, { owner: `desk-host:${dead}:scheduler`, now: at(0), leaseMs: 300_000, limit: 1 })).toHaveLength(1);

    expect(await reapDeadLocalOwners(db, self, at(1))).toEqual([`desk-host:${dead}`]);
    const me = `desk-host:${process.pid}`;
    expect(await acquireLease(db, 'imap:dpo/INBOX', me, at(1))).toBe(true); // no wait for the dead predecessor
    expect(await acquireLease(db, 'imap:other/INBOX', me, at(1))).toBe(false); // another host: its TTL decides
    expect(await acquireLease(db, 'imap:third/INBOX', me, at(1))).toBe(false); // a live process on this host
    expect((await listOutbox(db, { state: 'pending' })).map((r) => r.id)).toEqual(['r1']);
    expect((await claimDue(db, dialect, { owner: me, now: at(1), leaseMs: 300_000, limit: 1 })).map((r) => r.id)).toEqual(['r1']);
  });
});
