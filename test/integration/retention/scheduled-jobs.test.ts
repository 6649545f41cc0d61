/**
 * The retention purge and the monthly report as bree jobs (bree times them; they run on the desk, which reads the real
 * clock here, so the fixture is dated relative to now): the purge redacts a case closed 100 days ago and leaves an open
 * one; the report job queues last month's report for the managers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getPrivate } from '../../../src/adapters/db/case-repository.ts';
import { listOutbox } from '../../../src/adapters/db/outbox-repository.ts';
import { createScheduler } from '../../../src/adapters/scheduler/scheduler.ts';
import { runTask } from '../../../src/adapters/scheduler/run-task.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { previousMonth } from '../../../src/app/monthly-report.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { createLogger } from '../../../src/logger.ts';
import type { Desk } from '../../../src/main.ts';
import { testDesk } from '../../support/desk.ts';

describe('scheduled retention and report jobs', () => {
  let desk: Desk | null = null;
  afterEach(async () => { await desk?.close(); });

  it('purge and report run in bree workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retention-jobs-'));
    const env = {
      DATABASE_URL: `sqlite:${join(dir, 'desk.sqlite')}`, OUTBOX_DIR: join(dir, 'out'), ORG_NAME: 'Example Org',
      DPO_EMAIL: 'dpo@example.com', LOG_LEVEL: 'silent', MANAGERS_EMAIL: 'boss@example.com',
    };
    desk = testDesk(env.DATABASE_URL, { env });
    await desk.migrate();
    const then = new Date(Date.now() - 100 * 86_400_000);
    const open = async () => (await openCase(desk!.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'cli', receivedAt: then, content: 'my loyalty card data',
      requester: { email: 'ada.example@example.test', name: 'Ada Example', verified: true },
      actor: { id: 'cli', role: 'dpo' },
    }, then)).case;
    const closed = await open();
    const stillOpen = await open();
    const withdrawn = { outcome: 'withdrawn' };
    await recordCaseEvent(desk.deps, {
      caseNumber: closed.number, type: 'Withdrawn', actor: { id: 'cli', role: 'dpo' }, fields: withdrawn,
    }, then);
    const deps = desk.deps;
    const scheduler = createScheduler(deps.config, createLogger('silent'), { run: (task, stopped) => runTask(deps, task, { stopped }) });
    try {
      await scheduler.bree.run('purge');
      await scheduler.bree.run('report');
      await vi.waitFor(async () => {
        expect((await getPrivate(desk!.deps.database.db, closed.id))!.content).toBeNull();
        const reports = (await listOutbox(desk!.deps.database.db)).filter((o) => o.kind === 'monthly-report');
        const month = previousMonth(new Date(), 'Europe/Berlin');
        expect(reports.map((r) => r.idempotencyKey).sort())
          .toEqual([`report:${month}:boss@example.com`, `report:${month}:slack`]);
      }, { timeout: 30_000, interval: 200 });
    } finally {
      await scheduler.stop();
    }
    expect((await getPrivate(desk.deps.database.db, stillOpen.id))!.content).toBe('my loyalty card data');
    const jobs = scheduler.bree.config.jobs.map((j) => [j.name, (j as { cron?: string }).cron ?? null]);
    expect(jobs).toEqual(expect.arrayContaining([['purge', '30 3 * * *'], ['report', '0 8 1 * *']]));
  });
});
