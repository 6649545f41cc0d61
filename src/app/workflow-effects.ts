/**
 * The named effects a workflow definition may give a transition (`effects:` in workflows/*.yaml). Each is
 * generic: any definition can use it. An effect runs inside the event's transaction, before the case is saved;
 * it may change the case or refuse the event with the reason and the way out.
 */
import type { Transaction } from 'kysely';
import { getDeadlines, linkCases } from '../adapters/db/case-repository.ts';
import type { DB } from '../adapters/db/schema.ts';
import type { Case } from '../domain/case.ts';
import { governingDeadline, type Deadline } from '../domain/deadlines/deadline.ts';
import { decideExtension } from '../domain/deadlines/extension.ts';
import { formatInZone } from '../domain/local-date.ts';
import { REQUEST_TYPES, type RequestType } from '../domain/vocabulary.ts';
import type { EffectName, TransitionDefinition } from '../domain/workflow/definition.ts';
import type { Actor, AppDeps } from './deps.ts';
import { openCaseIn } from './open-case.ts';
import { BREACH_EFFECTS } from './breach/breach-effects.ts';

export interface EffectContext {
  trx: Transaction<DB>;
  deps: AppDeps;
  /** The case as it will be saved (state already moved). */
  case: Case;
  transition: TransitionDefinition;
  fields: Record<string, unknown>;
  actor: Actor;
  now: Date;
  today: string;
}

export type EffectResult = { ok: true; case: Case; onSent?: string } | { ok: false; code: string; message: string };

export interface Effect {
  apply(ctx: EffectContext): Promise<EffectResult>;
  /** A line a form shows before the person submits (e.g. the date an extension would give). */
  describe?(c: Case, deadlines: readonly Deadline[], zone: string): string | null;
}

const same = (ctx: EffectContext): EffectResult => ({ ok: true, case: ctx.case });

export const EFFECT_IMPLS: Record<EffectName, Effect> = {
  ...BREACH_EFFECTS,

  /** Checked where the mail is composed: the event is refused when its mail would be withheld. */
  needs_mail: { apply: async (ctx) => same(ctx) },

  /** GDPR Art. 12(3): once, within the first month, with reasons; effective when the notice is sent. */
  extension_window: {
    async apply(ctx) {
      const c = ctx.case;
      const reasons = String(ctx.fields.reasons ?? '');
      if (c.extension) {
        return {
          ok: false, code: 'EXTENSION_ALREADY_USED',
          message: 'This case was already extended; it can be extended once.',
        };
      }
      const governing = governingDeadline((await getDeadlines(ctx.trx, c.id)).filter((d) => d.extendedDue));
      if (!governing) {
        return { ok: false, code: 'EXTENSION_NOT_AVAILABLE', message: 'None of this case\'s clocks can be extended.' };
      }
      const d = decideExtension(governing, { sentOn: ctx.today, reasons });
      if (!d.ok) return d;
      return {
        ok: true, case: { ...c, extension: { reasons, requestedAt: ctx.now, sentOn: null } },
        onSent: 'ExtensionNoticeSent',
      };
    },
    describe(c, deadlines, zone) {
      const extendable = governingDeadline(deadlines.filter((d) => d.extendedDue));
      if (!extendable) return 'None of this case\'s clocks can be extended.';
      const due = c.governingDueAt ? formatInZone(c.governingDueAt, zone) : extendable.due;
      const others = deadlines.filter((d) => !d.extendedDue).map((d) => `${d.regime} stays due ${d.due}`);
      return `Due ${due} → extended to ${extendable.extendedDue} (${extendable.regime})`
        + `${others.length ? `; ${others.join(', ')} (cannot be extended: shown as breached if missed)` : ''}. `
        + 'Only within the first month, once, with reasons sent to the data subject.';
    },
  },

  verify_identity: { apply: async (ctx) => ({ ok: true, case: { ...ctx.case, identityVerifiedAt: ctx.now } }) },

  /** A triage case typed as a request: its request types. */
  set_request_types: {
    async apply(ctx) {
      const raw = ctx.fields.types;
      const types = (Array.isArray(raw) ? raw : String(raw ?? '').split(','))
        .map((t) => String(t).trim())
        .filter(Boolean);
      const bad = types.filter((t) => !(REQUEST_TYPES as readonly string[]).includes(t));
      if (!types.length || bad.length) {
        return {
          ok: false, code: 'FIELD_INVALID',
          message: `types must be some of ${REQUEST_TYPES.join(', ')}${bad.length ? ` (not ${bad.join(', ')})` : ''}.`,
        };
      }
      return { ok: true, case: { ...ctx.case, requestTypes: [...new Set(types)] as RequestType[] } };
    },
  },

  /** A triage case that is really an incident: a breach case opens, linked, its clock from this receipt. */
  open_breach: {
    async apply(ctx) {
      const c = ctx.case;
      const opened = await openCaseIn(ctx.trx, ctx.deps, {
        kind: 'breach', channel: c.channel, receivedAt: c.receivedAt, awareAt: c.receivedAt, actor: ctx.actor,
        awareRationale: `reported by mail; typed as a breach from ${c.number}`, sourceKey: `typed:${c.id}`,
      }, ctx.now);
      await linkCases(ctx.trx, c.id, opened.case.id, 'became', ctx.now);
      await linkCases(ctx.trx, opened.case.id, c.id, 'reported-as', ctx.now);
      return { ok: true, case: { ...c, facts: { ...c.facts, breach: opened.case.number } } };
    },
  },

  /** The event's fields kept on the case for the record (e.g. objections per customer). */
  record_fields: {
    async apply(ctx) {
      const c = ctx.case;
      const list = Array.isArray(c.facts[ctx.transition.on]) ? c.facts[ctx.transition.on] as unknown[] : [];
      const entry = { at: ctx.now.toISOString(), by: ctx.actor.id, ...ctx.fields };
      return { ok: true, case: { ...c, facts: { ...c.facts, [ctx.transition.on]: [...list, entry] } } };
    },
  },

  /** The clock runs from the moment this transition's mail is confirmed sent. */
  start_clock_on_sent: { apply: async (ctx) => ({ ok: true, case: ctx.case, onSent: 'ClockStarted' }) },

  /** GDPR Art. 33(1): a notification after the deadline carries the reasons for the delay. */
  late_reasons: {
    async apply(ctx) {
      const due = ctx.case.governingDueAt;
      const late = due && ctx.now.getTime() > due.getTime();
      const reasons = ctx.fields.late_reasons;
      if (late && (typeof reasons !== 'string' || !reasons.trim())) {
        return {
          ok: false, code: 'LATE_REASONS_REQUIRED',
          message: `The deadline passed (${due!.toISOString()}): `
            + 'give the reasons for the delay in late_reasons (Art. 33(1)).',
        };
      }
      return same(ctx);
    },
  },
};

/** Runs a transition's effects in order; the first refusal stops the event. */
export async function applyEffects(
  ctx: EffectContext,
): Promise<{ ok: true; case: Case; onSent: string | null } | { ok: false; code: string; message: string }> {
  let c = ctx.case;
  let onSent: string | null = null;
  for (const name of ctx.transition.effects) {
    const r = await EFFECT_IMPLS[name].apply({ ...ctx, case: c });
    if (!r.ok) return r;
    c = r.case;
    onSent = r.onSent ?? onSent;
  }
  return { ok: true, case: c, onSent };
}

/** What the forms show before submitting this transition (one line per effect that has something to say). */
export function describeEffects(
  t: TransitionDefinition, c: Case, deadlines: readonly Deadline[], zone: string,
): string[] {
  return t.effects
    .map((e) => EFFECT_IMPLS[e].describe?.(c, deadlines, zone) ?? null)
    .filter((x): x is string => Boolean(x));
}
