/**
 * The shape of a computed legal clock and its inputs. Every deadline is stored with its rule id and the inputs
 * it was computed from (gdpr-rules: "show the rule and its inputs with every date").
 */
import type { LocalDate } from '../local-date.ts';
import type { RegimeId } from '../vocabulary.ts';
import type { WorkingCalendar } from './working-calendar.ts';

/** A stop of the clock while the organisation waits on the data subject (EDPB 01/2022 §159). */
export interface Pause {
  reason: 'identity' | 'clarification' | 'fee';
  /** The date the question was sent. */
  askedOn: LocalDate;
  /** The date the answer arrived; null while still waiting. */
  answeredOn: LocalDate | null;
}

export interface Extension {
  /** The date the notice with reasons was sent to the data subject. */
  noticeSentOn: LocalDate;
  reasons: string;
}

/** Settings of the regimes that are open to interpretation (gdpr-rules: "configurable"). */
export interface ClockSettings {
  /** EDPB 01/2022 §159 tolerance: pause the gdpr clock while waiting on identity/clarification. Default on. */
  gdprPause: boolean;
  /** Extended gdpr deadline: `receipt` + 3 months (UK ICO method, default) or original `due` + 2 months. */
  gdprExtensionFrom: 'receipt' | 'due';
  contractDays: number;
  contractUnit: 'calendar' | 'business';
  /** LGPD is silent on roll-forward; default no. */
  lgpdRoll: boolean;
}

export const DEFAULT_CLOCK_SETTINGS: ClockSettings = {
  gdprPause: true,
  gdprExtensionFrom: 'receipt',
  contractDays: 15,
  contractUnit: 'calendar',
  lgpdRoll: false,
};

export interface ClockInput {
  regime: RegimeId;
  /** Receipt instant: when the request reached the official mailbox (gdpr-rules §1). */
  receivedAt: Date;
  /** The organisation's legal time zone (IANA). */
  zone: string;
  calendar: WorkingCalendar;
  pauses?: readonly Pause[];
  /** uk-gdpr relevant time: receipt of requested identity information / of the fee. */
  idReceivedOn?: LocalDate | null;
  feeReceivedOn?: LocalDate | null;
  /** gdpr-breach: when the organisation became aware (set by a person, with a rationale). */
  awareAt?: Date | null;
  /** A granted extension (see decideExtension). */
  extension?: Extension | null;
  /** Open pauses are counted up to this date (the day the deadline is looked at); omitted: not counted. */
  asOf?: LocalDate | null;
  settings?: Partial<ClockSettings>;
}

export interface Deadline {
  regime: RegimeId;
  /** The rule the date follows, e.g. `GDPR Art. 12(3)`. */
  rule: string;
  /** The inputs, JSON-safe, as stored with the deadline. */
  inputs: Record<string, unknown>;
  /** Receipt date in the organisation's zone (for breaches: the date of awareness). */
  received: LocalDate;
  /** The period's end before pauses and rolling; null for elapsed-time clocks. */
  rawDue: LocalDate | null;
  /** The effective date of the original period (after pauses and rolling). */
  due: LocalDate;
  /** Where the regime allows an extension: the date it would give (or gives, when `extended`). */
  extendedDue: LocalDate | null;
  extended: boolean;
  /** ccpa: confirm receipt within 10 business days. */
  acknowledgeBy: LocalDate | null;
  /** ccpa: opt-out of sale/sharing within 15 business days. */
  optOutBy: LocalDate | null;
  /** The instant this clock runs out: end of the governing day in the zone, or awareness + 72 h. */
  dueAt: Date;
  /** Calendar id used for rolling (`none` = weekends only). */
  holidays: string;
  pausedDays: number;
  /** A pause is open: the date moves when the answer arrives. */
  pausedSince: LocalDate | null;
  /** How each date was reached, one sentence per step. */
  steps: string[];
}

/** The governing deadline of a case under several clocks: the earliest (gdpr-rules §3). */
export function governingDeadline<T extends Pick<Deadline, 'dueAt'>>(deadlines: readonly T[]): T | null {
  let best: T | null = null;
  for (const d of deadlines) if (!best || d.dueAt.getTime() < best.dueAt.getTime()) best = d;
  return best;
}
