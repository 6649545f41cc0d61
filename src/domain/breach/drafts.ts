/**
 * What each audience is given, drafted from the recorded facts (pure): the Art. 33(3) notification to the
 * authority, the processor's alert to a customer (the DPA's listed facts), the Art. 34 notice to a person in plain
 * language. A fact not yet known is said to follow (Art. 33(4); the DPA's "supplement as facts are confirmed").
 */
import { dateInZone, formatInZone } from '../local-date.ts';
import type { Language } from '../vocabulary.ts';
import { missingFacts, type BreachRecord } from './breach-record.ts';

const TO_FOLLOW: Record<Language, string> = {
  en: 'not yet known; it will follow as soon as it is confirmed',
  de: 'noch nicht bekannt; wird nachgereicht, sobald bestätigt',
  fr: 'pas encore connu ; sera communiqué dès confirmation',
  es: 'aún no se conoce; se comunicará en cuanto se confirme',
};

const PHASE: Record<Language, Record<string, string>> = {
  en: { initial: 'initial notification', 'follow-up': 'follow-up notification', final: 'final notification' },
  de: { initial: 'Erstmeldung', 'follow-up': 'Folgemeldung', final: 'Abschlussmeldung' },
  fr: { initial: 'notification initiale', 'follow-up': 'notification complémentaire', final: 'notification finale' },
  es: { initial: 'notificación inicial', 'follow-up': 'notificación complementaria', final: 'notificación final' },
};

export const toFollow = (lang: Language) => TO_FOLLOW[lang];

export interface DraftCase {
  number: string;
  detectedAt: Date | null;
  awareAt: Date;
  zone: string;
}

export interface Org {
  name: string;
  dpoEmail: string;
}

/** The context of `templates/documents/<lang>/authority-notification.md.hbs`. */
export function authorityDraft(o: {
  org: Org;
  c: DraftCase;
  record: BreachRecord;
  lang: Language;
  phase: string;
  at: Date;
  reference?: string | null;
  lateReasons?: string | null;
}) {
  const f = o.record.facts;
  const unknown = TO_FOLLOW[o.lang];
  const missing = missingFacts(f);
  return {
    org: { name: o.org.name },
    case: { number: o.c.number },
    notification: {
      phase: PHASE[o.lang][o.phase] ?? o.phase,
      date: formatInZone(o.at, o.c.zone),
      ...(o.reference ? { reference: o.reference } : {}),
      ...(o.lateReasons?.trim() ? { lateReasons: o.lateReasons.trim() } : {}),
    },
    breach: {
      detected: o.c.detectedAt ? formatInZone(o.c.detectedAt, o.c.zone) : unknown,
      aware: formatInZone(o.c.awareAt, o.c.zone),
      ...(o.record.awareRationale ? { awareRationale: o.record.awareRationale } : {}),
      description: f.description ?? unknown,
      nature: f.nature ?? unknown,
      subjectCategories: f.subjectCategories?.join(', ') ?? unknown,
      subjectsApprox: f.subjectsApprox ?? unknown,
      recordCategories: f.recordCategories?.join(', ') ?? unknown,
      recordsApprox: f.recordsApprox ?? unknown,
      consequences: f.consequences ?? unknown,
      measures: f.measures?.length ? f.measures : [unknown],
      ...(missing.length ? { toFollow: missing.join(', ') } : {}),
    },
    contact: { name: `${o.org.name} data protection officer`, email: o.org.dpoEmail },
  };
}

/** The fields of the `incident-notice` mail to a customer: the DPA's facts, numbered supplements after the first. */
export function customerAlertFields(o: {
  org: Org;
  c: DraftCase;
  record: BreachRecord;
  lang: Language;
  customerName: string;
  supplement: { number: number; previousNoticeDate: string } | null;
  delayReason?: string | null;
}) {
  const f = o.record.facts;
  const unknown = TO_FOLLOW[o.lang];
  return {
    customer: { name: o.customerName },
    incident: {
      detectedDate: dateInZone(o.c.detectedAt ?? o.c.awareAt, o.c.zone),
      awareDate: dateInZone(o.c.awareAt, o.c.zone),
      description: f.description ?? unknown,
      nature: f.nature ?? unknown,
      dataSubjects: {
        categories: f.subjectCategories?.length ? f.subjectCategories : [unknown],
        approximateNumber: f.subjectsApprox ?? unknown,
      },
      records: {
        categories: f.recordCategories?.length ? f.recordCategories : [unknown],
        approximateNumber: f.recordsApprox ?? unknown,
      },
      consequences: f.consequences ?? unknown,
      measures: f.measures?.length ? f.measures : [unknown],
      ...(o.supplement ? { supplement: o.supplement } : {}),
      ...(o.delayReason?.trim() ? { delayReason: o.delayReason.trim() } : {}),
    },
    contact: { name: `${o.org.name} data protection officer`, email: o.org.dpoEmail },
  };
}

/**
 * The fields of the `breach-subject-notice` mail (Art. 34(2): plain language, Art. 33(3)(b)–(d)); refused while a
 * fact the person must be told is unknown.
 */
export function subjectNoticeFields(
  record: BreachRecord,
  recommendations: readonly string[] = [],
): { ok: true; fields: Record<string, unknown> } | { ok: false; message: string } {
  const f = record.facts;
  const missing = [
    !f.nature && 'nature',
    !f.consequences && 'likely consequences',
    !f.measures?.length && 'measures',
  ].filter((x): x is string => Boolean(x));
  if (missing.length)
    return {
      ok: false,
      message: `The notice to the people needs: ${missing.join(', ')} (record them with the assessment).`,
    };
  return {
    ok: true,
    fields: {
      breach: {
        nature: f.nature,
        consequences: f.consequences,
        measures: f.measures,
        recommendations: [...recommendations],
      },
    },
  };
}
