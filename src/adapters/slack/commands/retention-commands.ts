/**
 * Issue 12's slash-command words, kept apart from the general command table: `/dpo hold <case> <reason>` and
 * `/dpo release <case> <reason>` (the DPO only; audited), and `/dpo export requests` (the request log as a CSV file
 * uploaded to the asking DPO or manager through the outbox — no personal data in it).
 */
import { enqueue } from '../../db/outbox-repository.ts';
import { placeHold, releaseHold } from '../../../app/legal-hold.ts';
import { requestLog, requestLogCsv } from '../../../app/request-log.ts';
import { normaliseCaseNumber } from '../../../domain/case.ts';
import { dateInZone } from '../../../domain/local-date.ts';
import { ephemeral } from '../blocks/lists.ts';
import { actorOf, type Invocation, type Responder, type SlackContext } from '../context.ts';
import type { SlackRole } from '../roles.ts';
import { authorize } from '../../../domain/workflow/permissions.ts';

export type RetentionCommand =
  | { name: 'hold' | 'release'; target: string | null; reason: string }
  | { name: 'export-requests' };

type Parsed = { ok: true; command: RetentionCommand } | { ok: false; problem: string };

/** Pure: the words of these commands, or null when `name` is none of them. */
export function parseRetentionCommand(name: string, words: readonly string[]): Parsed | null {
  if (name === 'export' && words[0]?.toLowerCase() === 'requests') {
    if (words.length > 1) return { ok: false, problem: '`export requests` takes no more arguments.' };
    return { ok: true, command: { name: 'export-requests' } };
  }
  if (name !== 'hold' && name !== 'release') return null;
  const named = Boolean(words[0] && /^(dsr|bre)-/i.test(words[0]));
  const target = named ? normaliseCaseNumber(words[0]!) : null;
  if (named && !target) return { ok: false, problem: `"${words[0]}" is not a case number (like DSR-2026-0001).` };
  const reason = (named ? words.slice(1) : words).join(' ').trim();
  if (!reason) {
    return { ok: false, problem: `\`${name}\` needs a reason: \`${name} DSR-2026-0001 litigation pending\`.` };
  }
  return { ok: true, command: { name, target, reason } };
}

export function isRetentionCommand(cmd: { name: string }): cmd is RetentionCommand {
  return cmd.name === 'hold' || cmd.name === 'release' || cmd.name === 'export-requests';
}

export async function runRetentionCommand(
  ctx: SlackContext, inv: Invocation, cmd: RetentionCommand, role: SlackRole, io: Responder,
): Promise<void> {
  const now = ctx.now();
  if (cmd.name === 'export-requests') {
    const allowed = authorize(role, { action: 'export' }, { user: inv.user });
    if (!allowed.ok) return io.reply(ephemeral(`:no_entry: ${allowed.message}`));
    const rows = await requestLog(ctx.deps, {}, now);
    const day = dateInZone(now, ctx.deps.config.org.timezone);
    const csv = Buffer.from(requestLogCsv(rows)).toString('base64');
    await ctx.deps.database.db.transaction().execute((trx) => enqueue(trx, [{
      id: ctx.deps.newId(), caseId: null, channel: 'slack', kind: 'requests-export',
      idempotencyKey: `${inv.key}:requests-export`, notBefore: now,
      payload: {
        to: { user: inv.user }, text: `Request log on ${day}: ${rows.length} request(s), no personal data.`,
        file: { filename: `dpo-desk-requests-${day}.csv`, title: `Request log ${day}`, contentBase64: csv },
      },
    }], now));
    return io.reply(ephemeral(
      `The request log (${rows.length} request(s)) is queued; it arrives as a CSV file in a direct message.`,
    ));
  }
  if (role !== 'dpo') {
    const yours = role === 'viewer' ? 'you have no dpo-desk role' : `you are ${role}`;
    return io.reply(ephemeral(`:no_entry: Not allowed: ${cmd.name} needs the role dpo; ${yours}.`));
  }
  const number = cmd.target ?? inv.threadCase;
  if (!number) {
    return io.reply(ephemeral(`\`${cmd.name}\` needs a case number such as DSR-2026-0001 (or type it in its thread).`));
  }
  const input = { caseNumber: number, actor: actorOf(inv.user, role), reason: cmd.reason };
  const r = cmd.name === 'hold' ? await placeHold(ctx.deps, input, now) : await releaseHold(ctx.deps, input, now);
  if (!r.ok) return io.reply(ephemeral(`:x: ${r.message}`));
  return io.reply(ephemeral(cmd.name === 'hold'
    ? `${r.case.number} is under legal hold: nothing of it will be purged until the hold is released.`
    : `${r.case.number}: legal hold released; its retention periods apply again.`));
}
