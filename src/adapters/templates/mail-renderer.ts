/**
 * Renders the mail templates in `templates/mail/<lang>/<name>.hbs` to `{ subject, text, html }`.
 *
 * All templates are read and compiled when the renderer is created, so a missing or broken file stops start-up
 * with its path named. Rendering validates the context against the template catalog first, then runs Handlebars
 * in strict mode (a variable the template uses but the context lacks is an error, never an empty string).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { LANGUAGES, type Language } from '../../domain/vocabulary.ts';
import { isTemplateName, TEMPLATE_NAMES, templateCatalog, type TemplateContext, type TemplateName } from './template-catalog.ts';
import { TemplateError } from './template-errors.ts';
import { MAIL_HELPER_NAMES, registerMailHelpers } from './template-helpers.ts';
import { escapeStaticText, parseTemplateSource, tidyText, toHtmlParagraphs, toSubjectLine } from './template-source.ts';

/** Where the templates live and which languages to load. */
export interface MailRendererOptions {
  /** The `templates/mail` directory: one sub-directory per language plus `layout.html.hbs`. */
  readonly dir: string;
  /** Languages to load; every template must exist in each. Default: all of {@link LANGUAGES}. */
  readonly languages?: readonly Language[];
}

/** A rendered mail. `subject` is a single header-safe line; `html` is a complete document. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Renders catalog templates; see {@link createMailRenderer}. */
export interface MailRenderer {
  /**
   * Renders template `name` in `lang`. Throws a {@link TemplateError}: `TEMPLATE_NOT_LOADED`,
   * `TEMPLATE_CONTEXT_INVALID` (with the bad fields) or `TEMPLATE_RENDER_FAILED`.
   */
  render<N extends TemplateName>(name: N | string, lang: Language, context: N extends TemplateName ? TemplateContext<N> : Record<string, unknown>): RenderedMail;
  /** Whether template `name` was loaded in language `lang` (for start-up checks of workflow definitions). */
  has(name: string, lang: string): boolean;
}

type Render = Handlebars.TemplateDelegate;
interface CompiledTemplate {
  readonly file: string;
  readonly subject: Render;
  readonly text: Render;
  readonly html: Render;
}
type Hbs = typeof Handlebars;

/** The HTML layout every mail's HTML part is wrapped in, relative to the template directory. */
export const LAYOUT_FILE = 'layout.html.hbs';
const KNOWN_HELPERS = Object.fromEntries(MAIL_HELPER_NAMES.map((name) => [name, true]));
const HTML_OPTIONS: CompileOptions = { strict: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
const TEXT_OPTIONS: CompileOptions = { ...HTML_OPTIONS, noEscape: true };

/**
 * Loads and compiles every template of {@link TEMPLATE_NAMES} in every requested language, plus the HTML layout.
 * Throws a {@link TemplateError} naming the file (`TEMPLATE_FILE_MISSING`, `TEMPLATE_FILE_INVALID`).
 */
export function createMailRenderer(options: MailRendererOptions): MailRenderer {
  const hb = Handlebars.create();
  registerMailHelpers(hb);
  const layoutFile = join(options.dir, LAYOUT_FILE);
  const layout = compileFile(layoutFile, (source) => compileNow(hb, source, HTML_OPTIONS));
  const templates = new Map<string, CompiledTemplate>();
  for (const lang of options.languages ?? LANGUAGES) {
    for (const name of TEMPLATE_NAMES) {
      const file = join(options.dir, lang, `${name}.hbs`);
      templates.set(key(name, lang), compileFile(file, (source) => compileTemplate(hb, file, source)));
    }
    // Templates a workflow definition brings (no catalog entry): strict Handlebars names any missing value.
    const dir = join(options.dir, lang);
    for (const f of existsSync(dir) ? readdirSync(dir).filter((x) => x.endsWith('.hbs')) : []) {
      const name = f.slice(0, -'.hbs'.length);
      if (templates.has(key(name, lang))) continue;
      const file = join(dir, f);
      templates.set(key(name, lang), compileFile(file, (source) => compileTemplate(hb, file, source)));
    }
  }

  return {
    render(name, lang, context) {
      const template = templates.get(key(name, lang));
      if (!template) {
        throw new TemplateError('TEMPLATE_NOT_LOADED', `Template "${name}" is not loaded in language "${lang}"`, {
          template: name,
          lang,
        });
      }
      const data = isTemplateName(name) ? validateContext(name, lang, context) : context;
      const run = (part: keyof Omit<CompiledTemplate, 'file'> | 'layout', render: () => string): string =>
        guardRender(name, lang, part === 'layout' ? layoutFile : template.file, part, render);
      const runtime = { data: { lang } };
      const subject = toSubjectLine(run('subject', () => template.subject(data, runtime)));
      const text = tidyText(run('text', () => template.text(data, runtime)));
      const body = toHtmlParagraphs(tidyText(run('html', () => template.html(data, runtime))));
      const html = run('layout', () => layout({ lang, subject, body }, runtime));
      return { subject, text, html };
    },
    has: (name, lang) => templates.has(key(name, lang)),
  };
}

function key(name: string, lang: string): string {
  return `${lang}/${name}`;
}

/** Reads `file` and compiles it with `compile`, naming the file in any error. */
function compileFile<T>(file: string, compile: (source: string) => T): T {
  if (!existsSync(file)) {
    throw new TemplateError('TEMPLATE_FILE_MISSING', `Mail template file is missing: ${file}`, { file });
  }
  try {
    return compile(readFileSync(file, 'utf8'));
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    throw new TemplateError('TEMPLATE_FILE_INVALID', `Mail template file ${file} is invalid: ${messageOf(error)}`, {
      file,
      cause: error,
    });
  }
}

/** Text and subject render unescaped; the HTML variant escapes both the template's own text and every variable. */
function compileTemplate(hb: Hbs, file: string, source: string): CompiledTemplate {
  const { subject, body } = parseTemplateSource(source);
  const htmlAst = () => escapeStaticText(hb.parseWithoutProcessing(body), hb.Utils.escapeExpression);
  return {
    file,
    subject: compileNow(hb, subject, TEXT_OPTIONS),
    text: compileNow(hb, body, TEXT_OPTIONS),
    html: compileNow(hb, htmlAst, HTML_OPTIONS),
  };
}

/**
 * `Handlebars.compile` defers compiling to the first render; precompiling the same input first surfaces syntax
 * errors and unknown helpers now, at start-up. An AST is built afresh for each pass (compiling annotates it).
 */
function compileNow(hb: Hbs, input: string | (() => hbs.AST.Program), options: CompileOptions): Render {
  const source = () => (typeof input === 'string' ? input : input());
  hb.precompile(source(), { ...options });
  return hb.compile(source(), { ...options });
}

function validateContext(name: TemplateName, lang: Language, context: unknown): unknown {
  const result = templateCatalog[name].schema.safeParse(context);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(context)',
    message: issue.message,
  }));
  const detail = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  throw new TemplateError('TEMPLATE_CONTEXT_INVALID', `Template "${name}" (${lang}): invalid context: ${detail}`, {
    template: name,
    lang,
    fields: [...new Set(issues.map((issue) => issue.field))],
  });
}

function guardRender(name: string, lang: string, file: string, part: string, render: () => string): string {
  try {
    return render();
  } catch (error) {
    throw new TemplateError(
      'TEMPLATE_RENDER_FAILED',
      `Template "${name}" (${lang}) failed to render its ${part} from ${file}: ${messageOf(error)}`,
      { template: name, lang, file, cause: error },
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
