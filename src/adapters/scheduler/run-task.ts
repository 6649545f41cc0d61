/**
 * One scheduled task, in its own worker thread: builds the desk from the environment it was given, runs the task
 * once, and ends. On bree's "cancel" (graceful stop) it finishes the unit in hand — a claimed row is sent and
 * recorded, a sweep's transaction commits — and stops before the next one.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { deliverOutbox } from '../../app/deliver-outbox.ts';
import { sendDigest } from '../../app/digest.ts';
import { previousMonth, sendMonthlyReport } from '../../app/monthly-report.ts';
import { purge } from '../../app/purge.ts';
import { sweepReminders, SWEEP_PASS_LIMIT } from '../../app/sweep-reminders.ts';
import { parseConfig } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { createDesk } from '../../main.ts';

export type TaskName = 'sweep' | 'outbox' | 'digest' | 'purge' | 'report';

const { task, env, owner } = (workerData as { task: TaskName; env: Record<string, string>; owner: string; job?: unknown });
let cancelled = false;
parentPort?.on('message', (m) => { if (m === 'cancel') cancelled = true; });

const parsed = parseConfig(env, { readFile: (p) => readFileSync(p, 'utf8'), defaults: env.ORG_NAME ? {} : { ORG_NAME: 'dpo-desk', DPO_EMAIL: 'dpo@example.com' } });
if (!parsed.ok) throw new Error(`configuration: ${parsed.errors.join('; ')}`);
const log = createLogger(parsed.config.logLevel).child({ task });
const desk = createDesk({ config: parsed.config, log });
try {
  if (task === 'sweep') {
    // A burst (every request's 09:00 reminders) can exceed one sweep's limit: sweep again, each pass its own
    // transaction, until the due rows are done — they must not wait for the next tick.
    for (let pass = 0; !cancelled; pass++) {
      const r = await sweepReminders(desk.deps, desk.deps.clock(), { limit: SWEEP_PASS_LIMIT });
      if (r.claimed) log.info({ pass, claimed: r.claimed, suppressed: r.suppressed, messages: r.messages.length }, 'reminders swept');
      if (r.claimed < SWEEP_PASS_LIMIT) break;
    }
  } else if (task === 'digest') {
    await sendDigest(desk.deps, desk.deps.clock());
  } else if (task === 'purge') { // issue 12: retention, one transaction per case (a cancel stops between cases)
    const stopBetweenCases = () => { if (cancelled) throw new Error('cancelled between two cases'); };
    const r = await purge(desk.deps, desk.deps.clock(), { afterCase: stopBetweenCases });
    log.info({ redacted: r.redacted.length, deleted: r.deleted.length, held: r.held }, 'retention purge');
  } else if (task === 'report') { // issue 12: the managers' monthly report on the month just ended
    await sendMonthlyReport(desk.deps, previousMonth(desk.deps.clock(), parsed.config.org.timezone), desk.deps.clock());
  } else {
    while (!cancelled) {
      const r = await deliverOutbox(desk.deps, desk.transports, { owner, limit: 10 });
      if (r.sent + r.retried + r.failed === 0) break;
    }
  }
} finally {
  await desk.close();
}
parentPort?.postMessage(cancelled ? 'cancelled' : 'done');
