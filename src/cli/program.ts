/** The `dpo-desk` command: one commander program; usage errors exit 2 with a hint, failures exit 1. */
import { Command, CommanderError } from 'commander';
import { breachCommand, customersCommand, registerExportCommand } from './commands/breach.ts';
import { auditCommand, doctorCommand, migrateCommand } from './commands/admin.ts';
import { caseCommand, casesCommand } from './commands/cases.ts';
import { deadlineCommand } from './commands/deadline.ts';
import { ingestCommand } from './commands/ingest.ts';
import { demoCommand, startCommand } from './commands/run.ts';
import { tickCommand } from './commands/tick.ts';
import { replyCommand } from './commands/reply.ts';
import { exportCommand, holdCommands, purgeCommand, reportCommand } from './commands/retention.ts';
import { CliError, type CliIo } from './context.ts';

export function buildProgram(io: CliIo): Command {
  const program = new Command('dpo-desk')
    .description('A desk for data-protection teams: every request and breach a case with its legal clock.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  for (const cmd of [migrateCommand(io), doctorCommand(io), casesCommand(io), caseCommand(io), auditCommand(io), deadlineCommand(io), ingestCommand(io), tickCommand(io), startCommand(io), demoCommand(io)]) {
    program.addCommand(cmd);
  }
  // issue 12: retention, the request log, the monthly report
  for (const cmd of holdCommands(io)) program.commands.find((c) => c.name() === 'case')!.addCommand(cmd);
  for (const cmd of [purgeCommand(io), exportCommand(io), reportCommand(io)]) program.addCommand(cmd);
  // issue 10: customers, breaches, and the breach register under `export`
  for (const cmd of [customersCommand(io), breachCommand(io)]) program.addCommand(cmd);
  const exports = program.commands.find((c) => c.name() === 'export') ?? program.command('export').description('exports');
  exports.addCommand(registerExportCommand(io));
  program.addCommand(replyCommand(io)); // issue 9: replies with files
  return program;
}

/** Parses and runs; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  const exitOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.showHelpAfterError('(run with --help for usage)');
    cmd.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    cmd.commands.forEach(exitOverride);
  };
  exitOverride(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code)) return 0;
      return e.code === 'commander.error' ? e.exitCode : 2; // parse errors are usage errors
    }
    if (e instanceof CliError) {
      io.err(e.message);
      return e.exitCode;
    }
    throw e;
  }
}
