/** Builds the real desk (src/main.ts) for a test: a given database, a virtual clock, silent logs. */
import { parseConfig, type Config } from '../../src/config.ts';
import { createDesk, type Desk, type DeskOptions } from '../../src/main.ts';
import { createLogger } from '../../src/logger.ts';

export interface VirtualClock {
  (): Date;
  set(d: Date | string): void;
  advance(ms: number): void;
}

/** Time that moves only when a test moves it. */
export function virtualClock(start: Date | string): VirtualClock {
  let t = new Date(start).getTime();
  const clock = (() => new Date(t)) as VirtualClock;
  clock.set = (d) => { t = new Date(d).getTime(); };
  clock.advance = (ms) => { t += ms; };
  return clock;
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  const r = parseConfig({
    DATABASE_URL: databaseUrl, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com', ORG_HOLIDAYS: 'DE',
    LOG_LEVEL: 'silent', ...env,
  }, { readFile: () => '' });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

export function testDesk(databaseUrl: string, opts: Partial<DeskOptions> & { env?: Record<string, string> } = {}): Desk {
  let n = 0;
  return createDesk({
    config: testConfig(databaseUrl, opts.env),
    log: createLogger('silent'),
    newId: () => `id-${String(++n).padStart(6, '0')}-${Math.random().toString(36).slice(2, 8)}`,
    random: () => 0.5,
    ...opts,
  });
}
