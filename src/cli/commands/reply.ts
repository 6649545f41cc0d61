/**
 * `dpo-desk reply <case> --event <Event> [--attach <file>]…`: a reply to the data subject from the shell, the same
 * use case as Slack's reply modal — with files attached (MIME parts through the outbox), checked before anything
 * is queued: their total size (MAIL_MAX_ATTACHMENT_BYTES), the formats a template allows, the files it names.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { templateSchemas } from '../../adapters/templates/template-schemas.ts';
import { applyCaseEvent } from '../../app/case-actions.ts';
import { caseFor, eventTemplates, offers } from '../../app/offers.ts';
import { tooLarge, type ReplyFile } from '../../app/reply-attachments.ts';
import { normaliseCaseNumber } from '../../domain/case.ts';
import { LANGUAGES, type Language } from '../../domain/vocabulary.ts';
import { doneOf, type TransitionDefinition } from '../../domain/workflow/definition.ts';
import { transitionFor } from '../../domain/workflow/interpreter.ts';
import type { DeskRole } from '../../domain/workflow/permissions.ts';
import { CliError, loadConfig, withDesk, type CliIo } from '../context.ts';

/** Refusals that are the caller's to fix (exit 2); anything else is a failure (exit 1). */
const USAGE = new Set([
  'FIELD_REQUIRED', 'FIELD_INVALID', 'NOT_FROM_STATE', 'NOT_ALLOWED', 'ROLE_NOT_PERMITTED', 'NOT_FOR_CASE_ROLE',
  'ATTACHMENTS_TOO_LARGE', 'ATTACHMENTS_MISSING', 'ATTACHMENT_TYPE', 'ATTACHMENTS_NOT_SENT', 'TEMPLATE_CONTEXT_INVALID',
]);

/** `--field name=value`, repeatable; the same name twice makes a list. */
function collect(raw: string, acc: Record<string, string[]>): Record<string, string[]> {
  const i = raw.indexOf('=');
  if (i < 1) throw new CliError(`error: --field takes name=value (got "${raw}")`, 2);
  const k = raw.slice(0, i).trim();
  return { ...acc, [k]: [...(acc[k] ?? []), raw.slice(i + 1)] };
}

const push = (v: string, acc: string[]) => [...acc, v];

export function replyCommand(io: CliIo): Command {
  return new Command('reply')
    .description('reply to the data subject: a workflow event with its mail, optionally with files attached')
    .argument('<case>', 'case number, e.g. DSR-2026-0001')
    .requiredOption('--event <event>', 'the reply, e.g. Answered, IdentityRequested (see `case events`)')
    .option('--language <xx>', `the mail's language (${LANGUAGES.join(', ')}); default the case's`)
    .option('--field <name=value>', 'a value for the mail, dotted for nested ones (portability.scope=…); repeat a '
      + 'name for a list', collect, {})
    .option('--details <file.yaml>', 'the values for the mail as YAML (as in the Slack reply modal); --field wins')
    .option('--attach <file>', 'a file sent with the mail (repeatable); the template\'s list of files comes from '
      + 'these', push, [])
    .addOption(new Option('--as <role>', 'the role to act in').choices(['dpo', 'agent']).default('dpo'))
    .option('--key <key>', 'an idempotency key: the same key never sends twice (scripts, retries)')
    .option('--json', 'one JSON object')
    .action(async (raw: string, o: {
      event: string; language?: string; field: Record<string, string[]>; details?: string; attach: string[]; as: string;
      key?: string; json?: boolean;
    }) => {
      const number = normaliseCaseNumber(raw);
      if (!number) throw new CliError(`error: "${raw}" is not a case number (like DSR-2026-0001)`, 2);
      if (o.language && !(LANGUAGES as readonly string[]).includes(o.language)) {
        throw new CliError(`error: --language must be one of ${LANGUAGES.join(', ')} (got "${o.language}")`, 2);
      }
      const files = readFiles(o.attach, loadConfig(io).mail.maxAttachmentBytes);
      const details = o.details ? readDetails(o.details) : {};
      await withDesk(io, async (desk) => {
        const who = { id: 'cli', role: o.as as DeskRole };
        const loaded = await caseFor(desk.deps, number, who, () => ({ action: 'reply' }));
        if (!loaded.ok) throw new CliError(`error: ${loaded.message}`, loaded.code === 'NOT_ALLOWED' ? 2 : 1);
        const c = loaded.case;
        const t = transitionFor(desk.deps.workflows.of(c), o.event, c);
        const replies = offers(desk.deps.workflows, c, { role: who.role, user: 'cli' }, 'any')
          .filter((x) => x.transition.template);
        const hint = `replies open now for ${o.as}: ${replies.map((x) => x.event).join(', ') || 'none'}`;
        if (!t) throw new CliError(`error: "${o.event}" is not an event of the ${c.workflow} workflow (${hint})`, 2);
        if (!t.template) throw new CliError(`error: ${o.event} sends no mail; use \`dpo-desk case do\` (${hint})`, 2);
        const fields = { ...details, ...typedFields(t, eventTemplates(desk.deps.workflows, c, o.event), o.field) };
        const r = await applyCaseEvent(desk.deps, {
          caseNumber: c.number, actor: who, key: o.key ? `cli:${o.key}` : `cli:${randomUUID()}`, type: o.event, fields,
          ...(o.language ? { language: o.language as Language } : {}), attachments: files,
        }, desk.deps.clock());
        if (!r.ok) {
          const withHint = /NOT_FROM|ROLE|NOT_ALLOWED/.test(r.code) ? ` (${hint})` : '';
          throw new CliError(`error: ${r.message}${withHint}`, USAGE.has(r.code) ? 2 : 1);
        }
        const mails = r.mails ?? 0;
        if (o.json) {
          return io.out(JSON.stringify({
            number: r.case.number, event: o.event, state: r.case.state, duplicate: r.duplicate, mails,
            attachments: files.map((f) => ({ filename: f.filename, bytes: f.bytes.byteLength })),
          }));
        }
        if (r.duplicate) return io.out(`${r.case.number}: already done (key ${o.key})`);
        const attached = files.length ? ` with ${files.map((f) => f.filename).join(', ')}` : '';
        io.out(`${r.case.number}: ${doneOf(t, fields)} — state ${r.case.state}; `
          + `${mails ? `${mails} mail(s) queued${attached} (the running desk sends them)` : 'no mail goes with it'}`);
      });
    });
}

/** The files, refused before reading when together they exceed the limit. */
function readFiles(paths: readonly string[], maxBytes: number): ReplyFile[] {
  const sizes = paths.map((p) => {
    try {
      const s = statSync(p);
      if (!s.isFile()) throw new Error('not a file');
      return s.size;
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new CliError(`error: --attach ${p}: cannot read it (${why})`, 2);
    }
  });
  const problem = tooLarge(sizes.reduce((a, b) => a + b, 0), maxBytes);
  if (problem) throw new CliError(`error: ${problem}`, 2);
  return paths.map((p) => ({ filename: basename(p), bytes: new Uint8Array(readFileSync(p)) }));
}

function readDetails(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (e) {
    throw new CliError(`error: --details ${path}: not valid YAML (${(e as Error).message.split('\n')[0]})`, 2);
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`error: --details ${path}: expected "name: value" lines`, 2);
  }
  return parsed as Record<string, unknown>;
}

/**
 * `--field` values by what takes them: the event's own fields as typed (a multiselect splits at commas), a
 * template's by its schema (a list takes each repetition, a yes/no field true or false).
 */
function typedFields(
  t: TransitionDefinition, templates: readonly string[], raw: Record<string, string[]>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(raw)) {
    const own = t.fields.find((f) => f.name === name);
    if (own) {
      out[name] = own.type === 'multiselect' ? values.flatMap((v) => v.split(',').map((s) => s.trim())) : values.at(-1);
      continue;
    }
    const leaf = templates.map((n) => schemaAt((templateSchemas as Record<string, unknown>)[n], name)).find(Boolean);
    if (!leaf) {
      throw new CliError(`error: ${t.on} and its mail (${templates.join(', ')}) take no field ${name}`
        + (t.fields.length ? ` (the event takes ${t.fields.map((f) => f.name).join(', ')})` : ''), 2);
    }
    out[name] = coerce(leaf, values, name);
  }
  return out;
}

type ZodDef = { type: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown; in?: unknown };
const defOf = (s: unknown): ZodDef | null => ((s as { _zod?: { def?: ZodDef } })?._zod?.def ?? null);

function unwrap(s: unknown): unknown {
  let d = defOf(s);
  while (d && ['optional', 'default', 'nullable', 'prefault', 'pipe'].includes(d.type)) {
    s = d.innerType ?? d.in;
    d = defOf(s);
  }
  return s;
}

function schemaAt(schema: unknown, path: string): unknown {
  let s = unwrap(schema);
  for (const part of path.split('.')) {
    const d = defOf(s);
    if (d?.type !== 'object' || !d.shape || !(part in d.shape)) return null;
    s = unwrap(d.shape[part]);
  }
  return s;
}

function coerce(leaf: unknown, values: string[], name: string): unknown {
  const d = defOf(leaf)!;
  if (d.type === 'array') return values;
  const v = values.at(-1)!;
  if (d.type === 'boolean') {
    if (/^(true|yes)$/i.test(v)) return true;
    if (/^(false|no)$/i.test(v)) return false;
    throw new CliError(`error: --field ${name} takes true or false (got "${v}")`, 2);
  }
  if (d.type === 'number') return Number(v);
  if (d.type === 'object') {
    throw new CliError(`error: --field ${name} has parts; give them dotted (${name}.…) or use --details`, 2);
  }
  return v;
}
