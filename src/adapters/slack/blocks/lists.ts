/**
 * Ephemeral answers to commands: help, usage problems, case lists, one case's facts, the register export.
 * Facts only; details are behind a button that checks the role again.
 */
import type { Case } from '../../../domain/case.ts';
import type { Deadline } from '../../../domain/deadlines/deadline.ts';
import { ACTION } from '../action-ids.ts';
import { button, context, factsLine, factsOf, isOverdue, section, sections } from './case-facts.ts';
import { caseButtons } from './case-message.ts';

/** A clock an extension did not move (a contractual promise) that has passed: shown as breached, never hidden. */
function breachedNote(c: Case, d: Deadline, now: Date): string {
  return !c.closedAt && d.dueAt.getTime() < now.getTime() ? ' — *missed*' : '';
}

export interface Ephemeral {
  response_type: 'ephemeral';
  text: string;
  blocks?: unknown[];
  replace_original?: boolean;
}

export const ephemeral = (text: string, blocks?: unknown[]): Ephemeral =>
  ({ response_type: 'ephemeral', text, ...(blocks ? { blocks } : {}) });

/** Every subcommand: the desk's own, then the words the workflow definitions offer. */
export function helpText(
  command: string, words: readonly { word: string; label: string; needs: string[] }[] = [],
): string {
  const c = command;
  return [
    `*${c}* — the data-protection desk. `
      + `In a case's thread, mention the app (\`@dpo-desk take\`) and the case is implied.`,
    `\`${c} new [workflow]\` — log a data subject's request (or open another obligation) · `
      + `\`${c} breach\` — report a security incident`,
    `\`${c} list [mine|open|overdue|due-this-week]\` · \`${c} show <case>\` · \`${c} export\``,
    `\`${c} take <case>\` · \`${c} assign <case> @user\` · \`${c} note <case> <text>\` · `
      + `\`${c} confirm <case> [address]\``,
    `\`${c} reply <case>\` · \`${c} pause <case> [identity|clarification]\` · \`${c} close <case>\``,
    `DPO: \`${c} deadline <case> <YYYY-MM-DDTHH:MM> <rationale>\``,
    ...words.map((w) => `\`${c} ${w.word} <case>${w.needs.map((n) => ` <${n}>`).join('')}\` — ${w.label}`),
    `DPO: \`${c} hold <case> <reason>\` · \`${c} release <case> <reason>\` (legal hold)`,
    `DPO, managers: \`${c} export requests\` (the request log as a CSV file)`,
    `Anyone: \`${c} breach\` — report a privacy incident · \`${c} reports\` — your reports`,
    `DPO, managers: \`${c} export register\` (the breach register as a CSV file)`,
    'A case is written like DSR-2026-0001 or BRE-2026-0001.',
  ].join('\n');
}

export function usage(command: string, problem: string): Ephemeral {
  return ephemeral(`${problem}\nTry \`${command} help\`.`);
}

/** A page of cases, overdue first, by governing deadline, with how many there are in all. */
export function caseList(
  title: string, l: { cases: readonly Case[]; total: number; overdue: number }, zone: string, now: Date,
): Ephemeral {
  if (!l.total) return ephemeral(`${title}: none.`);
  const lines = l.cases.map((c) =>
    `${isOverdue(factsOf(c), now) ? ':red_circle: ' : ''}${factsLine(factsOf(c), zone, now)}`);
  const more = l.total > l.cases.length ? [context(`…and ${l.total - l.cases.length} more.`)] : [];
  const head = `*${title}* — ${l.total} case${l.total === 1 ? '' : 's'}${l.overdue ? `, ${l.overdue} overdue` : ''}`;
  return ephemeral(`${title}: ${l.total}`, [section(head), ...sections(lines), ...more]);
}

/** One case: facts, every clock with its rule, the buttons this person may use; details only behind a button. */
export function caseCard(
  c: Case, deadlines: readonly Deadline[], zone: string, now: Date,
  o: { details: boolean; act: boolean; events?: readonly { event: string; label: string }[]; waiting?: string | null },
): Ephemeral {
  const clocks = deadlines
    .map((d) => `• ${d.regime}: due ${d.extended ? d.extendedDue : d.due} — ${d.rule}${breachedNote(c, d, now)}`)
    .join('\n') || '• no clock yet';
  const buttons = [
    ...(o.act && !c.closedAt
      ? caseButtons(c.number, { reply: true, close: true, events: o.events ?? [], confirm: Boolean(o.waiting) }) : []),
    ...(o.details ? [button(ACTION.details, 'Show details', c.number)] : []),
  ];
  return ephemeral(factsLine(factsOf(c), zone, now).replace(/\*/g, ''), [
    section(factsLine(factsOf(c), zone, now)),
    ...(o.waiting ? [context(`:warning: ${o.waiting}`)] : []),
    section(`*Clocks*\n${clocks}`),
    ...(buttons.length ? [{ type: 'actions', elements: buttons }] : []),
  ]);
}

/** The register as CSV (no personal data): the processing-activities view a DPO or manager exports. */
export function registerCsv(cases: readonly Case[]): string {
  const head = 'number,kind,request_types,regimes,state,received,governing_regime,due,extended,closed';
  const rows = cases.map((c) => [
    c.number, c.kind, c.requestTypes.join(' '), c.regimes.join(' '), c.state, c.receivedAt.toISOString(),
    c.governingRegime ?? '', c.governingDueAt?.toISOString() ?? '', c.extension?.sentOn ? 'yes' : 'no',
    c.closedAt?.toISOString() ?? '',
  ].join(','));
  return [head, ...rows].join('\n');
}

/** The export as an ephemeral code block (Slack caps a block at 3,000 characters: the CLI has the full file). */
export function registerMessage(cases: readonly Case[]): Ephemeral {
  const csv = registerCsv(cases);
  const lines = csv.split('\n');
  const blocks: unknown[] = [
    section(`*Register* — ${cases.length} case${cases.length === 1 ? '' : 's'} (CSV, no personal data)`),
  ];
  let chunk: string[] = [];
  const flush = () => { if (chunk.length) blocks.push(section(`\`\`\`${chunk.join('\n')}\`\`\``)); chunk = []; };
  for (const line of lines) {
    if ([...chunk, line].join('\n').length > 2900) flush();
    if (blocks.length >= 45) break;
    chunk.push(line);
  }
  flush();
  if (blocks.length >= 45) blocks.push(context('Truncated: run `dpo-desk export` for the full register.'));
  return ephemeral(`Register: ${cases.length} cases`, blocks);
}
