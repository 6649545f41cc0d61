/**
 * Who may do what from Slack. Roles come from configuration (user ids per role, and the members of an optional
 * agents user group, looked up through the Web API and cached); an unmapped user is a `viewer` with a read-only
 * view that carries no personal data. What each role may do is decided once, by the use case, with
 * domain/workflow/permissions.ts (the definitions' roles for events).
 */
import type { Config } from '../../config.ts';

export type SlackRole = 'dpo' | 'agent' | 'manager' | 'viewer';

export interface RoleResolver {
  roleOf(user: string): Promise<SlackRole>;
}

type SlackRoles = NonNullable<Config['slack']>['roles'];

/**
 * Resolves roles: DPO before agent before manager when a user is listed several times. Members of the agents
 * group are fetched with `usergroups.users.list` at most once per `ttlMs`; a failed lookup is not cached.
 */
export function createRoleResolver(
  roles: SlackRoles, groupMembers: (group: string) => Promise<string[]>, opts: { ttlMs?: number; now?: () => number } = {},
): RoleResolver {
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  let cache: { at: number; members: Promise<Set<string>> } | null = null;
  const agentsGroup = async (): Promise<Set<string>> => {
    if (!roles.agentsGroup) return new Set();
    if (!cache || now() - cache.at > ttl) {
      const members = groupMembers(roles.agentsGroup).then((m) => new Set(m));
      cache = { at: now(), members };
      members.catch(() => { cache = null; });
    }
    return cache.members.catch(() => new Set<string>());
  };
  return {
    async roleOf(user) {
      if (roles.dpos.includes(user)) return 'dpo';
      if (roles.agents.includes(user)) return 'agent';
      if ((await agentsGroup()).has(user)) return 'agent';
      return roles.managers.includes(user) ? 'manager' : 'viewer';
    },
  };
}
