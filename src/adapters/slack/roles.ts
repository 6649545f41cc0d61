/**
 * Who may do what from Slack. Roles come from configuration (user ids per role, and the members of an optional
 * agents user group, looked up through the Web API and cached); an unmapped user is a `viewer` with a read-only
 * view that carries no personal data. The workflow checks roles again when an event is applied.
 */
import type { Config } from '../../config.ts';

export type SlackRole = 'dpo' | 'agent' | 'manager' | 'viewer';

/** Everything a Slack user can ask for; `view` (lists, facts, App Home) never shows personal data. */
export type SlackAction =
  | 'view' | 'open' | 'take' | 'assign' | 'note' | 'reply' | 'details' | 'verify' | 'pause' | 'resume' | 'close'
  | 'escalate' | 'extend' | 'refuse' | 'override' | 'assess' | 'notify' | 'export'
  /** Report a privacy incident: anyone (awareness is the organisation's, GDPR Art. 33(1)). */
  | 'report';

const ALL: readonly SlackRole[] = ['dpo', 'agent', 'manager', 'viewer'];
const TEAM: readonly SlackRole[] = ['dpo', 'agent'];
const DPO: readonly SlackRole[] = ['dpo'];

/** The matrix (reference/slack.md): extension, refusal, deadline override, authority notification need the DPO. */
export const PERMISSIONS: Readonly<Record<SlackAction, readonly SlackRole[]>> = {
  view: ALL,
  open: TEAM,
  take: TEAM,
  assign: TEAM,
  note: TEAM,
  reply: TEAM,
  details: TEAM,
  verify: TEAM,
  pause: TEAM,
  resume: TEAM,
  close: TEAM,
  escalate: TEAM,
  extend: DPO,
  refuse: DPO,
  override: DPO,
  assess: DPO,
  notify: DPO,
  export: ['dpo', 'manager'],
  report: ALL,
};

/** An agent sees a data subject's details (and writes to them) only on the cases they work. */
const OWNER_ONLY_FOR_AGENTS: ReadonlySet<SlackAction> = new Set(['details', 'reply', 'pause']);

export type Permission = { ok: true } | { ok: false; message: string };

/** Whether `role` may do `action`; `owner` is the case's owner when the action is about a case. */
export function permits(role: SlackRole, action: SlackAction, who: { user: string; owner?: string | null }): Permission {
  if (!PERMISSIONS[action].includes(role)) {
    const needed = PERMISSIONS[action].join(' or ');
    const yours = role === 'viewer' ? 'you have no dpo-desk role (read-only view)' : `you are ${role}`;
    return { ok: false, message: `Not allowed: ${action} needs the role ${needed}; ${yours}.` };
  }
  if (role === 'agent' && OWNER_ONLY_FOR_AGENTS.has(action) && who.owner !== who.user) {
    return { ok: false, message: `Not allowed: ${action} shows the data subject's details, so an agent needs to own the case first (take it).` };
  }
  return { ok: true };
}

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
