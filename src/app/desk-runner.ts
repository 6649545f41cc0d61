/**
 * The running desk: the mailbox poller and the outbox deliverer, until stopped. Stop is graceful: the loops
 * finish the step they are in (a claimed row is sent and recorded, a message settled) before the process ends.
 */
import type { Transports } from './deliver-outbox.ts';
import { deliverOutbox } from './deliver-outbox.ts';
import type { AppDeps } from './deps.ts';

export interface Service {
  start(): void;
  stop(): Promise<void>;
}

/** Delivers due outbox rows every `everyMs` (retries become due by their backoff). */
export function outboxService(deps: AppDeps, transports: Transports, owner: string, everyMs = 2_000): Service {
  let running = false;
  let loop: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  return {
    start() {
      running = true;
      loop = (async () => {
        while (running) {
          try {
            const r = await deliverOutbox(deps, transports, { owner });
            if (r.sent + r.retried + r.failed > 0) continue; // more may be due
          } catch (e) {
            deps.log.error({ err: (e as Error).message }, 'outbox delivery run failed');
          }
          await new Promise<void>((resolve) => { wake = resolve; timer = setTimeout(resolve, everyMs); });
        }
      })();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
