/**
 * Who may do what to a case: one pure check. Workflow events take their roles from the definition; the few
 * actions that are not events (view, take, assign, note…) have their roles here. Agents act on the cases they
 * own or that nobody owns; another agent's case is its owner's or the DPO's (taking it over included). Anything
 * that shows or writes to the data subject needs an agent to own the case first.
 */
import type { ActorRole } from '../vocabulary.ts';
import type { TransitionDefinition } from './definition.ts';

/** A person's role at the desk: a workflow role, or `viewer` (in the workspace, no dpo-desk role). */
export type DeskRole = ActorRole | 'viewer';

/** What is not a workflow event. `report`: anyone may report an incident (awareness is the organisation's). */
export const DESK_ACTIONS = [
  'view', 'open', 'report', 'take', 'assign', 'note', 'details', 'reply', 'escalate', 'export', 'override', 'confirm',
] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

const ALL: readonly DeskRole[] = ['dpo', 'agent', 'manager', 'viewer', 'system'];
const TEAM: readonly DeskRole[] = ['dpo', 'agent', 'system'];

export const ACTION_ROLES: Readonly<Record<DeskAction, readonly DeskRole[]>> = {
  view: ALL,
  open: TEAM,
  report: ALL,
  take: TEAM,
  assign: TEAM,
  note: TEAM,
  details: TEAM,
  reply: TEAM,
  escalate: TEAM,
  export: ['dpo', 'manager'],
  override: ['dpo'],
  confirm: TEAM,
};

/** Actions on someone else's case an agent may still take: reading facts and raising the alarm. */
const ANY_OWNER: ReadonlySet<DeskAction> = new Set(['view', 'escalate', 'open', 'report', 'export']);
/** Actions that show the data subject's details or write to them: an agent must own the case. */
const OWNER_ONLY: ReadonlySet<DeskAction> = new Set(['details', 'reply']);

export type Permission = { ok: true } | { ok: false; message: string };

export interface Who {
  user: string;
  /** The case's owner, when the question is about a case. */
  owner?: string | null;
}

/** What is asked: an action, or a workflow event (its transition says who may take it). */
export type Ask = { action: DeskAction } | { event: string; transition: TransitionDefinition | null };

export function authorize(role: DeskRole, ask: Ask, who: Who): Permission {
  const what = 'action' in ask ? ask.action : ask.event;
  const roles: readonly string[] = 'action' in ask ? ACTION_ROLES[ask.action] : ask.transition?.roles ?? [];
  if (!roles.includes(role)) {
    const needed = roles.filter((r) => r !== 'system').join(' or ') || 'a role no one has';
    const yours = role === 'viewer' ? 'you have no dpo-desk role (read-only view)' : `you are ${role}`;
    return { ok: false, message: `Not allowed: ${words(what)} needs the role ${needed}; ${yours}.` };
  }
  if (role !== 'agent' || ('action' in ask && ANY_OWNER.has(ask.action))) return { ok: true };
  const writesToSubject = 'event' in ask && Boolean(ask.transition?.template)
    && ask.transition?.mail_to === 'requester';
  const ownerOnly = ('action' in ask && OWNER_ONLY.has(ask.action)) || writesToSubject;
  if (who.owner && who.owner !== who.user) {
    return {
      ok: false,
      message: `Not allowed: this case is <@${who.owner}>'s; ${words(what)} is for its owner or the DPO `
        + '(ask them to assign it to you).',
    };
  }
  if (ownerOnly && who.owner !== who.user) {
    return {
      ok: false,
      message: `Not allowed: ${words(what)} shows or writes to the data subject, so an agent needs to own the case `
        + 'first (take it).',
    };
  }
  return { ok: true };
}

/** `ExtensionRequested` → `extension requested`; actions stay as they are. */
function words(what: string): string {
  return /^[A-Z]/.test(what) ? what.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : what;
}
