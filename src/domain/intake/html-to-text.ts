/**
 * Plain text of an HTML-only mail, for keyword and forward detection. html-to-text (with the `he` entity decoder)
 * decodes every named HTML5 entity (`droit d&rsquo;acc&egrave;s`), keeps block structure as line breaks and drops
 * scripts and styles — a hand-written table of two dozen entities could not.
 */
import { convert } from 'html-to-text';

const OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable' },
    { selector: 'hr', format: 'horizontalLine', options: { length: 32 } },
  ],
};

/** Plain text of an HTML body; blockquotes keep their `>` prefix so quoted history stays recognisable. */
export function htmlToText(html: string): string {
  return convert(html, OPTIONS)
    .replace(/^-{32}$/gm, '________________________________') // Outlook's forward separator, as its text part has it
    .replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}
