/** Heartbeats: the last time a recurring job ran anywhere (`sweep`, `mail-poll`), for /ready and /metrics. */
import type { Executor } from './database.ts';

export type HeartbeatName = 'sweep' | 'mail-poll';

export async function beat(db: Executor, name: HeartbeatName, owner: string, now: Date): Promise<void> {
  await db.insertInto('heartbeats').values({ name, owner, at: now.getTime() })
    .onConflict((oc) => oc.column('name').doUpdateSet({ owner, at: now.getTime() })).execute();
}

export async function lastBeats(db: Executor): Promise<Partial<Record<HeartbeatName, Date>>> {
  const rows = await db.selectFrom('heartbeats').select(['name', 'at']).execute();
  return Object.fromEntries(rows.map((r) => [r.name, new Date(Number(r.at))]));
}
