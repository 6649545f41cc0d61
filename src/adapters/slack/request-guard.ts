/**
 * Checks a Slack HTTP request before Bolt's receiver sees it. Bolt verifies the signature and rejects requests
 * more than 5 minutes old, but accepts any timestamp in the future, and a signed body that parses to something
 * other than an object (`payload=null`, a JSON `null`) throws inside its receiver and ends the process. Here:
 * timestamps more than 5 minutes away either way → 401; a good signature over a body that is not a Slack payload
 * → 400. The buffered body is handed on as `rawBody`, which Bolt reads instead of the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse } from 'node:querystring';
import { verifySlackRequest } from '@slack/bolt';

const MAX_SKEW_S = 5 * 60;
const BODY_LIMIT = 10 * 1024 * 1024;

export type GuardVerdict = { ok: true } | { ok: false; status: 400 | 401 | 413; why: string };

/** Reads the body and judges the request; on `ok`, `req.rawBody` holds the bytes for Bolt. */
export async function guardSlackRequest(
  req: IncomingMessage, signingSecret: string, nowMs: number,
): Promise<GuardVerdict> {
  const raw = await readBody(req);
  if (!raw) return { ok: false, status: 413, why: 'body too large' };
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
  const text = raw.toString('utf8');
  const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (form && parse(text).ssl_check === '1') return { ok: true }; // unsigned by design; Bolt answers it
  const ts = Number(req.headers['x-slack-request-timestamp']);
  if (!Number.isFinite(ts) || Math.abs(nowMs / 1000 - ts) > MAX_SKEW_S) {
    return { ok: false, status: 401, why: 'request timestamp missing or more than 5 minutes away' };
  }
  try {
    verifySlackRequest({
      signingSecret, body: text, nowMilliseconds: nowMs,
      headers: { 'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''), 'x-slack-request-timestamp': ts },
    });
  } catch {
    return { ok: false, status: 401, why: 'bad signature' };
  }
  return isSlackPayload(parseBody(text, form)) ? { ok: true } : { ok: false, status: 400, why: 'malformed body' };
}

function parseBody(text: string, form: boolean): unknown {
  try {
    if (!form) return JSON.parse(text);
    const qs = parse(text);
    return typeof qs.payload === 'string' ? JSON.parse(qs.payload) : 'payload' in qs ? null : qs;
  } catch {
    return null;
  }
}

/** An object naming what it is: an event/interaction `type`, or a slash `command`. */
function isSlackPayload(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  return typeof b.type === 'string' || typeof b.command === 'string';
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
