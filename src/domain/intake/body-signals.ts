/**
 * What only the text of a message tells: client signatures to set aside ("Sent from my iPhone"), automatic replies
 * that carry no automatic headers (an out-of-office typed into a vacation rule, a challenge-response filter asking
 * us to prove we are human), and web-form notifications whose labelled fields name the person.
 * The words are data (`intake-keywords.yaml`); matching is keyword-match's.
 */
import { normalizeEmail } from './addresses.ts';
import type { AutoVerdict } from './auto-class.ts';
import { cleanOrNull } from './header-text.ts';
import type { IntakeKeywords } from './intake-keywords.ts';
import { compileKeywords, normalizeForMatch, type KeywordSet } from './keyword-match.ts';

export interface BodyMatcher {
  signatures: KeywordSet;
  outOfOffice: KeywordSet;
  challenge: KeywordSet;
  labels: { email: Set<string>; name: Set<string>; message: Set<string> };
}

const labelKey = (label: string) => normalizeForMatch(label).replace(/[*:]/g, '').trim();

export function compileBodyMatcher(k: IntakeKeywords): BodyMatcher {
  return {
    signatures: compileKeywords(k.signatures),
    outOfOffice: compileKeywords(k.autoBody.outOfOffice),
    challenge: compileKeywords(k.autoBody.challengeResponse),
    labels: {
      email: new Set(k.webForm.email.map(labelKey)),
      name: new Set(k.webForm.name.map(labelKey)),
      message: new Set(k.webForm.message.map(labelKey)),
    },
  };
}

/** A signature line is short: "Sent from my iPhone", "Von meinem Samsung Galaxy Smartphone gesendet". */
const MAX_SIGNATURE_CHARS = 60;

/** The text without client signature lines, which say nothing about the request and mislead language detection. */
export function withoutSignatures(text: string, m: BodyMatcher): string {
  return text
    .split('\n')
    .filter((line) => line.trim().length > MAX_SIGNATURE_CHARS || m.signatures.count(normalizeForMatch(line)) === 0)
    .join('\n');
}

/** Automatic replies state what they are in their first lines; a person's long mail is not scanned for it. */
const AUTO_BODY_CHARS = 1_500;

/**
 * Automatic mail recognised by its words alone, for mail whose headers look human: an out-of-office in any of our
 * languages ("Ich bin bis zum … nicht im Büro"), a challenge-response filter ("please confirm you are a person").
 */
export function autoByBody(text: string, m: BodyMatcher): AutoVerdict | null {
  const head = normalizeForMatch(text.slice(0, AUTO_BODY_CHARS));
  const challenge = m.challenge.hits(head)[0];
  if (challenge) return { auto: 'auto_reply', reason: `Body: challenge-response ("${challenge.keyword}")` };
  const away = m.outOfOffice.hits(head)[0];
  if (away) return { auto: 'out_of_office', reason: `Body: out of office ("${away.keyword}")` };
  return null;
}

export interface WebForm {
  email: string | null;
  name: string | null;
  /** The "Message" field's text, or null when the form has none. */
  message: string | null;
  /** How many labelled fields were recognised. */
  fields: number;
}

type Field = 'email' | 'name' | 'message';

/** `Label: value`, `Label<TAB>value`, `Label   value` (a table row); `**Label**` too. */
const LABEL_AND_VALUE = /^\s*\**([^:\t]{2,40}?)\**\s*(?::|\t|\s{3,})\s*(.*)$/;
/** A label alone on its line, the value below. */
const LABEL_ALONE = /^\s*\**([^:\t]{2,40}?)\**\s*$/;
const ADDRESS_IN = /[^\s<>()]+@[^\s<>()]+/;

function fieldOf(label: string, m: BodyMatcher): Field | null {
  const key = labelKey(label);
  for (const f of ['email', 'name', 'message'] as const) if (m.labels[f].has(key)) return f;
  return null;
}

/**
 * The labelled fields of a web-form notification: `Label: value`, `Label    value` (a table), or the label alone on
 * its line with the value below. A message value runs until the next recognised label. Null unless at least two
 * fields, one of them an address, were found.
 */
export function readWebForm(text: string, m: BodyMatcher): WebForm | null {
  const values: Record<Field, string[]> = { email: [], name: [], message: [] };
  let fields = 0;
  let current: Field | null = null;
  for (const line of text.split('\n')) {
    const labelled = LABEL_AND_VALUE.exec(line) ?? LABEL_ALONE.exec(line);
    const field = labelled ? fieldOf(labelled[1] ?? '', m) : null;
    if (field !== null) {
      fields += 1;
      current = field;
      values[field].push(labelled?.[2] ?? '');
      continue;
    }
    // another labelled field ends a message
    if (labelled && labelled[2] !== undefined && /:/.test(line)) current = null;
    if (current === 'message') values.message.push(line);
    else if (current !== null && values[current].at(-1) === '') values[current][values[current].length - 1] = line;
  }
  const email = values.email.map((v) => normalizeEmail(ADDRESS_IN.exec(v)?.[0])).find((e) => e) ?? null;
  if (fields < 2 || email === null) return null;
  return {
    email,
    name: cleanOrNull(values.name.map((v) => v.trim()).filter(Boolean).join(' ')),
    message: cleanOrNull(values.message.join('\n').trim()) === null ? null : values.message.join('\n').trim(),
    fields,
  };
}
