/**
 * Audit anchoring on SQLite and PostgreSQL: the managers' digest publishes the chain head (`<hash>:<count>`), and
 * `dpo-desk audit verify --expect` catches what the chain alone cannot — events cut off the end of the log with
 * the head row rewound to match — and a log rewritten since the anchor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { sendDigest } from '../../../src/app/digest.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { verifyAudit } from '../../../src/app/verify-audit.ts';
import { run } from '../../../src/cli/program.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

describe.each(testDatabases())('audit anchor on $name', (tdb) => {
  let desk: Desk;
  let url: string;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-10T07:00:00Z');

  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { LOG_LEVEL: 'silent', DATABASE_URL: url, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com' };
    const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const open = () => openCase(desk.deps, {
    kind: 'request', requestTypes: ['access'], channel: 'cli', receivedAt: clock(), actor: { id: 'cli', role: 'dpo' },
  }, clock());

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    clock.set('2026-03-10T07:00:00Z');
    desk = testDesk(url, { clock, env: { MANAGERS_EMAIL: 'boss@example.com' } });
  });
  afterEach(async () => { await desk.close(); await drop(); });

  it('the digest carries the anchor; truncation with a rewound head passes the chain but fails against it', async () => {
    await open();
    await open();
    await sendDigest(desk.deps, clock());
    const mail = (await listOutbox(desk.deps.database.db)).find((o) => o.kind === 'digest' && o.channel === 'mail')!;
    const anchor = /Audit anchor: ([0-9a-f]{64}:\d+)/.exec(String(mail.payload.text))![1]!;
    const slack = (await listOutbox(desk.deps.database.db)).find((o) => o.kind === 'digest' && o.channel === 'slack')!;
    expect(slack.payload.audit).toEqual({ anchor });
    const count = Number(anchor.split(':')[1]);
    expect(await cli(['audit', 'verify', '--expect', anchor])).toMatchObject({ code: 0, out: expect.stringContaining(`anchor ${count} matches`) });

    await open(); // the log goes on after the digest: still fine against the older anchor
    expect(await cli(['audit', 'verify', '--expect', anchor])).toMatchObject({ code: 0 });

    // Cut the last events off the end and rewind the head row to the new last event, in the same database.
    const db = desk.deps.database.db;
    const keep = count - 2;
    const last = await db.selectFrom('audit_events').select(['seq', 'hash']).where('seq', '=', keep).executeTakeFirstOrThrow();
    await db.deleteFrom('audit_events').where('seq', '>', keep).execute();
    await db.updateTable('audit_head').set({ seq: last.seq, hash: last.hash }).where('id', '=', 1).execute();
    expect(await verifyAudit(db)).toMatchObject({ ok: true }); // the chain alone cannot tell
    const r = await cli(['audit', 'verify', '--expect', anchor]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`event #${count} of the published anchor is gone: the log ends at ${keep}`);
  });

  it('a log rewritten since the anchor (same length, other hashes) is caught; a malformed anchor is refused', async () => {
    await open();
    const head = await db().selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    const forged = `${'0'.repeat(64)}:${head.seq}`;
    const r = await verifyAudit(db(), { hash: '0'.repeat(64), count: Number(head.seq) });
    expect(r.problems).toEqual([{ seq: Number(head.seq), problem: `event #${head.seq} does not have the published hash: the log was rewritten since` }]);
    expect((await cli(['audit', 'verify', '--expect', forged])).code).toBe(1);
    expect(await cli(['audit', 'verify', '--expect', 'abc:12'])).toMatchObject({ code: 2, err: expect.stringContaining('--expect takes <hash>:<count>') });
  });

  const db = () => desk.deps.database.db;
});
