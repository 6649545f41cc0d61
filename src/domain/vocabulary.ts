/** The words every part of dpo-desk shares: kinds of case, request types, languages, roles, regimes. */

/** `obligation`: a duty with its own clock as data (a sub-processor notice, a deletion after cancellation). */
export const CASE_KINDS = ['request', 'breach', 'obligation'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** GDPR Arts. 15–22: the rights a data subject may exercise. */
export const REQUEST_TYPES = [
  'access', // Art. 15
  'rectification', // Art. 16
  'erasure', // Art. 17
  'restriction', // Art. 18
  'portability', // Art. 20
  'objection', // Art. 21
  'automated_decision', // Art. 22
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const ORG_ROLES = ['controller', 'processor'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** Who may take a workflow transition. `system` is dpo-desk itself (mail intake, data-subject replies). */
export const ACTOR_ROLES = ['agent', 'dpo', 'manager', 'system'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];

export const REQUEST_REGIMES = ['gdpr', 'uk-gdpr', 'ccpa', 'lgpd', 'contract'] as const;
export type RequestRegime = (typeof REQUEST_REGIMES)[number];
/** Breach clocks: to the supervisory authority (controller), or to the customer (processor, under the DPA). */
export const BREACH_REGIMES = ['gdpr-breach', 'processor-breach'] as const;
export const REGIMES = [...REQUEST_REGIMES, ...BREACH_REGIMES] as const;
export type RegimeId = (typeof REGIMES)[number];

export const CASE_PREFIX: Record<CaseKind, string> = { request: 'DSR', breach: 'BRE', obligation: 'OBL' };
