/**
 * The fields each breach event asks for, as data — in the shape of the workflow definitions' `fields:`
 * (name, type, label, required, options) so that any surface (a Slack modal, the CLI) is built from them.
 */
export interface FieldSpec {
  name: string;
  type: 'text' | 'longtext' | 'select' | 'datetime';
  label: string;
  required?: boolean;
  options?: readonly string[];
}

const facts = (required: boolean): FieldSpec[] => [
  { name: 'description', type: 'longtext', label: 'What happened', required: false },
  { name: 'nature', type: 'text', label: 'Nature (confidentiality, integrity, availability)', required },
  { name: 'subject_categories', type: 'text', label: 'Categories of people (; separated)', required: false },
  { name: 'subjects_approx', type: 'text', label: 'Approximate number of people', required: false },
  { name: 'record_categories', type: 'text', label: 'Categories of records (; separated)', required: false },
  { name: 'records_approx', type: 'text', label: 'Approximate number of records', required: false },
  { name: 'consequences', type: 'longtext', label: 'Likely consequences', required },
  { name: 'measures', type: 'longtext', label: 'Measures taken or proposed (one per line)', required },
];

export const BREACH_FIELDS: Record<string, { label: string; fields: FieldSpec[] }> = {
  Assessed: {
    label: 'Assess the risk',
    fields: [
      { name: 'risk', type: 'select', label: 'Risk', options: ['none', 'risk', 'high'] },
      { name: 'reasons', type: 'longtext', label: 'Reasons' },
      { name: 'aware_rationale', type: 'text', label: 'Why the awareness instant is right', required: false },
      ...facts(false),
    ],
  },
  NotABreach: { label: 'Not a breach', fields: [{ name: 'reasons', type: 'longtext', label: 'Reasons (e.g. blocked login attempts only)' }] },
  NotNotifiable: { label: 'Not notifiable', fields: [{ name: 'reasons', type: 'longtext', label: 'Reasons (unlikely to result in a risk)' }] },
  AuthorityNotified: {
    label: 'Authority notified',
    fields: [
      { name: 'phase', type: 'select', label: 'Phase', options: ['initial', 'follow-up', 'final'] },
      { name: 'reference', type: 'text', label: 'Reference the authority returned', required: false },
      { name: 'late_reasons', type: 'longtext', label: 'Reasons for the delay (after 72 hours)', required: false },
    ],
  },
  CustomerNotified: {
    label: 'Alert the customers',
    fields: [
      { name: 'customers', type: 'text', label: 'Only these customers (ids, ; separated; default all linked)', required: false },
      { name: 'delay_reason', type: 'longtext', label: 'Reason for the delay (past a customer\'s notice hours)', required: false },
      ...facts(false),
    ],
  },
  SubjectsNotificationDecided: {
    label: 'Tell the people? (Art. 34)',
    fields: [
      { name: 'decision', type: 'select', label: 'Decision', options: ['communicate', 'exempt'] },
      { name: 'ground', type: 'select', label: 'Exemption ground (Art. 34(3))', required: false, options: ['a', 'b', 'c'] },
      { name: 'reasons', type: 'longtext', label: 'Reasons' },
      { name: 'public_text', type: 'longtext', label: 'Public communication (ground c)', required: false },
    ],
  },
  SubjectsNotified: {
    label: 'Tell the people',
    fields: [
      { name: 'recipients_csv', type: 'longtext', label: 'People to add (CSV: email,language,name)', required: false },
      { name: 'recommendations', type: 'longtext', label: 'What they can do (one per line)', required: false },
    ],
  },
};
