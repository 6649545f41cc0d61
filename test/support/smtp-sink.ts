/**
 * Outgoing-mail capture for tests: an in-process smtp-server on a free loopback port (no auth, no TLS) that
 * parses and keeps every accepted message, with programmable 451/550 failures at RCPT or DATA.
 *
 * Start it inside the test file (beforeAll), not in global-setup: workers cannot see another process's array.
 * smtp-server waits 100 ms before every greeting, so give nodemailer `pool: true` when sending many messages.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from 'smtp-server';

export interface SinkMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: Email;
}

export interface SinkFailure {
  /** Reject every RCPT TO of the transaction, or the message after DATA. */
  at: 'rcpt' | 'data';
  code: 451 | 550;
  /** How many transactions (MAIL FROM … end) fail before the sink heals. Default 1. */
  times?: number;
  message?: string;
}

export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  /** Accepted messages, in order. */
  readonly messages: SinkMessage[];
  /** Mail transactions seen (each MAIL FROM), accepted or rejected. */
  readonly attempts: number;
  /** Queue a failure for the next transaction(s); several calls queue up in order. */
  failNext(failure: SinkFailure): void;
  /** Drop queued failures. */
  heal(): void;
  /** Resolves with `messages` once at least `n` are stored; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Closes the server and destroys open client sockets (pooled nodemailer connections included). */
  close(): Promise<void>;
}

const DEFAULT_TEXT = { 451: '4.3.0 Temporary failure (test sink)', 550: '5.7.1 Rejected (test sink)' } as const;

function smtpError(code: number, message: string): SMTPServerError {
  const e: SMTPServerError = new Error(message);
  e.responseCode = code;
  return e;
}

export interface SinkOptions {
  port?: number;
  /**
   * Runs before the sink says 250, as a provider that files what it sends (Gmail, Microsoft 365) does: the message
   * is in the Sent folder before the sender hears it was accepted. A rejection answers 451.
   */
  beforeAccept?: (raw: Buffer) => Promise<void>;
}

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const queue: { at: 'rcpt' | 'data'; code: number; message: string; left: number }[] = [];
  /** The failure decided for the transaction in progress, per session id. */
  const planned = new Map<string, { at: 'rcpt' | 'data'; code: number; message: string } | null>();
  const events = new EventEmitter();
  const sockets = new Set<Socket>();
  let attempts = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    closeTimeout: 100,
    logger: false,
    size: 50 * 1024 * 1024,
    onMailFrom(_address, session: SMTPServerSession, cb) {
      attempts++;
      const next = queue[0];
      if (next) {
        planned.set(session.id, { at: next.at, code: next.code, message: next.message });
        if (--next.left <= 0) queue.shift();
      } else {
        planned.set(session.id, null);
      }
      cb();
    },
    onRcptTo(_address, session, cb) {
      const plan = planned.get(session.id);
      if (plan?.at === 'rcpt') return cb(smtpError(plan.code, plan.message));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e) => cb(e));
      stream.on('end', () => {
        const plan = planned.get(session.id);
        planned.delete(session.id);
        if (plan?.at === 'data') return cb(smtpError(plan.code, plan.message));
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        PostalMime.parse(raw).then(
          async (parsed) => {
            try {
              await opts.beforeAccept?.(raw);
            } catch (e) {
              return cb(smtpError(451, `4.3.0 not filed: ${(e as Error).message}`));
            }
            messages.push({ envelope: { from, to }, raw, parsed });
            cb(null, `2.0.0 queued as ${messages.length}`);
            events.emit('message');
          },
          (e: Error) => cb(smtpError(554, `5.6.0 unparseable message: ${e.message}`)),
        );
      });
    },
    onClose(session) {
      planned.delete(session.id);
    },
  });
  server.on('error', () => {}); // client resets must not crash the test process
  server.server.on('connection', (sock: Socket) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;

  return {
    host: '127.0.0.1',
    port,
    messages,
    get attempts() {
      return attempts;
    },
    failNext(f) {
      const times = f.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new Error(`failNext: times must be a positive integer, got ${times}`);
      queue.push({ at: f.at, code: f.code, message: f.message ?? DEFAULT_TEXT[f.code], left: times });
    },
    heal() {
      queue.length = 0;
    },
    waitFor(n, timeoutMs = 5_000) {
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const onMessage = () => {
          if (messages.length < n) return;
          clearTimeout(timer);
          events.off('message', onMessage);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          events.off('message', onMessage);
          reject(new Error(`smtp sink: ${messages.length} of ${n} messages after ${timeoutMs} ms (${attempts} attempts)`));
        }, timeoutMs);
        events.on('message', onMessage);
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000); // bounded, whatever smtp-server does
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
