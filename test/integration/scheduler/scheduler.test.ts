/**
 * The running desk (src/main.ts startDesk) on an SQLite file: bree's worker signals, the sweep runs on the desk's
 * own connection, the one outbox deliverer sends what it queued, and a graceful stop ends every worker without
 * leaving anything half-sent.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listReminders } from '../../../src/adapters/db/reminder-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { startDesk, type Desk } from '../../../src/main.ts';
import { testDesk } from '../../support/desk.ts';

describe('the bree scheduler', () => {
  let desk: Desk | null = null;
  afterEach(async () => { await desk?.close(); });

  it('sweeps due reminders on the schedule and delivers them, then stops gracefully', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scheduler-'));
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`, OUTBOX_DIR: join(dir, 'out'), ORG_NAME: 'Example Org',
      DPO_EMAIL: 'dpo@example.com', LOG_LEVEL: 'silent',
    };
    // A breach noticed 25 hours ago (real time: the desk reads the real clock): the 24 h reminder is due.
    const aware = new Date(Date.now() - 25 * 3_600_000);
    desk = testDesk(env.DATABASE_URL, { env });
    await desk.migrate();
    const { case: c } = await openCase(desk.deps, {
      kind: 'breach', channel: 'cli', receivedAt: aware, awareAt: aware, owner: 'dpo@example.com', actor: { id: 'cli', role: 'dpo' },
    }, aware); // opened back then: its reminders were planned then
    const running = await startDesk(desk, { sweepEvery: '2s', owner: 'test' });
    const scheduler = running.scheduler;
    try {
      await vi.waitFor(async () => {
        const rows = await listReminders(desk!.deps.database.db, { caseId: c.id });
        expect(rows.find((r) => r.ruleId === 'breach-24h' && r.recipient === 'owner')?.state).toBe('sent');
      }, { timeout: 20_000, interval: 200 });
    } finally {
      await running.stop();
    }
    expect(scheduler.bree.workers.size).toBe(0);
    const pending = (await listOutbox(desk.deps.database.db)).filter((o) => o.state === 'sending');
    expect(pending).toEqual([]);
    const files = readdirSync(env.OUTBOX_DIR).filter((f) => f.includes('reminder'));
    expect(files.some((f) => readFileSync(join(env.OUTBOX_DIR, f), 'utf8').includes('breach-24h'))).toBe(true);
  });
});
