/**
 * Opening the case forms (reply, close, one event) from a command, a button or a mention — built from the workflow
 * definition and what this person may do now. Where Slack gave no trigger_id (a mention in a thread), the user
 * gets a button that opens the form instead.
 */
import { caseFor, offers } from '../../../app/offers.ts';
import { getDeadlines } from '../../db/case-repository.ts';
import { describeEffects } from '../../../app/workflow-effects.ts';
import type { Actor } from '../../../app/deps.ts';
import type { Case } from '../../../domain/case.ts';
import { labelOf } from '../../../domain/workflow/definition.ts';
import { transitionFor } from '../../../domain/workflow/interpreter.ts';
import { ACTION } from '../action-ids.ts';
import { button, factsLine, factsOf, section } from '../blocks/case-facts.ts';
import { closeModal, eventModal, type EventMeta } from '../blocks/event-form.ts';
import { fieldOptions } from '../case-queries.ts';
import { ephemeral } from '../blocks/lists.ts';
import type { ModalMeta } from '../blocks/modals.ts';
import { replyComposeModal, replySkeleton } from '../blocks/reply.ts';
import type { Responder, SlackContext } from '../context.ts';

async function openOrOffer(io: Responder, view: object, c: Case, actionId: string, label: string, value = c.number) {
  if (await io.openView(view)) return;
  await io.reply(ephemeral(`${label} ${c.number}:`, [section(`${label} *${c.number}*`), {
    type: 'actions', elements: [button(actionId, label, value, 'primary')],
  }]));
}

const facts = (ctx: SlackContext, c: Case) => factsLine(factsOf(c), ctx.deps.config.org.timezone, ctx.now());

/** The reply form: the mails the definition offers this person now; `pause` keeps those that pause the clock. */
export async function openReply(
  ctx: SlackContext, io: Responder, actor: Actor, meta: ModalMeta & { caseNumber: string }, pause?: string | null,
) {
  const loaded = await caseFor(ctx.deps, meta.caseNumber, actor, () => ({ action: 'reply' }));
  if (!loaded.ok) {
    return io.reply(ephemeral(`${loaded.code === 'NOT_ALLOWED' ? ':no_entry:' : ':x:'} ${loaded.message}`));
  }
  const c = loaded.case;
  const wf = ctx.deps.workflows.of(c);
  let options = offers(ctx.deps.workflows, c, { role: actor.role, user: actor.id }, 'reply');
  if (pause !== undefined) {
    options = options.filter((o) => {
      const to = wf.states[o.transition.to ?? c.state];
      return to?.clock === 'paused' && (!pause || to.pause_reason === pause);
    });
  }
  if (!options.length) {
    return io.reply(ephemeral(
      `No ${pause !== undefined ? 'pausing ' : ''}reply can be sent on ${c.number} `
        + `in state ${c.state} as ${actor.role}.`,
    ));
  }
  const first = options[0]!;
  const view = replyComposeModal(c, options, {
    option: first.event, language: c.language, details: replySkeleton(c, first.transition),
    zone: ctx.deps.config.org.timezone,
    now: ctx.now(), meta,
  });
  await openOrOffer(io, view, c, ACTION.reply, 'Reply');
}

/** The close form: the resolutions the definition offers this person now, or why there are none. */
export async function openClose(
  ctx: SlackContext, io: Responder, actor: Actor, meta: ModalMeta & { caseNumber: string },
) {
  const loaded = await caseFor(ctx.deps, meta.caseNumber, actor, () => ({ action: 'view' }));
  if (!loaded.ok) return io.reply(ephemeral(`:x: ${loaded.message}`));
  const c = loaded.case;
  const wf = ctx.deps.workflows.of(c);
  const resolutions = offers(ctx.deps.workflows, c, { role: actor.role, user: actor.id }, 'close');
  if (!resolutions.length) {
    const all = wf.transitions.filter((t) => t.offer.close);
    const from = [...new Set(all.flatMap((t) => t.from))].join(', ');
    const roles = [...new Set(all.flatMap((t) => t.roles))].filter((r) => r !== 'system').join(' or ');
    return io.reply(ephemeral(
      `Not allowed: ${c.number} cannot be closed now by you (state ${c.state}, role ${actor.role}): `
      + `${all.map(labelOf).join(' or ')} — possible from ${from}, for ${roles}`
      + `${c.owner && c.owner !== actor.id ? ', by the owner' : ''}.`,
    ));
  }
  await openOrOffer(
    io, closeModal(c.number, resolutions, { facts: facts(ctx, c), meta, options: await fieldOptions(ctx.deps) }),
    c, ACTION.close, 'Close',
  );
}

/** One event's form: its fields, and what it will do (e.g. the date an extension gives). */
export async function openEvent(
  ctx: SlackContext, io: Responder, actor: Actor, meta: EventMeta & { caseNumber: string }, event: string,
) {
  const loaded = await caseFor(ctx.deps, meta.caseNumber, actor, (c) =>
    ({ event, transition: transitionFor(ctx.deps.workflows.of(c), event, c) }));
  if (!loaded.ok) {
    return io.reply(ephemeral(`${loaded.code === 'NOT_ALLOWED' ? ':no_entry:' : ':x:'} ${loaded.message}`));
  }
  const c = loaded.case;
  const t = transitionFor(ctx.deps.workflows.of(c), event, c);
  if (!t || !t.from.includes(c.state)) {
    return io.reply(ephemeral(
      `:x: ${c.number} is ${c.state.replace(/_/g, ' ')}: "${t ? labelOf(t) : event}" is not possible now.`,
    ));
  }
  const notes = describeEffects(t, c, await getDeadlines(ctx.deps.database.db, c.id), ctx.deps.config.org.timezone);
  const view = eventModal(
    c.number, t, labelOf(t), { facts: facts(ctx, c), notes, meta, options: await fieldOptions(ctx.deps) },
  );
  await openOrOffer(io, view, c, ACTION.event, labelOf(t).slice(0, 60), `${c.number}|${t.on}`);
}
