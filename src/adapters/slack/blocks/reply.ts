/**
 * The reply modal in two steps: pick a template and a language and fill in what the template needs (YAML, with a
 * skeleton per template), then a preview rendered by the real mail renderer, then Send. The preview shows the
 * mail as the data subject will get it, so it is opened only for users allowed to see the case's details.
 */
import { stringify } from 'yaml';
import { sizeWords } from '../../../app/reply-attachments.ts';
import type { Case } from '../../../domain/case.ts';
import { LANGUAGES } from '../../../domain/vocabulary.ts';
import type { Offer } from '../../../app/offers.ts';
import { templatesOf, type TransitionDefinition } from '../../../domain/workflow/definition.ts';
import { templateSamples } from '../../templates/template-samples.ts';
import { ACTION, VIEW } from '../action-ids.ts';
import { context, factsLine, factsOf, plain, section } from './case-facts.ts';
import type { ModalMeta } from './modals.ts';
import type { SlackFileRef } from '../reply-files.ts';

/** What the preview step carries to the send step: `option` is the workflow event the reply is. */
export interface ReplyDraft extends ModalMeta {
  caseNumber: string;
  option: string;
  label?: string;
  language: string;
  fields: Record<string, unknown>;
  /** Files chosen in the modal (Slack file ids), fetched when the reply is sent. */
  files?: SlackFileRef[];
}

/** Filled in by the mail composer from the case, never typed. */
const FROM_CASE = new Set(['org', 'case', 'requester', 'request', 'response']);
/** Optional in the templates' schemas: left out of a skeleton rather than shown blank (a blank would fail). */
const OPTIONAL = new Set([
  'source', 'automatedDecisions', 'transferSafeguards', 'description', 'transmittedTo', 'notInformedReason', 'retained',
  'recommendations',
]);

/** Lists of files: filled from the files attached, never typed (a blank entry would name a file). */
const FROM_FILES = new Set(['files', 'attachments']);

function blank(v: unknown): unknown {
  if (typeof v === 'string') return '';
  if (Array.isArray(v)) return v.length ? [blank(v[0])] : [];
  if (v && typeof v === 'object') {
    const kept = Object.entries(v).filter(([k]) => !OPTIONAL.has(k) && !FROM_FILES.has(k));
    return Object.fromEntries(kept.map(([k, x]) => [k, blank(x)]));
  }
  return v;
}

/** The fields a reply needs, as a YAML skeleton with blank values ('' for the team to fill in). */
export function replySkeleton(c: Case, t: TransitionDefinition): string {
  const fields: Record<string, unknown> = {};
  for (const name of templatesOf(t, c.requestTypes)) {
    const sample = (templateSamples as Record<string, Record<string, unknown>>)[name] ?? {};
    for (const [k, v] of Object.entries(sample)) if (!FROM_CASE.has(k)) fields[k] = blank(v);
  }
  return Object.keys(fields).length ? stringify(fields) : '';
}

const opt = (value: string, text: string) => ({ text: plain(text, 75), value });

/** Step 1: the reply (a workflow event), language, details. The picker dispatches so the skeleton follows it. */
export function replyComposeModal(c: Case, options: readonly Offer[], o: {
  option: string; language: string; details: string; zone: string; now: Date; meta: ModalMeta;
}) {
  const picked = options.find((x) => x.event === o.option) ?? options[0]!;
  const chosen = picked.event;
  return {
    type: 'modal' as const, callback_id: VIEW.replyCompose, title: plain(`Reply ${c.number}`, 24),
    submit: plain('Preview', 24), close: plain('Cancel', 24),
    private_metadata: JSON.stringify({ ...o.meta, caseNumber: c.number }),
    blocks: [
      section(factsLine(factsOf(c), o.zone, o.now)),
      {
        type: 'input', block_id: 'template', dispatch_action: true, label: plain('Template'),
        element: {
          type: 'static_select', action_id: ACTION.replyTemplate, initial_option: opt(chosen, picked.label),
          options: options.map((x) => opt(x.event, x.label)),
        },
      },
      {
        type: 'input', block_id: 'language', label: plain('Language'),
        element: {
          type: 'static_select', action_id: 'language', initial_option: opt(o.language, o.language),
          options: LANGUAGES.map((l) => opt(l, l)),
        },
      },
      {
        // The block id changes with the template: Slack keeps a typed value unless the block is new.
        type: 'input', block_id: `details:${chosen}`, optional: true, label: plain('Details for the template (YAML)'),
        hint: plain('Case number, dates, organisation and greeting are filled in from the case.'),
        element: {
          type: 'plain_text_input', action_id: 'details', multiline: true,
          ...(o.details ? { initial_value: o.details } : {}),
        },
      },
      {
        type: 'input', block_id: 'files', optional: true, label: plain('Files to send with the mail'),
        hint: plain('Attached to the mail and listed in it. A portability answer takes JSON or CSV files.'),
        element: { type: 'file_input', action_id: 'files', max_files: 10 },
      },
    ],
  };
}

/** Step 2: the rendered mail(s) exactly as they will be sent; Send queues them through the outbox. */
export function replyPreviewModal(
  c: Case, mails: readonly { subject: string; text: string; to: string | null }[], draft: ReplyDraft,
) {
  const blocks: unknown[] = [context(`${draft.label ?? draft.option} · ${draft.language}`)];
  if (draft.files?.length) {
    blocks.push(section(`*Attached:* ${draft.files.map((f) => `${f.name} (${sizeWords(f.size)})`).join(', ')}`));
  }
  for (const m of mails) {
    blocks.push(section(`*To:* ${m.to ?? '_no address on file: the mail will be withheld_'}\n*Subject:* ${m.subject}`));
    for (let i = 0; i < m.text.length && blocks.length < 90; i += 2900) blocks.push(section(m.text.slice(i, i + 2900)));
    blocks.push({ type: 'divider' });
  }
  return {
    type: 'modal' as const, callback_id: VIEW.replySend, title: plain(`Preview ${c.number}`, 24),
    submit: plain('Send', 24), close: plain('Back', 24), private_metadata: JSON.stringify(draft), blocks,
  };
}
