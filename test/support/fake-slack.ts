/**
 * Slack without Slack: a fake Web API on loopback that records every call (`blocks`/`view` parsed from their JSON
 * strings), a sink for response_url posts, injectable failures (429 with Retry-After, `{ok:false}`), a Socket Mode
 * stand-in (apps.connections.open → ws://127.0.0.1, `hello`, envelopes, acks) written against RFC 6455 directly,
 * files.uploadV2's three steps (getUploadURLExternal, the upload to the URL it returns, completeUploadExternal),
 * and a request signer that signs exactly as Slack does (v0 HMAC-SHA256 over `v0:<ts>:<body>`).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SlackCall {
  method: string;
  params: Record<string, any>;
  token: string | null;
  /** Answered with an injected failure (429, 5xx, `{ok:false}`): it had no effect in Slack. */
  failed?: boolean;
}

interface Failure {
  status?: number;
  retryAfter?: number;
  error?: string;
  /** The call takes effect in Slack, but its response is lost (the connection drops): a timeout after success. */
  dropResponse?: boolean;
  times: number;
}

/** A message as Slack keeps it, for conversations.history / conversations.replies. */
export interface PostedMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata', 'files'];

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Every message posted, per channel, oldest first (what the channel history shows). */
  readonly messages: PostedMessage[] = [];
  /** Members of user groups, for `usergroups.users.list`. */
  readonly usergroups: Record<string, string[]> = {};
  /** Bytes uploaded to the URLs files.getUploadURLExternal handed out (files.uploadV2), by file id. */
  readonly uploads = new Map<string, Buffer>();
  /** Files a user chose in a modal's file_input: served by files.info and, with a bot token, at their URL. */
  readonly files = new Map<string, { name: string; mimetype: string; bytes: Buffer }>();
  private server: Server | null = null;
  private failures = new Map<string, Failure[]>();
  private seq = 0;
  readonly sockets = new Set<Socket>();
  /** Pings received from Socket Mode clients (each answered with a pong). */
  pings = 0;
  private acks = new Map<string, (payload: unknown) => void>();

  get port(): number { return (this.server!.address() as AddressInfo).port; }
  get apiUrl(): string { return `http://127.0.0.1:${this.port}/api/`; }
  responseUrl(id: string = randomUUID()): string { return `http://127.0.0.1:${this.port}/response/${id}`; }

  async start(): Promise<this> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    this.server.on('upgrade', (req, socket: Socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** The next `times` calls of `method` fail: HTTP `status` (429 with Retry-After) or `{ok:false, error}`. */
  fail(method: string, f: Partial<Failure> & { times?: number }): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), { times: 1, ...f }]);
  }

  /** Calls of `method` that took effect (optionally filtered); `attempts` includes the ones answered with a failure. */
  of(method: string, where: (c: SlackCall) => boolean = () => true): SlackCall[] {
    return this.calls.filter((c) => c.method === method && !c.failed && where(c));
  }

  /** A file as a user's upload in a modal: kept here, returned as the object Slack puts in a file_input's state. */
  addFile(name: string, mimetype: string, bytes: Buffer): Record<string, unknown> {
    const id = `F${String(this.files.size + 1).padStart(4, '0')}${randomUUID().slice(0, 6).toUpperCase()}`;
    this.files.set(id, { name, mimetype, bytes });
    return this.fileObject(id);
  }

  private fileObject(id: string): Record<string, unknown> {
    const f = this.files.get(id)!;
    const url = `http://127.0.0.1:${this.port}/files/${id}`;
    return {
      id, name: f.name, title: f.name, mimetype: f.mimetype, size: f.bytes.length,
      url_private: url, url_private_download: url,
    };
  }

  attempts(method: string, where: (c: SlackCall) => boolean = () => true): SlackCall[] {
    return this.calls.filter((c) => c.method === method && where(c));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? '';
    if (url.startsWith('/files/')) { // a file's url_private_download: only with a token, as Slack serves it
      const file = this.files.get(url.slice('/files/'.length));
      const authorized = String(req.headers.authorization ?? '').startsWith('Bearer xox');
      this.calls.push({ method: 'file_download', params: { url }, token: authorized ? 'bearer' : null });
      res.writeHead(file && authorized ? 200 : 404, { 'content-type': file?.mimetype ?? 'text/plain' });
      return void res.end(file && authorized ? file.bytes : 'not found');
    }
    if (url.startsWith('/upload/')) { // step 2 of files.uploadV2: the bytes, to the URL Slack handed out
      const bytes = uploadedBytes(Buffer.concat(chunks), String(req.headers['content-type'] ?? ''));
      this.uploads.set(url.slice('/upload/'.length), bytes);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('OK - 1');
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    if (url.startsWith('/response/')) {
      this.calls.push({ method: 'response_url', params: { ...JSON.parse(raw || '{}'), url }, token });
      return send(res, 200, { ok: true });
    }
    const method = url.replace(/^\/api\//, '').split('?')[0]!;
    const params = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const call: SlackCall = { method, params, token };
    this.calls.push(call);
    const failure = this.failures.get(method)?.[0];
    if (failure?.dropResponse) {
      if (--failure.times <= 0) this.failures.get(method)!.shift();
      this.answer(method, params); // it happened in Slack…
      return void req.socket.destroy(); // …but the app never hears so
    }
    if (failure) {
      call.failed = true;
      if (--failure.times <= 0) this.failures.get(method)!.shift();
      if (failure.status) {
        res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}) });
        return void res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      }
      return send(res, 200, { ok: false, error: failure.error ?? 'fatal_error' });
    }
    send(res, 200, this.answer(method, params));
  }

  private answer(method: string, p: Record<string, any>): Record<string, unknown> {
    const n = ++this.seq;
    switch (method) {
      case 'auth.test': return { ok: true, team_id: 'T0001', user_id: 'UBOT', bot_id: 'BBOT', team: 'Test', user: 'dpo-desk' };
      case 'chat.postMessage': {
        const ts = `1700000000.${String(n).padStart(6, '0')}`;
        this.messages.push({
          channel: p.channel, ts, text: p.text, ...(p.thread_ts ? { thread_ts: p.thread_ts } : {}),
          ...(p.metadata && typeof p.metadata === 'object' ? { metadata: p.metadata } : {}),
        });
        return { ok: true, channel: p.channel, ts, message: { text: p.text } };
      }
      case 'conversations.history': case 'conversations.replies': return this.history(method, p);
      case 'chat.update': return { ok: true, channel: p.channel, ts: p.ts };
      case 'chat.postEphemeral': return { ok: true, message_ts: `1700000000.${String(n).padStart(6, '0')}` };
      case 'conversations.open': return { ok: true, channel: { id: `D${String(p.users).replace(/^U/, '')}` } };
      case 'files.getUploadURLExternal': {
        const id = `F${String(n).padStart(6, '0')}`;
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return { ok: true, files: (p.files ?? []).map((f: { id: string; title?: string }) => ({ ...f })) };
      case 'files.info': {
        const f = this.files.get(String(p.file));
        return f ? { ok: true, file: this.fileObject(String(p.file)) } : { ok: false, error: 'file_not_found' };
      }
      case 'usergroups.users.list': return { ok: true, users: this.usergroups[p.usergroup] ?? [] };
      case 'apps.connections.open': return { ok: true, url: `ws://127.0.0.1:${this.port}/socket?ticket=${randomUUID()}` };
      case 'views.open': case 'views.push': case 'views.publish': case 'views.update':
        return { ok: true, view: { ...p.view, id: p.view_id ?? `V${String(n).padStart(6, '0')}`, hash: `h${n}` } };
      default: return { ok: true };
    }
  }

  /**
   * Newest first, `limit` per page with a cursor, as Slack pages; metadata only with include_all_metadata. History
   * shows a channel's top-level messages; replies a thread's parent and replies (oldest first, as Slack does).
   */
  private history(method: string, p: Record<string, any>): Record<string, unknown> {
    const all = method === 'conversations.history'
      ? this.messages.filter((m) => m.channel === p.channel && !m.thread_ts).reverse()
      : this.messages.filter((m) => m.channel === p.channel && (m.ts === p.ts || m.thread_ts === p.ts));
    const limit = Number(p.limit ?? 100);
    const from = Number(p.cursor ?? 0);
    const withMeta = p.include_all_metadata === true || p.include_all_metadata === 'true';
    const page = all.slice(from, from + limit)
      .map(({ metadata, channel: _, ...m }) => ({ type: 'message', ...m, ...(withMeta && metadata ? { metadata } : {}) }));
    const next = from + limit < all.length ? String(from + limit) : '';
    return { ok: true, messages: page, has_more: Boolean(next), response_metadata: { next_cursor: next } };
  }

  // ── Socket Mode (RFC 6455, server side: unmasked frames out, masked frames in) ──────────────────────────────

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const key = req.headers['sec-websocket-key'];
    if (!req.url?.startsWith('/socket') || typeof key !== 'string') return void socket.destroy();
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    let buf = head;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (let f = readFrame(buf); f; f = readFrame(buf)) {
        buf = buf.subarray(f.length);
        this.onFrame(socket, f.opcode, f.payload);
      }
    });
    writeFrame(socket, 1, JSON.stringify({
      type: 'hello', num_connections: 1, debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: 'A0FAKE' },
    }));
  }

  private onFrame(socket: Socket, opcode: number, payload: Buffer): void {
    if (opcode === 9) { this.pings++; return writeFrame(socket, 10, payload); } // ping → pong
    if (opcode === 8) { writeFrame(socket, 8, payload.subarray(0, 2)); socket.end(); return; }
    if (opcode !== 1) return;
    const msg = JSON.parse(payload.toString('utf8')) as { envelope_id?: string; payload?: unknown };
    if (msg.envelope_id) this.acks.get(msg.envelope_id)?.(msg.payload ?? {});
  }

  /** Asks every connected client to reconnect, as Slack does before it rotates a connection. */
  disconnectAll(reason = 'refresh_requested'): void {
    for (const s of this.sockets) writeFrame(s, 1, JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
  }

  /** Pushes an envelope (`slash_commands`, `interactive`, `events_api`) and resolves with the app's ack payload. */
  sendEnvelope(type: string, payload: unknown, extra: Record<string, unknown> = {}): Promise<unknown> {
    const socket = [...this.sockets][0];
    if (!socket) throw new Error('no Socket Mode connection');
    const envelopeId = randomUUID();
    const acked = new Promise<unknown>((resolve) => this.acks.set(envelopeId, resolve));
    writeFrame(socket, 1, JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', ...extra }));
    return acked;
  }
}

/** The file in an upload body: raw bytes, or the first part of a multipart/form-data body (as the SDK sends it). */
function uploadedBytes(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return body;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(Buffer.from('\r\n\r\n'), body.indexOf(delimiter)) + 4;
  return body.subarray(start, body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseBody(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return raw ? JSON.parse(raw) : {};
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = JSON_FIELDS.includes(k) ? safeJson(v) : v;
  }
  return out;
}

const safeJson = (v: string) => { try { return JSON.parse(v); } catch { return v; } };

function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | null {
  if (buf.length < 2) return null;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let off = 2;
  if (len === 126) { if (buf.length < 4) return null; len = buf.readUInt16BE(2); off = 4; }
  else if (len === 127) { if (buf.length < 10) return null; len = Number(buf.readBigUInt64BE(2)); off = 10; }
  const maskOff = off;
  if (masked) off += 4;
  if (buf.length < off + len) return null;
  const payload = Buffer.from(buf.subarray(off, off + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[maskOff + (i % 4)]!;
  return { opcode, payload, length: off + len };
}

function writeFrame(socket: Socket, opcode: number, data: string | Buffer): void {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, payload.length])
    : payload.length < 65536 ? Buffer.from([0x80 | opcode, 126, payload.length >> 8, payload.length & 0xff])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(payload.length)); return b; })()]);
  if (!socket.destroyed) socket.write(Buffer.concat([head, payload]));
}

// ── Signing and request bodies ───────────────────────────────────────────────────────────────────────────────

/** Slack's request signature: `v0=` + HMAC-SHA256(secret, `v0:<ts>:<raw body>`). */
export function signedHeaders(secret: string, body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

/** A slash command's form body, as Slack sends it. */
export function commandBody(f: { command: string; text: string; user: string; channel?: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token', team_id: 'T0001', team_domain: 'test', channel_id: f.channel ?? 'C0TRIAGE',
    channel_name: 'dpo-triage', user_id: f.user, user_name: f.user.toLowerCase(), command: f.command, text: f.text,
    api_app_id: 'A0FAKE', is_enterprise_install: 'false', response_url: f.responseUrl,
    trigger_id: f.triggerId ?? `${Date.now()}.${randomUUID()}`,
  }).toString();
}

/** An interactivity body (`block_actions`, `view_submission`, `message_action`): `payload=<json>`. */
export function interactiveBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** POSTs a signed body to the app; `ts`/`secret` can be spoiled to test the verification. */
export async function postSigned(
  url: string, body: string, o: { secret: string; ts?: number; contentType?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string }> {
  const headers = { ...signedHeaders(o.secret, body, o.ts), ...(o.contentType ? { 'content-type': o.contentType } : {}), ...o.headers };
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}
