/**
 * Runs one parsed command for one user: resolves the case (named, or implied by the thread it was typed in), then
 * calls one use case or opens one form, and answers ephemerally. The use case checks permission; a form is opened
 * only after the same check. A workflow word runs its event at once when the words typed fill its fields, and
 * opens the event's form otherwise.
 */
import { DateTime } from 'luxon';
import { getDeadlines, getPrivate } from '../../db/case-repository.ts';
import { addressWaiting } from '../blocks/case-message.ts';
import {
  addCaseNote, applyCaseEvent, assignCase, overrideDeadline, takeCase, type CommandOutcome,
} from '../../../app/case-actions.ts';
import { confirmRequester } from '../../../app/confirm-requester.ts';
import { caseFor, eventOfWord, fieldsFromWords, offers, openable } from '../../../app/offers.ts';
import type { Case } from '../../../domain/case.ts';
import { doneOf, requiredFields } from '../../../domain/workflow/definition.ts';
import { fieldValue, isBlank } from '../../../domain/workflow/interpreter.ts';
import { authorize } from '../../../domain/workflow/permissions.ts';
import { openCaseForm, openWorkflowForm } from '../views/intake.ts';
import { myReports, openReportForm } from '../views/report.ts';
import { uploadRegister } from '../register-upload.ts';
import { breachStatus } from '../blocks/breach-status.ts';
import { section } from '../blocks/case-facts.ts';
import { caseCard, caseList, ephemeral, registerMessage, usage } from '../blocks/lists.ts';
import { allCases, listing } from '../case-queries.ts';
import { actorOf, type Invocation, type Responder, type SlackContext } from '../context.ts';
import type { SlackRole } from '../roles.ts';
import { openClose, openEvent, openReply } from '../views/open-modals.ts';
import type { ParsedCommand } from './parse-command.ts';
import { isRetentionCommand, runRetentionCommand } from './retention-commands.ts'; // issue 12

type CaseCommand = Extract<ParsedCommand, { caseNumber: string | null }>;

const LIST_TITLES = {
  mine: 'My open cases', open: 'Open cases', overdue: 'Overdue cases', 'due-this-week': 'Due within 7 days',
};

/** The words a use case's outcome is told in. */
export function outcomeText(r: CommandOutcome, done: (c: Case) => string): string {
  if (!r.ok) return `${r.code === 'NOT_ALLOWED' ? ':no_entry:' : ':x:'} ${r.message}`;
  if (r.duplicate) return `${r.case.number}: already done (this request was handled before).`;
  return done(r.case);
}

export async function runCommand(ctx: SlackContext, inv: Invocation, cmd: ParsedCommand, io: Responder): Promise<void> {
  const role = await ctx.roles.roleOf(inv.user);
  // ── issue 12 (retention): hold, release, export requests — run in retention-commands.ts ──
  if (isRetentionCommand(cmd)) return runRetentionCommand(ctx, inv, cmd, role, io);
  // ── end issue 12 ──
  if (!('caseNumber' in cmd)) return runGlobal(ctx, inv, cmd, role, io);
  const number = cmd.caseNumber ?? inv.threadCase;
  if (!number) {
    const word = cmd.name === 'event' ? cmd.word : cmd.name;
    return io.reply(usage(
      ctx.slack.command, `\`${word}\` needs a case number such as DSR-2026-0001 (or type it in the case's thread).`,
    ));
  }
  return runOnCase(ctx, inv, { ...cmd, caseNumber: number } as CaseCommand, role, io);
}

async function runGlobal(
  ctx: SlackContext, inv: Invocation, cmd: Exclude<ParsedCommand, CaseCommand>, role: SlackRole, io: Responder,
) {
  const zone = ctx.deps.config.org.timezone;
  // issue 10: anyone reports an incident (the team gets the full breach modal) and sees their own reports.
  const team = authorize(role, { action: 'open' }, { user: inv.user }).ok;
  if (cmd.name === 'breach' && !team) return openReportForm(io, { channel: inv.channel });
  if (cmd.name === 'reports') return io.reply(await myReports(ctx, inv.user));
  const action = cmd.name === 'new' ? 'open'
    : cmd.name === 'breach' ? 'open'
    : cmd.name === 'export' ? 'export'
    : 'view';
  const allowed = authorize(role, { action }, { user: inv.user });
  if (!allowed.ok) return io.reply(ephemeral(`:no_entry: ${allowed.message}`));
  switch (cmd.name) {
    case 'new': {
      if (!cmd.workflow || cmd.workflow === 'request') return openCaseForm(ctx, io, 'new', { channel: inv.channel });
      const wf = openable(ctx.deps.workflows, role).find((w) => w.id === cmd.workflow);
      if (!wf) {
        const ids = openable(ctx.deps.workflows, role).map((w) => w.id);
        return io.reply(usage(
          ctx.slack.command,
          `No workflow "${cmd.workflow}" you may open. `
            + `You may open: request${ids.length ? `, ${ids.join(', ')}` : ''}.`,
        ));
      }
      return openWorkflowForm(ctx, io, wf, { channel: inv.channel });
    }
    case 'breach':
      return openCaseForm(ctx, io, 'breach', { channel: inv.channel });
    case 'list':
      return io.reply(caseList(
        LIST_TITLES[cmd.filter], await listing(ctx.deps, cmd.filter, inv.user, ctx.now()), zone, ctx.now(),
      ));
    case 'export':
      if (cmd.what === 'register') return io.reply(await uploadRegister(ctx, inv.user));
      return io.reply(registerMessage(await allCases(ctx.deps)));
    default:
      return io.reply(ephemeral(`\`${cmd.name}\` is answered at once.`));
  }
}

async function runOnCase(
  ctx: SlackContext, inv: Invocation, cmd: CaseCommand, role: SlackRole, io: Responder,
): Promise<void> {
  const { deps } = ctx;
  const now = ctx.now();
  const actor = actorOf(inv.user, role);
  const meta = { caseNumber: cmd.caseNumber!, channel: inv.channel };
  const input = { caseNumber: cmd.caseNumber!, actor, key: inv.key };
  const say = async (r: CommandOutcome, done: (c: Case) => string) => io.reply(ephemeral(outcomeText(r, done)));
  switch (cmd.name) {
    case 'show': {
      const r = await caseFor(deps, input.caseNumber, actor, () => ({ action: 'view' }));
      if (!r.ok) return io.reply(ephemeral(`:x: ${r.message}`));
      const c = r.case;
      const details = authorize(role, { action: 'details' }, { user: inv.user, owner: c.owner }).ok;
      const buttons = offers(deps.workflows, c, { role, user: inv.user }, 'button');
      const p = c.kind === 'request' && !c.closedAt ? await getPrivate(deps.database.db, c.id) : null;
      const waiting = addressWaiting(c, p); // what waits on an unconfirmed address
      const card = caseCard(c, await getDeadlines(deps.database.db, c.id), deps.config.org.timezone, now, {
        details, act: role === 'agent' || role === 'dpo', events: buttons, waiting,
      });
      // A breach: where its register entry stands (decisions, phases, customers, the people's notices).
      if (c.kind !== 'breach' || !details) return io.reply(card);
      return io.reply({ ...card, blocks: [...(card.blocks ?? []), section(await breachStatus(deps, c))] });
    }
    case 'take':
      return say(await takeCase(deps, input, now), (x) => `${x.number} is yours (state ${x.state}).`);
    case 'assign':
      return say(
        await assignCase(deps, { ...input, owner: cmd.user }, now), (x) => `${x.number} assigned to <@${cmd.user}>.`,
      );
    case 'note':
      return say(
        await addCaseNote(deps, { ...input, text: cmd.text }, now),
        (x) => `Note added to ${x.number} (private: not posted in the channel).`,
      );
    case 'confirm': {
      const r = await confirmRequester(deps, { ...input, address: cmd.address, how: 'slack' }, now);
      return say(r, (x) => `${x.number}: the data subject's address is confirmed`
        + `${r.ok && r.mails ? `; ${r.mails} mail(s) that waited on it go now` : ''}.`);
    }
    case 'deadline': {
      const at = DateTime.fromISO(cmd.at, { zone: deps.config.org.timezone });
      if (!at.isValid) return io.reply(usage(ctx.slack.command, `"${cmd.at}" is not a valid date and time.`));
      const r = await overrideDeadline(deps, { ...input, at: at.toJSDate(), rationale: cmd.rationale }, now);
      return say(r, (x) => `${x.number}: clock recomputed, due ${x.governingDueAt?.toISOString() ?? '—'}.`);
    }
    case 'reply':
      return openReply(ctx, io, actor, meta);
    case 'pause':
      return openReply(ctx, io, actor, meta, cmd.reason);
    case 'close':
      return openClose(ctx, io, actor, meta);
    case 'event':
      return runEvent(ctx, io, actor, meta, cmd.word, cmd.args, inv.key);
  }
}

/** A workflow word: applied at once when the words fill its fields, its form otherwise. */
async function runEvent(
  ctx: SlackContext, io: Responder, actor: ReturnType<typeof actorOf>,
  meta: { caseNumber: string; channel: string | null },
  word: string, args: readonly string[], key: string,
): Promise<void> {
  const loaded = await caseFor(ctx.deps, meta.caseNumber, actor, () => ({ action: 'view' }));
  if (!loaded.ok) return io.reply(ephemeral(`:x: ${loaded.message}`));
  const t = eventOfWord(ctx.deps.workflows, loaded.case, word);
  if (!t) {
    return io.reply(usage(ctx.slack.command, `\`${word}\` is not something a ${loaded.case.workflow} case takes.`));
  }
  const { fields, problem } = fieldsFromWords(t, args);
  if (problem) return io.reply(usage(ctx.slack.command, problem));
  if (requiredFields(t).some((f) => isBlank(fieldValue(fields, f))) && t.fields.length) {
    return openEvent(ctx, io, actor, meta, t.on);
  }
  const r = await applyCaseEvent(ctx.deps, { caseNumber: meta.caseNumber, actor, key, type: t.on, fields }, ctx.now());
  return io.reply(ephemeral(outcomeText(r, (x) => `${x.number}: ${doneOf(t, fields)} (state ${x.state}).`)));
}
