/**
 * Files sent with a reply: checked before anything is queued (their total size, the formats a template allows),
 * and the template's list of files filled from the files really attached — a mail never promises a file it does
 * not carry. The bytes go base64 into the outbox row, so retention's redaction of sent mail removes them too.
 */
import { TEMPLATE_FILES } from '../adapters/templates/template-files.ts';
import type { MailAttachment } from './compose-mail.ts';

/** A file as a surface knows it before (Slack's preview) or after reading its bytes. */
export interface FileMeta {
  filename: string;
  size: number;
  contentType?: string | null;
}

export interface ReplyFile {
  filename: string;
  contentType?: string | null;
  bytes: Uint8Array;
}

export type FilesCheck =
  | { ok: true; fields: Record<string, unknown> }
  | { ok: false; code: FilesRefusal; message: string };

export type FilesRefusal = 'ATTACHMENTS_TOO_LARGE' | 'ATTACHMENTS_MISSING' | 'ATTACHMENT_TYPE' | 'ATTACHMENTS_NOT_SENT';

const TYPES: Record<string, string> = {
  json: 'application/json', csv: 'text/csv', pdf: 'application/pdf', txt: 'text/plain', xml: 'application/xml',
  zip: 'application/zip', html: 'text/html', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  eml: 'message/rfc822', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const WAY_OUT = 'attach them (`dpo-desk reply … --attach <file>`, or the file field of the reply in Slack)';

/** A file's name as a mail part: the last path segment, one line. */
export function safeFilename(name: string): string {
  return (name.split(/[\\/]/).pop() ?? '').replace(/[\r\n\t"]+/g, ' ').trim() || 'attachment';
}

const extOf = (filename: string) => /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';

/** A size in words: "12.3 MB (12897484 bytes)", or bytes alone under one megabyte. */
export const sizeWords = (n: number) =>
  (n < 1024 * 1024 ? `${n} bytes` : `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB (${n} bytes)`);

/** The refusal for files too large together, naming the limit; null when they fit. */
export function tooLarge(total: number, maxBytes: number): string | null {
  if (total <= maxBytes) return null;
  return `The files come to ${sizeWords(total)}; a reply may carry at most ${sizeWords(maxBytes)} `
    + '(MAIL_MAX_ATTACHMENT_BYTES). Nothing was sent: send smaller or fewer files.';
}

/**
 * Checks `files` against the event's `templates` and fills each file-speaking template's list from them.
 * `fields` are the template values, nested (`{ portability: { scope } }`).
 */
export function checkReplyFiles(
  templates: readonly string[], fields: Record<string, unknown>, files: readonly FileMeta[], maxBytes: number,
): FilesCheck {
  if (files.length && !templates.length) {
    const message = 'This event sends no mail: there is nothing to attach the files to.';
    return { ok: false, code: 'ATTACHMENTS_NOT_SENT', message };
  }
  const large = tooLarge(files.reduce((n, f) => n + f.size, 0), maxBytes);
  if (large) return { ok: false, code: 'ATTACHMENTS_TOO_LARGE', message: large };
  let out = fields;
  for (const template of templates) {
    const spec = TEMPLATE_FILES[template];
    if (!spec) continue;
    const typed = listAt(out, spec.path);
    const attached = new Set(files.map((f) => safeFilename(f.filename)));
    const absent = typed.map((t) => t.filename)
      .filter((n): n is string => typeof n === 'string' && n.trim() !== '' && !attached.has(n));
    if (!files.length || absent.length) {
      const named = absent.length ? `names files (${absent.join(', ')})` : 'speaks of files sent with it';
      return { ok: false, code: 'ATTACHMENTS_MISSING', message: `Not sent: this answer ${named}; ${WAY_OUT}.` };
    }
    const entries = [];
    for (const f of files) {
      const filename = safeFilename(f.filename);
      const format = spec.formats?.[extOf(filename)];
      if (spec.formats && !format) {
        const message = `Not sent: ${filename} — ${spec.formatsWhy}; attach it as .json or .csv.`;
        return { ok: false, code: 'ATTACHMENT_TYPE', message };
      }
      const description = typed.find((t) => t.filename === filename)?.description;
      entries.push({ filename, ...(format ? { format: format.format } : {}), ...(description ? { description } : {}) });
    }
    out = withListAt(out, spec.path, entries);
  }
  return { ok: true, fields: out };
}

/** The files as outbox attachments (base64), typed by their extension where the surface did not say. */
export function toMailAttachments(files: readonly ReplyFile[]): MailAttachment[] {
  return files.map((f) => {
    const filename = safeFilename(f.filename);
    const byExt = TYPES[extOf(filename)];
    // Portability's formats are typed by extension whatever the browser said (a .csv as application/vnd.ms-excel).
    const given = ['json', 'csv'].includes(extOf(filename)) ? byExt : f.contentType || byExt;
    const contentType = given ?? 'application/octet-stream';
    return { filename, contentType, contentBase64: Buffer.from(f.bytes).toString('base64') };
  });
}

export const metaOfFiles = (files: readonly ReplyFile[]): FileMeta[] =>
  files.map((f) => ({ filename: f.filename, size: f.bytes.byteLength, contentType: f.contentType ?? null }));

function listAt(values: Record<string, unknown>, path: string): { filename?: unknown; description?: string }[] {
  let v: unknown = values;
  for (const p of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  if (!Array.isArray(v)) return [];
  return v.filter((x) => x && typeof x === 'object').map((x) => {
    const o = x as Record<string, unknown>;
    const described = typeof o.description === 'string' && o.description.trim();
    return { filename: o.filename, ...(described ? { description: o.description as string } : {}) };
  });
}

function withListAt(values: Record<string, unknown>, path: string, list: unknown[]): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return { ...values, [head!]: list };
  const inner = values[head!];
  const obj = inner && typeof inner === 'object' && !Array.isArray(inner) ? inner as Record<string, unknown> : {};
  return { ...values, [head!]: withListAt(obj, rest.join('.'), list) };
}
