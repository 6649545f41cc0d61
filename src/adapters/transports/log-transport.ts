/** Logs that an effect would go out — kind, channel and case number only, never its content or recipient. */
import type { Logger } from 'pino';
import type { Transport } from '../../app/ports.ts';

export function createLogTransport(log: Logger): Transport {
  return {
    async send(row) {
      log.info({ outbox: row.id, channel: row.channel, kind: row.kind, case: row.payload.caseNumber ?? null }, 'effect delivered to the log');
      return { ref: null };
    },
  };
}
