/**
 * The breach desk's named effects (`effects:` in workflows/breach.yaml), registered with the other workflow
 * effects: each runs its step inside the event's transaction and saves what the step produced (register entry,
 * notification phases, outbox rows, audit events); a refusal stops the event and changes nothing.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDocumentRenderer, type DocumentRenderer } from '../../adapters/templates/document-renderer.ts';
import { persistEffects } from '../persist-effects.ts';
import type { Effect, EffectContext } from '../workflow-effects.ts';
import {
  assessStep,
  authorityStep,
  customersStep,
  decisionStep,
  subjectsDecisionStep,
  subjectsStep,
  type StepContext,
  type StepResult,
} from './breach-steps.ts';
import { importRecipientsIn } from './report-incident.ts';
import { formatInZone } from '../../domain/local-date.ts';
import { AUTHORITY_HOURS } from '../../domain/breach/notification-rules.ts';

const DOCUMENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates', 'documents');
let documents: DocumentRenderer | null = null;
/** The document templates, loaded once (a missing or broken file is named on first use and by `doctor`). */
export const documentRenderer = () => (documents ??= createDocumentRenderer(DOCUMENTS_DIR));

const stepContext = (ctx: EffectContext): StepContext => ({
  trx: ctx.trx,
  deps: ctx.deps,
  case: ctx.case,
  actor: ctx.actor,
  fields: ctx.fields,
  key: `${ctx.case.id}:v${ctx.case.version + 1}`,
  now: ctx.now,
});

function asEffect(step: (ctx: StepContext) => Promise<StepResult>): Effect {
  return {
    async apply(ctx) {
      const r = await step(stepContext(ctx));
      if (!r.ok) return r;
      await persistEffects(ctx.trx, r.effects, ctx.now);
      return { ok: true, case: ctx.case };
    },
  };
}

export const BREACH_EFFECTS = {
  /** Assessed: the risk with reasons and the Art. 33(3) facts known now. */
  breach_assessment: asEffect(assessStep),
  not_a_breach: asEffect(decisionStep('not_a_breach')),
  not_notifiable: asEffect(decisionStep('not_notifiable')),
  /** AuthorityNotified: the phase, the drafted text given, the reference; after 72 h only with reasons. */
  authority_notification: {
    ...asEffect((ctx) => authorityStep(documentRenderer())(ctx)),
    describe: (c, _deadlines, zone) => (c.awareAt
      ? `72 hours from awareness end ${formatInZone(new Date(c.awareAt.getTime() + AUTHORITY_HOURS * 3_600_000), zone)}; `
        + 'an initial notification after that needs the reasons for the delay. The text: dpo-desk breach draft '
        + `${c.number}.`
      : null),
  },
  /** CustomerNotified: each linked customer's alert in its language, then numbered supplements. */
  customer_alerts: asEffect(customersStep),
  subjects_decision: asEffect(subjectsDecisionStep),
  /** SubjectsNotified: imports `recipients_csv` if given, then one notice per person, rate-limited. */
  subjects_notices: asEffect(async (ctx) => {
    const csv = typeof ctx.fields.recipients_csv === 'string' ? ctx.fields.recipients_csv.trim() : '';
    if (csv) {
      const imported = await importRecipientsIn(ctx.trx, ctx.deps, ctx.case, csv, ctx.actor, ctx.now);
      if (!imported.ok) return imported;
    }
    return subjectsStep(ctx.deps.config.breach.noticesPerMinute)(ctx);
  }),
} satisfies Record<string, Effect>;
