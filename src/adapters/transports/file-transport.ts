/**
 * Delivers outbox rows as files in a folder: the transport of the demo and of a desk with no mail server or
 * Slack configured yet. Written by row id, so a retried delivery rewrites the same file instead of adding one.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboxRow } from '../db/outbox-repository.ts';
import type { Transport } from '../../app/ports.ts';

export function createFileTransport(dir: string): Transport {
  mkdirSync(dir, { recursive: true });
  return {
    async send(row: OutboxRow) {
      const name = `${row.payload.caseNumber ? `${String(row.payload.caseNumber)}-` : ''}${row.channel}-${row.kind}-${row.id.slice(0, 8)}`;
      const isMail = row.channel === 'mail' && typeof row.payload.text === 'string';
      const file = join(dir, `${name}.${isMail ? 'txt' : 'json'}`);
      const body = isMail ? mailText(row.payload) : `${JSON.stringify({ channel: row.channel, kind: row.kind, ...row.payload }, null, 2)}\n`;
      writeFileSync(`${file}.tmp`, body);
      renameSync(`${file}.tmp`, file);
      return { ref: file };
    },
  };
}

function mailText(p: Record<string, unknown>): string {
  const headers = (p.headers ?? {}) as Record<string, string>;
  const lines = [`To: ${String(p.to)}`, `Subject: ${String(p.subject)}`, `Message-ID: ${String(p.messageId)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\n')}\n\n${String(p.text)}\n`;
}
