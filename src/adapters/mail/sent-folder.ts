/** Files a copy of each sent mail in the Sent folder (MAIL_SENT_MAILBOX): the exact bytes that went out. */
import { ImapFlow } from 'imapflow';
import type { Transport } from '../../app/deliver-outbox.ts';
import type { Config } from '../../config.ts';
import { DeliveryError } from '../../domain/outbox-policy.ts';

export function createSentFolderTransport(imap: NonNullable<Config['imap']>, mailbox: string): Transport {
  return {
    async send(row) {
      const client = new ImapFlow({
        host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, pass: imap.password },
        logger: false, emitLogs: false, disableAutoIdle: true,
      });
      client.on('error', () => {});
      try {
        await client.connect();
        const res = await client.append(mailbox, Buffer.from(String(row.payload.raw), 'base64'), ['\\Seen']);
        return { ref: res ? `${mailbox}/${res.uid ?? '?'}` : null };
      } catch (e) {
        throw new DeliveryError(`IMAP append to ${mailbox}: ${(e as Error).message}`, true);
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
  };
}
