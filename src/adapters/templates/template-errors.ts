/** Errors raised while loading or rendering mail templates. Both are configuration or programming faults. */

export type TemplateErrorCode =
  /** A template or layout file does not exist. */
  | 'TEMPLATE_FILE_MISSING'
  /** A file exists but cannot be used: bad header lines, a Handlebars syntax error, an unknown helper. */
  | 'TEMPLATE_FILE_INVALID'
  /** The renderer was asked for a name/language it did not load. */
  | 'TEMPLATE_NOT_LOADED'
  /** The context does not match the template's schema in the catalog. */
  | 'TEMPLATE_CONTEXT_INVALID'
  /** Handlebars failed while rendering (in strict mode: a variable the template uses is not in the context). */
  | 'TEMPLATE_RENDER_FAILED';

/** Details carried by a {@link TemplateError}; every field that is known is set. */
export interface TemplateErrorDetails {
  readonly template?: string;
  readonly lang?: string;
  readonly file?: string;
  /** Dotted paths of the context fields that failed validation (`authority.name`, `reasons`). */
  readonly fields?: readonly string[];
  readonly cause?: unknown;
}

/**
 * A template fault. Never retryable: rendering the same template with the same context fails the same way, so an
 * outbox worker should park the message and alert rather than retry.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly retryable = false;
  readonly template: string | undefined;
  readonly lang: string | undefined;
  readonly file: string | undefined;
  readonly fields: readonly string[];

  constructor(
    readonly code: TemplateErrorCode,
    message: string,
    details: TemplateErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.template = details.template;
    this.lang = details.lang;
    this.file = details.file;
    this.fields = details.fields ?? [];
  }
}
