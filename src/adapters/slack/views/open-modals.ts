/**
 * Opening the case modals (reply, extend, close) from a command, a button or a mention. Where Slack gave no
 * trigger_id (a mention in a thread), the user gets a button that opens the modal instead.
 */
import { getDeadlines } from '../../db/case-repository.ts';
import { replyOptions } from '../../../app/case-commands.ts';
import type { Case } from '../../../domain/case.ts';
import { governingDeadline } from '../../../domain/deadlines/deadline.ts';
import { allowedEvents } from '../../../domain/workflow/interpreter.ts';
import { ACTION } from '../action-ids.ts';
import { button, section } from '../blocks/case-facts.ts';
import { ephemeral } from '../blocks/lists.ts';
import { closeModal, extendModal, type ModalMeta } from '../blocks/modals.ts';
import { replyComposeModal, replySkeleton } from '../blocks/reply.ts';
import type { Responder, SlackContext } from '../context.ts';
import type { SlackRole } from '../roles.ts';

type TeamRole = Exclude<SlackRole, 'viewer'>;

/** The events that end a case, by what the close modal calls them. */
export const CLOSING: Record<string, string> = {
  Withdrawn: 'Withdrawn by the data subject',
  Refused: 'Refused (DPO; mails the refusal)',
  Closed: 'Closed (register entry complete)',
};

const PAUSE_OPTIONS: Record<string, string> = { identity: 'identity-request', clarification: 'clarification-request' };

async function openOrOffer(io: Responder, view: object, c: Case, actionId: string, label: string): Promise<void> {
  if (await io.openView(view)) return;
  await io.reply(ephemeral(`${label} ${c.number}:`, [section(`${label} *${c.number}*`), {
    type: 'actions', elements: [button(actionId, label, c.number, 'primary')],
  }]));
}

/** The reply modal; `pause` restricts it to the two mails that pause the clock. */
export async function openReply(ctx: SlackContext, io: Responder, c: Case, role: TeamRole, meta: ModalMeta, pause?: string | null): Promise<void> {
  let options = replyOptions(ctx.deps, c, role);
  if (pause !== undefined) {
    const wanted = pause ? [PAUSE_OPTIONS[pause]!] : Object.values(PAUSE_OPTIONS);
    options = options.filter((o) => wanted.includes(o));
  }
  if (!options.length) {
    await io.reply(ephemeral(`No ${pause !== undefined ? 'pausing ' : ''}reply can be sent on ${c.number} in state ${c.state} as ${role}.`));
    return;
  }
  const view = replyComposeModal(c, options, {
    option: options[0]!, language: c.language, details: replySkeleton(c, options[0]!), zone: ctx.deps.config.org.timezone,
    now: ctx.now(), meta,
  });
  await openOrOffer(io, view, c, ACTION.reply, 'Reply');
}

export async function openExtend(ctx: SlackContext, io: Responder, c: Case, meta: ModalMeta): Promise<void> {
  const governing = governingDeadline((await getDeadlines(ctx.deps.database.db, c.id)).filter((d) => d.extendedDue));
  const view = extendModal(c, governing?.extendedDue ?? null, ctx.deps.config.org.timezone, ctx.now(), meta);
  await openOrOffer(io, view, c, ACTION.extend, 'Extend');
}

export async function openClose(ctx: SlackContext, io: Responder, c: Case, role: TeamRole, meta: ModalMeta): Promise<void> {
  const allowed = allowedEvents(ctx.deps.workflows[c.kind], c.state, role);
  const resolutions = Object.entries(CLOSING).filter(([e]) => allowed.includes(e)).map(([event, label]) => ({ event, label }));
  if (!resolutions.length) {
    const all = Object.keys(CLOSING).filter((e) => ctx.deps.workflows[c.kind].transitions.some((t) => t.on === e));
    await io.reply(ephemeral(`${c.number} cannot be closed now (state ${c.state}, role ${role}): ${all.join(' or ')} `
      + `${all.length === 1 ? 'is' : 'are'} possible from ${[...new Set(ctx.deps.workflows[c.kind].transitions.filter((t) => all.includes(t.on)).flatMap((t) => t.from))].join(', ')}.`));
    return;
  }
  await openOrOffer(io, closeModal(c, resolutions, ctx.deps.config.org.timezone, ctx.now(), meta), c, ACTION.close, 'Close');
}
