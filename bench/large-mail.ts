/**
 * bench/large-mail: peak memory and time of the real intake for one large message (default 21 MB, BENCH_MAIL_MB),
 * as a ratio to the message's size, beside a baseline measured in the same run: postal-mime parsing the same bytes
 * and nothing else. The message is a request with a base64 attachment (a scanned ID, say). Each phase runs in a
 * child process of its own, and peak memory is the kernel's high-water mark of resident memory (maxRSS) above the
 * child's level just before the phase: synchronous parsing cannot hide a peak from it, as it can from sampling.
 *
 * - parse (baseline): `PostalMime.parse(raw)`.
 * - intake: the desk on a fresh SQLite file; `storeRaw` then `processInbox` (stored, understood, case, outbox).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import PostalMime from 'postal-mime';
import { fixed, int, seconds, table } from './lib.ts';

const MB = 1024 * 1024;
const SELF = fileURLToPath(import.meta.url);

function message(mb: number): Buffer {
  const fixture = readFileSync(new URL('../test/fixtures/mail/request-access-en.eml', import.meta.url), 'latin1');
  const [head, body] = fixture.split(/\r?\n\r?\n/, 2) as [string, string];
  const boundary = 'bench-boundary-0001';
  const headers = head.replace(/^Content-Type: .*$/m, `Content-Type: multipart/mixed; boundary="${boundary}"`)
    .replace(/^Content-Transfer-Encoding: .*\r?\n/m, '').replace(/^Message-ID: .*$/m, 'Message-ID: <large-1@example.test>');
  const attachment = randomBytes(Math.floor((mb * MB * 3) / 4)).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from([
    headers, '', `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', body,
    `--${boundary}`, 'Content-Type: application/pdf; name="id-scan.pdf"', 'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="id-scan.pdf"', '', attachment, `--${boundary}--`, '',
  ].join('\r\n'), 'latin1');
}

interface PhaseResult { phase: string; ms: number; peakMb: number; note: string }

/** In the child: builds the message, notes maxRSS, runs the phase, prints the result as JSON. */
async function child(phase: string, mb: number): Promise<void> {
  const raw = message(mb);
  let note = '';
  if (phase === 'parse') {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.resourceUsage().maxRSS;
    const t = performance.now();
    const parsed = await PostalMime.parse(raw);
    note = `${parsed.attachments.length} attachment(s)`;
    report({ phase, ms: performance.now() - t, peakMb: (process.resourceUsage().maxRSS - before) / 1024, note });
    return;
  }
  const { testDesk } = await import('../test/support/desk.ts');
  const { storeRaw, processInbox } = await import('../src/app/ingest-mail.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bench-large-'));
  const desk = testDesk(`sqlite:${join(dir, 'desk.sqlite')}`, { env: { MAIL_RECEIVING_HOSTS: 'mx.example.com' } });
  try {
    await desk.migrate();
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.resourceUsage().maxRSS;
    const t = performance.now();
    const { row } = await storeRaw(desk.deps, { raw, deliveredAt: new Date(), source: 'file' }, new Date());
    const r = await processInbox(desk.deps, row.id, new Date(), undefined, row);
    note = `${r.action}${r.caseNumber ? ` ${r.caseNumber}` : ''}${r.reason ? ` (${r.reason.slice(0, 40)})` : ''}`;
    report({ phase, ms: performance.now() - t, peakMb: (process.resourceUsage().maxRSS - before) / 1024, note });
  } finally {
    await desk.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: PhaseResult): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function runPhase(phase: string, mb: number): PhaseResult {
  const res = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', SELF], {
    env: { ...process.env, BENCH_LARGE_PHASE: phase, BENCH_MAIL_MB: String(mb), LOG_LEVEL: 'silent' }, encoding: 'utf8',
    maxBuffer: 16 * MB,
  });
  const line = res.stdout.split('\n').find((l) => l.startsWith('{"phase"'));
  if (!line) throw new Error(`phase ${phase} failed: ${res.stderr.slice(-2000)}`);
  return JSON.parse(line) as PhaseResult;
}

export async function run(): Promise<void> {
  const mb = Number(process.env.BENCH_MAIL_MB ?? 21);
  const size = message(mb).length / MB;
  console.log(`large-mail: one ${fixed(size)} MB message (request + base64 attachment); peak = maxRSS growth during the phase`);
  const parse = runPhase('parse', mb);
  const intake = runPhase('intake', mb);
  console.log(table([
    ['phase', 'time', 'peak MB', 'peak / size', 'result'],
    ...[parse, intake].map((p) => [p.phase, seconds(p.ms), int(p.peakMb), `${fixed(p.peakMb / size, 2)}×`, p.note]),
  ]));
  console.log(`  intake vs parse alone: ${fixed(intake.peakMb / Math.max(parse.peakMb, 1), 2)}× the memory, `
    + `${fixed(intake.ms / Math.max(parse.ms, 1), 2)}× the time`);
}

if (process.env.BENCH_LARGE_PHASE) await child(process.env.BENCH_LARGE_PHASE, Number(process.env.BENCH_MAIL_MB ?? 21));
