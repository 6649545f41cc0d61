/**
 * The one logger factory. Log lines carry case numbers, kinds and ids — never a data subject's name, address or
 * message content; `redact` is a second line of defence for fields that must never appear.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const NEVER_LOGGED = ['*.email', '*.name', '*.to', '*.from', '*.subject', '*.text', '*.html', '*.content', '*.requester'];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: NEVER_LOGGED, censor: '[redacted]' }, base: { app: 'dpo-desk' } }, destination);
}
