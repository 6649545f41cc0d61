/**
 * The mail templates dpo-desk knows, as data: for each name, who receives it, the zod schema of the context it
 * needs and a complete sample context. The renderer validates every context against this catalog, and start-up
 * checks (workflow definitions naming templates) can use {@link TEMPLATE_NAMES}.
 */
import type { z } from 'zod';
import { templateSamples } from './template-samples.ts';
import { templateSchemas } from './template-schemas.ts';

/** Every template name; `templates/mail/<lang>/<name>.hbs` exists for each name and language. */
export const TEMPLATE_NAMES = [
  'acknowledgement',
  'identity-request',
  'clarification-request',
  'extension-notice',
  'answer-access',
  'answer-erasure',
  'answer-rectification',
  'answer-restriction',
  'answer-portability',
  'answer-objection',
  'answer-automated-decision',
  'refusal',
  'processor-forward',
  'processor-acknowledgement',
  'incident-notice',
  'breach-subject-notice',
  'dpo-alert',
  'reminder',
  'digest',
] as const satisfies readonly (keyof typeof templateSchemas)[];
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Who a template is written for: the data subject, a controller/customer we serve as processor, or the DPO. */
export type TemplateAudience = 'data_subject' | 'controller' | 'internal';

/** One catalog entry: the context contract and an example that satisfies it. */
export interface TemplateDefinition<S extends z.ZodType = z.ZodType> {
  readonly audience: TemplateAudience;
  readonly schema: S;
  readonly sample: z.input<S>;
}

/** The context a caller passes to render template `N` (before defaults are applied). */
export type TemplateContext<N extends TemplateName> = z.input<(typeof templateSchemas)[N]>;

const AUDIENCE: Readonly<Record<TemplateName, TemplateAudience>> = {
  acknowledgement: 'data_subject',
  'identity-request': 'data_subject',
  'clarification-request': 'data_subject',
  'extension-notice': 'data_subject',
  'answer-access': 'data_subject',
  'answer-erasure': 'data_subject',
  'answer-rectification': 'data_subject',
  'answer-restriction': 'data_subject',
  'answer-portability': 'data_subject',
  'answer-objection': 'data_subject',
  'answer-automated-decision': 'data_subject',
  refusal: 'data_subject',
  'processor-forward': 'controller',
  'processor-acknowledgement': 'data_subject',
  'incident-notice': 'controller',
  'breach-subject-notice': 'data_subject',
  'dpo-alert': 'internal',
  reminder: 'internal',
  digest: 'internal',
};

/** The catalog: template name → audience, context schema and sample context. */
export const templateCatalog: { readonly [N in TemplateName]: TemplateDefinition<(typeof templateSchemas)[N]> } =
  Object.fromEntries(
    TEMPLATE_NAMES.map((name) => [
      name,
      { audience: AUDIENCE[name], schema: templateSchemas[name], sample: templateSamples[name] },
    ]),
  ) as { readonly [N in TemplateName]: TemplateDefinition<(typeof templateSchemas)[N]> };

/** Narrows a string (e.g. from a workflow definition or an outbox row) to a known template name. */
export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}
