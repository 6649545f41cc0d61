/**
 * The breach register (Art. 33(5)) as a CSV file uploaded to the requesting user in a direct message
 * (`files.uploadV2`: get an upload URL, upload, complete). DPO and managers only (checked by the caller).
 * The answer says what happened: uploaded, or the reason it was not.
 */
import { registerEntries } from '../../app/breach/register.ts';
import { dateInZone } from '../../domain/local-date.ts';
import { registerCsv } from '../../domain/breach/register.ts';
import { ephemeral, type Ephemeral } from './blocks/lists.ts';
import type { SlackContext } from './context.ts';
import { createSlackClient } from './slack-transport.ts';

export async function uploadRegister(ctx: SlackContext, user: string): Promise<Ephemeral> {
  const entries = await registerEntries(ctx.deps.database.db);
  const day = dateInZone(ctx.now(), ctx.deps.config.org.timezone);
  const client = createSlackClient(ctx.slack);
  try {
    const dm = await client.conversations.open({ users: user });
    await client.files.uploadV2({
      channel_id: dm.channel!.id!,
      file: Buffer.from(registerCsv(entries), 'utf8'),
      filename: `breach-register-${day}.csv`,
      title: `Breach register ${day}`,
      initial_comment: `The breach register (GDPR Art. 33(5)) on ${day}: ${entries.length} incident(s). `
        + 'Columns: see the README.',
    });
  } catch (e) {
    ctx.deps.log.warn({ err: (e as Error).message }, 'breach register upload failed');
    return ephemeral(
      `:x: The register could not be uploaded (${slackError(e)}). `
        + 'Try again, or run `dpo-desk export register`.',
    );
  }
  return ephemeral(`The breach register (${entries.length} incident(s)) was uploaded to you in a direct message.`);
}

const slackError = (e: unknown) => (e as { data?: { error?: string } }).data?.error ?? (e as Error).message;
