/** What every use case is given: built once in the composition root (src/main.ts), or by a test. */
import type { Logger } from 'pino';
import type { Database } from '../adapters/db/database.ts';
import type { Workflows } from '../adapters/workflows/load-workflows.ts';
import type { Config } from '../config.ts';
import type { WorkingCalendar } from '../domain/deadlines/working-calendar.ts';
import type { MailComposer, Understand } from './ports.ts';
import type { IntakePolicy } from '../domain/intake/understanding.ts';
import type { DeskRole } from '../domain/workflow/permissions.ts';

export interface AppDeps {
  database: Database;
  config: Config;
  workflows: Workflows;
  calendar: WorkingCalendar;
  /** Renders templated mail into outbox payloads (null: mail effects are recorded as withheld). */
  mail: MailComposer | null;
  /** What mail intake knows about the organisation (domains, own addresses, keywords). */
  intake: IntakePolicy;
  /** Where mail is understood when not in-process with `intake` (the running desk's worker thread). */
  understand?: Understand;
  newId: () => string;
  random: () => number;
  /** Read only by long-running adapters (the deliverer after a send); use cases take `now` as an argument. */
  clock: () => Date;
  log: Logger;
}

/** An actor: who did it (a Slack user id, an e-mail, `system`, `cli`) and in which role. */
export interface Actor {
  id: string;
  role: DeskRole;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; code: string; message: string };
