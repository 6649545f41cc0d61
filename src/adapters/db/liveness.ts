/**
 * Liveness of a desk process, in the database: `alive:<owner>` is a lease the process renews every
 * RENEW_EVERY_MS. Outbox rows claimed by an owner (or its workers, `owner:…`) whose liveness lease ran out are
 * taken over by the next deliverer, without waiting for the row's own, longer lease.
 *
 * The owner is `<host>:<pid>`. A restarted process has a new pid, so at start it also ends, at once, the leases
 * and claims of dead predecessors on the same host (their pid is gone): a restart never waits for itself.
 * Holders on other hosts are taken over when their leases expire (at most LEASE_TTL_MS after they stop).
 */
import { hostname } from 'node:os';
import type { Executor } from './database.ts';
import {
  acquireLease, ALIVE_PREFIX, expireLeasesOf, LEASE_TTL_MS, releaseLease, RENEW_EVERY_MS,
} from './lease-repository.ts';
import { releaseClaimsOf } from './outbox-repository.ts';

export interface ProcessIdentity { host: string; pid: number }

export function processIdentity(): ProcessIdentity {
  return { host: hostname(), pid: process.pid };
}

export function ownerOf(id: ProcessIdentity): string {
  return `${id.host}:${id.pid}`;
}

/** True when a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends the leases and outbox claims of dead desk processes on this host (owner `<host>:<pid>[:…]` with a pid
 * that no longer runs, and is not ours). Returns the owners reaped.
 */
export async function reapDeadLocalOwners(
  db: Executor, self: ProcessIdentity, now: Date, isAlive: (pid: number) => boolean = pidAlive,
): Promise<string[]> {
  const owners = new Set<string>();
  for (const r of await db.selectFrom('leases').select(['name', 'owner']).execute()) {
    owners.add(r.owner);
    if (r.name.startsWith(ALIVE_PREFIX)) owners.add(r.name.slice(ALIVE_PREFIX.length));
  }
  const claims = await db.selectFrom('outbox').select('lease_owner').distinct().where('state', '=', 'sending').execute();
  for (const r of claims) {
    if (r.lease_owner) owners.add(r.lease_owner);
  }
  const dead = new Set<string>();
  for (const owner of owners) {
    const [host, pidText] = owner.split(':');
    const pid = Number(pidText);
    if (host !== self.host || !Number.isInteger(pid) || pid <= 0 || pid === self.pid || isAlive(pid)) continue;
    dead.add(`${host}:${pid}`);
  }
  for (const owner of dead) {
    await expireLeasesOf(db, owner, now);
    await releaseClaimsOf(db, owner);
  }
  return [...dead];
}

export interface Liveness {
  readonly owner: string;
  stop(): Promise<void>;
}

/** Keeps `alive:<owner>` fresh until stop(); a failed renewal is logged once per outage and retried. */
export async function startLiveness(
  db: Executor, owner: string, clock: () => Date,
  log: { warn(o: object, m: string): void; info(o: object, m: string): void },
): Promise<Liveness> {
  const name = `${ALIVE_PREFIX}${owner}`;
  let failing = false;
  const beat = async () => {
    try {
      await acquireLease(db, name, owner, clock(), LEASE_TTL_MS);
      if (failing) log.info({ owner }, 'liveness heartbeat recorded again');
      failing = false;
    } catch (e) {
      if (!failing) log.warn({ owner, err: (e as Error).message }, 'liveness heartbeat failed; retrying');
      failing = true;
    }
  };
  await beat();
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => { inFlight = beat(); }, RENEW_EVERY_MS);
  timer.unref();
  return {
    owner,
    async stop() {
      clearInterval(timer);
      await inFlight;
      await releaseLease(db, name, owner).catch(() => {});
    },
  };
}
