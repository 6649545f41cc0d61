/**
 * Named leases with one statement each: a holder renews its own lease; anyone may take an expired one.
 * This is how only one poller reads a mailbox even with several instances running.
 *
 * Leases follow liveness: they are short (LEASE_TTL_MS) and renewed by their holder while it works, so a holder
 * that stops renewing (killed, hung) loses its leases within the TTL. A process also keeps `alive:<owner>` fresh
 * (see liveness.ts); outbox rows claimed by an owner whose liveness lease ran out are taken over at once.
 */
import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** How long a lease lasts without renewal; holders renew every RENEW_EVERY_MS. */
export const LEASE_TTL_MS = 30_000;
export const RENEW_EVERY_MS = 10_000;
export const ALIVE_PREFIX = 'alive:';

/** Takes or renews `name` for `owner` until `now + ttlMs`; true when `owner` holds it afterwards. */
export async function acquireLease(
  db: Executor, name: string, owner: string, now: Date, ttlMs = LEASE_TTL_MS,
): Promise<boolean> {
  const until = now.getTime() + ttlMs;
  const row = await db.insertInto('leases').values({ name, owner, until })
    .onConflict((oc) => oc.column('name').doUpdateSet({ owner, until })
      .where((eb) => eb.or([eb('leases.until', '<=', now.getTime()), eb('leases.owner', '=', owner)])))
    .returning('owner').executeTakeFirst();
  return row?.owner === owner;
}

export async function releaseLease(db: Executor, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}

export async function listLeases(db: Executor): Promise<{ name: string; owner: string; until: Date }[]> {
  const rows = await db.selectFrom('leases').selectAll().orderBy('name').execute();
  return rows.map((r) => ({ name: r.name, owner: r.owner, until: new Date(Number(r.until)) }));
}

/** Ends every lease of `owner` (and of its sub-owners `owner:…`, e.g. its scheduler's workers) now. */
export async function expireLeasesOf(db: Executor, owner: string, now: Date): Promise<number> {
  const res = await db.updateTable('leases').set({ until: now.getTime() })
    .where((eb) => eb.or([
      eb('owner', '=', owner), eb(sql`substr(owner, 1, ${owner.length + 1})`, '=', `${owner}:`),
      eb('name', '=', `${ALIVE_PREFIX}${owner}`),
    ]))
    .where('until', '>', now.getTime()).executeTakeFirst();
  return Number(res.numUpdatedRows);
}
