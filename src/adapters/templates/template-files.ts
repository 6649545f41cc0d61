/**
 * The templates that speak of files sent with the mail, as data: where in the context each lists them, and which
 * formats it allows. The list is filled from the files really attached, never from typed text.
 */

export interface TemplateFiles {
  /** The context path of the list (`access.attachments`: `[{ filename, description? }]`). */
  path: string;
  /** Formats allowed, by file extension (GDPR Art. 20: structured, commonly used, machine-readable). */
  formats?: Record<string, { format: string; contentType: string }>;
  /** Why only those formats, in the refusal's words. */
  formatsWhy?: string;
}

export const TEMPLATE_FILES: Readonly<Record<string, TemplateFiles>> = {
  /** Art. 15(3): the copy of the personal data. */
  'answer-access': { path: 'access.attachments' },
  'answer-portability': {
    path: 'portability.files',
    formats: {
      json: { format: 'JSON', contentType: 'application/json' },
      csv: { format: 'CSV', contentType: 'text/csv' },
    },
    formatsWhy: 'a portability answer carries the data machine-readable (Art. 20): JSON or CSV',
  },
};
