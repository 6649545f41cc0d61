/**
 * `dpo-desk start` as a real process against Dovecot: it serves /health, /ready and /metrics on PORT (mail only, no
 * Slack); killed with SIGKILL while holding the mailbox lease, its restart (a new pid) ends the dead predecessor's
 * lease at once instead of waiting for it to expire, and takes the mail that arrived meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listCases } from '../../../src/adapters/db/case-repository.ts';
import { listLeases } from '../../../src/adapters/db/lease-repository.ts';
import { openDatabase, type Database } from '../../../src/adapters/db/database.ts';
import { migrateToLatest } from '../../../src/adapters/db/migrations.ts';
import { deliverLmtp, dovecotOrSkip, freePort, freshUser } from '../../support/dovecot.ts';
import { readFixture } from '../../unit/intake/intake-fixtures.ts';

const dovecot = dovecotOrSkip();

interface Started { child: ChildProcess; lines: Record<string, unknown>[] }

describe.skipIf(!dovecot)('dpo-desk start, killed and restarted', () => {
  const d = dovecot!;
  let dir: string;
  let database: Database;
  let port: number;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'desk-restart-'));
    port = await freePort();
    const user = freshUser('dpo');
    env = {
      PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`, ORG_NAME: 'Example Org',
      DPO_EMAIL: 'dpo@example.com', IMAP_HOST: d.host, IMAP_PORT: String(d.imapPort), IMAP_SECURE: 'false', IMAP_USER: user,
      IMAP_PASSWORD: d.password, MAIL_SIGNING_SECRET: 'test-signing-secret-123', MAIL_RECEIVING_HOSTS: 'mx.example.com',
      OUTBOX_DIR: join(dir, 'out'), PORT: String(port), LOG_LEVEL: 'info',
    };
    database = openDatabase(env.DATABASE_URL!);
    await migrateToLatest(database.db);
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(): Started {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    let buf = '';
    child.stderr!.on('data', (chunk) => { // the CLI logs to stderr
      buf += String(chunk);
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try { lines.push(JSON.parse(line)); } catch { /* not a log line */ }
      }
    });
    child.stdout!.resume();
    return { child, lines };
  }
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, text: await res.text() };
  };
  const cases = async () => (await listCases(database.db)).length;
  const mailboxLease = async () => (await listLeases(database.db)).find((l) => l.name.startsWith('imap:'));

  it('serves the operations endpoints, and a restart after kill -9 takes the mailbox without waiting', async () => {
    await deliverLmtp(d, env.IMAP_USER!, Buffer.from(readFixture('request-access-en')));
    const first = start();
    await vi.waitFor(async () => expect(await cases()).toBe(1), { timeout: 60_000, interval: 250 });
    await vi.waitFor(async () => expect((await get('/ready')).status).toBe(200), { timeout: 30_000, interval: 250 });
    expect(JSON.parse((await get('/health')).text)).toMatchObject({ ok: true, database: 'up' });
    const metrics = (await get('/metrics')).text;
    expect(metrics).toMatch(/^dpo_desk_cases_open\{kind="request"\} 1$/m);
    expect(metrics).toMatch(/^dpo_desk_seconds_since_last_mail_poll \d+$/m);
    const held = await mailboxLease();
    expect(held?.owner).toMatch(new RegExp(`:${first.child.pid}$`));

    first.child.kill('SIGKILL'); // no graceful release: the lease is still live for up to 30 s
    await new Promise((r) => first.child.once('exit', r));
    expect((await mailboxLease())!.until.getTime()).toBeGreaterThan(Date.now());
    await deliverLmtp(d, env.IMAP_USER!, Buffer.from(readFixture('request-erasure-en')));

    const second = start();
    await vi.waitFor(() => expect(second.lines.some((l) => l.msg === 'dpo-desk started')).toBe(true), { timeout: 60_000, interval: 100 });
    const reaped = second.lines.find((l) => String(l.msg).startsWith('ended the leases of dead predecessors'));
    expect(reaped?.reaped).toEqual([held!.owner]); // not waited for: ended at start-up
    await vi.waitFor(async () => expect(await cases()).toBe(2), { timeout: 60_000, interval: 250 });
    expect((await mailboxLease())?.owner).toMatch(new RegExp(`:${second.child.pid}$`));

    second.child.kill('SIGTERM'); // graceful: exits 0 and gives the lease back
    const code = await new Promise((r) => second.child.once('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(await mailboxLease()).toBeUndefined();
  }, 240_000); // two real processes started under tsx; every wait is for a condition, not a duration
});
