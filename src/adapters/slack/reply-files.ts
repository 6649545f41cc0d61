/**
 * Files chosen in the reply modal's `file_input`: Slack submits them as file objects (id, name, size, urls). The
 * preview needs only names and sizes; the bytes are fetched when the reply is sent — `files.info` for the file's
 * private URL, then that URL with the bot token (Slack serves private files only with it).
 */
import type { App } from '@slack/bolt';
import { tooLarge, type ReplyFile } from '../../app/reply-attachments.ts';
import type { SubmittedView } from './views/values.ts';

export interface SlackFileRef {
  id: string;
  name: string;
  size: number;
}

type Client = App['client'];
type SubmittedFile = { id?: string; name?: string; title?: string; size?: number };

/** The files of the input `actionId` in a submitted modal (none when it was left empty). */
export function submittedFiles(view: SubmittedView, actionId = 'files'): SlackFileRef[] {
  for (const block of Object.values(view.state?.values ?? {})) {
    const v = block[actionId] as { type?: string; files?: SubmittedFile[] } | undefined;
    if (v?.type !== 'file_input') continue;
    return (v.files ?? []).filter((f) => typeof f.id === 'string')
      .map((f) => ({ id: f.id!, name: f.name ?? f.title ?? f.id!, size: Number(f.size ?? 0) }));
  }
  return [];
}

/** The files' bytes, or why they cannot be had (too large together, gone from Slack, a failed download). */
export async function fetchSlackFiles(
  client: Client, botToken: string, refs: readonly SlackFileRef[], maxBytes: number,
): Promise<{ ok: true; files: ReplyFile[] } | { ok: false; message: string }> {
  const files: ReplyFile[] = [];
  let total = 0;
  for (const ref of refs) {
    const info = await client.files.info({ file: ref.id })
      .catch((e: Error) => ({ ok: false, error: e.message, file: undefined }));
    const f = info.file;
    const url = f?.url_private_download ?? f?.url_private;
    if (!f || !url) {
      const why = 'error' in info ? info.error : 'no URL';
      return { ok: false, message: `${ref.name}: Slack no longer has this file (${why}); attach it again.` };
    }
    const large = tooLarge(total + Number(f.size ?? 0), maxBytes);
    if (large) return { ok: false, message: large };
    const res = await fetch(url, { headers: { Authorization: `Bearer ${botToken}` } }).catch((e: Error) => e);
    if (res instanceof Error || !res.ok) {
      const why = res instanceof Error ? res.message : `HTTP ${res.status}`;
      return { ok: false, message: `${ref.name}: could not be fetched from Slack (${why}); try again.` };
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    total += bytes.byteLength;
    const after = tooLarge(total, maxBytes);
    if (after) return { ok: false, message: after };
    files.push({ filename: f.name ?? ref.name, contentType: f.mimetype ?? null, bytes });
  }
  return { ok: true, files };
}
