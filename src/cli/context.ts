/**
 * What every command needs: the environment parsed into a Config (the demo's defaults fill ORG_NAME and
 * DPO_EMAIL when unset), and the desk built from it. Config errors name every bad key and exit non-zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DEMO_DEFAULTS, parseConfig, type Config } from '../config.ts';
import { createDesk, type Desk } from '../main.ts';
import { createLogger } from '../logger.ts';
import pino from 'pino';

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

export function loadConfig(io: CliIo, opts: { requireOrg?: boolean } = {}): Config {
  const r = parseConfig(io.env, { readFile: (p) => readFileSync(p, 'utf8'), defaults: opts.requireOrg ? {} : DEMO_DEFAULTS });
  if (!r.ok) {
    throw new CliError(`Configuration is invalid (see .env.example):\n${r.errors.map((e) => `  ${e}`).join('\n')}`, 1);
  }
  return r.config;
}

export interface WithDeskOptions {
  /** The configuration already parsed (default: from the environment, demo defaults allowed). */
  config?: Config;
  clock?: () => Date;
  logLevel?: string;
  /** Bring the schema up to date first (default true; `doctor` reports pending migrations instead). */
  migrate?: boolean;
}

/** Every command's way to the desk: builds it (src/main.ts), migrates, runs `fn`, always closes the database. */
export async function withDesk<T>(io: CliIo, fn: (desk: Desk) => Promise<T>, opts: WithDeskOptions = {}): Promise<T> {
  const config = opts.config ?? loadConfig(io);
  const log = cliLogger(opts.logLevel ?? config.logLevel);
  const desk = createDesk({ config, log, ...(opts.clock ? { clock: opts.clock } : {}) });
  try {
    if (opts.migrate !== false) await desk.migrate();
    return await fn(desk);
  } finally {
    await desk.close();
  }
}

/** Loads `.env` from the working directory when present (Node's own loader; the environment wins). */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Commands print results on stdout; logs go to stderr so `--json` output stays clean. */
export function cliLogger(level: string) {
  return createLogger(level, pino.destination(2));
}
