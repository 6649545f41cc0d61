/**
 * Localised formatting for mail templates: dates, lists, durations and request-type names in the mail's language.
 * The helpers read the language from the render's data frame (`data.lang`), so one isolated Handlebars instance
 * serves all languages and nothing is registered globally.
 */
import type Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { LANGUAGES, REQUEST_TYPES, type Language, type RequestType } from '../../domain/vocabulary.ts';

/** The locale used for each mail language (English mail uses British conventions: "7 April 2026", "a, b and c"). */
export const MAIL_LOCALES: Readonly<Record<Language, string>> = {
  en: 'en-GB',
  de: 'de-DE',
  fr: 'fr-FR',
  es: 'es-ES',
};

/** Names of the helpers templates may use; the compiler rejects any other helper (`knownHelpersOnly`). */
export const MAIL_HELPER_NAMES = ['date', 'list', 'requestTypeName', 'duration'] as const;

/** Units a response window can be expressed in (`gdpr`: months, `ccpa`/`lgpd`: days, `contract`: either). */
export const DURATION_UNITS = ['months', 'days', 'business_days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** A period such as a response window: `{ amount: 1, unit: 'months' }`. */
export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

/** Names of the rights (GDPR Arts. 15–22) as they read after a label such as "Type of request:". */
const REQUEST_TYPE_NAMES: Readonly<Record<Language, Readonly<Record<RequestType, string>>>> = {
  en: {
    access: 'access',
    rectification: 'rectification',
    erasure: 'erasure',
    restriction: 'restriction of processing',
    portability: 'data portability',
    objection: 'objection to processing',
    automated_decision: 'review of an automated decision',
  },
  de: {
    access: 'Auskunft',
    rectification: 'Berichtigung',
    erasure: 'Löschung',
    restriction: 'Einschränkung der Verarbeitung',
    portability: 'Datenübertragbarkeit',
    objection: 'Widerspruch gegen die Verarbeitung',
    automated_decision: 'Überprüfung einer automatisierten Entscheidung',
  },
  fr: {
    access: 'accès',
    rectification: 'rectification',
    erasure: 'effacement',
    restriction: 'limitation du traitement',
    portability: 'portabilité des données',
    objection: 'opposition au traitement',
    automated_decision: 'réexamen d’une décision automatisée',
  },
  es: {
    access: 'acceso',
    rectification: 'rectificación',
    erasure: 'supresión',
    restriction: 'limitación del tratamiento',
    portability: 'portabilidad de los datos',
    objection: 'oposición al tratamiento',
    automated_decision: 'revisión de una decisión automatizada',
  },
};

/** Business days have no Intl unit; singular/plural per language, chosen with Intl.PluralRules. */
const BUSINESS_DAYS: Readonly<Record<Language, { one: string; other: string }>> = {
  en: { one: 'business day', other: 'business days' },
  de: { one: 'Arbeitstag', other: 'Arbeitstage' },
  fr: { one: 'jour ouvré', other: 'jours ouvrés' },
  es: { one: 'día hábil', other: 'días hábiles' },
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Formats a `YYYY-MM-DD` calendar date long-form: "7 April 2026", "7. April 2026", "7 avril 2026",
 * "7 de abril de 2026". French writes the first day of a month as an ordinal ("1er avril 2026").
 */
export function formatDate(isoDate: unknown, lang: Language): string {
  const date = typeof isoDate === 'string' && ISO_DATE.test(isoDate) ? DateTime.fromISO(isoDate, { zone: 'UTC' }) : null;
  if (!date?.isValid) throw new Error(`date: expected a YYYY-MM-DD calendar date, got ${describe(isoDate)}`);
  const localised = date.setLocale(MAIL_LOCALES[lang]);
  if (lang === 'fr' && date.day === 1) return `1er ${localised.toFormat('MMMM yyyy')}`;
  return localised.toLocaleString({ day: 'numeric', month: 'long', year: 'numeric' });
}

/** Joins strings as the language does: "a, b and c", "a, b und c", "a, b et c", "a, b y c". */
export function formatList(items: unknown, lang: Language): string {
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new Error(`list: expected an array of strings, got ${describe(items)}`);
  }
  return new Intl.ListFormat(MAIL_LOCALES[lang], { type: 'conjunction', style: 'long' }).format(items);
}

/** Localised name of one request type, or of several joined with {@link formatList}. */
export function formatRequestTypes(types: unknown, lang: Language): string {
  const list = Array.isArray(types) ? types : [types];
  const names = list.map((type) => {
    if (!isRequestType(type)) throw new Error(`requestTypeName: unknown request type ${describe(type)}`);
    return REQUEST_TYPE_NAMES[lang][type];
  });
  return formatList(names, lang);
}

/** Formats a period: "1 month", "45 Tage", "15 jours", "10 días hábiles". */
export function formatDuration(duration: unknown, lang: Language): string {
  if (!isDuration(duration)) throw new Error(`duration: expected { amount, unit }, got ${describe(duration)}`);
  const locale = MAIL_LOCALES[lang];
  if (duration.unit === 'business_days') {
    const form = new Intl.PluralRules(locale).select(duration.amount) === 'one' ? 'one' : 'other';
    return `${new Intl.NumberFormat(locale).format(duration.amount)} ${BUSINESS_DAYS[lang][form]}`;
  }
  const unit = duration.unit === 'months' ? 'month' : 'day';
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(duration.amount);
}

/** Registers `date`, `list`, `requestTypeName` and `duration` on an isolated Handlebars instance. */
export function registerMailHelpers(hb: typeof Handlebars): void {
  const withLang =
    (format: (value: unknown, lang: Language) => string) =>
    (value: unknown, options: Handlebars.HelperOptions): string =>
      format(value, languageOf(options));
  hb.registerHelper('date', withLang(formatDate));
  hb.registerHelper('list', withLang(formatList));
  hb.registerHelper('requestTypeName', withLang(formatRequestTypes));
  hb.registerHelper('duration', withLang(formatDuration));
}

function languageOf(options: Handlebars.HelperOptions | undefined): Language {
  const lang: unknown = options?.data?.lang;
  if (!isLanguage(lang)) throw new Error(`mail helpers need the language in the render data (data.lang), got ${describe(lang)}`);
  return lang;
}

function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

function isRequestType(value: unknown): value is RequestType {
  return (REQUEST_TYPES as readonly unknown[]).includes(value);
}

function isDuration(value: unknown): value is Duration {
  if (typeof value !== 'object' || value === null) return false;
  const { amount, unit } = value as Record<string, unknown>;
  return Number.isInteger(amount) && (amount as number) > 0 && (DURATION_UNITS as readonly unknown[]).includes(unit);
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
