/**
 * The Sent folder (MAIL_SENT_MAILBOX): a copy of each sent mail filed there (the exact bytes that went out), and
 * the look-up by Message-ID that tells whether a mail an earlier attempt may have sent is there already.
 */
import { ImapFlow } from 'imapflow';
import type { Transport } from '../../app/ports.ts';
import type { Config } from '../../config.ts';
import { DeliveryError } from '../../domain/outbox-policy.ts';

export function createSentFolderTransport(imap: NonNullable<Config['imap']>, mailbox: string): Transport {
  const lookup = createSentFolderLookup(imap, mailbox);
  return {
    /** A copy filed by an earlier attempt (or by the provider) is not filed twice. */
    async alreadySent(row) {
      const head = Buffer.from(String(row.payload.raw), 'base64').toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
      const id = /^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^>\s]+>)/im.exec(head)?.[1];
      return id && await lookup(id) ? { ref: `${mailbox}: ${id} present` } : null;
    },
    async send(row) {
      const client = imapClient(imap);
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

/** Whether a mail with this Message-ID is in the Sent folder (a provider that files sent mail itself, or our copy). */
export function createSentFolderLookup(
  imap: NonNullable<Config['imap']>, mailbox: string,
): (messageId: string) => Promise<boolean> {
  return async (messageId) => {
    const client = imapClient(imap);
    try {
      await client.connect();
      const lock = await client.getMailboxLock(mailbox, { readOnly: true });
      try {
        const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        return Array.isArray(uids) && uids.length > 0;
      } finally {
        lock.release();
      }
    } catch (e) {
      // Unknown: do not guess. The row comes back later (retryable), rather than risking a second send.
      throw new DeliveryError(`Sent folder ${mailbox} not searchable: ${(e as Error).message}`, true);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
}

/** A short-lived IMAP client for one append or one search (errors surface through the awaited calls). */
function imapClient(imap: NonNullable<Config['imap']>): ImapFlow {
  const client = new ImapFlow({
    host: imap.host, port: imap.port, secure: imap.secure, auth: { user: imap.user, pass: imap.password },
    logger: false, emitLogs: false, disableAutoIdle: true,
  });
  client.on('error', () => {});
  return client;
}
