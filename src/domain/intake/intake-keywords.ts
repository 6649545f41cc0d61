/**
 * The keyword data that tells requests, breach reports and languages apart, as a DPO would write it
 * (`workflows/intake-keywords.yaml`). Definitions are data; this file validates them and names every mistake.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LANGUAGES, REQUEST_TYPES, type Language, type RequestType } from '../vocabulary.ts';

/**
 * One keyword: a word or phrase matched on whole words, case- and accent-insensitively. A leading or trailing `*`
 * also matches inside a longer word (German compounds: `*löschung` finds "Datenlöschung").
 */
const keyword = z
  .string()
  .trim()
  .min(1)
  .refine((k) => /^\*?[^*]+\*?$/.test(k) && /[\p{L}\p{N}]/u.test(k), {
    message: 'a keyword needs a letter or digit and may have `*` only at its start or end',
  });

const perLanguage = z.strictObject(
  Object.fromEntries(LANGUAGES.map((lang) => [lang, z.array(keyword)])) as Record<Language, z.ZodArray<typeof keyword>>,
);

const schema = z
  .strictObject({
    request_types: z.strictObject(
      Object.fromEntries(REQUEST_TYPES.map((t) => [t, perLanguage])) as Record<RequestType, typeof perLanguage>,
    ),
    generic_request: perLanguage,
    breach: perLanguage,
    stop_words: perLanguage,
  })
  .transform((d) => ({
    requestTypes: d.request_types,
    genericRequest: d.generic_request,
    breach: d.breach,
    stopWords: d.stop_words,
  }));

/** Keywords per language, validated. */
export type KeywordsByLanguage = Record<Language, string[]>;

/** The validated keyword data the intake uses (camel-cased keys of `intake-keywords.yaml`). */
export interface IntakeKeywords {
  /** Words that name each request type (GDPR Arts. 15–22). */
  requestTypes: Record<RequestType, KeywordsByLanguage>;
  /** Words that make a message a request even when no type is named ("personal data", "GDPR", "DSGVO"). */
  genericRequest: KeywordsByLanguage;
  /** Words of breach and incident reports (Arts. 33, 34). */
  breach: KeywordsByLanguage;
  /** Frequent function words for language detection. */
  stopWords: KeywordsByLanguage;
}

/** Thrown at start-up when the keyword file is not valid; the message lists every problem with its path. */
export class IntakeKeywordsError extends Error {
  override readonly name = 'IntakeKeywordsError';
}

/** Parses and validates `intake-keywords.yaml`. Throws {@link IntakeKeywordsError} naming each bad entry. */
export function loadIntakeKeywords(yamlText: string): IntakeKeywords {
  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (err) {
    throw new IntakeKeywordsError(`intake keywords: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) throw new IntakeKeywordsError(`intake keywords:\n${z.prettifyError(result.error)}`);
  return result.data;
}
