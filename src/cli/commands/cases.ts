/** `dpo-desk cases` and `dpo-desk case show <no>`: the board and one case with its clocks and audit trail. */
import { Command } from 'commander';
import {
  findCaseByNumber, getDeadlines, getLinks, getPauses, getPrivate, listCases,
} from '../../adapters/db/case-repository.ts';
import { readAudit } from '../../adapters/db/audit-log.ts';
import { eventSentence, plainActorWords } from '../../app/event-words.ts';
import { listOutbox } from '../../adapters/db/outbox-repository.ts';
import { normaliseCaseNumber, type Case } from '../../domain/case.ts';
import { formatInZone } from '../../domain/local-date.ts';
import { intakeLine, intakeReadingOf, type IntakeReading } from '../../app/intake-reading.ts';
import { withDesk, type CliIo } from '../context.ts';
import { deadlineJson } from './deadline.ts';
import { renderBoard } from '../board.ts';
import { addCaseActions } from './case-actions.ts';

export function casesCommand(io: CliIo): Command {
  return new Command('cases')
    .description('list cases by governing deadline, overdue first (no personal data)')
    .option('--open', 'only open cases')
    .option('--state <state>', 'only cases in this state')
    .option('--json', 'one JSON array')
    .action(async (opts: { open?: boolean; state?: string; json?: boolean }) => {
      await withDesk(io, async (desk) => {
        const cases = await listCases(desk.deps.database.db, {
          open: opts.open, states: opts.state ? [opts.state] : undefined,
        });
        if (opts.json) io.out(JSON.stringify(cases.map(caseJson)));
        else for (const line of renderBoard(cases, desk.deps.clock(), desk.deps.config.org.timezone)) io.out(line);
      });
    });
}

export function caseCommand(io: CliIo): Command {
  const cmd = new Command('case').description('work with one case');
  cmd.command('show')
    .description('a case: facts, clocks with their rules, links, outbox and audit trail')
    .argument('<number>', 'case number, e.g. DSR-2026-0001')
    .option('--private', 'include the data subject\'s identity and message (operators with a need to know)')
    .option('--json', 'one JSON object')
    .action(async function (this: Command, raw: string, opts: { private?: boolean; json?: boolean }) {
      const number = normaliseCaseNumber(raw);
      if (!number) {
        this.error(`error: "${raw}" is not a case number (expected DSR-2026-0001 or BRE-2026-0001)`, { exitCode: 2 });
      }
      await withDesk(io, async (desk) => {
        const db = desk.deps.database.db;
        const c = await findCaseByNumber(db, number!);
        if (!c) this.error(`error: no case ${number}`, { exitCode: 1 });
        const deadlines = await getDeadlines(db, c!.id);
        const audit = [];
        for await (const e of readAudit(db, 1000, c!.id)) {
          audit.push({ seq: e.seq, at: e.at.toISOString(), type: e.type, actor: e.actor, data: e.data });
        }
        const view = {
          ...caseJson(c!), intake: intakeReadingOf(audit), deadlines: deadlines.map(deadlineJson),
          pauses: await getPauses(db, c!.id),
          links: await getLinks(db, c!.id),
          outbox: (await listOutbox(db, { caseId: c!.id })).map((o) => ({
            kind: o.kind, channel: o.channel, state: o.state, attempts: o.attempts, error: o.lastError,
          })),
          audit, ...(opts.private ? { private: await getPrivate(db, c!.id) } : {}),
        };
        if (opts.json) io.out(JSON.stringify(view));
        else for (const line of showCase(view, desk.deps.config.org.timezone)) io.out(line);
      });
    });
  addCaseActions(cmd, io);
  return cmd;
}

export function caseJson(c: Case) {
  return {
    number: c.number, kind: c.kind, workflow: c.workflow, state: c.state, request_types: c.requestTypes,
    regimes: c.regimes, role: c.role,
    owner: c.owner, language: c.language, channel: c.channel, received_at: c.receivedAt.toISOString(),
    received_date: c.receivedDate, aware_at: c.awareAt?.toISOString() ?? null, governing_regime: c.governingRegime,
    governing_due_at: c.governingDueAt?.toISOString() ?? null, extended: Boolean(c.extension?.sentOn),
    delivery_failures: c.deliveryFailures, outcome: c.outcome, closed_at: c.closedAt?.toISOString() ?? null,
    facts: c.facts, clock_from: c.clockFrom?.toISOString() ?? null,
    legal_hold: c.legalHold,
  };
}

type CaseView = ReturnType<typeof caseJson> & {
  intake: IntakeReading | null;
  deadlines: ReturnType<typeof deadlineJson>[]; links: { number: string; relation: string }[];
  outbox: { kind: string; channel: string; state: string; attempts: number; error: string | null }[];
  audit: { seq: number; at: string; type: string; actor: string }[]; private?: unknown;
};

function showCase(v: CaseView, zone: string): string[] {
  const lines = [
    `${v.number}  ${v.kind}${v.request_types.length ? ` (${v.request_types.join(', ')})` : ''}`
      + `  state: ${v.state}  owner: ${v.owner ?? '—'}`,
    `received ${formatInZone(new Date(v.received_at), zone)} via ${v.channel}; language ${v.language}; role ${v.role}`,
  ];
  if (v.intake) lines.push(`intake: ${intakeLine(v.intake)}; dated by ${v.intake.received_from ?? '—'}`);
  if (v.legal_hold) lines.push('!! under legal hold: nothing of it is purged until the DPO releases it');
  if (v.delivery_failures) lines.push(`!! ${v.delivery_failures} delivery failure(s): see the outbox below`);
  lines.push('', 'Clocks (the earliest governs):');
  for (const d of v.deadlines) {
    const when = d.due_at ? formatInZone(new Date(d.due_at), zone) : d.due;
    lines.push(
      `  ${d.regime === v.governing_regime ? '*' : ' '} ${d.regime.padEnd(11)} due ${when}`
        + `${d.extended_due ? `  (extended: ${d.extended_due})` : ''}  — ${d.rule}`,
    );
  }
  if (v.links.length) lines.push('', 'Linked:', ...v.links.map((l) => `  ${l.number} (${l.relation})`));
  lines.push('', 'Outbox:', ...v.outbox.map((o) =>
    `  ${o.kind} via ${o.channel}: ${o.state}${o.error ? ` — ${o.error}` : ''}`));
  // Human words first, the recorded event type after it (what an auditor searches for).
  const said = (e: CaseView['audit'][number]) => `${eventSentence(e.type, e.actor, plainActorWords)} [${e.type}]`;
  lines.push('', 'Audit trail:', ...v.audit.map((e) => `  #${e.seq} ${e.at} ${said(e)}`));
  if (v.private) lines.push('', 'Private:', `  ${JSON.stringify(v.private)}`);
  return lines;
}
