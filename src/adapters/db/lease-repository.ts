/**
 * Named leases with one statement each: a holder renews its own lease; anyone may take an expired one.
 * This is how only one poller reads a mailbox even with several instances running.
 */
import type { Executor } from './database.ts';

/** Takes or renews `name` for `owner` until `now + ttlMs`; true when `owner` holds it afterwards. */
export async function acquireLease(db: Executor, name: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
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
