/** Shared helpers for the template tests (not a test file itself). */
import { fileURLToPath } from 'node:url';
import type { Language } from '../../../src/domain/vocabulary.ts';
import type { MailRenderer, RenderedMail } from '../../../src/adapters/templates/mail-renderer.ts';
import type { TemplateName } from '../../../src/adapters/templates/template-catalog.ts';
import { TemplateError } from '../../../src/adapters/templates/template-errors.ts';

/** The real `templates/mail` directory of the repository. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/mail', import.meta.url));

/** Renders a deliberately invalid or altered context (the render signature is typed to valid ones). */
export function renderAny(renderer: MailRenderer, name: TemplateName, lang: Language, context: unknown): RenderedMail {
  return renderer.render(name, lang, context as never);
}

/** Runs `action` and returns the TemplateError it throws; fails if it throws nothing or something else. */
export function thrown(action: () => unknown): TemplateError {
  try {
    action();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

/** Reads the text back out of the rendered HTML body: paragraphs, line breaks, entities. */
export function htmlBodyAsText(html: string): string {
  const body = /<div[^>]*>\n([\s\S]*)\n<\/div>/.exec(html)?.[1] ?? '';
  return body
    .replace(/<\/p>\n<p>/g, '\n\n')
    .replace(/<br>\n/g, '\n')
    .replace(/^<p>|<\/p>$/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&');
}
