/**
 * Free text in audit events (reasons, rationales, outcomes, error texts) may name a person, and the hash chain
 * must outlive it (gdpr-rules §7). So the chain holds a salted commitment — `{ sealed: "sha256:…" }` — and the
 * cleartext with its salt is stored beside the chain. Retention deletes the cleartext; the chain's hashes never
 * change, so `audit verify` still passes; while the cleartext exists, anyone can check it against the commitment.
 * The salt stops a short text from being guessed back from its commitment.
 */
import { createHash } from 'node:crypto';

/** Top-level audit data fields that hold free text, sealed on append. */
export const SEALED_FIELDS: readonly string[] = [
  'reasons', 'lateReasons', 'late_reasons', 'rationale', 'awareRationale', 'outcome', 'text', 'reason',
];

export interface SealedText {
  field: string;
  salt: string;
  value: string;
}

export interface Sealed {
  sealed: string;
}

export function commitment(salt: string, value: string): string {
  return `sha256:${createHash('sha256').update(salt).update('\n').update(value).digest('hex')}`;
}

export function isSealed(v: unknown): v is Sealed {
  return typeof v === 'object' && v !== null && typeof (v as Sealed).sealed === 'string' && Object.keys(v).length === 1;
}

/** Replaces the free-text fields of `data` by commitments; returns the chained data and the texts to keep apart. */
export function sealData(
  data: Record<string, unknown>, salt: () => string,
): { data: Record<string, unknown>; texts: SealedText[] } {
  const out: Record<string, unknown> = { ...data };
  const texts: SealedText[] = [];
  for (const field of SEALED_FIELDS) {
    const value = data[field];
    if (typeof value !== 'string') continue;
    const s = salt();
    out[field] = { sealed: commitment(s, value) };
    texts.push({ field, salt: s, value });
  }
  return { data: out, texts };
}

/** Puts back the cleartext that still exists and matches its commitment; redacted fields stay sealed. */
export function unsealData(data: Record<string, unknown>, texts: readonly SealedText[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const t of texts) {
    const v = out[t.field];
    if (isSealed(v) && v.sealed === commitment(t.salt, t.value)) out[t.field] = t.value;
  }
  return out;
}
