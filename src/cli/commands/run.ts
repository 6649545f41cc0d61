/**
 * `dpo-desk start` runs the desk; with no mailbox configured it runs the demo instead.
 * `dpo-desk demo` runs the sample mail through the real intake, clocks and outbox, and prints the board.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { listCases } from '../../adapters/db/case-repository.ts';
import { createFileTransport } from '../../adapters/transports/file-transport.ts';
import { drainOutbox } from '../../app/deliver-outbox.ts';
import { ROOT_DIR, startDesk } from '../../main.ts';
import { renderBoard } from '../board.ts';
import { loadConfig, withDesk, type CliIo } from '../context.ts';
import { ingestFile } from './ingest.ts';
import { escalationWarnings } from '../../app/reminder-targets.ts';

/** The sample mail the demo reads: the intake test corpus (invented people, example.* addresses). */
export const SAMPLE_DIR = join(ROOT_DIR, 'test', 'fixtures', 'mail');
/** The demo's "now": the morning after the sample mail arrived, so the board shows live countdowns. */
const DEMO_NOW = new Date('2026-03-11T08:00:00Z');

export function startCommand(io: CliIo, signals: NodeJS.EventEmitter = process): Command {
  return new Command('start').description('run the desk: read the mailbox, deliver mail (the demo when no mailbox is configured)')
    .action(async () => {
      const config = loadConfig(io, { requireOrg: Boolean(io.env.IMAP_HOST || io.env.SLACK_BOT_TOKEN) });
      if (!config.imap && !config.slack) {
        io.out('No mailbox (IMAP_HOST) or Slack (SLACK_BOT_TOKEN) configured: running the demo over the sample mail. See README to connect them.\n');
        await runDemo(io);
        return;
      }
      await withDesk(io, async (desk) => {
        const log = desk.deps.log;
        for (const warning of escalationWarnings(config)) log.warn(warning);
        const running = await startDesk(desk);
        const slack = running.slack;
        log.info({ mailbox: config.imap?.mailbox ?? null, slack: slack?.mode ?? null, port: running.port }, 'dpo-desk started');
        await new Promise<void>((resolve) => {
          signals.once('SIGTERM', resolve);
          signals.once('SIGINT', resolve);
        });
        log.info('stopping: finishing work in progress');
        await running.stop();
      }, { config });
    });
}

export function demoCommand(io: CliIo): Command {
  return new Command('demo').description('run the sample mail through the real pipeline and show the board (no credentials needed)')
    .action(async () => { await runDemo(io); });
}

async function runDemo(io: CliIo): Promise<void> {
  const config = loadConfig(io);
  const outDir = config.outboxDir ?? './data/demo-outbox';
  await withDesk(io, async (desk) => {
    io.out(`Demo time is ${DEMO_NOW.toISOString()} (the morning after the sample mail arrived); database ${config.databaseUrl}`);
    const tally = new Map<string, number>();
    for (const file of readdirSync(SAMPLE_DIR).filter((f) => f.endsWith('.eml')).sort()) {
      const line = await ingestFile(desk, join(SAMPLE_DIR, file), false);
      const k = line.action === 'create' ? `create ${line.kind === 'breach' ? 'breach' : 'request'}` : `${line.action} (${line.reason?.split(':')[0]})`;
      tally.set(k, (tally.get(k) ?? 0) + 1);
    }
    io.out(`\nIntake of ${[...tally.values()].reduce((a, b) => a + b, 0)} sample messages:`);
    for (const [k, n] of [...tally].sort()) io.out(`  ${String(n).padStart(3)}  ${k}`);
    const transport = createFileTransport(outDir);
    const { sent: delivered } = await drainOutbox(desk.deps, { mail: transport, slack: transport }, { owner: 'demo', limit: 200 });
    io.out(`\n${delivered} effects delivered (acknowledgements in the data subjects' languages, Slack notices, alerts) as files in ${outDir}`);
    io.out(`Mails recovered only from a forwarded body are withheld until a person confirms the address.\n`);
    for (const line of renderBoard(await listCases(desk.deps.database.db, { open: true }), DEMO_NOW, config.org.timezone)) io.out(line);
    io.out('\nNext: `npm run dpo-desk -- case show DSR-2026-0001`, `npm run dpo-desk -- audit verify`, `npm run dpo-desk -- deadline --help`.');
  }, {
    clock: () => DEMO_NOW, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
    config: { ...config, mail: { ...config.mail, receivingHosts: config.mail.receivingHosts.length ? config.mail.receivingHosts : ['mx.example.com'] } },
  });
}
