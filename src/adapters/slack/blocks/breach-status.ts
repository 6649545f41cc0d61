/** Where a breach's register entry stands: decisions, phases, customers not yet alerted, the people's notices. */
import { getRecord, listNotifications, recipientProgress } from '../../db/breach-repository.ts';
import { linkedCustomers } from '../../db/customer-repository.ts';
import type { AppDeps } from '../../../app/deps.ts';
import type { Case } from '../../../domain/case.ts';

export async function breachStatus(deps: Pick<AppDeps, 'database'>, c: Case): Promise<string> {
  const db = deps.database.db;
  const r = await getRecord(db, c.id);
  const p = await recipientProgress(db, c.id);
  const lines = [
    `*Register entry* — ${c.role}`,
    `Risk: ${r.assessment ? `${r.assessment.risk} (<@${r.assessment.by}>)` : 'not assessed'}${r.decision ? ` · decision: ${r.decision.kind.replace(/_/g, ' ')}` : ''}`,
    ...(await listNotifications(db, c.id)).map((n) => `• ${n.audience}${n.customer ? ` ${n.customer}` : ''}: ${n.phase} ${n.at.toISOString().slice(0, 16)}Z${n.reference ? ` ref ${n.reference}` : ''}`),
    ...(await linkedCustomers(db, c.id)).filter((l) => !l.alertedAt).map((l) => `• customer ${l.customer.name}: *not alerted yet*`),
    ...(c.role === 'controller' ? [`Art. 34: ${r.subjects ? `${r.subjects.decision}${r.subjects.ground ? ` (ground ${r.subjects.ground})` : ''}` : 'not decided'} · notices: ${p.sent} sent, ${p.pending + p.unsent} pending, ${p.failed} failed`] : []),
  ];
  return lines.join('\n');
}
