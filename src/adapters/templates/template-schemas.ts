/**
 * The variables contract of every mail template, as zod schemas. The renderer validates a context against its
 * template's schema and renders the *parsed* value, so a template can only use fields declared here (unknown keys
 * are stripped; Handlebars strict mode then rejects any variable missing from the schema).
 *
 * Free-text fields (reasons, purposes, descriptions) are written by the team in the mail's language.
 */
import { z } from 'zod';
import { REQUEST_TYPES } from '../../domain/vocabulary.ts';
import { DURATION_UNITS } from './template-helpers.ts';

const text = z.string().trim().min(1);
const texts = z.array(text).min(1);
const isoDate = z.iso.date();

// ── Common parts ──────────────────────────────────────────────────────────────────────────────────────────────

/** The organisation sending the mail and its data-protection contact (GDPR Art. 13(1)(b), 33(3)(b)). */
export const orgSchema = z.object({ name: text, dpoEmail: z.email() });

/** A case as mails show it; dates are calendar dates in the organisation's legal time zone (`YYYY-MM-DD`). */
export const caseSchema = z.object({
  number: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a case number such as DSR-2026-0042'),
  receivedDate: isoDate,
  dueDate: isoDate,
  extendedDue: isoDate.optional(),
});
const caseRef = caseSchema.pick({ number: true });
const caseReceived = caseSchema.pick({ number: true, receivedDate: true });

/** The data subject; without a name, templates fall back to a neutral greeting ("Dear Sir or Madam"). */
export const requesterSchema = z.object({ name: text.optional() }).default({});

/** A supervisory authority the data subject may complain to (GDPR Art. 77). */
const authority = z.object({ name: text, url: z.url() });
const attachment = z.object({ filename: text, description: text.optional() });

/** GDPR Art. 19: the recipients told of a rectification, erasure or restriction, or why none (more) were told. */
const recipientNotice = z
  .object({ informed: z.array(text), notInformedReason: text.optional() })
  .refine((notice) => notice.informed.length > 0 || notice.notInformedReason !== undefined, {
    message: 'name the recipients informed, or give the reason why none were informed (GDPR Art. 19)',
    path: ['notInformedReason'],
  });

const responseWindow = z.object({ amount: z.number().int().positive(), unit: z.enum(DURATION_UNITS) });
const mailAddress = /[^\s@]+@[^\s@]+\.[^\s@]+/;

/** Mails to the data subject about their own request. */
const toSubject = { org: orgSchema, case: caseSchema, requester: requesterSchema };

// ── Per template ──────────────────────────────────────────────────────────────────────────────────────────────

/** One schema per template name; `template-catalog.ts` pairs each with a sample context. */
export const templateSchemas = {
  acknowledgement: z.object({
    ...toSubject,
    request: z.object({ types: z.array(z.enum(REQUEST_TYPES)) }),
    /** The regime's response window, stated next to the due date (GDPR Art. 12(3): one month). */
    response: z.object({ window: responseWindow }),
  }),
  'identity-request': z.object({
    ...toSubject,
    /** GDPR Art. 12(6): the reasonable doubt, and only the proof needed to remove it. */
    identity: z.object({ reason: text, proofNeeded: texts }),
  }),
  'clarification-request': z.object({
    ...toSubject,
    /** Recital 63: which information or processing activities the request concerns. */
    clarification: z.object({ questions: texts }),
  }),
  'extension-notice': z.object({
    ...toSubject,
    case: caseSchema.extend({ extendedDue: isoDate }),
    /** GDPR Art. 12(3): the extension is only valid with reasons. */
    reasons: texts,
  }),
  'answer-access': z.object({
    ...toSubject,
    /** GDPR Art. 15(1)(a)–(h), 15(2); the copy itself is attached (15(3)). */
    access: z.object({
      attachments: z.array(attachment).min(1),
      purposes: texts,
      categories: texts,
      /** Named where possible; empty = no recipients. */
      recipients: z.array(text),
      storagePeriod: text,
      /** Absent = collected from the data subject. */
      source: text.optional(),
      /** Absent = no decisions based solely on automated processing (Art. 22). */
      automatedDecisions: text.optional(),
      /** Absent = no transfers to third countries or international organisations. */
      transferSafeguards: text.optional(),
    }),
    authority,
  }),
  'answer-erasure': z.object({
    ...toSubject,
    erasure: z.object({
      completedDate: isoDate,
      scope: text,
      /** GDPR Art. 17(3): data kept for now, each with its exception. */
      retained: z.array(z.object({ data: text, reason: text })).default([]),
    }),
    recipientNotice,
  }),
  'answer-rectification': z.object({
    ...toSubject,
    rectification: z.object({ completedDate: isoDate, changes: texts }),
    recipientNotice,
  }),
  'answer-restriction': z.object({
    ...toSubject,
    restriction: z.object({ effectiveDate: isoDate, scope: text }),
    recipientNotice,
  }),
  'answer-portability': z.object({
    ...toSubject,
    /** GDPR Art. 20: structured, commonly used, machine-readable — JSON or CSV, never PDF. */
    portability: z.object({
      files: z.array(z.object({ filename: text, format: z.enum(['JSON', 'CSV']) })).min(1),
      scope: text,
      /** Art. 20(2): the controller the data was also sent to directly, if asked. */
      transmittedTo: text.optional(),
    }),
  }),
  'answer-objection': z.object({
    ...toSubject,
    /** GDPR Art. 21; an objection to direct marketing is absolute (21(3)). */
    objection: z.object({ processing: text, effectiveDate: isoDate, directMarketing: z.boolean() }),
  }),
  'answer-automated-decision': z.object({
    ...toSubject,
    /** GDPR Art. 22(3): human intervention, the data subject's point of view, contesting the decision. */
    automatedDecision: z.object({ decision: text, reviewDate: isoDate, outcome: text }),
  }),
  refusal: z.object({
    ...toSubject,
    /** GDPR Art. 12(4)/(5): never without written reasons. */
    reasons: texts,
    authority,
  }),
  'processor-forward': z.object({
    org: orgSchema,
    case: caseReceived,
    controller: z.object({ name: text, contactName: text.optional() }),
    dpa: z.object({ reference: text }),
    original: attachment,
  }),
  'processor-acknowledgement': z.object({
    org: orgSchema,
    case: caseReceived,
    requester: requesterSchema,
    /** `contact`: only where the controller agreed to be named as the contact for data subjects. */
    controller: z.object({ name: text, contact: text.optional() }),
  }),
  'incident-notice': z.object({
    org: orgSchema,
    case: caseRef,
    customer: z.object({ name: text }),
    /** GDPR Art. 33(2)/(3) and the DPA's incident clause; `supplement` absent = initial notice. */
    incident: z.object({
      detectedDate: isoDate,
      awareDate: isoDate,
      description: text,
      nature: text,
      dataSubjects: z.object({ categories: texts, approximateNumber: text }),
      records: z.object({ categories: texts, approximateNumber: text }),
      consequences: text,
      measures: texts,
      supplement: z.object({ number: z.number().int().positive(), previousNoticeDate: isoDate }).optional(),
      dpaReference: text.optional(),
      /** Why the notice comes later than 72 hours after awareness, when it does. */
      delayReason: text.optional(),
    }),
    contact: z.object({ name: text, email: z.email(), phone: text.optional() }),
  }),
  'breach-subject-notice': z.object({
    org: orgSchema,
    case: caseRef,
    requester: requesterSchema,
    /** GDPR Art. 34(2): plain language, with the contents of Art. 33(3)(b)–(d). */
    breach: z.object({
      nature: text,
      consequences: text,
      measures: texts,
      recommendations: z.array(text).default([]),
    }),
  }),
  /** Internal: deadline reminders for a person or a team — case facts only, never a data subject. */
  reminder: z.object({
    org: orgSchema,
    case: caseRef.optional(),
    /** One case and clock each: the clock's name, that clock's date, what is due — in words, no internal ids. */
    items: z.array(z.object({ caseNumber: text, clock: text, due: text, overdue: z.boolean(), what: text })).min(1),
  }),
  /** Internal: the managers' daily digest. */
  digest: z.object({
    org: orgSchema,
    digest: z.object({
      date: isoDate, open: z.number().int(), overdue: z.number().int(), dueThisWeek: z.number().int(), onTimeRate: text,
      cases: z.array(z.object({ caseNumber: text, kind: text, state: text, due: text, countdown: text })),
    }),
    /** The audit chain's head as `<hash>:<count>`: `dpo-desk audit verify --expect` checks the log against it. */
    audit: z.object({ anchor: text }).optional(),
  }),
  'dpo-alert': z.object({
    org: orgSchema,
    /** Absent for alerts about no case (a quarantined message). */
    case: caseRef.optional(),
    /** Internal: the case number and the reason only — never the data subject's identity. */
    alert: z.object({
      deliveryFailed: z.boolean(),
      reason: text.refine((reason) => !mailAddress.test(reason), 'must not contain an e-mail address (no data-subject identity in DPO alerts)'),
    }),
  }),
} as const;
