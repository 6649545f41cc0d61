/**
 * The slash command's text → a command, or the problem with it in words. Pure. Besides the desk's own words, every
 * word a workflow definition offers (`offer.command`) is a command on a case; its arguments are read once the
 * case, and so its transition, is known. A case number may be left out: typed in a case's thread, the thread names
 * the case (the caller fills it in).
 */
import { CASE_NUMBER_RE, normaliseCaseNumber } from '../../../domain/case.ts';
import { parseRetentionCommand, type RetentionCommand } from './retention-commands.ts';

export const LIST_FILTERS = ['mine', 'open', 'overdue', 'due-this-week'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];
export const PAUSE_REASONS = ['identity', 'clarification'] as const;
export const EXPORTS = ['register'] as const;

/** The desk's own commands about one case (not workflow events). */
const CASE_COMMANDS = ['show', 'take', 'reply', 'close', 'assign', 'note', 'pause', 'deadline', 'confirm'] as const;
export type CaseCommandName = (typeof CASE_COMMANDS)[number];

export type ParsedCommand =
  | { name: 'help' | 'breach' | 'reports' }
  | { name: 'new'; workflow: string | null }
  | { name: 'export'; what: string | null }
  | { name: 'list'; filter: ListFilter }
  | { name: 'show' | 'take' | 'reply' | 'close'; caseNumber: string | null }
  | { name: 'assign'; caseNumber: string | null; user: string }
  | { name: 'note'; caseNumber: string | null; text: string }
  | { name: 'pause'; caseNumber: string | null; reason: 'identity' | 'clarification' | null }
  | { name: 'deadline'; caseNumber: string | null; at: string; rationale: string }
  | { name: 'confirm'; caseNumber: string | null; address: string | null }
  /** A workflow event offered as a word: its arguments are the transition's fields, in order. */
  | { name: 'event'; word: string; caseNumber: string | null; args: string[] }
  | RetentionCommand; // hold, release, export requests (retention-commands.ts)

export type ParseResult = { ok: true; command: ParsedCommand } | { ok: false; problem: string };

/** A user mention as Slack escapes it in command text (`should_escape: true`): `<@U123>` or `<@U123|name>`. */
const MENTION = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$/;
/** A mail address as Slack escapes it: `<mailto:a@example.com|a@example.com>`, or bare. */
const MAILTO = /^<mailto:([^|>]+)(\|[^>]*)?>$/;

const fail = (problem: string): ParseResult => ({ ok: false, problem });

/** `eventWords`: the words the workflow definitions offer. */
export function parseCommand(text: string, eventWords: ReadonlySet<string> = new Set()): ParseResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const name = (words.shift() ?? 'help').toLowerCase();
  const retention = parseRetentionCommand(name, words); // hold, release, export requests
  if (retention) return retention;
  if (name === 'help' || name === 'breach' || name === 'reports') {
    return words.length
      ? fail(`\`${name}\` takes no arguments (got "${words.join(' ')}").`)
      : { ok: true, command: { name } };
  }
  if (name === 'new') {
    if (words.length > 1) return fail('`new` takes at most one workflow, e.g. `new subprocessor-change`.');
    return { ok: true, command: { name, workflow: words[0]?.toLowerCase() ?? null } };
  }
  if (name === 'export') {
    const what = words[0]?.toLowerCase() ?? null;
    if (words.length > 1 || (what && !(EXPORTS as readonly string[]).includes(what))) {
      return fail(`\`export\` takes ${EXPORTS.join(' or ')} — not "${words.join(' ')}".`);
    }
    return { ok: true, command: { name, what } };
  }
  if (name === 'list') {
    const filter = (words[0] ?? 'open').toLowerCase();
    if (words.length > 1 || !(LIST_FILTERS as readonly string[]).includes(filter)) {
      return fail(`\`list\` takes one of ${LIST_FILTERS.join(', ')} — not "${words.join(' ')}".`);
    }
    return { ok: true, command: { name: 'list', filter: filter as ListFilter } };
  }
  const isCaseCommand = (CASE_COMMANDS as readonly string[]).includes(name);
  if (!isCaseCommand && !eventWords.has(name)) return fail(`Unknown command "${name}".`);
  let caseNumber: string | null = null;
  if (words[0] && /^[A-Za-z]{3,4}-\S*\d/.test(words[0])) {
    if (!CASE_NUMBER_RE.test(words[0])) return fail(`"${words[0]}" is not a case number (like DSR-2026-0001).`);
    caseNumber = normaliseCaseNumber(words[0]);
    words.shift();
  }
  if (!isCaseCommand) return { ok: true, command: { name: 'event', word: name, caseNumber, args: words } };
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
      return rest.length
        ? ok({ name, caseNumber, text: rest.join(' ') })
        : fail('`note` needs text: `note DSR-2026-0001 called back`.');
    case 'pause': {
      const reason = (rest[0] ?? '').toLowerCase();
      if (rest.length > 1 || (reason && !(PAUSE_REASONS as readonly string[]).includes(reason))) {
        return fail(`\`pause\` takes identity or clarification — not "${rest.join(' ')}".`);
      }
      return ok({ name, caseNumber, reason: (reason || null) as 'identity' | 'clarification' | null });
    }
    case 'deadline':
      if (!INSTANT.test(rest[0] ?? '') || rest.length < 2) {
        return fail('`deadline` needs the instant the clock runs from and a rationale: '
          + '`deadline BRE-2026-0001 2026-03-02T09:00 found the log entry`.');
      }
      return ok({ name, caseNumber, at: rest[0]!.replace(' ', 'T'), rationale: rest.slice(1).join(' ') });
    case 'confirm': {
      if (rest.length > 1) {
        return fail('`confirm` takes at most one address: `confirm DSR-2026-0001 anna@example.com`.');
      }
      const address = rest[0] ? (MAILTO.exec(rest[0])?.[1] ?? rest[0]) : null;
      return ok({ name, caseNumber, address });
    }
    default:
      return rest.length
        ? fail(`\`${name}\` takes only a case number (got "${rest.join(' ')}").`)
        : ok({ name, caseNumber });
  }
}
