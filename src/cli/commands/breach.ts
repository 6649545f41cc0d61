/**
 * The breach desk from the command line: `customers add|set|list`, `breach show|draft|link|recipients`,
 * `export register`. Decisions are workflow events: `dpo-desk case do <case> <event> --field name=value`
 * (workflows/breach.yaml). Bad input is named and changes nothing (exit 2 for usage, 1 for a refusal).
 */
import { readFileSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  getRecord,
  listNotifications,
  recipientProgress,
  type NotificationRow,
  type Progress,
} from '../../adapters/db/breach-repository.ts';
import type { BreachRecord } from '../../domain/breach/breach-record.ts';
import { findCaseByNumber } from '../../adapters/db/case-repository.ts';
import { linkedCustomers, listCustomers } from '../../adapters/db/customer-repository.ts';
import { documentRenderer } from '../../app/breach/breach-effects.ts';
import {
  addCustomers,
  customersFromYaml,
  linkBreachCustomers,
  setCustomer,
  type CustomerFields,
} from '../../app/breach/customers.ts';
import { registerEntries } from '../../app/breach/register.ts';
import { importRecipients } from '../../app/breach/report-incident.ts';
import { renderAuthorityDraft } from '../../app/breach/breach-steps.ts';
import { registerCsv, registerJson } from '../../domain/breach/register.ts';
import { normaliseCaseNumber } from '../../domain/case.ts';
import { LANGUAGES, type Language } from '../../domain/vocabulary.ts';
import { CliError, withDesk, type CliIo } from '../context.ts';

const list = (v?: string) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);

function caseNumber(raw: string): string {
  const n = normaliseCaseNumber(raw);
  if (!n) throw new CliError(`error: "${raw}" is not a case number (expected BRE-2026-0001)`, 2);
  return n;
}

function customerOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', "the customer's name")
    .option('--domains <list>', 'comma-separated domains or addresses its requests come from or name')
    .option('--request-address <email>', "where its data subjects' requests are forwarded")
    .option(
      '--security-address <email>',
      "where security incidents are alerted (the DPA's security-notification address)",
    )
    .addOption(new Option('--language <lang>', 'language of mail to it').choices([...LANGUAGES]))
    .option('--notice-hours <n>', 'contractual hours to alert it of an incident (default 72)');
}

function customerFields(o: Record<string, string | undefined>): CustomerFields {
  const hours = o.noticeHours === undefined ? undefined : Number(o.noticeHours);
  if (hours !== undefined && !Number.isInteger(hours))
    throw new CliError('error: --notice-hours expects whole hours', 2);
  return {
    name: o.name,
    domains: list(o.domains),
    requestAddress: o.requestAddress,
    securityAddress: o.securityAddress,
    language: o.language as Language | undefined,
    noticeHours: hours,
  };
}

export function customersCommand(io: CliIo): Command {
  const cmd = new Command('customers').description('processor role: the customers (controllers) you serve');
  customerOptions(
    cmd
      .command('add')
      .description('add a customer, or several from a YAML file (--file)')
      .argument('[id]', 'a short id, e.g. acme')
      .option(
        '--file <customers.yaml>',
        'a YAML list of customers: id, name, domains, request-address, security-address, language, notice-hours',
      ),
  ).action(async (id: string | undefined, o: Record<string, string | undefined>) => {
    let inputs: unknown[];
    if (o.file) {
      const y = customersFromYaml(readFileSync(o.file, 'utf8'));
      if (!y.ok) throw new CliError(`error: ${o.file}: ${y.message}`, 2);
      inputs = y.inputs;
    } else {
      if (!id) throw new CliError("error: give the customer's id (or --file customers.yaml)", 2);
      inputs = [{ id, ...Object.fromEntries(Object.entries(customerFields(o)).filter(([, v]) => v !== undefined)) }];
    }
    await withDesk(io, async (desk) => {
      const r = await addCustomers(desk.deps, inputs, desk.deps.clock());
      if (!r.ok) throw new CliError(r.message, r.code === 'CUSTOMER_INVALID' ? 2 : 1);
      for (const c of r.customers) io.out(`Added ${c.id}: ${c.name}`);
    });
  });
  customerOptions(cmd.command('set').description('change a customer').argument('<id>')).action(
    async (id: string, o: Record<string, string | undefined>) => {
      await withDesk(io, async (desk) => {
        const r = await setCustomer(desk.deps, id, customerFields(o), desk.deps.clock());
        if (!r.ok) throw new CliError(r.message, r.code === 'CUSTOMER_INVALID' ? 2 : 1);
        io.out(`Changed ${r.customer.id}: ${r.customer.name}`);
      });
    },
  );
  cmd
    .command('list')
    .description('the stored customers')
    .option('--json', 'one JSON array')
    .action(async (o: { json?: boolean }) => {
      await withDesk(io, async (desk) => {
        const cs = await listCustomers(desk.deps.database.db);
        if (o.json) return io.out(JSON.stringify(cs));
        if (!cs.length) io.out('No customers stored (requests fall back to PROCESSOR_CONTROLLERS).');
        for (const c of cs) {
          const incidents = c.securityAddress ?? c.requestAddress ?? '—';
          const where = `requests → ${c.requestAddress ?? '—'}; incidents → ${incidents}`;
          io.out(
            `${c.id.padEnd(16)} ${c.name} — ${c.domains.join(', ') || '—'}; ${where}; `
              + `${c.language}; ${c.noticeHours} h`,
          );
        }
      });
    });
  return cmd;
}

export function breachCommand(io: CliIo): Command {
  const cmd = new Command('breach').description(
    'a breach: its register entry, notifications, customers and the people told',
  );
  cmd
    .command('show')
    .description('the register entry: facts, decisions, phases, customers, notices sent/pending/failed')
    .argument('<case>')
    .option('--json', 'one JSON object')
    .action(async (raw: string, o: { json?: boolean }) => {
      await withDesk(io, async (desk) => {
        const db = desk.deps.database.db;
        const c = await findCaseByNumber(db, caseNumber(raw));
        if (!c || c.kind !== 'breach') throw new CliError(`error: no breach case ${raw}`, 1);
        const view = {
          number: c.number,
          state: c.state,
          role: c.role,
          awareAt: c.awareAt?.toISOString() ?? null,
          dueAt: c.governingDueAt?.toISOString() ?? null,
          record: await getRecord(db, c.id),
          notifications: (await listNotifications(db, c.id)).map(({ given: _g, ...n }) => n),
          customers: (await linkedCustomers(db, c.id)).map((l) => ({
            id: l.customer.id,
            alertedAt: l.alertedAt?.toISOString() ?? null,
          })),
          notices: await recipientProgress(db, c.id),
        };
        if (o.json) return io.out(JSON.stringify(view));
        for (const line of showLines(view)) io.out(line);
      });
    });
  cmd
    .command('draft')
    .description('the Art. 33(3) notification drafted from the recorded facts (the desk does not file it)')
    .argument('<case>')
    .addOption(new Option('--phase <phase>').choices(['initial', 'follow-up', 'final']).default('initial'))
    .addOption(new Option('--lang <lang>', 'default: DEFAULT_LANGUAGE').choices([...LANGUAGES]))
    .addOption(new Option('--format <format>').choices(['md', 'text']).default('md'))
    .option('--late-reasons <text>', 'reasons for a notification after 72 hours')
    .action(async (raw: string, o: { phase: string; lang?: Language; format: 'md' | 'text'; lateReasons?: string }) => {
      await withDesk(io, async (desk) => {
        const { deps } = desk;
        const c = await findCaseByNumber(deps.database.db, caseNumber(raw));
        if (!c || c.kind !== 'breach') throw new CliError(`error: no breach case ${raw}`, 1);
        const lang = o.lang ?? deps.config.org.defaultLanguage;
        const record = await getRecord(deps.database.db, c.id);
        const doc = renderAuthorityDraft(documentRenderer(), deps, c, record, {
          lang, phase: o.phase, at: deps.clock(), lateReasons: o.lateReasons,
        });
        io.out(o.format === 'md' ? doc.markdown : doc.text);
      });
    });
  cmd
    .command('link')
    .description('processor: link a breach to the customers it affects')
    .argument('<case>')
    .argument('<customers...>')
    .action(async (raw: string, ids: string[]) => {
      await withDesk(io, async (desk) => {
        const r = await linkBreachCustomers(
          desk.deps,
          caseNumber(raw),
          ids,
          { id: 'cli', role: 'dpo' },
          desk.deps.clock(),
        );
        if (!r.ok) throw new CliError(r.message, 1);
        io.out(r.linked.length ? `Linked ${r.linked.join(', ')}.` : 'Already linked.');
      });
    });
  cmd
    .command('recipients')
    .description('Art. 34: import the people to tell (CSV: email[,language][,name])')
    .argument('<case>')
    .requiredOption('--file <people.csv>', 'the CSV file')
    .action(async (raw: string, o: { file: string }) => {
      const csv = readFileSync(o.file, 'utf8');
      await withDesk(io, async (desk) => {
        const r = await importRecipients(
          desk.deps,
          caseNumber(raw),
          csv,
          { id: 'cli', role: 'dpo' },
          desk.deps.clock(),
        );
        if (!r.ok) throw new CliError(r.message, r.code === 'CSV_INVALID' ? 2 : 1);
        io.out(`${r.added} added, ${r.duplicates} duplicate(s) skipped (${r.listed} distinct in the file).`);
      });
    });
  return cmd;
}

/** `export register`: added under the `export` command (the request log export lives there too). */
export function registerExportCommand(io: CliIo): Command {
  return new Command('register')
    .description('the breach register (Art. 33(5)): every incident, decisions, reasons, phases')
    .addOption(new Option('--format <format>').choices(['csv', 'json']).default('csv'))
    .option('--from <date>', 'reported on or after (YYYY-MM-DD, UTC)')
    .option('--to <date>', 'reported on or before (YYYY-MM-DD, UTC)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { format: 'csv' | 'json'; from?: string; to?: string; out?: string }) => {
      const day = (s: string | undefined, name: string) => {
        if (s === undefined) return undefined;
        const d = new Date(`${s}T00:00:00Z`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(d.getTime()))
          throw new CliError(`error: ${name} expects a date YYYY-MM-DD, got "${s}"`, 2);
        return d;
      };
      const to = day(o.to, '--to');
      const range = { from: day(o.from, '--from'), to: to && new Date(to.getTime() + 86_400_000) };
      if (range.from && range.to && range.from >= range.to) throw new CliError('error: --from is after --to', 2);
      await withDesk(io, async (desk) => {
        const entries = await registerEntries(desk.deps.database.db, range);
        const body = o.format === 'csv' ? registerCsv(entries) : registerJson(entries);
        if (o.out) {
          writeFileSync(o.out, body);
          io.err(`${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} written to ${o.out}`);
        } else io.out(body.trimEnd());
      });
    });
}

interface BreachView {
  number: string;
  role: string;
  state: string;
  awareAt: string | null;
  dueAt: string | null;
  record: BreachRecord;
  notifications: Omit<NotificationRow, 'given'>[];
  customers: { id: string; alertedAt: string | null }[];
  notices: Progress;
}

function showLines(v: BreachView): string[] {
  const { assessment: a, decision: d, subjects: s } = v.record;
  const n = v.notices;
  return [
    `${v.number}  ${v.role}  state ${v.state}  aware ${v.awareAt}  due ${v.dueAt}`,
    `risk: ${a ? `${a.risk} — ${a.reasons} (${a.by}, ${a.at})` : 'not assessed'}`,
    ...(d ? [`decision: ${d.kind} — ${d.reasons} (${d.by}, ${d.at})`] : []),
    ...(s ? [`Art. 34: ${s.decision}${s.ground ? ` ground (${s.ground})` : ''} — ${s.reasons}`] : []),
    ...v.notifications.map((x) => {
      const ref = x.reference ? ` ref ${x.reference}` : '';
      const late = x.lateReasons ? ` — late: ${x.lateReasons}` : '';
      const who = x.customer ? ` ${x.customer}` : '';
      return `notified ${x.audience}${who}: ${x.phase} at ${x.at.toISOString()}${ref}${late}`;
    }),
    ...v.customers.map((c) => `customer ${c.id}: ${c.alertedAt ? `alerted ${c.alertedAt}` : 'NOT alerted yet'}`),
    `notices to people: ${n.sent} sent, ${n.pending + n.unsent} pending, ${n.failed} failed (of ${n.total})`,
  ];
}
