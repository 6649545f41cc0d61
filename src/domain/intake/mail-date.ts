/**
 * Reading dates written by mail software: RFC 5322 `Date:` / `Received:` time stamps, and the localised dates
 * mail clients print into an inline forward ("Mon, Mar 2, 2026 at 4:15 PM", "Montag, 2. März 2026 16:15",
 * "lundi 2 mars 2026 16:15", "lunes, 2 de marzo de 2026 16:15", "2 March 2026 at 16:15:07 CET").
 *
 * Tolerant on purpose: a wrong weekday or a one-digit hour must not lose a date (RFC 5322 §3.3 allows receivers to
 * be lenient). Anything without a day, a month, a 4-digit (or RFC 5322 obsolete 2-digit) year and a time is null.
 */

/** Month names and abbreviations in en/de/fr/es, diacritics removed, lower-case. */
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  ['january', 'jan', 'januar', 'janvier', 'janv', 'enero', 'ene', 'jänner', 'janner'],
  ['february', 'feb', 'februar', 'fevrier', 'fevr', 'fev', 'febrero'],
  ['march', 'mar', 'marz', 'mars', 'marzo', 'mrz'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr'],
  ['may', 'mai', 'mayo'],
  ['june', 'jun', 'juni', 'juin', 'junio'],
  ['july', 'jul', 'juli', 'juillet', 'juil', 'julio'],
  ['august', 'aug', 'aout', 'agosto', 'ago'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre'],
  ['october', 'oct', 'oktober', 'okt', 'octobre', 'octubre'],
  ['november', 'nov', 'novembre', 'noviembre'],
  ['december', 'dec', 'dezember', 'dez', 'decembre', 'diciembre', 'dic'],
];
MONTH_NAMES.forEach((names, index) => names.forEach((n) => (MONTHS[n] = index + 1)));

/** Zone abbreviations seen in mail, in minutes east of UTC. Ambiguous ones (IST, CST in Asia) use the US/EU sense. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, west: 60, bst: 60, cet: 60, mez: 60, cest: 120, mesz: 120,
  eet: 120, eest: 180, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  offset: number | null;
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The zone at the end of a date ("+0100", "GMT+1", "UTC-05:00", "CET"), in minutes east of UTC, or null. */
export function zoneOffsetIn(text: string): number | null {
  const tail = prepare(text).trim();
  const numeric = /(?:\s|^)([+-])(\d{2}):?(\d{2})$/.exec(tail) ?? /(?:gmt|utc|ut)\s?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(tail);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    if (minutes > 14 * 60) return null;
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const named = /(?:\s|^)([a-z]{1,5})$/.exec(tail)?.[1];
  return named !== undefined ? (ZONES[named] ?? null) : null;
}

/** Lower-case, diacritics and RFC 5322 comments removed, ISO "T"/"Z" separated from the digits. */
function prepare(text: string): string {
  return fold(text)
    .replace(/\([^()]*\)/g, ' ')
    .replace(/(\d)t(\d)/g, '$1 $2')
    .replace(/(\d)z$/, '$1 z');
}

function parseTime(folded: string): { hour: number; minute: number; second: number; rest: string } | null {
  const m = /\b(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s?m\.?(?![a-z]))?/.exec(folded);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = Number(m[3] ?? 0);
  if (m[4] !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[4] === 'p' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 60) return null;
  return { hour, minute, second: Math.min(second, 59), rest: folded.slice(0, m.index) + ' ' + folded.slice(m.index + m[0].length) };
}

function parseNumericDate(rest: string): { year: number; month: number; day: number } | null {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(rest);
  if (iso) return { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) };
  // "02.03.2026" is day.month.year wherever it is written (de, fr, es); slashes are ambiguous (US m/d) and refused.
  const dotted = /\b(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\b/.exec(rest);
  if (!dotted) return null;
  return { year: fullYear(Number(dotted[3])), month: Number(dotted[2]), day: Number(dotted[1]) };
}

/** RFC 5322 §4.3: a two-digit year below 50 is 20xx, otherwise 19xx. */
function fullYear(year: number): number {
  if (year >= 100) return year;
  return year < 50 ? 2000 + year : 1900 + year;
}

function parseNamedDate(rest: string): { year: number; month: number; day: number } | null {
  const tokens = rest.split(/[\s,.]+|(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)/).filter((t) => t !== '' && t !== 'de');
  const yearAt = tokens.findIndex((t) => /^\d{4}$/.test(t));
  const dayAt = tokens.findIndex((t, i) => /^\d{1,2}$/.test(t) && i !== yearAt && Number(t) >= 1);
  if (dayAt < 0) return null;
  // The month is the name next to the day: "2 March", "March 2", "2. März", "2 de marzo" ("de" dropped above).
  const candidates = [tokens[dayAt + 1], tokens[dayAt - 1]];
  const month = candidates.map((t) => (t === undefined ? undefined : MONTHS[t])).find((m) => m !== undefined);
  const yearToken = yearAt >= 0 ? tokens[yearAt] : tokens.slice(dayAt + 1).find((t) => /^\d{2}$/.test(t));
  if (month === undefined || yearToken === undefined) return null;
  return { year: fullYear(Number(yearToken)), month, day: Number(tokens[dayAt]) };
}

function toParts(text: string): Parts | null {
  const time = parseTime(prepare(text));
  if (!time) return null;
  const date = parseNumericDate(time.rest) ?? parseNamedDate(time.rest);
  if (!date) return null;
  return { ...date, hour: time.hour, minute: time.minute, second: time.second, offset: zoneOffsetIn(text) };
}

/**
 * Parses a mail date. When the text carries no zone (client-printed forward headers usually do not), the time is
 * read in `fallbackOffsetMinutes` — the caller passes the forwarder's own `Date:` offset, since clients print the
 * forwarded header in the forwarder's local time.
 */
export function parseMailDate(text: string | null | undefined, fallbackOffsetMinutes = 0): Date | null {
  if (!text) return null;
  const parts = toParts(text);
  if (!parts) return null;
  const { year, month, day, hour, minute, second } = parts;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // Reject 31 February and friends instead of letting Date roll them over.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return new Date(utc - (parts.offset ?? fallbackOffsetMinutes) * 60_000);
}
