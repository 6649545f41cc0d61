/**
 * The Art. 34 recipients list: a CSV file (`email[,language][,name]`, header row optional) parsed with csv-parse,
 * each row validated (bad rows named with their line numbers), addresses deduplicated case-insensitively, the
 * language per row (default: the organisation's). Pure.
 */
import { parse } from 'csv-parse/sync';
import { LANGUAGES, type Language } from '../vocabulary.ts';

export interface Recipient {
  email: string;
  language: Language;
  name: string | null;
  line: number;
}

export interface RecipientList {
  recipients: Recipient[];
  /** `line 4: "bob@" is not an e-mail address`. Any error: nothing is imported. */
  errors: string[];
  duplicates: number;
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;

export function parseRecipients(csv: string, defaultLanguage: Language): RecipientList {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(csv, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as never;
  } catch (e) {
    return { recipients: [], errors: [`not readable as CSV: ${(e as Error).message}`], duplicates: 0 };
  }
  const header = rows[0]?.record.map((h) => h.toLowerCase());
  const hasHeader = Boolean(header?.includes('email'));
  const col = (name: string, fallback: number) => (hasHeader ? header!.indexOf(name) : fallback);
  const [ie, il, iname] = [col('email', 0), col('language', 1), col('name', 2)];
  const seen = new Set<string>();
  const out: RecipientList = { recipients: [], errors: [], duplicates: 0 };
  for (const { record, info } of hasHeader ? rows.slice(1) : rows) {
    const line = info.lines;
    const email = (record[ie] ?? '').toLowerCase();
    const lang = (il >= 0 ? (record[il] ?? '') : '').toLowerCase() || defaultLanguage;
    if (!EMAIL.test(email)) {
      out.errors.push(`line ${line}: "${record[ie] ?? ''}" is not an e-mail address`);
      continue;
    }
    if (!(LANGUAGES as readonly string[]).includes(lang)) {
      out.errors.push(`line ${line}: language "${lang}" is not one of ${LANGUAGES.join(', ')}`);
      continue;
    }
    if (seen.has(email)) {
      out.duplicates++;
      continue;
    }
    seen.add(email);
    out.recipients.push({ email, language: lang as Language, name: (iname >= 0 ? record[iname] : '') || null, line });
  }
  if (!out.recipients.length && !out.errors.length) out.errors.push('the file lists no addresses');
  return out;
}

/** When the i-th notice may leave: `perMinute` notices per minute from `start` (the outbox holds the rest). */
export function notBefore(start: Date, i: number, perMinute: number): Date {
  return new Date(start.getTime() + Math.floor(i / Math.max(1, perMinute)) * 60_000);
}
