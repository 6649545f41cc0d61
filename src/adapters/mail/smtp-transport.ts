/**
 * Sends outbox mail over SMTP (nodemailer). The Message-ID we wrote is kept (providers that rewrite it report
 * theirs in the reply, kept as the transport ref too); 4xx and network failures retry, 5xx fail permanently.
 */
import nodemailer from 'nodemailer';
import type { Transport } from '../../app/ports.ts';
import type { MailPayload } from '../../app/ports.ts';
import { DeliveryError } from '../../domain/outbox-policy.ts';
import { smtpFailureIsRetryable } from '../../domain/smtp-errors.ts';
import type { Config } from '../../config.ts';

export interface SmtpTransport extends Transport {
  close(): void;
}

/** Header values from user input never carry CR/LF (header injection). */
const oneLine = (v: string) => v.replace(/[\r\n]+/g, ' ').trim();

export function createSmtpTransport(
  smtp: NonNullable<Config['smtp']>, from: string, fromName: string,
  opts: { keepCopy?: boolean; sentLookup?: (messageId: string) => Promise<boolean> } = {},
): SmtpTransport {
  // Builds the exact bytes first (nodemailer's stream transport): what is sent is what is filed and recorded.
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const transporter = nodemailer.createTransport({
    host: smtp.host, port: smtp.port, secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    pool: true, maxConnections: 2, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000,
  });
  return {
    async send(row) {
      const mail = row.payload as unknown as MailPayload;
      try {
        const built = await builder.sendMail({
          from: { name: oneLine(fromName), address: from },
          to: oneLine(mail.to),
          subject: oneLine(mail.subject),
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          inReplyTo: mail.inReplyTo,
          references: mail.references,
          headers: Object.fromEntries(Object.entries(mail.headers ?? {}).map(([k, v]) => [k, oneLine(v)])),
          attachments: (mail.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') })),
        });
        const raw = built.message as Buffer;
        const info = await transporter.sendMail({ envelope: { from, to: [oneLine(mail.to)] }, raw });
        return {
          ref: `${mail.messageId} ${oneLine(String(info.response ?? ''))}`.trim(),
          ...(opts.keepCopy ? { sentCopy: new Uint8Array(raw) } : {}),
        };
      } catch (e) {
        const err = e as Error & { responseCode?: number; code?: string };
        throw new DeliveryError(`SMTP ${err.responseCode ?? err.code ?? 'error'}: ${oneLine(err.message)}`, smtpFailureIsRetryable(err), null, err.code ?? null);
      }
    },
    // Mail keeps its Message-ID across attempts; where the Sent folder can be searched, a re-send is checked there.
    ...(opts.sentLookup ? {
      async alreadySent(row) {
        const messageId = String((row.payload as { messageId?: unknown }).messageId ?? '');
        return messageId && await opts.sentLookup!(messageId) ? { ref: `${messageId} found in the Sent folder` } : null;
      },
    } : {}),
    close: () => transporter.close(),
  };
}
