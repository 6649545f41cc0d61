/**
 * `npm run bench` — runs every benchmark below, or only those named (`npm run bench -- ingest`), and prints each
 * one's report. A benchmark reports a ratio against a baseline it measures in the same run (same machine, same
 * moment), never an absolute pass/fail threshold. Exit code: 0 unless a benchmark crashed (1) or a name is
 * unknown (2). A benchmark whose prerequisites are missing (e.g. Dovecot) prints why it skipped and counts as run.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { seconds } from './lib.ts';

interface Benchmark {
  name: string;
  description: string;
  load(): Promise<{ run(): Promise<void> }>;
}

const BENCHMARKS: Benchmark[] = [
  {
    name: 'ingest',
    description: 'mail → case rate of the IMAP intake vs imapflow fetch + postal-mime parse (BENCH_MESSAGES, default 5,000)',
    load: () => import('./ingest.ts'),
  },
  {
    name: 'intake',
    description: 'accuracy over the fixture corpus: kind, auto-class, request types; precision, recall, confusion',
    load: () => import('./intake.ts'),
  },
  {
    name: 'slack-ack',
    description: 'ack latency (p50/p99) of signed /dpo list at concurrency 50 vs a bare Bolt app (BENCH_SLACK_REQUESTS, default 2,000)',
    load: () => import('./slack-ack.ts'),
  },
  {
    name: 'large-mail',
    description: 'peak memory / message size of the intake for one 21 MB message vs postal-mime alone (BENCH_MAIL_MB, default 21)',
    load: () => import('./large-mail.ts'),
  },
  {
    name: 'ack-under-load',
    description: '/dpo list ack p50/p99/max and event-loop delay while the desk ingests a backlog and sweeps, vs idle (BENCH_ACK_MAILS 2,000, BENCH_ACK_REMINDERS 50,000)',
    load: () => import('./ack-under-load.ts'),
  },
  {
    name: 'sweep',
    description: 'claim time of 1,000 due reminders with 10k vs 1M cases (ratio), lateness at a 30 s cadence, catch-up after 5 days down (BENCH_SWEEP_CASES, default 1,000,000)',
    load: () => import('./sweep.ts'),
  },
];

/** Which code was measured: HEAD, and whether the code under test had uncommitted changes (numbers move with it). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('log', '-1', '--format=%h %cI %s');
    const dirty = git('status', '--porcelain', '--', 'src', 'db', 'workflows', 'templates', 'test/support').split('\n').filter(Boolean).length;
    return `${head}${dirty ? ` (+ ${dirty} uncommitted file${dirty > 1 ? 's' : ''} in src/db/workflows/templates/test/support)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

function usage(): string {
  return [
    'usage: npm run bench [-- <name>…]',
    '',
    ...BENCHMARKS.map((b) => `  ${b.name.padEnd(14)} ${b.description}`),
  ].join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const unknown = args.filter((a) => !BENCHMARKS.some((b) => b.name === a));
  if (unknown.length) {
    console.error(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n\n${usage()}`);
    return 2;
  }
  const selected = args.length ? BENCHMARKS.filter((b) => args.includes(b.name)) : BENCHMARKS;
  console.log(`bench: ${selected.map((b) => b.name).join(', ')} — code ${codeVersion()}; Node ${process.version}\n`);
  const t0 = performance.now();
  const crashed: string[] = [];
  const cpus = availableParallelism();
  const load = () => loadavg()[0]!.toFixed(1);
  for (const b of selected) {
    const t = performance.now();
    const before = load();
    try {
      const mod = await b.load();
      await mod.run();
    } catch (e) {
      crashed.push(b.name);
      console.error(`\n${b.name}: CRASHED\n${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
    const after = load();
    // `after` includes the benchmark itself; `before` is other work on the machine (roughly: it lags by a minute).
    const busy = Number(before) > cpus / 2;
    console.log(`  (${b.name} took ${seconds(performance.now() - t)}; 1-min load average ${before} before, ${after} after, ${cpus} CPUs`
      + `${busy ? ' — other work was running: absolute rates are noisy, the ratios less so' : ''})\n`);
  }
  console.log(`bench: ${selected.length - crashed.length}/${selected.length} benchmarks ran in ${seconds(performance.now() - t0)}`
    + (crashed.length ? `; crashed: ${crashed.join(', ')}` : ''));
  return crashed.length ? 1 : 0;
}

// Ctrl-C / kill: exit through process.exit so 'exit' handlers run (the Dovecot harness kills its process group there).
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));

const code = await main();
process.exitCode = code;
// Everything is closed by now; if some handle still keeps the loop alive, say so instead of hanging.
setTimeout(() => {
  console.error('bench: still running 5 s after the last benchmark finished (an open handle); exiting');
  process.exit(code || 1);
}, 5_000).unref();
