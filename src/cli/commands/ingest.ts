/** `dpo-desk ingest <file.eml>…`: the mail intake pipeline over files (importing requests that arrived elsewhere). */
import { readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { ingestMail, type IngestResult } from '../../app/ingest-mail.ts';
import type { Desk } from '../../main.ts';
import { withDesk, type CliIo } from '../context.ts';

export function ingestCommand(io: CliIo): Command {
  return new Command('ingest')
    .description('run .eml files through the mail intake: one case per distinct request, replies threaded')
    .argument('<files...>', '.eml files')
    .option('--dry-run', 'show what would happen; write nothing')
    .option('--json', 'one JSON object per file, one per line')
    .action(async (files: string[], opts: { dryRun?: boolean; json?: boolean }) => {
      await withDesk(io, async (desk) => {
        for (const file of files) {
          const line = await ingestFile(desk, file, Boolean(opts.dryRun));
          io.out(opts.json ? JSON.stringify(line) : humanLine(line));
        }
      });
    });
}

export interface IngestLine {
  file: string;
  action: IngestResult['action'];
  auto: string | null;
  kind: string | null;
  request_types: string[];
  language: string | null;
  requester: { email: string; name: string | null; verified: boolean } | null;
  forwarded_by: string | null;
  received_at: string | null;
  case: string | null;
  reason: string | null;
}

export async function ingestFile(desk: Desk, file: string, dryRun: boolean): Promise<IngestLine> {
  let raw: Uint8Array;
  let mtime: Date;
  try {
    raw = readFileSync(file);
    mtime = statSync(file).mtime;
  } catch (e) {
    return { ...empty(file), action: 'quarantine', reason: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  const r = await ingestMail(desk.deps, { raw, deliveredAt: mtime, source: 'file' }, desk.deps.clock(), { dryRun });
  const u = r.understanding;
  return {
    file, action: r.action, auto: u?.auto ?? null, kind: u?.kind ?? null, request_types: u?.requestTypes ?? [],
    language: u?.language ?? null, requester: u?.requester ?? null, forwarded_by: u?.forward?.forwardedBy ?? null,
    received_at: u?.receivedAt.toISOString() ?? null, case: r.caseNumber, reason: r.reason,
  };
}

function empty(file: string): IngestLine {
  return {
    file, action: 'ignore', auto: null, kind: null, request_types: [], language: null, requester: null,
    forwarded_by: null, received_at: null, case: null, reason: null,
  };
}

/** One line without personal data: the operator's terminal may be recorded. */
function humanLine(l: IngestLine): string {
  const what = l.kind ? `${l.kind}${l.request_types.length ? ` (${l.request_types.join(', ')})` : ''}, ${l.language}` : '';
  return `${l.file}: ${l.action}${l.case ? ` ${l.case}` : ''}${what ? ` — ${what}` : ''}${l.reason ? ` [${l.reason}]` : ''}`;
}
