/** Where a breach's register entry stands: decisions, phases, customers not yet alerted, the people's notices. */
import { getRecord, listNotifications, recipientProgress, type NotificationRow } from '../../db/breach-repository.ts';
import { linkedCustomers } from '../../db/customer-repository.ts';
import type { AppDeps } from '../../../app/deps.ts';
import type { BreachRecord } from '../../../domain/breach/breach-record.ts';
import type { Case } from '../../../domain/case.ts';

const words = (s: string) => s.replace(/_/g, ' ');

function riskLine(r: BreachRecord): string {
  const risk = r.assessment ? `${r.assessment.risk} (<@${r.assessment.by}>)` : 'not assessed';
  return `Risk: ${risk}${r.decision ? ` · decision: ${words(r.decision.kind)}` : ''}`;
}

function phaseLine(n: NotificationRow): string {
  const who = n.customer ? ` ${n.customer}` : '';
  const ref = n.reference ? ` ref ${n.reference}` : '';
  return `• ${n.audience}${who}: ${n.phase} ${n.at.toISOString().slice(0, 16)}Z${ref}`;
}

export async function breachStatus(deps: Pick<AppDeps, 'database'>, c: Case): Promise<string> {
  const db = deps.database.db;
  const r = await getRecord(db, c.id);
  const p = await recipientProgress(db, c.id);
  const s = r.subjects;
  const art34 = s ? `${s.decision}${s.ground ? ` (ground ${s.ground})` : ''}` : 'not decided';
  const notices = `${p.sent} sent, ${p.pending + p.unsent} pending, ${p.failed} failed`;
  const notAlerted = (await linkedCustomers(db, c.id)).filter((l) => !l.alertedAt);
  return [
    `*Register entry* — ${c.role}`,
    riskLine(r),
    ...(await listNotifications(db, c.id)).map(phaseLine),
    ...notAlerted.map((l) => `• customer ${l.customer.name}: *not alerted yet*`),
    ...(c.role === 'controller' ? [`Art. 34: ${art34} · notices: ${notices}`] : []),
  ].join('\n');
}
