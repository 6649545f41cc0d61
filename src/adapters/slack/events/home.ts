/** App Home: published when a user opens it, and refreshed after a button pressed on it. */
import type { App } from '@slack/bolt';
import { homeView } from '../blocks/home.ts';
import { listing } from '../case-queries.ts';
import type { SlackContext } from '../context.ts';

/** Publishes `user`'s Home: their cases and the team's (a read-only team view for users without a role). */
export async function publishHome(ctx: SlackContext, client: App['client'], user: string): Promise<void> {
  const now = ctx.now();
  const role = await ctx.roles.roleOf(user);
  const team = await listing(ctx.deps, 'open', user, now, 40);
  const mine = role === 'agent' || role === 'dpo' ? await listing(ctx.deps, 'mine', user, now, 20) : { cases: [], total: 0, overdue: 0 };
  const view = homeView({ user, role, mine, team, zone: ctx.deps.config.org.timezone, now });
  await client.views.publish({ user_id: user, view: view as never });
}
