/**
 * bench/slack-ack: how fast our Slack app acknowledges `/dpo list` — Slack gives an app 3 s — as a ratio to a bare
 * Bolt app whose `/dpo` only acks, measured in the same run on the same machine.
 *
 * - Each app runs in its own child process (`--serve=ours|bare`), and the fake Slack Web API (auth.test, the
 *   response_url) in a third, so neither the load generator nor Slack's side shares an event loop with the app.
 * - Ours: the real desk on a fresh SQLite file with BENCH_SLACK_CASES open cases (default 200), the real Bolt app
 *   (createSlackApp): ack first, then the role lookup, the list query and respond() to the response_url.
 * - Load: BENCH_SLACK_REQUESTS signed requests per round (default 2,000) at concurrency 50 over keep-alive; a
 *   warm-up, then two rounds alternating bare/ours. Latency = request sent → HTTP response (the ack) received.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { envInt, fixed, int, table } from './lib.ts';

const SECRET = 'bench-signing-secret-0123456789';
const CONCURRENCY = 50;


// ── The apps (child processes) ─────────────────────────────────────────────────────────────────────────────────

type Role = 'fake' | 'ours' | 'bare';

async function serve(which: Role): Promise<void> {
  const stop: (() => Promise<void>)[] = [];
  let ready: string;
  if (which === 'fake') {
    const { FakeSlack } = await import('../test/support/fake-slack.ts');
    const fake = await new FakeSlack().start();
    stop.push(() => fake.stop());
    ready = `${fake.apiUrl} ${fake.responseUrl('bench')}`;
  } else {
    const apiUrl = process.env.BENCH_SLACK_API_URL!;
    ready = String(which === 'bare' ? await serveBare(apiUrl, stop) : await serveOurs(apiUrl, stop));
  }
  console.log(`READY ${ready}`);
  // The parent ends us by closing stdin (or SIGTERM): stop cleanly so nothing is left listening.
  await new Promise<void>((r) => { process.stdin.on('end', r); process.stdin.resume(); process.once('SIGTERM', r); });
  for (const s of stop) await s();
  process.exit(0);
}

async function serveBare(apiUrl: string, stop: (() => Promise<void>)[]): Promise<number> {
  const { App, LogLevel } = await import('@slack/bolt');
  const app = new App({ token: 'xoxb-bench', signingSecret: SECRET, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: apiUrl } });
  app.command('/dpo', async ({ ack }) => { await ack(); });
  const server = await app.start({ port: 0, host: '127.0.0.1' }) as http.Server;
  stop.push(() => app.stop() as Promise<void>);
  return (server.address() as { port: number }).port;
}

async function serveOurs(apiUrl: string, stop: (() => Promise<void>)[]): Promise<number> {
  const { testDesk, virtualClock } = await import('../test/support/desk.ts');
  const { createSlackApp } = await import('../src/adapters/slack/slack-app.ts');
  const { openCase } = await import('../src/app/open-case.ts');
  const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-bench-slack-'));
  const clock = virtualClock('2026-03-20T10:00:00Z');
  const desk = testDesk(`sqlite:${join(dir, 'bench.sqlite')}`, {
    clock, env: {
      SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: apiUrl, SLACK_TRIAGE_CHANNEL: 'C0TRIAGE',
      SLACK_AGENTS: 'U0AGENT', SLACK_DPOS: 'U0DPO',
    },
  });
  await desk.migrate();
  const cases = envInt('BENCH_SLACK_CASES', 200);
  for (let i = 0; i < cases; i++) {
    await openCase(desk.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'mail', receivedAt: new Date(Date.UTC(2026, 1, 1 + (i % 45), 9)),
      requester: { email: `p${i}@example.test`, name: `Person ${i}`, verified: true }, content: 'bench', actor: { id: 'system', role: 'system' },
    }, clock());
  }
  const slack = createSlackApp(desk.deps, desk.deps.config.slack!, { listen: { port: 0, host: '127.0.0.1' }, clientOptions: { retryConfig: { retries: 0 } } });
  await slack.start();
  stop.push(async () => { await slack.stop(); await desk.close(); rmSync(dir, { recursive: true, force: true }); });
  return slack.port!;
}

// ── The load ───────────────────────────────────────────────────────────────────────────────────────────────────

interface Child { proc: ChildProcess; ready: string[] }

async function startChild(which: Role, env: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), `--serve=${which}`], {
    stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  const lines = createInterface({ input: proc.stdout! });
  for await (const line of lines) {
    if (line.startsWith('READY ')) return { proc, ready: line.split(' ').slice(1) };
  }
  throw new Error(`the ${which} process exited before it was ready`);
}

async function stopChild(c: Child): Promise<void> {
  const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
  c.proc.stdin!.end();
  await exited;
}

async function load(port: number, responseUrl: string, n: number, agent: http.Agent, signing: (body: string) => Record<string, string>): Promise<{ ms: number[]; errors: number; wallMs: number }> {
  const body = new URLSearchParams({
    token: 't', team_id: 'T0001', channel_id: 'C0TRIAGE', user_id: 'U0AGENT', command: '/dpo', text: 'list',
    response_url: responseUrl, trigger_id: '1.2.bench', api_app_id: 'A0BENCH',
  }).toString();
  const headers = { ...signing(body), 'content-length': String(Buffer.byteLength(body)) };
  const ms: number[] = [];
  let errors = 0;
  let next = 0;
  const one = () => new Promise<void>((resolve) => {
    const t = performance.now();
    const req = http.request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', headers, agent }, (res) => {
      res.resume();
      res.on('end', () => { ms.push(performance.now() - t); if (res.statusCode !== 200) errors++; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    req.end(body);
  });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next++ < n) await one(); }));
  return { ms, errors, wallMs: performance.now() - t0 };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function run(): Promise<void> {
  const n = envInt('BENCH_SLACK_REQUESTS', 2_000);
  const { signedHeaders } = await import('../test/support/fake-slack.ts');
  console.log(`slack-ack: signed /dpo list at concurrency ${CONCURRENCY}, ${int(n)} requests × 2 rounds per app; ack latency ours vs a bare Bolt app`);
  const fake = await startChild('fake');
  const [apiUrl, responseUrl] = fake.ready as [string, string];
  const apps = { bare: await startChild('bare', { BENCH_SLACK_API_URL: apiUrl }), ours: await startChild('ours', { BENCH_SLACK_API_URL: apiUrl }) };
  const port = (c: Child) => Number(c.ready[0]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const sign = (body: string) => signedHeaders(SECRET, body);
    for (const c of Object.values(apps)) await load(port(c), responseUrl, Math.min(500, n), agent, sign); // warm-up: JIT, pools, auth.test
    const samples = { bare: [] as number[], ours: [] as number[] };
    const walls = { bare: 0, ours: 0 };
    let errors = 0;
    for (let round = 0; round < 2; round++) {
      for (const which of ['bare', 'ours'] as const) {
        const r = await load(port(apps[which]), responseUrl, n, agent, sign);
        samples[which].push(...r.ms);
        walls[which] += r.wallMs;
        errors += r.errors;
      }
    }
    report(samples, walls, errors);
  } finally {
    agent.destroy();
    await Promise.all(Object.values(apps).map(stopChild));
    await stopChild(fake);
  }
}

function report(samples: Record<'bare' | 'ours', number[]>, walls: Record<'bare' | 'ours', number>, errors: number): void {
  const stats = (xs: number[], wall: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s[s.length - 1]!, rps: (xs.length / wall) * 1000, n: xs.length };
  };
  const bare = stats(samples.bare, walls.bare);
  const ours = stats(samples.ours, walls.ours);
  const row = (name: string, s: typeof bare) => [name, int(s.n), `${fixed(s.p50, 2)} ms`, `${fixed(s.p90, 2)} ms`, `${fixed(s.p99, 2)} ms`, `${fixed(s.max, 1)} ms`, int(s.rps)];
  console.log(table([
    ['app', 'requests', 'p50', 'p90', 'p99', 'max', 'req/s'],
    row('bare Bolt (ack only)', bare),
    row('dpo-desk /dpo list', ours),
  ]));
  console.log(`  ratio ours/bare: p50 ×${fixed(ours.p50 / bare.p50, 2)}, p99 ×${fixed(ours.p99 / bare.p99, 2)}, throughput ×${fixed(ours.rps / bare.rps, 2)}`
    + `${errors ? `; ${errors} non-200 answers` : '; every request acked with 200'} (Slack's limit: 3,000 ms)`);
}

const serveArg = process.argv.find((a) => a.startsWith('--serve='));
if (serveArg && process.argv[1] === fileURLToPath(import.meta.url)) await serve(serveArg.slice('--serve='.length) as Role);
