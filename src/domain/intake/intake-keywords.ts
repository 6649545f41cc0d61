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

const labels = z.array(keyword).min(1);

const schema = z
  .strictObject({
    request_types: z.strictObject(
      Object.fromEntries(REQUEST_TYPES.map((t) => [t, perLanguage])) as Record<RequestType, typeof perLanguage>,
    ),
    negative_patterns: z
      .strictObject(Object.fromEntries(REQUEST_TYPES.map((t) => [t, perLanguage.optional()])) as Record<RequestType, z.ZodOptional<typeof perLanguage>>)
      .default({}),
    generic_request: perLanguage,
    breach: perLanguage,
    signatures: z.array(keyword).default([]),
    auto_body: z
      .strictObject({ out_of_office: z.array(keyword).default([]), challenge_response: z.array(keyword).default([]) })
      .default({ out_of_office: [], challenge_response: [] }),
    web_form: z.strictObject({ email: labels, name: labels, message: labels }).optional(),
  })
  .transform((d) => ({
    requestTypes: d.request_types,
    negativePatterns: Object.fromEntries(
      REQUEST_TYPES.map((t) => [t, d.negative_patterns[t] ?? { en: [], de: [], fr: [], es: [] }]),
    ) as Record<RequestType, KeywordsByLanguage>,
    genericRequest: d.generic_request,
    breach: d.breach,
    signatures: d.signatures,
    autoBody: { outOfOffice: d.auto_body.out_of_office, challengeResponse: d.auto_body.challenge_response },
    webForm: d.web_form ?? { email: [], name: [], message: [] },
  }));

/** Keywords per language, validated. */
export type KeywordsByLanguage = Record<Language, string[]>;

/** The validated keyword data the intake uses (camel-cased keys of `intake-keywords.yaml`). */
export interface IntakeKeywords {
  /** Words that name each request type (GDPR Arts. 15–22). */
  requestTypes: Record<RequestType, KeywordsByLanguage>;
  /** Phrases inside which a type's words do not count ("erase all the data you hold about me" is not access). */
  negativePatterns: Record<RequestType, KeywordsByLanguage>;
  /** Words that make a message a request even when no type is named ("personal data", "GDPR", "DSGVO"). */
  genericRequest: KeywordsByLanguage;
  /** Words of breach and incident reports (Arts. 33, 34). */
  breach: KeywordsByLanguage;
  /** Client signatures ("Sent from my iPhone"), any language, removed before reading a message. */
  signatures: string[];
  /** Automatic mail recognisable only by its text (any language): out-of-office without headers, challenge-response. */
  autoBody: { outOfOffice: string[]; challengeResponse: string[] };
  /** Field labels of web-form notifications ("E-Mail:", "Name:", "Message:"), any language. */
  webForm: { email: string[]; name: string[]; message: string[] };
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
