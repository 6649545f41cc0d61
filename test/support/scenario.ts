/**
 * Virtual-time scenarios: the real desk, its sweep and deliverer, driven through weeks of virtual time. The clock
 * jumps to the next planned reminder (the production sweep runs every 30 s; lateness is measured by bench/sweep),
 * and every delivered message is recorded with the instant it went out.
 */
import { sql } from 'kysely';
import type { OutboxRow } from '../../src/adapters/db/outbox-repository.ts';
import { drainOutbox, type Transport } from '../../src/app/deliver-outbox.ts';
import { sweepReminders } from '../../src/app/sweep-reminders.ts';
import type { Desk } from '../../src/main.ts';
import type { VirtualClock } from './desk.ts';

export interface Delivered {
  at: string;
  to: string;
  kind: string;
  items: string[];
  row: OutboxRow;
}

/** Records what was delivered: `to` as `user:U…`, `channel:triage`, `mail:addr`; items as `DSR-…:rule+rule`. */
export function recorder(clock: VirtualClock, fail?: (row: OutboxRow) => Error | null) {
  const log: Delivered[] = [];
  const transport: Transport = {
    async send(row) {
      const error = fail?.(row);
      if (error) throw error;
      const to = row.payload.to as { user?: string; channel?: string } | string | undefined;
      const target = typeof to === 'string' ? `mail:${to}` : to?.user ? `user:${to.user}` : to?.channel ? `channel:${to.channel}` : `${row.channel}:?`;
      const items = ((row.payload.items ?? []) as { caseNumber: string; rules: string[] | string }[])
        .map((i) => `${i.caseNumber}:${Array.isArray(i.rules) ? i.rules.join('+') : i.rules}`);
      log.push({ at: clock().toISOString(), to: target, kind: row.kind, items, row });
      return { ref: null };
    },
  };
  return { log, transport, transports: { slack: transport, mail: transport } };
}

/** The earliest planned reminder still to fire (null: none). */
export async function nextFireAt(desk: Desk): Promise<Date | null> {
  const r = await sql<{ t: number | string | null }>`select min(fire_at) as t from reminders where state = 'planned'`.execute(desk.deps.database.db);
  const t = r.rows[0]?.t;
  return t === null || t === undefined ? null : new Date(Number(t));
}

/** One tick: each desk sweeps and delivers (concurrently when several run). */
export async function tick(desks: readonly Desk[], transports: Record<string, Transport>): Promise<void> {
  await Promise.all(desks.map(async (d, i) => {
    await sweepReminders(d.deps, d.deps.clock());
    await drainOutbox(d.deps, transports, { owner: `deliverer-${i}` });
  }));
}

/** Runs the desks from the clock's instant to `until`, stopping at every reminder's fire time. */
export async function runUntil(
  desks: readonly Desk[], clock: VirtualClock, until: Date | string, transports: Record<string, Transport>,
  between?: (now: Date) => Promise<void>,
): Promise<void> {
  const end = new Date(until).getTime();
  for (let guard = 0; guard < 5000; guard++) {
    await tick(desks, transports);
    await between?.(clock());
    const next = await nextFireAt(desks[0]!);
    if (!next || next.getTime() > end) break;
    clock.set(new Date(Math.max(next.getTime(), clock().getTime())));
  }
  clock.set(new Date(Math.max(end, clock().getTime())));
  await tick(desks, transports);
}
