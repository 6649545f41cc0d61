/** Entry point of the `dpo-desk` command. */
import { loadDotEnv } from './context.ts';
import { run } from './program.ts';

loadDotEnv();
const code = await run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
process.exitCode = code;
