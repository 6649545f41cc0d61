/**
 * App Home: the user's open cases and the team's, each ordered by governing deadline with overdue first and a
 * countdown. Facts only, even for the DPO: the Home tab is a screen others may look over a shoulder at.
 */
import { ACTION } from '../action-ids.ts';
import type { Listing } from '../case-queries.ts';
import type { SlackRole } from '../roles.ts';
import { button, context, factsLine, factsOf, isOverdue, section } from './case-facts.ts';

function rows(l: Listing, zone: string, now: Date, canTake: boolean): unknown[] {
  const out: unknown[] = l.cases.map((c) => ({
    ...section(`${isOverdue(factsOf(c), now) ? ':red_circle: ' : ''}${factsLine(factsOf(c), zone, now)}`),
    ...(canTake && !c.owner ? { accessory: button(ACTION.take, 'Take', c.number) } : {}),
  }));
  if (l.total > l.cases.length) out.push(context(`…and ${l.total - l.cases.length} more (\`/dpo list open\`).`));
  return out.length ? out : [context('None.')];
}

/** The Home view for `user`: `mine` (the cases they own) and `team` (all open cases), a page of each. */
export function homeView(o: { user: string; role: SlackRole; mine: Listing; team: Listing; zone: string; now: Date }) {
  const canTake = o.role === 'agent' || o.role === 'dpo';
  const roleLine = o.role === 'viewer'
    ? 'You have no dpo-desk role: this is a read-only view.' : `Your role: *${o.role}*.`;
  return {
    type: 'home' as const,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'DPO desk' } },
      context(`${roleLine} ${o.team.total} open case${o.team.total === 1 ? '' : 's'}, ${o.team.overdue} overdue.`),
      ...(canTake ? [
        { type: 'header', text: { type: 'plain_text', text: 'My cases' } },
        ...rows(o.mine, o.zone, o.now, false),
      ] : []),
      { type: 'divider' },
      { type: 'header', text: { type: 'plain_text', text: "The team's cases" } },
      ...rows(o.team, o.zone, o.now, canTake),
    ],
  };
}
