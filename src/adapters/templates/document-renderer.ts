/**
 * Documents the desk drafts but does not send — the Art. 33(3) notification to the supervisory authority, filed
 * by the DPO on the authority's portal. `templates/documents/<lang>/<name>.md.hbs` (Markdown, Handlebars strict
 * mode), each context validated by its zod schema first; rendered as Markdown and as plain text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../../domain/vocabulary.ts';
import { TemplateError } from './template-errors.ts';

const text = z.string().trim().min(1);

/** The context of each document. Every Art. 33(3) point is present: unknown facts say so in the language. */
export const documentSchemas = {
  'authority-notification': z.object({
    org: z.object({ name: text }),
    case: z.object({ number: text }),
    notification: z.object({ phase: text, date: text, reference: text.optional(), lateReasons: text.optional() }),
    breach: z.object({
      detected: text,
      aware: text,
      awareRationale: text.optional(),
      description: text,
      nature: text,
      subjectCategories: text,
      subjectsApprox: text,
      recordCategories: text,
      recordsApprox: text,
      consequences: text,
      measures: z.array(text).min(1),
      toFollow: text.optional(),
    }),
    contact: z.object({ name: text, email: z.email() }),
  }),
} as const;
export type DocumentName = keyof typeof documentSchemas;
export type DocumentContext<N extends DocumentName> = z.input<(typeof documentSchemas)[N]>;

export interface RenderedDocument {
  markdown: string;
  text: string;
}

export interface DocumentRenderer {
  render<N extends DocumentName>(name: N, lang: Language, context: DocumentContext<N>): RenderedDocument;
}

/** Loads every document in every language now: a missing or broken file stops start-up, named. */
export function createDocumentRenderer(dir: string): DocumentRenderer {
  const hb = Handlebars.create();
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  for (const lang of LANGUAGES) {
    for (const name of Object.keys(documentSchemas)) {
      const file = join(dir, lang, `${name}.md.hbs`);
      if (!existsSync(file))
        throw new TemplateError('TEMPLATE_FILE_MISSING', `Document template is missing: ${file}`, { file });
      const source = readFileSync(file, 'utf8');
      hb.precompile(source, { strict: true, noEscape: true, knownHelpersOnly: true });
      compiled.set(`${lang}/${name}`, hb.compile(source, { strict: true, noEscape: true, knownHelpersOnly: true }));
    }
  }
  return {
    render(name, lang, context) {
      const parsed = documentSchemas[name].safeParse(context);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new TemplateError(
          'TEMPLATE_CONTEXT_INVALID',
          `Document "${name}" (${lang}): invalid context: ${detail}`,
          { template: name, lang },
        );
      }
      const markdown =
        compiled.get(`${lang}/${name}`)!(parsed.data)
          .replace(/\n{3,}/g, '\n\n')
          .trim() + '\n';
      return { markdown, text: markdownToText(markdown) };
    },
  };
}

/** The plain-text twin of our own Markdown: headings underlined, emphasis dropped, bullets kept. */
export function markdownToText(md: string): string {
  return md
    .split('\n')
    .map((line) => {
      const h = /^(#{1,6})\s+(.*)$/.exec(line);
      if (h) return `${h[2]}\n${(h[1] === '#' ? '=' : '-').repeat(Math.min(h[2]!.length, 80))}`;
      return line.replace(/\*\*(.+?)\*\*/g, '$1');
    })
    .join('\n');
}
