/** `dpo-desk … | head`: output into a pipe the reader already closed ends quietly, without an EPIPE stack trace. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('dpo-desk into a closed pipe', () => {
  it('exits quietly with code 0 when the reader has gone', async () => {
    const child = spawn('node', ['bin/dpo-desk.mjs', 'deadline', '--regime', 'gdpr', '--received', '2026-03-05', '--holidays', 'DE'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the command writes its first line (as `| head` after its lines)
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const [code] = await once(child, 'exit');
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
