/**
 * What a scheduled job does, on the process's own desk (the bree worker only signals; see job.mjs). A stop
 * request is honoured between passes: a sweep pass's transaction commits, then the task returns.
 */
import { sendDigest } from '../../app/digest.ts';
import type { AppDeps } from '../../app/deps.ts';
import { previousMonth, sendMonthlyReport } from '../../app/monthly-report.ts';
import { purge } from '../../app/purge.ts';
import { sweepReminders, SWEEP_PASS_LIMIT } from '../../app/sweep-reminders.ts';
import { nextTurn } from '../../event-loop.ts';

export type TaskName = 'sweep' | 'digest' | 'purge' | 'report';

export interface TaskContext {
  stopped: () => boolean;
  /** Called when a task queued outbox rows (the deliverer can start at once). */
  queued?: () => void;
}

export async function runTask(deps: AppDeps, task: TaskName, ctx: TaskContext): Promise<void> {
  const log = deps.log.child({ task });
  if (task === 'digest') {
    await sendDigest(deps, deps.clock());
    ctx.queued?.();
    return;
  }
  if (task === 'purge') { // retention: one transaction per case (a stop ends it between two cases)
    const stopBetweenCases = () => { if (ctx.stopped()) throw new Error('stopped between two cases'); };
    const r = await purge(deps, deps.clock(), { afterCase: stopBetweenCases });
    log.info({ redacted: r.redacted.length, deleted: r.deleted.length, held: r.held }, 'retention purge');
    return;
  }
  if (task === 'report') { // the managers' monthly report on the month just ended
    await sendMonthlyReport(deps, previousMonth(deps.clock(), deps.config.org.timezone), deps.clock());
    ctx.queued?.();
    return;
  }
  // A burst (every request's 09:00 reminders) can exceed one pass: sweep again, each pass its own short
  // transaction, yielding the event loop between passes, until the due rows are done.
  for (let pass = 0; !ctx.stopped(); pass++) {
    const r = await sweepReminders(deps, deps.clock(), { limit: SWEEP_PASS_LIMIT });
    if (r.claimed) {
      log.info({ pass, claimed: r.claimed, suppressed: r.suppressed, messages: r.messages.length }, 'reminders swept');
      ctx.queued?.();
    }
    if (r.claimed < SWEEP_PASS_LIMIT) break;
    await nextTurn();
  }
}
