/**
 * Reading a submitted modal: input values by action id (= field name), `private_metadata`, the delivery key, and
 * the instants of date-time pickers. Adapters translate only; the use cases decide.
 */
import type { ModalMeta } from '../blocks/modals.ts';

type StateValue = {
  type?: string; value?: string | null; selected_option?: { value: string } | null; selected_options?: { value: string }[];
  selected_date_time?: number | null; selected_date?: string | null; selected_time?: string | null;
};

export interface SubmittedView {
  id: string;
  root_view_id?: string | null;
  private_metadata?: string;
  blocks?: { block_id?: string }[];
  state?: { values?: Record<string, Record<string, StateValue>> };
}

export type FieldValue = string | string[] | number | null;

/** Every input's value by its action id: text, one option, several options, or epoch seconds of a date-time. */
export function viewValues(view: SubmittedView): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const block of Object.values(view.state?.values ?? {})) {
    for (const [actionId, v] of Object.entries(block)) {
      if (v.selected_options) out[actionId] = v.selected_options.map((o) => o.value);
      else if (v.selected_option !== undefined) out[actionId] = v.selected_option?.value ?? null;
      else if (v.selected_date_time !== undefined) out[actionId] = v.selected_date_time ?? null;
      else if (v.selected_date !== undefined) out[actionId] = v.selected_date ?? null;
      else out[actionId] = typeof v.value === 'string' && v.value.trim() !== '' ? v.value.trim() : null;
    }
  }
  return out;
}

export const text = (v: FieldValue | undefined): string | null => (typeof v === 'string' ? v : null);
export const list = (v: FieldValue | undefined): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);
export const instant = (v: FieldValue | undefined): Date | null => (typeof v === 'number' ? new Date(v * 1000) : null);
export const count = (v: FieldValue | undefined): number | null => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

export function metaOf(view: SubmittedView): ModalMeta {
  try {
    return JSON.parse(view.private_metadata || '{}') as ModalMeta;
  } catch {
    return {};
  }
}

/** The submission's idempotency key: the same modal submitted twice (a double click, a retry) has the same one. */
export function viewKey(view: SubmittedView): string {
  return `slack:view:${view.root_view_id ?? view.id}`;
}

/** The block id of the input whose action id is `actionId` (errors are keyed by block id). */
export function blockOf(view: SubmittedView, actionId: string): string {
  const ids = Object.entries(view.state?.values ?? {}).find(([, b]) => actionId in b)?.[0];
  return ids ?? actionId;
}

/** `response_action: errors` for one field. */
export function fieldError(view: SubmittedView, actionId: string, message: string) {
  return { response_action: 'errors' as const, errors: { [blockOf(view, actionId)]: message.slice(0, 1900) } };
}
