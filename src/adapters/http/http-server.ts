/**
 * The desk's one HTTP server on PORT: GET routes (/health, /ready, /metrics) and, with the Slack HTTP receiver,
 * POST /slack/events. A small node:http server of our own, in every mode (Slack over HTTP, Socket Mode, or no
 * Slack at all), so the operations endpoints are always there. A handler that throws answers 500; it never takes
 * the process down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  port: number;
  host?: string;
  /** `GET /path` → handler. */
  routes: Record<string, Handler>;
  /** Anything else (the Slack receiver); 404 when absent. */
  other?: Handler;
  onError(err: Error): void;
}

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = opts.routes[`${req.method} ${path}`];
    const handler = route ?? opts.other ?? notFound;
    Promise.resolve().then(() => handler(req, res)).catch((e: Error) => {
      opts.onError(e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
