/**
 * Which language a message is written in, and in which of our template languages to answer it. Detection is eld's
 * (Efficient Language Detector: n-gram statistics over 60 languages, bundled in the npm package, no network): it
 * tells Italian and Dutch apart from Spanish and English, which counting a few stop words could not. A person can
 * correct the language on the case.
 */
import { eld } from 'eld/small';
import { LANGUAGES, type Language } from '../vocabulary.ts';

/** The European languages a DPO mailbox sees; restricting eld to them makes short texts far more reliable. */
const DETECTED = [
  'en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'da', 'fi', 'cs', 'hu', 'ro', 'el', 'bg', 'hr', 'sk', 'sl', 'et', 'lv', 'lt',
];

const detector = eld.newInstance();
detector.setLanguageSubset(DETECTED);

export interface DetectedLanguage {
  /** The template language of our replies: the detected one when we have templates in it, else the default. */
  language: Language;
  /** ISO 639-1 code eld found (`it`, `nl`, …), or null when the text gave no reliable answer. */
  detected: string | null;
}

/** Below this many letters a detection is a guess: a subject line alone, "Sent from my iPhone". */
const MIN_LETTERS = 12;

/** The detected language and the reply language; unreliable or too short text gives the default language. */
export function detectLanguage(text: string, defaultLanguage: Language): DetectedLanguage {
  const sample = text.slice(0, 4_000).replace(/https?:\S+|\S+@\S+/g, ' ');
  if ((sample.match(/\p{L}/gu) ?? []).length < MIN_LETTERS) return { language: defaultLanguage, detected: null };
  const result = detector.detect(sample);
  const detected = result.language || null;
  if (detected === null) return { language: defaultLanguage, detected: null };
  return { language: replyLanguage(detected, defaultLanguage), detected };
}

/** The template language for a detected language: itself when supported, else the default. */
export function replyLanguage(detected: string, defaultLanguage: Language): Language {
  return (LANGUAGES as readonly string[]).includes(detected) ? (detected as Language) : defaultLanguage;
}

/** The note shown on a case whose language we have no templates for, e.g. "language not supported: it". */
export function languageNote(detected: string | null): string | null {
  if (detected === null || (LANGUAGES as readonly string[]).includes(detected)) return null;
  return `language not supported: ${detected}`;
}
