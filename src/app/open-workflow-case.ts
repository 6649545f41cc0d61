/**
 * Opening a case of any workflow by hand (`dpo-desk case open --workflow`, `/dpo new <workflow>`): the definition
 * says who may open it and what they fill in. A few field names mean the same to every definition: `types` (a
 * request's types), `requester.email` / `requester.name` (who the case's mail goes to), `language` (of that mail),
 * `aware_at` and `description` (a breach). Every other field is kept as a fact of the case.
 */
import { isBlank, fieldProblems } from '../domain/workflow/interpreter.ts';
import { LANGUAGES, REQUEST_TYPES, type Language, type RequestType } from '../domain/vocabulary.ts';
import type { Case } from '../domain/case.ts';
import type { Actor, AppDeps, Result } from './deps.ts';
import { openCaseRecorded } from './open-case.ts';

export interface OpenWorkflowInput {
  workflow: string;
  receivedAt: Date;
  fields: Record<string, unknown>;
  actor: Actor;
  /** The same source (a modal, a CLI key) never opens two cases. */
  sourceKey?: string | null;
}

const SPECIAL = new Set(['types', 'requester.email', 'requester.name', 'language', 'aware_at', 'description']);

export async function openWorkflowCase(
  deps: AppDeps, input: OpenWorkflowInput, now: Date,
): Promise<Result<{ case: Case; created: boolean }>> {
  const wf = deps.workflows.get(input.workflow);
  if (!wf) {
    return {
      ok: false, code: 'UNKNOWN_WORKFLOW',
      message: `No workflow "${input.workflow}"; there are: ${deps.workflows.list().map((w) => w.id).join(', ')}.`,
    };
  }
  if (!wf.open) return { ok: false, code: 'NOT_ALLOWED', message: `A ${wf.id} case is not opened by hand.` };
  const roles: readonly string[] = wf.open.roles;
  if (!roles.includes(input.actor.role)) {
    const yours = input.actor.role === 'viewer' ? 'you have no dpo-desk role' : `you are ${input.actor.role}`;
    return {
      ok: false, code: 'NOT_ALLOWED',
      message: `Not allowed: opening a ${wf.id} case needs the role ${roles.join(' or ')}; ${yours}.`,
    };
  }
  const f = input.fields;
  const missing = wf.open.fields.filter((x) => x.required && isBlank(f[x.name])).map((x) => x.name);
  const unknown = Object.keys(f).filter((k) => !wf.open!.fields.some((x) => x.name === k));
  const problems = [
    ...(missing.length ? [`needs ${missing.join(', ')}`] : []),
    ...(unknown.length
      ? [`has no field ${unknown.join(', ')} (it takes ${wf.open.fields.map((x) => x.name).join(', ') || 'none'})`]
      : []),
    ...fieldProblems(wf.open.fields, f),
  ];
  if (input.receivedAt.getTime() > now.getTime()) problems.push('the start cannot be in the future');
  if (problems.length) return { ok: false, code: 'FIELD_INVALID', message: `${wf.id}: ${problems.join('; ')}.` };
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : String(v ?? '').split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const types = list(f.types).filter((t): t is RequestType => (REQUEST_TYPES as readonly string[]).includes(t));
  const email = typeof f['requester.email'] === 'string' ? f['requester.email'].toLowerCase() : null;
  const language = (LANGUAGES as readonly string[]).includes(String(f.language)) ? f.language as Language : undefined;
  const facts = Object.fromEntries(Object.entries(f).filter(([k]) => !SPECIAL.has(k)));
  const opened = await openCaseRecorded(deps, {
    kind: wf.kind, workflow: wf.id, channel: input.actor.id === 'cli' ? 'cli' : 'slack', receivedAt: input.receivedAt,
    requestTypes: types, facts, language, actor: input.actor, sourceKey: input.sourceKey ?? null,
    requester: email || f['requester.name']
      ? { email, name: typeof f['requester.name'] === 'string' ? f['requester.name'] : null, verified: Boolean(email) }
      : null,
    ...(wf.kind === 'breach'
      ? {
        awareAt: f.aware_at ? new Date(String(f.aware_at)) : input.receivedAt,
        content: typeof f.description === 'string' ? f.description : null,
      }
      : {}),
  }, { enteredBy: input.actor.id, workflow: wf.id }, now);
  return { ok: true, case: opened.case, created: opened.created };
}
