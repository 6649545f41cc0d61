/** Entry point of the `dpo-desk` command. */
import { loadDotEnv } from './context.ts';
import { run } from './program.ts';

// Output into a closed pipe (`dpo-desk case show X | head`) ends quietly: the reader has all it wanted.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

loadDotEnv();
const code = await run(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
process.exitCode = code;
