/**
 * Runs one parsed command for one user: resolves the case (named, or implied by the thread it was typed in),
 * checks the role, then calls one use case or opens one modal, and answers ephemerally.
 */
import { DateTime } from 'luxon';
import { findCaseByNumber, getDeadlines } from '../../db/case-repository.ts';
import {
  addCaseNote, applyCaseEvent, assignCase, overrideDeadline, takeCase, type CommandOutcome,
} from '../../../app/case-commands.ts';
import type { Case } from '../../../domain/case.ts';
import { openCaseForm } from '../views/intake.ts';
import { recordBreachEvent } from '../../../app/breach/breach-commands.ts';
import { myReports, openReportForm } from '../views/report.ts';
import { openBreachEvent } from '../views/breach-event.ts';
import { uploadRegister } from '../register-upload.ts';
import { caseCard, caseList, ephemeral, registerMessage, usage } from '../blocks/lists.ts';
import { allCases, listing } from '../case-queries.ts';
import { actorOf, type Invocation, type Responder, type SlackContext } from '../context.ts';
import { permits, type SlackAction, type SlackRole } from '../roles.ts';
import { openClose, openExtend, openReply } from '../views/open-modals.ts';
import type { ParsedCommand } from './parse-command.ts';

type CaseCommand = Extract<ParsedCommand, { caseNumber: string | null }>;

const ACTION_OF: Record<CaseCommand['name'], SlackAction> = {
  show: 'view', take: 'take', assign: 'assign', note: 'note', reply: 'reply', verify: 'verify', pause: 'pause',
  resume: 'resume', extend: 'extend', close: 'close', assess: 'assess', notify: 'notify', deadline: 'override', record: 'assess',
};

const LIST_TITLES = { mine: 'My open cases', open: 'Open cases', overdue: 'Overdue cases', 'due-this-week': 'Due within 7 days' };

/** The words a use case's outcome is told in. */
export function outcomeText(r: CommandOutcome, done: (c: Case) => string): string {
  if (!r.ok) return `:x: ${r.message}`;
  if (r.duplicate) return `${r.case.number}: already done (this request was handled before).`;
  return done(r.case);
}

export async function runCommand(ctx: SlackContext, inv: Invocation, cmd: ParsedCommand, io: Responder): Promise<void> {
  const role = await ctx.roles.roleOf(inv.user);
  if (!('caseNumber' in cmd)) return runGlobal(ctx, inv, cmd, role, io);
  const number = cmd.caseNumber ?? inv.threadCase;
  if (!number) {
    return io.reply(usage(ctx.slack.command, `\`${cmd.name}\` needs a case number such as DSR-2026-0001 (or type it in the case's thread).`));
  }
  const c = await findCaseByNumber(ctx.deps.database.db, number);
  if (!c) return io.reply(ephemeral(`:x: No case ${number}.`));
  const allowed = permits(role, ACTION_OF[cmd.name], { user: inv.user, owner: c.owner });
  if (!allowed.ok) return io.reply(ephemeral(`:no_entry: ${allowed.message}`));
  return runOnCase(ctx, inv, { ...cmd, caseNumber: c.number } as CaseCommand, c, role, io);
}

async function runGlobal(ctx: SlackContext, inv: Invocation, cmd: Exclude<ParsedCommand, CaseCommand>, role: SlackRole, io: Responder) {
  const zone = ctx.deps.config.org.timezone;
  // Anyone may report an incident and see their own reports (issue 10); the team gets the full breach modal.
  if (cmd.name === 'breach' && !permits(role, 'open', { user: inv.user }).ok) return openReportForm(io, { channel: inv.channel });
  if (cmd.name === 'reports') return io.reply(await myReports(ctx, inv.user));
  if (cmd.name === 'register') {
    const may = permits(role, 'export', { user: inv.user });
    return io.reply(may.ok ? await uploadRegister(ctx, inv.user) : ephemeral(`:no_entry: ${may.message}`));
  }
  const need: SlackAction = cmd.name === 'new' || cmd.name === 'breach' ? 'open' : cmd.name === 'export' ? 'export' : 'view';
  const allowed = permits(role, need, { user: inv.user });
  if (!allowed.ok) return io.reply(ephemeral(`:no_entry: ${allowed.message}`));
  switch (cmd.name) {
    case 'new':
    case 'breach':
      return openCaseForm(ctx, io, cmd.name, { channel: inv.channel });
    case 'list':
      return io.reply(caseList(LIST_TITLES[cmd.filter], await listing(ctx.deps, cmd.filter, inv.user, ctx.now()), zone, ctx.now()));
    case 'export':
      return io.reply(registerMessage(await allCases(ctx.deps)));
    default:
      return io.reply(ephemeral(`\`${cmd.name}\` is answered at once.`));
  }
}

async function runOnCase(ctx: SlackContext, inv: Invocation, cmd: CaseCommand, c: Case, role: SlackRole, io: Responder): Promise<void> {
  const { deps } = ctx;
  const now = ctx.now();
  const meta = { caseNumber: c.number, channel: inv.channel };
  const input = () => ({ caseNumber: c.number, actor: actorOf(inv.user, role), key: inv.key });
  const event = async (type: string, fields: Record<string, unknown>, done: string) =>
    io.reply(ephemeral(outcomeText(await applyCaseEvent(deps, { ...input(), type, fields }, now), (x) => `${x.number}: ${done} (state ${x.state}).`)));
  const team = role as Exclude<SlackRole, 'viewer'>;
  switch (cmd.name) {
    case 'show': {
      const details = permits(role, 'details', { user: inv.user, owner: c.owner }).ok;
      const deadlines = await getDeadlines(deps.database.db, c.id);
      return io.reply(caseCard(c, deadlines, deps.config.org.timezone, now, { details, act: role === 'agent' || role === 'dpo' }));
    }
    case 'take':
      return io.reply(ephemeral(outcomeText(await takeCase(deps, input(), now), (x) => `${x.number} is yours (state ${x.state}).`)));
    case 'assign':
      return io.reply(ephemeral(outcomeText(await assignCase(deps, { ...input(), owner: cmd.user }, now), (x) => `${x.number} assigned to <@${cmd.user}>.`)));
    case 'note':
      return io.reply(ephemeral(outcomeText(await addCaseNote(deps, { ...input(), text: cmd.text }, now), (x) => `Note added to ${x.number} (private: not posted in the channel).`)));
    case 'verify':
      return event('IdentityVerified', {}, 'identity verified');
    case 'resume':
      return event('SubjectReplied', {}, 'clock resumed');
    case 'assess':
    case 'notify': { // the breach desk records the decision (register entry, 72-hour rule, processor role)
      const fields = cmd.name === 'assess' ? { risk: cmd.risk, reasons: cmd.reasons } : { phase: cmd.phase };
      const r = await recordBreachEvent(deps, { ...input(), event: cmd.name === 'assess' ? 'Assessed' : 'AuthorityNotified', fields }, now);
      return io.reply(ephemeral(!r.ok ? `:x: ${r.message}` : r.duplicate ? `${r.case.number}: already done (this request was handled before).` : `${r.case.number}: ${r.summary} (state ${r.case.state}).`));
    }
    case 'deadline': {
      const at = DateTime.fromISO(cmd.at, { zone: deps.config.org.timezone });
      if (!at.isValid) return io.reply(usage(ctx.slack.command, `"${cmd.at}" is not a valid date and time.`));
      const r = await overrideDeadline(deps, { ...input(), at: at.toJSDate(), rationale: cmd.rationale }, now);
      return io.reply(ephemeral(outcomeText(r, (x) => `${x.number}: clock recomputed, due ${x.governingDueAt?.toISOString() ?? '—'}.`)));
    }
    case 'record':
      return openBreachEvent(ctx, io, c, cmd.event, { channel: inv.channel });
    case 'reply':
      return openReply(ctx, io, c, team, meta);
    case 'pause':
      return openReply(ctx, io, c, team, meta, cmd.reason);
    case 'extend':
      return openExtend(ctx, io, c, meta);
    case 'close':
      return openClose(ctx, io, c, team, meta);
  }
}
