/**
 * The CLI's reach on cases, the same as Slack's: what may happen next (`case events`), apply one event (`case do`),
 * open a case of any workflow (`case open`), confirm the data subject's address (`case confirm`). An operator acts
 * as `--as <role>` (default dpo); every event, field and role is checked by the same use cases as in Slack.
 */
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { applyCaseEvent } from '../../app/case-actions.ts';
import { confirmRequester } from '../../app/confirm-requester.ts';
import { caseFor, offers } from '../../app/offers.ts';
import { openWorkflowCase } from '../../app/open-workflow-case.ts';
import { normaliseCaseNumber } from '../../domain/case.ts';
import { doneOf } from '../../domain/workflow/definition.ts';
import { transitionFor } from '../../domain/workflow/interpreter.ts';
import type { DeskRole } from '../../domain/workflow/permissions.ts';
import { CliError, withDesk, type CliIo } from '../context.ts';

const ROLES = ['dpo', 'agent', 'manager'] as const;
const asOption = () => new Option('--as <role>', 'the role to act in').choices(ROLES).default('dpo');

/** `--field name=value`, repeatable; a value with commas is a list when the field takes several. */
function collectField(raw: string, acc: Record<string, string>): Record<string, string> {
  const i = raw.indexOf('=');
  if (i < 1) throw new CliError(`error: --field takes name=value (got "${raw}")`, 2);
  return { ...acc, [raw.slice(0, i).trim()]: raw.slice(i + 1) };
}

function caseNumber(raw: string): string {
  const n = normaliseCaseNumber(raw);
  if (!n) throw new CliError(`error: "${raw}" is not a case number (like DSR-2026-0001)`, 2);
  return n;
}

const actor = (role: string) => ({ id: 'cli', role: role as DeskRole });

export function addCaseActions(cmd: Command, io: CliIo): void {
  cmd.command('events')
    .description(
      'what may happen next on a case, for a role: each event with its label, fields and where it is offered',
    )
    .argument('<number>', 'case number, e.g. DSR-2026-0001')
    .addOption(asOption())
    .option('--json', 'one JSON array')
    .action(async (raw: string, o: { as: string; json?: boolean }) => {
      const number = caseNumber(raw);
      await withDesk(io, async (desk) => {
        const loaded = await caseFor(desk.deps, number, actor(o.as), () => ({ action: 'view' }));
        if (!loaded.ok) throw new CliError(`error: ${loaded.message}`, 1);
        const list = offers(
          desk.deps.workflows, loaded.case, { role: o.as as DeskRole, user: 'cli' }, 'any',
        ).map((x) => ({
          event: x.event, label: x.label, to: x.transition.to ?? loaded.case.state,
          fields: x.transition.fields.map((f) => ({
            name: f.name, type: f.type, label: f.label, required: f.required, options: f.options ?? null,
          })),
          offered: {
            command: x.transition.offer.command ?? null, button: x.transition.offer.button,
            reply: x.transition.offer.reply, close: x.transition.offer.close,
          },
        }));
        if (o.json) return io.out(JSON.stringify(list));
        io.out(`${loaded.case.number} (${loaded.case.workflow}, state ${loaded.case.state}) — as ${o.as}:`);
        if (!list.length) io.out('  nothing: no event is open to this role in this state');
        for (const e of list) {
          const fields = e.fields
            .map((f) => `${f.name}${f.required ? '' : '?'}${f.options ? `=${f.options.join('|')}` : ''}`)
            .join(' ');
          io.out(`  ${e.event.padEnd(24)} ${e.label}${fields ? `  [${fields}]` : ''}`);
        }
      });
    });

  cmd.command('do')
    .description('apply one workflow event to a case (bad event, field or role: exit 2 with what is allowed)')
    .argument('<number>', 'case number')
    .argument('<event>', 'the event, e.g. IdentityVerified (see `case events`)')
    .option('--field <name=value>', 'a field of the event (repeatable)', collectField, {})
    .addOption(asOption())
    .option('--key <key>', 'an idempotency key: the same key never has two effects (scripts, retries)')
    .option('--json', 'one JSON object')
    .action(async (
      raw: string, event: string, o: { field: Record<string, string>; as: string; key?: string; json?: boolean },
    ) => {
      const number = caseNumber(raw);
      await withDesk(io, async (desk) => {
        const who = actor(o.as);
        const loaded = await caseFor(desk.deps, number, who, () => ({ action: 'view' }));
        if (!loaded.ok) throw new CliError(`error: ${loaded.message}`, 1);
        const c = loaded.case;
        const t = transitionFor(desk.deps.workflows.of(c), event, c);
        const allowed = offers(desk.deps.workflows, c, { role: who.role, user: 'cli' }, 'any');
        const hint = `allowed now for ${o.as}: ${allowed.map((x) => x.event).join(', ') || 'none'}`;
        if (!t) throw new CliError(`error: "${event}" is not an event of the ${c.workflow} workflow (${hint})`, 2);
        const unknown = Object.keys(o.field).filter((f) => !t.fields.some((x) => x.name === f));
        if (unknown.length) {
          throw new CliError(
            `error: ${event} has no field ${unknown.join(', ')} `
              + `(it takes ${t.fields.map((f) => f.name).join(', ') || 'none'})`,
            2,
          );
        }
        const fields = Object.fromEntries(Object.entries(o.field).map(([k, v]) =>
          [k, t.fields.find((f) => f.name === k)?.type === 'multiselect' ? v.split(',').map((s) => s.trim()) : v]));
        const r = await applyCaseEvent(
          desk.deps,
          { caseNumber: c.number, actor: who, key: o.key ?? `cli:${randomUUID()}`, type: event, fields },
          desk.deps.clock(),
        );
        if (!r.ok) {
          const usage = [
            'FIELD_REQUIRED', 'FIELD_INVALID', 'NOT_FROM_STATE', 'NOT_ALLOWED', 'ROLE_NOT_PERMITTED',
            'NOT_FOR_CASE_ROLE',
          ].includes(r.code);
          throw new CliError(`error: ${r.message}${usage ? ` (${hint})` : ''}`, usage ? 2 : 1);
        }
        if (o.json) {
          return io.out(JSON.stringify({
            number: r.case.number, event, state: r.case.state, duplicate: r.duplicate, mails: r.mails ?? 0,
          }));
        }
        io.out(r.duplicate
          ? `${r.case.number}: already done (key ${o.key})`
          : `${r.case.number}: ${doneOf(t, fields)} — state ${r.case.state}`
            + `${r.mails ? `; ${r.mails} mail(s) queued` : ''}`);
      });
    });

  cmd.command('open')
    .description('open a case of any workflow by hand (the definition says who may and what it takes)')
    .requiredOption('--workflow <id>', 'the workflow, e.g. subprocessor-change (see `doctor`)')
    .requiredOption(
      '--received <instant>',
      'when it reached the organisation or started (ISO 8601, e.g. 2026-03-05T09:00+01:00)',
    )
    .option('--field <name=value>', 'a field of the workflow\'s opening (repeatable)', collectField, {})
    .addOption(asOption())
    .option('--key <key>', 'an idempotency key: the same key never opens two cases')
    .option('--json', 'one JSON object')
    .action(async (o: {
      workflow: string; received: string; field: Record<string, string>; as: string; key?: string; json?: boolean;
    }) => {
      const receivedAt = new Date(o.received);
      if (Number.isNaN(receivedAt.getTime())) {
        throw new CliError(`error: --received: "${o.received}" is not an instant`, 2);
      }
      await withDesk(io, async (desk) => {
        const wf = desk.deps.workflows.get(o.workflow);
        const fields = Object.fromEntries(Object.entries(o.field).map(([k, v]) =>
          [k, wf?.open?.fields.find((f) => f.name === k)?.type === 'multiselect'
            ? v.split(',').map((s) => s.trim())
            : v]));
        const r = await openWorkflowCase(desk.deps, {
          workflow: o.workflow, receivedAt, fields, actor: actor(o.as), sourceKey: o.key ? `cli:${o.key}` : null,
        }, desk.deps.clock());
        if (!r.ok) throw new CliError(`error: ${r.message}`, r.code === 'NOT_ALLOWED' ? 1 : 2);
        const due = r.case.governingDueAt?.toISOString() ?? null;
        if (o.json) {
          return io.out(JSON.stringify({
            number: r.case.number, workflow: r.case.workflow, state: r.case.state, due, created: r.created,
          }));
        }
        io.out(
          `${r.created ? 'Opened' : 'Already opened as'} ${r.case.number} (${r.case.workflow}), `
            + `state ${r.case.state}, due ${due ?? '— (the clock starts later)'}`,
        );
      });
    });

  cmd.command('confirm')
    .description('confirm (or correct) the data subject\'s address; mails that waited on it are sent once')
    .argument('<number>', 'case number')
    .option('--address <email>', 'the corrected address')
    .addOption(new Option('--as <role>', 'the role to act in').choices(['dpo', 'agent']).default('dpo'))
    .action(async (raw: string, o: { address?: string; as: string }) => {
      const number = caseNumber(raw);
      await withDesk(io, async (desk) => {
        const r = await confirmRequester(desk.deps, {
          caseNumber: number, actor: actor(o.as), key: `cli:${randomUUID()}`, address: o.address ?? null, how: 'cli',
        }, desk.deps.clock());
        if (!r.ok) throw new CliError(`error: ${r.message}`, 1);
        io.out(`${r.case.number}: address confirmed${r.mails ? `; ${r.mails} mail(s) that waited on it queued` : ''}`);
      });
    });
}
