/** `migrate`, `doctor` and `audit verify`: the operator's commands. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { sql } from 'kysely';
import { pendingMigrations } from '../../adapters/db/migrations.ts';
import { verifyAudit } from '../../app/verify-audit.ts';
import { documentRenderer } from '../../app/breach/breach-effects.ts';
import { parseAnchor } from '../../app/audit-anchor.ts';
import { CliError, loadConfig, withDesk, type CliIo } from '../context.ts';

export function migrateCommand(io: CliIo): Command {
  return new Command('migrate').description('bring the database schema up to date').action(async () => {
    await withDesk(io, async (desk) => {
      const ran = await desk.migrate();
      io.out(ran.length ? `Applied: ${ran.join(', ')}` : 'Database is up to date.');
    }, { migrate: false });
  });
}

export function auditCommand(io: CliIo): Command {
  const cmd = new Command('audit').description('the hash-chained audit log');
  cmd.command('verify').description('check that no audit event was edited, removed or reordered')
    .option('--expect <hash:count>', 'a published anchor (the managers\' digest): also detect events cut off the end')
    .action(async (opts: { expect?: string }) => {
      const anchor = opts.expect === undefined ? undefined : parseAnchor(opts.expect);
      if (anchor === null) throw new CliError(`--expect takes <hash>:<count> as printed in the digest (64 hex digits, a colon, a number), not "${opts.expect}"`, 2);
      await withDesk(io, async (desk) => {
        const r = await verifyAudit(desk.deps.database.db, anchor);
        if (r.ok) {
          io.out(`Audit log intact: ${r.count} event(s), chain verified${anchor ? `, anchor ${anchor.count} matches` : ''}.`);
          return;
        }
        for (const p of r.problems) io.err(`event #${p.seq}: ${p.problem}`);
        throw new CliError(`Audit log TAMPERED: ${r.problems.length} problem(s) in ${r.count} event(s).`, 1);
      });
    });
  return cmd;
}

type Check = { name: string; run: () => Promise<string> };

export function doctorCommand(io: CliIo): Command {
  return new Command('doctor').description('check configuration, database, workflows and templates, one line each')
    .action(async () => {
      const config = loadConfig(io);
      io.out(`ok    config: ${config.org.name}; ${config.org.role}; clocks ${config.org.regimes.join(', ')}; ${config.org.timezone}; holidays ${config.org.holidays}`);
      for (const key of ['ORG_NAME', 'DPO_EMAIL']) {
        if (!io.env[key] && !io.env[`${key}_FILE`]) io.out(`warn  ${key}: not set; the demo default is used`);
      }
      // The desk is built as `start` builds it (workflows and templates loaded), but not migrated: pending
      // migrations are reported, not applied.
      const failed = await withDesk(io, async (desk) => {
        const { database } = desk.deps;
        const checks: Check[] = [
          { name: 'database', run: async () => { await sql`select 1`.execute(database.db); return `${database.dialect} reachable`; } },
          { name: 'migrations', run: async () => {
            const pending = await pendingMigrations(database.db);
            if (pending.length) throw new Error(`pending: ${pending.join(', ')} (run dpo-desk migrate)`);
            return 'up to date';
          } },
          { name: 'workflows', run: async () => `${desk.deps.workflows.list().map((w) => w.id).join(', ')} valid` },
          { name: 'documents', run: async () => { documentRenderer(); return 'the Art. 33(3) notification in en, de, fr, es'; } },
          { name: 'holiday calendar', run: async () => (config.org.holidays === 'none'
            ? 'none: weekends only — deadlines will not skip public holidays' : `${config.org.holidays}`) },
          { name: 'outbox', run: async () => (config.outboxDir ? `effects written to ${config.outboxDir}${existsSync(config.outboxDir) ? '' : ' (created on first use)'}` : 'effects logged (no transport configured)') },
        ];
        let n = 0;
        for (const check of checks) {
          try {
            io.out(`ok    ${check.name}: ${await check.run()}`);
          } catch (e) {
            n++;
            io.out(`FAIL  ${check.name}: ${(e as Error).message.split('\n').join('; ')}`);
          }
        }
        return n;
      }, { config, migrate: false }).catch((e: unknown) => {
        // The desk could not be built: a workflow or template definition is invalid (every problem named).
        io.out(`FAIL  workflows: ${(e as Error).message.split('\n').join('; ')}`);
        return 1;
      });
      if (failed) throw new CliError(`${failed} check(s) failed.`, 1);
    });
}
