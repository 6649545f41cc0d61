/**
 * The slash command's text → a command, or the problem with it in words. Pure. A case number may be left out:
 * typed in a case's thread, the thread names the case (the caller fills it in).
 */
import { normaliseCaseNumber } from '../../../domain/case.ts';

export const LIST_FILTERS = ['mine', 'open', 'overdue', 'due-this-week'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];
export const RISKS = ['none', 'risk', 'high'] as const;
export const PAUSE_REASONS = ['identity', 'clarification'] as const;

/** Commands about one case. */
const CASE_COMMANDS = ['show', 'take', 'reply', 'verify', 'resume', 'extend', 'close', 'assign', 'note', 'pause', 'assess', 'notify', 'deadline', 'record'] as const;
export type CaseCommandName = (typeof CASE_COMMANDS)[number];

export type ParsedCommand =
  | { name: 'help' | 'new' | 'breach' | 'export' | 'reports' | 'register' }
  | { name: 'list'; filter: ListFilter }
  | { name: 'show' | 'take' | 'reply' | 'verify' | 'resume' | 'extend' | 'close'; caseNumber: string | null }
  | { name: 'assign'; caseNumber: string | null; user: string }
  | { name: 'note'; caseNumber: string | null; text: string }
  | { name: 'pause'; caseNumber: string | null; reason: 'identity' | 'clarification' | null }
  | { name: 'assess'; caseNumber: string | null; risk: (typeof RISKS)[number]; reasons: string }
  | { name: 'notify'; caseNumber: string | null; phase: string }
  | { name: 'deadline'; caseNumber: string | null; at: string; rationale: string }
  | { name: 'record'; caseNumber: string | null; event: string | null };

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; problem: string };

const LOOKS_LIKE_CASE = /^(dsr|bre)-/i;
/** A user mention as Slack escapes it in command text (`should_escape: true`): `<@U123>` or `<@U123|name>`. */
const MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$/;

const fail = (problem: string): ParseResult => ({ ok: false, problem });

export function parseCommand(text: string): ParseResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const name = (words.shift() ?? 'help').toLowerCase();
  if (name === 'help' || name === 'new' || name === 'breach' || name === 'export' || name === 'reports' || name === 'register') {
    return words.length ? fail(`\`${name}\` takes no arguments (got "${words.join(' ')}").`) : { ok: true, command: { name } };
  }
  if (name === 'list') {
    const filter = (words[0] ?? 'open').toLowerCase();
    if (words.length > 1 || !(LIST_FILTERS as readonly string[]).includes(filter)) {
      return fail(`\`list\` takes one of ${LIST_FILTERS.join(', ')} — not "${words.join(' ')}".`);
    }
    return { ok: true, command: { name: 'list', filter: filter as ListFilter } };
  }
  if (!(CASE_COMMANDS as readonly string[]).includes(name)) return fail(`Unknown command "${name}".`);
  let caseNumber: string | null = null;
  if (words[0] && LOOKS_LIKE_CASE.test(words[0])) {
    caseNumber = normaliseCaseNumber(words[0]);
    if (!caseNumber) return fail(`"${words[0]}" is not a case number (like DSR-2026-0001).`);
    words.shift();
  }
  return caseArgs(name as CaseCommandName, caseNumber, words);
}

function caseArgs(name: CaseCommandName, caseNumber: string | null, rest: string[]): ParseResult {
  const ok = (command: ParsedCommand): ParseResult => ({ ok: true, command });
  switch (name) {
    case 'assign': {
      const m = MENTION.exec(rest[0] ?? '');
      if (!m || rest.length > 1) return fail('`assign` needs one user: `assign DSR-2026-0001 @someone`.');
      return ok({ name, caseNumber, user: m[1]! });
    }
    case 'note':
      return rest.length ? ok({ name, caseNumber, text: rest.join(' ') }) : fail('`note` needs text: `note DSR-2026-0001 called back`.');
    case 'pause': {
      const reason = (rest[0] ?? '').toLowerCase();
      if (rest.length > 1 || (reason && !(PAUSE_REASONS as readonly string[]).includes(reason))) {
        return fail(`\`pause\` takes identity or clarification — not "${rest.join(' ')}".`);
      }
      return ok({ name, caseNumber, reason: (reason || null) as 'identity' | 'clarification' | null });
    }
    case 'assess': {
      const risk = (rest[0] ?? '').toLowerCase();
      if (!(RISKS as readonly string[]).includes(risk) || rest.length < 2) return fail('`assess` needs a risk (none, risk or high) and reasons.');
      return ok({ name, caseNumber, risk: risk as (typeof RISKS)[number], reasons: rest.slice(1).join(' ') });
    }
    case 'notify':
      if (rest.length > 1) return fail('`notify` takes one phase: initial, follow-up or final.');
      return ok({ name, caseNumber, phase: rest[0] ?? 'initial' });
    case 'deadline':
      if (!INSTANT.test(rest[0] ?? '') || rest.length < 2) {
        return fail('`deadline` needs the instant the clock runs from and a rationale: `deadline BRE-2026-0001 2026-03-02T09:00 found the log entry`.');
      }
      return ok({ name, caseNumber, at: rest[0]!.replace(' ', 'T'), rationale: rest.slice(1).join(' ') });
    case 'record':
      return rest.length > 1 ? fail('`record` takes a case and one event: `record BRE-2026-0001 AuthorityNotified`.') : ok({ name, caseNumber, event: rest[0] ?? null });
    default:
      return rest.length ? fail(`\`${name}\` takes only a case number (got "${rest.join(' ')}").`) : ok({ name, caseNumber });
  }
}
