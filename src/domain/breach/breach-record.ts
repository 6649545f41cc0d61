/**
 * The register entry of one breach (GDPR Art. 33(5)): the facts as recorded by the DPO, each decision with its
 * reasons, who took it and when. Pure: every change is a function from the record and an input to a new record
 * or a refusal naming what is missing.
 */
import { z } from 'zod';

export const RISKS = ['none', 'risk', 'high'] as const;
export type Risk = (typeof RISKS)[number];

/** Art. 34(3): (a) unintelligible data, (b) later measures removed the high risk, (c) disproportionate effort. */
export const EXEMPTION_GROUNDS = ['a', 'b', 'c'] as const;
export type ExemptionGround = (typeof EXEMPTION_GROUNDS)[number];

const text = z.string().trim().min(1);
const decided = { by: text, at: z.iso.datetime() };

/** The Art. 33(3)(a)–(d) facts, as far as they are known; each may be supplemented later. */
export const factsSchema = z.object({
  description: text.optional(),
  nature: text.optional(),
  subjectCategories: z.array(text).optional(),
  subjectsApprox: text.optional(),
  recordCategories: z.array(text).optional(),
  recordsApprox: text.optional(),
  consequences: text.optional(),
  measures: z.array(text).optional(),
  contained: z.enum(['yes', 'no', 'unknown']).optional(),
});
export type BreachFacts = z.infer<typeof factsSchema>;

export const recordSchema = z.object({
  facts: factsSchema.default({}),
  awareRationale: text.optional(),
  assessment: z.object({ risk: z.enum(RISKS), reasons: text, ...decided }).optional(),
  /** Found not to be a breach (e.g. blocked login attempts, gdpr-rules §4), or a breach not to be notified. */
  decision: z.object({ kind: z.enum(['not_a_breach', 'not_notifiable']), reasons: text, ...decided }).optional(),
  /** Art. 34: tell the people, or the exemption ground (and, for (c), the public communication). */
  subjects: z
    .object({
      decision: z.enum(['communicate', 'exempt']),
      ground: z.enum(EXEMPTION_GROUNDS).optional(),
      reasons: text,
      publicText: text.optional(),
      ...decided,
    })
    .optional(),
  remedial: text.optional(),
});
export type BreachRecord = z.infer<typeof recordSchema>;

export const emptyRecord = (): BreachRecord => ({ facts: {} });

export type Change = { ok: true; record: BreachRecord } | { ok: false; code: string; message: string };

const refuse = (code: string, message: string): Change => ({ ok: false, code, message });

/** Newer facts win field by field; a fact is never erased by leaving it out. */
export function mergeFacts(before: BreachFacts, update: BreachFacts): BreachFacts {
  const out: BreachFacts = { ...before };
  for (const [k, v] of Object.entries(update) as [keyof BreachFacts, unknown][]) {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export interface AssessInput {
  facts: BreachFacts;
  risk: string;
  reasons: string;
  by: string;
  at: Date;
  awareRationale?: string;
}

/** Art. 33(1), 33(5): the risk (none / risk / high) with reasons, over the facts known now. */
export function assess(r: BreachRecord, input: AssessInput): Change {
  if (!(RISKS as readonly string[]).includes(input.risk))
    return refuse('RISK_INVALID', 'Risk must be none, risk or high.');
  if (!input.reasons.trim()) return refuse('REASONS_REQUIRED', 'A risk assessment needs reasons (Art. 33(5)).');
  const facts = factsSchema.safeParse(input.facts);
  if (!facts.success)
    return refuse('FACTS_INVALID', facts.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return {
    ok: true,
    record: {
      ...r,
      facts: mergeFacts(r.facts, facts.data),
      ...(input.awareRationale?.trim() ? { awareRationale: input.awareRationale.trim() } : {}),
      assessment: { risk: input.risk as Risk, reasons: input.reasons.trim(), by: input.by, at: input.at.toISOString() },
    },
  };
}

/** "Not a breach" or "not notifiable": a documented decision that keeps the register entry. */
export function decide(
  r: BreachRecord,
  kind: 'not_a_breach' | 'not_notifiable',
  reasons: string,
  by: string,
  at: Date,
): Change {
  if (!reasons.trim())
    return refuse(
      'REASONS_REQUIRED',
      `${kind === 'not_a_breach' ? '"Not a breach"' : '"Not notifiable"'} needs reasons (Art. 33(5)).`,
    );
  if (kind === 'not_notifiable' && r.assessment?.risk === 'high') {
    return refuse('HIGH_RISK', 'The assessment says high risk: a high-risk breach is notifiable. Assess again first.');
  }
  return { ok: true, record: { ...r, decision: { kind, reasons: reasons.trim(), by, at: at.toISOString() } } };
}

export interface SubjectsDecisionInput {
  decision: string;
  ground?: string | null;
  reasons: string;
  publicText?: string | null;
  by: string;
  at: Date;
}

/** Art. 34(1)/(3): communicate, or the exemption ground; ground (c) needs the public communication's text. */
export function decideSubjects(r: BreachRecord, input: SubjectsDecisionInput): Change {
  if (!input.reasons.trim()) return refuse('REASONS_REQUIRED', 'The Art. 34 decision needs reasons.');
  if (input.decision === 'communicate') {
    return {
      ok: true,
      record: {
        ...r,
        subjects: { decision: 'communicate', reasons: input.reasons.trim(), by: input.by, at: input.at.toISOString() },
      },
    };
  }
  if (input.decision !== 'exempt')
    return refuse('DECISION_INVALID', 'Decide communicate, or exempt with a ground a, b or c.');
  const ground = input.ground?.trim().toLowerCase();
  if (!ground || !(EXEMPTION_GROUNDS as readonly string[]).includes(ground)) {
    return refuse(
      'GROUND_REQUIRED',
      'An exemption needs its ground: a (unintelligible data), b (later measures removed the high risk) '
        + 'or c (disproportionate effort).',
    );
  }
  const publicText = input.publicText?.trim();
  if (ground === 'c' && !publicText) {
    return refuse(
      'PUBLIC_TEXT_REQUIRED',
      'Ground (c) replaces the individual notices by a public communication: give its text.',
    );
  }
  return {
    ok: true,
    record: {
      ...r,
      subjects: {
        decision: 'exempt',
        ground: ground as ExemptionGround,
        reasons: input.reasons.trim(),
        ...(publicText ? { publicText } : {}),
        by: input.by,
        at: input.at.toISOString(),
      },
    },
  };
}

/** The Art. 33(3) facts still unknown (named in a notification as "to follow"). */
export function missingFacts(f: BreachFacts): string[] {
  const need: [keyof BreachFacts, string][] = [
    ['nature', 'nature'],
    ['subjectCategories', 'categories of data subjects'],
    ['subjectsApprox', 'number of data subjects'],
    ['recordCategories', 'categories of records'],
    ['recordsApprox', 'number of records'],
    ['consequences', 'likely consequences'],
    ['measures', 'measures'],
  ];
  return need.filter(([k]) => f[k] === undefined).map(([, label]) => label);
}
