/// <reference types="handlebars" />
/**
 * The file format of a mail template: a first line `subject: <handlebars>`, a line `---`, then the body as plain
 * text with Handlebars. The HTML variant is derived from the same body (see {@link escapeStaticText}).
 */

/** A template file split into its two Handlebars sources. */
export interface TemplateSource {
  readonly subject: string;
  readonly body: string;
}

const SUBJECT_LINE = /^subject:[ \t]*(.*)$/;

/**
 * Splits a template file into subject and body. Throws an Error describing what is wrong (the caller adds the
 * file name). CRLF line endings and a UTF-8 byte-order mark are accepted.
 */
export function parseTemplateSource(source: string): TemplateSource {
  const lines = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const subject = SUBJECT_LINE.exec(lines[0] ?? '')?.[1]?.trim();
  if (!subject) throw new Error('the first line must be "subject: <subject>" with a non-empty subject');
  if (lines[1]?.trim() !== '---') throw new Error('the second line must be "---"');
  const body = lines.slice(2).join('\n');
  if (body.trim() === '') throw new Error('the body after "---" is empty');
  return { subject, body };
}

/**
 * HTML-escapes the literal text of a parsed template in place, so that the HTML variant escapes the template's
 * own text (an "&" or "<" in a translation) as well as every `{{variable}}` (Handlebars' default escaping).
 * Pass an AST from `parseWithoutProcessing`: whitespace control runs afterwards, on the raw `original` text.
 */
export function escapeStaticText(program: hbs.AST.Program, escape: (text: string) => string): hbs.AST.Program {
  for (const statement of program.body) {
    if (isContent(statement)) statement.value = escape(statement.value);
    else if (isBlock(statement)) {
      escapeStaticText(statement.program, escape);
      if (statement.inverse) escapeStaticText(statement.inverse, escape);
    }
  }
  return program;
}

/** Turns rendered, already escaped text into HTML: blank lines separate paragraphs, line breaks become `<br>`. */
export function toHtmlParagraphs(escapedText: string): string {
  return escapedText
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.split('\n').join('<br>\n')}</p>`)
    .join('\n');
}

/** Trims trailing spaces on every line, collapses runs of blank lines and trims the whole text. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A header-safe subject: CR, LF and other control characters become spaces (header injection), then trimmed. */
export function toSubjectLine(subject: string): string {
  // eslint-disable-next-line no-control-regex
  return subject.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

function isContent(statement: hbs.AST.Statement): statement is hbs.AST.ContentStatement {
  return statement.type === 'ContentStatement';
}

function isBlock(statement: hbs.AST.Statement): statement is hbs.AST.BlockStatement {
  return statement.type === 'BlockStatement';
}
