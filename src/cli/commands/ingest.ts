/** `dpo-desk ingest <file.eml>…`: the mail intake pipeline over files (importing requests that arrived elsewhere). */
import { readFileSync } from 'node:fs';
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
  /** Which header dated the message: `received`, `topmost_received`, `date_header`, `imported`, … (receipt-instant.ts). */
  received_from: string | null;
  /** That header line, e.g. `Received: from … by mx.example.com …; Tue, 3 Nov 2026 09:15:02 +0100`; null if none. */
  received_header: string | null;
  /** 0–1; below 0.6 the mail opens a triage case for a person to type. */
  confidence: number | null;
  /** The words that decided the reading (`erasure: forget me`). */
  matched: string[];
  detected_language: string | null;
  case: string | null;
  reason: string | null;
}

export async function ingestFile(desk: Desk, file: string, dryRun: boolean): Promise<IngestLine> {
  let raw: Uint8Array;
  try {
    raw = readFileSync(file);
  } catch (e) {
    return { ...empty(file), action: 'quarantine', reason: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  // A file has no IMAP INTERNALDATE, and its modification time says when it was saved, not when the mail arrived.
  const r = await ingestMail(desk.deps, { raw, deliveredAt: null, source: 'file' }, desk.deps.clock(), { dryRun });
  const u = r.understanding;
  return {
    file, action: r.action, auto: u?.auto ?? null, kind: u?.kind ?? null, request_types: u?.requestTypes ?? [],
    language: u?.language ?? null, requester: u?.requester ?? null, forwarded_by: u?.forward?.forwardedBy ?? null,
    received_at: u?.receivedAt.toISOString() ?? null, received_from: u?.receiptSource ?? null,
    received_header: u?.receiptHeader ?? null, confidence: u?.confidence ?? null, matched: u?.matched ?? [],
    detected_language: u?.detectedLanguage ?? null, case: r.caseNumber, reason: r.reason,
  };
}

function empty(file: string): IngestLine {
  return {
    file, action: 'ignore', auto: null, kind: null, request_types: [], language: null, requester: null,
    forwarded_by: null, received_at: null, received_from: null, received_header: null, confidence: null, matched: [],
    detected_language: null, case: null, reason: null,
  };
}

/** One line without personal data: the operator's terminal may be recorded. */
function humanLine(l: IngestLine): string {
  const what = l.kind ? `${l.kind}${l.request_types.length ? ` (${l.request_types.join(', ')})` : ''}, ${l.language}` : '';
  return `${l.file}: ${l.action}${l.case ? ` ${l.case}` : ''}${what ? ` — ${what}` : ''}${l.reason ? ` [${l.reason}]` : ''}`;
}
