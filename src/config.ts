/**
 * Configuration: one zod schema over an environment object passed in. The only reader of environment variables
 * (main passes `process.env`). Every bad or missing key is named with what is expected; values are never echoed.
 * Any key may instead be given as `<KEY>_FILE`, the path of a file holding the value (for secrets).
 */
import { z } from 'zod';
import { isLocalDate, isValidZone, type LocalDate } from './domain/local-date.ts';
import type { ClockSettings } from './domain/deadlines/deadline.ts';
import { isKnownCalendarId } from './domain/deadlines/working-calendar.ts';
import {
  LANGUAGES, ORG_ROLES, REQUEST_REGIMES, type Language, type OrgRole, type RequestRegime,
} from './domain/vocabulary.ts';

const email = z.string().trim().toLowerCase().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'expected an e-mail address');
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const bool = (name: string) =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: `${name}: expected true or false` })
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** Each key with its expectation; `.describe` text is what a bad value is told. */
const schema = z.object({
  DATABASE_URL: z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'expected sqlite:<file> or postgres://…')
    .default('sqlite:./data/dpo-desk.sqlite'),
  SQLITE_WRITER: z.enum(['inline', 'thread'], { error: 'expected inline or thread' }).default('inline'),
  ORG_NAME: z.string().trim().min(1, 'expected the organisation name'),
  ORG_TIMEZONE: z.string().refine(isValidZone, 'expected an IANA time zone such as Europe/Berlin').default('Europe/Berlin'),
  ORG_HOLIDAYS: z.string().refine(isKnownCalendarId, 'expected a holiday calendar id such as DE, DE-BY, GB-ENG, FR, ES, US, or none')
    .default('DE'),
  HOLIDAY_CLOSURES: z.string().default('').transform(list)
    .refine((ds) => ds.every(isLocalDate), 'expected comma-separated dates YYYY-MM-DD'),
  ORG_ROLE: z.enum(ORG_ROLES, { error: 'expected controller or processor' }).default('controller'),
  ORG_REGIMES: z.string().default('gdpr').transform(list)
    .refine((rs) => rs.length > 0 && rs.every((r) => (REQUEST_REGIMES as readonly string[]).includes(r)),
      `expected a comma-separated list of ${REQUEST_REGIMES.join(', ')}`),
  ORG_DOMAINS: z.string().optional().transform((v) => (v ? list(v).map((d) => d.toLowerCase()) : undefined)),
  CONTRACT_DAYS: z.coerce.number({ error: 'expected a whole number of days, 1–365' }).int('expected a whole number of days, 1–365')
    .min(1, 'expected a whole number of days, 1–365').max(365, 'expected a whole number of days, 1–365').default(15),
  CONTRACT_UNIT: z.enum(['calendar', 'business'], { error: 'expected calendar or business' }).default('calendar'),
  GDPR_PAUSE: bool('GDPR_PAUSE').default(true),
  GDPR_EXTENSION_FROM: z.enum(['receipt', 'due'], { error: 'expected receipt or due' }).default('receipt'),
  LGPD_ROLL: bool('LGPD_ROLL').default(false),
  DPO_EMAIL: email,
  DEFAULT_LANGUAGE: z.enum(LANGUAGES, { error: `expected one of ${LANGUAGES.join(', ')}` }).default('en'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected a log level such as info' })
    .default('info'),
  OUTBOX_DIR: z.string().optional(),
  WORKFLOWS_DIR: z.string().trim().min(1).optional(),
  TEMPLATES_DIR: z.string().trim().min(1).optional(),
  // The DPO mailbox (read with IMAP). Unset IMAP_HOST: no mailbox, the demo runs over sample mail.
  IMAP_HOST: z.string().trim().min(1).optional(),
  IMAP_PORT: port('IMAP_PORT').default(993),
  IMAP_SECURE: bool('IMAP_SECURE').default(true),
  IMAP_USER: z.string().optional(),
  IMAP_PASSWORD: z.string().optional(),
  IMAP_MAILBOX: z.string().min(1).default('INBOX'),
  IMAP_PROCESSED_MAILBOX: z.string().min(1).default('Processed'),
  IMAP_QUARANTINE_MAILBOX: z.string().min(1).default('Quarantine'),
  IMAP_POLL_SECONDS: z.coerce.number({ error: 'expected seconds, 10–120' }).int().min(10, 'expected seconds, 10–120')
    .max(120, 'expected seconds, 10–120').default(60),
  // Sending (nodemailer over SMTP). Unset SMTP_HOST: mail is written to OUTBOX_DIR instead.
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: port('SMTP_PORT').default(587),
  SMTP_SECURE: bool('SMTP_SECURE').default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  MAIL_FROM: email.optional(),
  MAIL_SENT_MAILBOX: z.string().optional(),
  MAIL_SIGNING_SECRET: z.string().min(16, 'expected at least 16 characters').optional(),
  MAIL_RECEIVING_HOSTS: z.string().default('').transform((v) => list(v).map((h) => h.toLowerCase())),
  MAIL_MAX_BYTES: z.coerce.number({ error: 'expected a size in bytes' }).int().positive('expected a size in bytes')
    .default(25 * 1024 * 1024),
  MAIL_MAX_ATTACHMENT_BYTES: z.coerce.number({ error: 'expected a size in bytes' }).int()
    .positive('expected a size in bytes').default(10 * 1024 * 1024),
  AUTO_MAIL_CAP_PER_DAY: z.coerce.number({ error: 'expected a whole number' }).int().min(1, 'expected at least 1').default(5),
  // Slack (HTTP receiver with SLACK_SIGNING_SECRET, or Socket Mode when SLACK_APP_TOKEN is set).
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'expected a bot token (xoxb-…)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the app\'s signing secret').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'expected an app-level token (xapp-…)').optional(),
  SLACK_API_URL: z.url({ error: 'expected a URL ending in /api/' }).optional(),
  SLACK_TRIAGE_CHANNEL: z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a channel id such as C0123ABCD').optional(),
  SLACK_MANAGERS_CHANNEL: z.string().regex(/^[CG][A-Z0-9]+$/, 'expected a channel id such as C0123ABCD').optional(),
  SLACK_COMMAND: z.string().regex(/^\/[a-z0-9_-]+$/, 'expected a slash command such as /dpo').default('/dpo'),
  SLACK_AGENTS: z.string().default('').transform(list),
  SLACK_DPOS: z.string().default('').transform(list),
  SLACK_MANAGERS: z.string().default('').transform(list),
  SLACK_AGENTS_GROUP: z.string().optional(),
  PORT: port('PORT').default(3000),
  MANAGERS_EMAIL: z.string().default('').transform(list).refine((xs) => xs.every((x) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(x)), 'expected comma-separated e-mail addresses'),
  DIGEST_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (organisation time zone)').default('08:00'),
  REMINDER_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (organisation time zone)').default('09:00'),
  WORKING_HOURS: z.string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'expected HH:MM-HH:MM such as 09:00-17:00')
    .refine((s) => s.slice(0, 5) < s.slice(6), 'expected the opening before the closing time').default('09:00-17:00'),
  // Retention of the desk's own data (gdpr-rules §7).
  RETENTION_CONTENT_DAYS: wholeNumber('days', 0, 3650).default(90),
  RETENTION_FACTS_MONTHS: wholeNumber('months', 1, 600).default(36),
  RETENTION_BREACH_YEARS: wholeNumber('years', 1, 100).default(5),
  PURGE_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (organisation time zone)').default('03:30'),
  BREACH_NOTICES_PER_MINUTE: z.coerce.number({ error: 'expected a whole number, 1–10000' }).int().min(1, 'expected a whole number, 1–10000')
    .max(10_000, 'expected a whole number, 1–10000').default(30),
  PROCESSOR_CONTROLLERS: z.string().default('').transform(parseControllers)
    .refine((m) => m !== null, 'expected domain-or-address=controller@address pairs separated by commas'),
});

function wholeNumber(unit: string, min: number, max: number) {
  const m = `expected a whole number of ${unit}, ${min}–${max}`;
  return z.coerce.number({ error: m }).int(m).min(min, m).max(max, m);
}

function port(name: string) {
  return z.coerce.number({ error: `${name}: expected a port number` }).int(`${name}: expected a port number`)
    .min(1, `${name}: expected a port number`).max(65535, `${name}: expected a port number`);
}

/** `example.org=privacy@example.org,ada@example.net=dpo@example.net` → customer → controller address. */
function parseControllers(v: string): Record<string, string> | null {
  const map: Record<string, string> = {};
  for (const pair of list(v)) {
    const [from, to] = pair.split('=').map((x) => x?.trim().toLowerCase());
    if (!from || !to || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) return null;
    map[from] = to;
  }
  return map;
}

export interface Config {
  databaseUrl: string;
  /** Where an SQLite file's read-write connection runs: on the event loop's thread, or its own (writer-thread.ts). */
  sqliteWriter: 'inline' | 'thread';
  org: {
    name: string;
    timezone: string;
    holidays: string;
    closures: LocalDate[];
    role: OrgRole;
    regimes: RequestRegime[];
    /** Internal domains: forwards from them are trusted; default the domain of DPO_EMAIL. */
    domains: string[];
    dpoEmail: string;
    defaultLanguage: Language;
  };
  clocks: ClockSettings;
  logLevel: string;
  /** Where the file transport writes outgoing effects when no mail server or Slack is configured. */
  outboxDir: string | null;
  /** The workflow definitions (default: the shipped workflows/) and the templates (default: templates/). */
  workflowsDir: string | null;
  templatesDir: string | null;
  imap: { host: string; port: number; secure: boolean; user: string; password: string; mailbox: string;
    processed: string; quarantine: string; pollSeconds: number } | null;
  smtp: { host: string; port: number; secure: boolean; user: string | null; password: string | null } | null;
  mail: {
    /** The From of everything dpo-desk sends (default DPO_EMAIL). */
    from: string;
    sentMailbox: string | null;
    /** HMAC key of our Message-IDs; the demo's fixed key is used only without a mailbox or mail server. */
    signingSecret: string;
    /** Our own MX/IMAP hosts: their Received headers date the receipt (gdpr-rules §1). */
    receivingHosts: string[];
    maxBytes: number;
    /** The most a reply's attachments may weigh together (the files' own bytes). */
    maxAttachmentBytes: number;
    autoMailCapPerDay: number;
    /** Processor role: customer domain or address → the controller's address requests are forwarded to. */
    controllers: Record<string, string>;
  };
  slack: {
    botToken: string;
    signingSecret: string | null;
    appToken: string | null;
    apiUrl: string | null;
    triageChannel: string | null;
    managersChannel: string | null;
    command: string;
    port: number;
    /** Slack user ids per role; unmapped users get a read-only view without personal data. */
    roles: { agents: string[]; dpos: string[]; managers: string[]; agentsGroup: string | null };
  } | null;
  /** Managers' addresses for deadline alerts and the digest. */
  managersEmail: string[];
  /** Local time (HH:MM, ORG_TIMEZONE) of the daily digest, and of date-based reminders. */
  digestTime: string;
  /** Where `start` serves /health, /ready, /metrics (and Slack's HTTP receiver): PORT. */
  httpPort: number;
  reminderTime: string;
  /** `HH:MM-HH:MM` (ORG_TIMEZONE) on working days: what request escalation counts as working hours. */
  workingHours: string;
  /** How long the desk keeps what it holds after a case closes (gdpr-rules §7), and when the daily purge runs. */
  retention: { contentDays: number; factsMonths: number; breachYears: number; purgeTime: string };
  /** Art. 34 notices leave the outbox at most this many a minute. */
  breach: { noticesPerMinute: number };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Values the demo uses when the environment does not set them: it runs with no configuration at all. */
export const DEMO_DEFAULTS: Record<string, string> = {
  ORG_NAME: 'Example Org (demo)',
  DPO_EMAIL: 'dpo@example.com',
};

export interface ConfigSources {
  /** Reads a `<KEY>_FILE`; injected so tests need no files. */
  readFile: (path: string) => string;
  /** Defaults used where the environment has no value (the demo's). */
  defaults?: Record<string, string>;
}

/** Parses the environment; on failure, one line per bad key: `KEY: what is expected`. */
export function parseConfig(env: Record<string, string | undefined>, sources: ConfigSources): ConfigResult {
  const { values, errors } = resolveFiles(env, sources);
  const parsed = schema.safeParse({ ...sources.defaults, ...values });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '?');
      const missing = issue.code === 'invalid_type' && values[key] === undefined;
      errors.push(`${key}: ${missing ? 'missing; ' : ''}${issue.message.replace(/^[A-Z_]+: /, '')}`);
    }
  }
  errors.push(...crossKeyErrors(values));
  if (errors.length || !parsed.success) return { ok: false, errors: [...new Set(errors)].sort() };
  return { ok: true, config: toConfig(parsed.data) };
}

function resolveFiles(env: Record<string, string | undefined>, sources: ConfigSources) {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  for (const key of Object.keys(schema.shape)) {
    const direct = env[key];
    const file = env[`${key}_FILE`];
    if (direct !== undefined && direct !== '') values[key] = direct;
    else if (file) {
      try {
        values[key] = sources.readFile(file).replace(/\r?\n$/, '');
      } catch {
        errors.push(`${key}_FILE: cannot read the file it names`);
      }
    }
  }
  return { values, errors };
}

/** Keys that only make sense together. */
function crossKeyErrors(e: Record<string, string | undefined>): string[] {
  const errors: string[] = [];
  if (e.IMAP_HOST) {
    if (!e.IMAP_USER) errors.push('IMAP_USER: missing; required when IMAP_HOST is set');
    if (!e.IMAP_PASSWORD) errors.push('IMAP_PASSWORD: missing; required when IMAP_HOST is set');
  }
  if ((e.IMAP_HOST || e.SMTP_HOST) && !e.MAIL_SIGNING_SECRET) {
    errors.push('MAIL_SIGNING_SECRET: missing; required with a mailbox or mail server (signs our Message-IDs)');
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    errors.push('SLACK_SIGNING_SECRET: missing; required with SLACK_BOT_TOKEN unless SLACK_APP_TOKEN (Socket Mode) is set');
  }
  if (e.SMTP_USER && !e.SMTP_PASSWORD) errors.push('SMTP_PASSWORD: missing; required when SMTP_USER is set');
  // CCPA regulations (11 CCR § 7101): records of consumer requests are kept for at least 24 months.
  const factsMonths = Number(e.RETENTION_FACTS_MONTHS ?? 36);
  if (list(e.ORG_REGIMES ?? '').includes('ccpa') && Number.isInteger(factsMonths) && factsMonths < 24) {
    errors.push(
      'RETENTION_FACTS_MONTHS: at least 24 when ORG_REGIMES includes ccpa (CCPA keeps request records 24 months)',
    );
  }
  return errors;
}

function toConfig(e: z.infer<typeof schema>): Config {
  const dpoDomain = e.DPO_EMAIL.split('@')[1]!;
  return {
    databaseUrl: e.DATABASE_URL,
    sqliteWriter: e.SQLITE_WRITER,
    org: {
      name: e.ORG_NAME,
      timezone: e.ORG_TIMEZONE,
      holidays: e.ORG_HOLIDAYS,
      closures: e.HOLIDAY_CLOSURES,
      role: e.ORG_ROLE,
      regimes: e.ORG_REGIMES as RequestRegime[],
      domains: e.ORG_DOMAINS ?? [dpoDomain],
      dpoEmail: e.DPO_EMAIL,
      defaultLanguage: e.DEFAULT_LANGUAGE,
    },
    clocks: {
      gdprPause: e.GDPR_PAUSE,
      gdprExtensionFrom: e.GDPR_EXTENSION_FROM,
      contractDays: e.CONTRACT_DAYS,
      contractUnit: e.CONTRACT_UNIT,
      lgpdRoll: e.LGPD_ROLL,
    },
    logLevel: e.LOG_LEVEL,
    outboxDir: e.OUTBOX_DIR ?? null,
    workflowsDir: e.WORKFLOWS_DIR ?? null,
    templatesDir: e.TEMPLATES_DIR ?? null,
    imap: e.IMAP_HOST ? {
      host: e.IMAP_HOST, port: e.IMAP_PORT, secure: e.IMAP_SECURE, user: e.IMAP_USER!, password: e.IMAP_PASSWORD!,
      mailbox: e.IMAP_MAILBOX, processed: e.IMAP_PROCESSED_MAILBOX, quarantine: e.IMAP_QUARANTINE_MAILBOX,
      pollSeconds: e.IMAP_POLL_SECONDS,
    } : null,
    smtp: e.SMTP_HOST ? {
      host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, user: e.SMTP_USER ?? null, password: e.SMTP_PASSWORD ?? null,
    } : null,
    mail: {
      from: e.MAIL_FROM ?? e.DPO_EMAIL,
      sentMailbox: e.MAIL_SENT_MAILBOX || null,
      signingSecret: e.MAIL_SIGNING_SECRET ?? 'demo-only-signing-secret',
      receivingHosts: e.MAIL_RECEIVING_HOSTS,
      maxBytes: e.MAIL_MAX_BYTES,
      maxAttachmentBytes: e.MAIL_MAX_ATTACHMENT_BYTES,
      autoMailCapPerDay: e.AUTO_MAIL_CAP_PER_DAY,
      controllers: e.PROCESSOR_CONTROLLERS!,
    },
    slack: e.SLACK_BOT_TOKEN ? {
      botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET ?? null, appToken: e.SLACK_APP_TOKEN ?? null,
      apiUrl: e.SLACK_API_URL ?? null, triageChannel: e.SLACK_TRIAGE_CHANNEL ?? null,
      managersChannel: e.SLACK_MANAGERS_CHANNEL ?? null, command: e.SLACK_COMMAND, port: e.PORT,
      roles: { agents: e.SLACK_AGENTS, dpos: e.SLACK_DPOS, managers: e.SLACK_MANAGERS, agentsGroup: e.SLACK_AGENTS_GROUP ?? null },
    } : null,
    managersEmail: e.MANAGERS_EMAIL,
    digestTime: e.DIGEST_TIME,
    httpPort: e.PORT,
    reminderTime: e.REMINDER_TIME,
    workingHours: e.WORKING_HOURS,
    retention: {
      contentDays: e.RETENTION_CONTENT_DAYS, factsMonths: e.RETENTION_FACTS_MONTHS,
      breachYears: e.RETENTION_BREACH_YEARS, purgeTime: e.PURGE_TIME,
    },
    breach: { noticesPerMinute: e.BREACH_NOTICES_PER_MINUTE },
  };
}

/** The keys the schema knows (for `doctor` and the `.env.example` test). */
export const CONFIG_KEYS = Object.keys(schema.shape);
