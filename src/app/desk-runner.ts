/**
 * The running desk: the mailbox poller and the outbox deliverer, until stopped. Stop is graceful: the loops
 * finish the step they are in (a claimed row is sent and recorded, a message settled) before the process ends.
 */
import type { Transports } from './deliver-outbox.ts';
import { drainOutbox } from './deliver-outbox.ts';
import type { AppDeps } from './deps.ts';

export interface Service {
  start(): void;
  stop(): Promise<void>;
}

export interface OutboxService extends Service {
  /** Something was queued (a sweep, a Slack action): deliver now instead of at the next interval. */
  wake(): void;
}

/** The process's one outbox deliverer: drains due rows every `everyMs` (retries become due by their backoff). */
export function outboxService(deps: AppDeps, transports: Transports, owner: string, everyMs = 2_000): OutboxService {
  let running = false;
  let loop: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  let poked = false;
  return {
    start() {
      running = true;
      loop = (async () => {
        while (running) {
          poked = false;
          try {
            await drainOutbox(deps, transports, { owner, stopped: () => !running });
          } catch (e) {
            deps.log.error({ err: (e as Error).message }, 'outbox delivery run failed');
          }
          if (!running || poked) continue;
          await new Promise<void>((resolve) => { wake = resolve; timer = setTimeout(resolve, everyMs); });
          wake = null;
        }
      })();
    },
    wake() {
      poked = true;
      wake?.();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
