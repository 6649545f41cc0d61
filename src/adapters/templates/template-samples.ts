/**
 * One complete sample context per template: invented people and organisations, `example.test` addresses.
 * Used by the template tests (every template × language renders from these) and by the preview command.
 */
import type { z } from 'zod';
import type { templateSchemas } from './template-schemas.ts';

type Samples = { readonly [N in keyof typeof templateSchemas]: z.input<(typeof templateSchemas)[N]> };

const org = { name: 'Lumen Analytics GmbH', dpoEmail: 'privacy@lumen-analytics.example.test' };
const requestCase = { number: 'DSR-2026-0042', receivedDate: '2026-03-05', dueDate: '2026-04-07' };
const breachCase = { number: 'BRE-2026-0007' };
const requester = { name: 'Jana Nováková' };
const authority = { name: 'Example State Data Protection Authority', url: 'https://dpa.example.test/complaints' };

/** Sample contexts keyed by template name; each parses against its schema in `template-schemas.ts`. */
export const templateSamples: Samples = {
  acknowledgement: {
    org,
    case: requestCase,
    requester,
    request: { types: ['access', 'erasure'] },
    response: { window: { amount: 1, unit: 'months' } },
  },
  'identity-request': {
    org,
    case: requestCase,
    requester,
    identity: {
      reason: 'Your request came from an e-mail address that is not linked to any customer account with us.',
      proofNeeded: ['the customer number shown on your last invoice', 'the postcode of your billing address'],
    },
  },
  'clarification-request': {
    org,
    case: requestCase,
    requester,
    clarification: {
      questions: [
        'Does your request concern your customer account, your newsletter subscription or both?',
        'Should we include the recordings of your calls to our support line?',
      ],
    },
  },
  'extension-notice': {
    org,
    case: { ...requestCase, extendedDue: '2026-06-05' },
    requester,
    reasons: [
      'Your request covers twelve years of records held in several archived systems.',
      'We must review each document for personal data of other people before we can release it.',
    ],
  },
  'answer-access': {
    org,
    case: requestCase,
    requester,
    access: {
      attachments: [
        { filename: 'DSR-2026-0042-personal-data.json', description: 'all data held in our systems' },
        { filename: 'DSR-2026-0042-support-tickets.pdf' },
      ],
      purposes: ['providing the analytics service you signed up for', 'billing', 'customer support'],
      categories: ['contact details', 'account and login data', 'invoices', 'support tickets'],
      recipients: ['Cloudhaus Hosting AG (hosting)', 'Paywise B.V. (payment processing)'],
      storagePeriod: 'For as long as your account exists; invoices for 10 years after the end of the financial year.',
      transferSafeguards: 'Support tickets are processed by Helpdesk Inc. in the USA under the EU Standard Contractual Clauses (Art. 46(2)(c) GDPR).',
    },
    authority,
  },
  'answer-erasure': {
    org,
    case: requestCase,
    requester,
    erasure: {
      completedDate: '2026-03-20',
      scope: 'Your customer account, usage history and newsletter subscription.',
      retained: [{ data: 'Invoices from 2024 and 2025', reason: 'statutory retention under tax law (Art. 17(3)(b) GDPR)' }],
    },
    recipientNotice: { informed: ['Cloudhaus Hosting AG', 'Paywise B.V.'] },
  },
  'answer-rectification': {
    org,
    case: requestCase,
    requester,
    rectification: { completedDate: '2026-03-12', changes: ['Surname corrected to "Nováková"', 'Billing address updated'] },
    recipientNotice: { informed: [], notInformedReason: 'Your data had not been disclosed to any recipients.' },
  },
  'answer-restriction': {
    org,
    case: requestCase,
    requester,
    restriction: { effectiveDate: '2026-03-10', scope: 'The usage statistics you consider inaccurate, while we verify them.' },
    recipientNotice: { informed: ['Cloudhaus Hosting AG'], notInformedReason: 'Paywise B.V. never received these statistics.' },
  },
  'answer-portability': {
    org,
    case: requestCase,
    requester,
    portability: {
      files: [
        { filename: 'DSR-2026-0042-export.json', format: 'JSON' },
        { filename: 'DSR-2026-0042-usage.csv', format: 'CSV' },
      ],
      scope: 'The account data and usage data you provided to us.',
      transmittedTo: 'Brightmetrics Ltd',
    },
  },
  'answer-objection': {
    org,
    case: requestCase,
    requester,
    objection: {
      processing: 'Use of your e-mail address to send you offers about our products',
      effectiveDate: '2026-03-06',
      directMarketing: true,
    },
  },
  'answer-automated-decision': {
    org,
    case: requestCase,
    requester,
    automatedDecision: {
      decision: 'The automatic refusal of your trial extension on 2 March 2026',
      reviewDate: '2026-03-16',
      outcome: 'Your trial has been extended by 30 days.',
    },
  },
  refusal: {
    org,
    case: requestCase,
    requester,
    reasons: [
      'This is the sixth identical request within two months; we answered the previous ones in full on 12 January and 9 February 2026.',
      'No personal data about you has changed since our last answer.',
    ],
    authority,
  },
  'processor-forward': {
    org,
    case: { number: requestCase.number, receivedDate: requestCase.receivedDate },
    controller: { name: 'Harbour Books Ltd', contactName: 'Tomás Ferreira' },
    dpa: { reference: 'Data Processing Agreement of 1 February 2025, clause 7.3' },
    original: { filename: 'DSR-2026-0042-original.eml' },
  },
  'processor-acknowledgement': {
    org,
    case: { number: requestCase.number, receivedDate: requestCase.receivedDate },
    requester,
    controller: { name: 'Harbour Books Ltd', contact: 'privacy@harbour-books.example.test' },
  },
  'incident-notice': {
    org,
    case: breachCase,
    customer: { name: 'Harbour Books Ltd' },
    incident: {
      detectedDate: '2026-03-26',
      awareDate: '2026-03-27',
      description: 'A misconfigured storage bucket made report exports readable without authentication.',
      nature: 'Loss of confidentiality',
      dataSubjects: { categories: ['customers', 'newsletter subscribers'], approximateNumber: 'about 1,200' },
      records: { categories: ['names', 'e-mail addresses', 'order histories'], approximateNumber: 'about 3,400' },
      consequences: 'Recipients of the data could send targeted phishing e-mails.',
      measures: ['Public access to the bucket was removed on 27 March 2026.', 'Access logs are being analysed.'],
      supplement: { number: 1, previousNoticeDate: '2026-03-28' },
      dpaReference: 'clause 9 of the Data Processing Agreement',
    },
    contact: { name: 'Lea Hoffmann, Security Officer', email: 'security@lumen-analytics.example.test', phone: '+49 30 0000 0000' },
  },
  'breach-subject-notice': {
    org,
    case: breachCase,
    requester,
    breach: {
      nature: 'A storage area containing report files was publicly readable between 20 and 27 March 2026. It held your name, e-mail address and order history.',
      consequences: 'You may receive fraudulent e-mails that appear to come from us or from Harbour Books.',
      measures: ['We closed the access on 27 March 2026.', 'We checked our other storage areas and found no similar problem.'],
      recommendations: ['Be careful with e-mails asking you to log in or to pay.', 'We never ask for your password by e-mail.'],
    },
  },
  'dpo-alert': {
    org,
    case: requestCase,
    alert: { deliveryFailed: true, reason: 'The receiving server rejected the acknowledgement permanently (550 5.1.1: mailbox does not exist).' },
  },
  reminder: {
    org,
    case: { number: 'DSR-2026-0042' },
    items: [{
      caseNumber: 'DSR-2026-0042', clock: 'GDPR one month', due: 'Tue 7 Apr 2026', overdue: false,
      what: 'The answer to the data subject is due in 5 working days.',
    }],
  },
  digest: {
    org,
    digest: {
      date: '2026-04-01', open: 3, overdue: 1, dueThisWeek: 2, onTimeRate: '92% (23 of 25)',
      cases: [
        { caseNumber: 'BRE-2026-0003', kind: 'breach', state: 'reported', due: '2026-03-30 11:00', countdown: 'OVERDUE 1d 2h' },
        { caseNumber: 'DSR-2026-0042', kind: 'request', state: 'in_progress', due: '2026-04-07', countdown: 'in 6d' },
      ],
    },
    audit: { anchor: `${'3f'.repeat(32)}:1234` },
  },
};
