/**
 * Who a reminder recipient is: the owner (a Slack user id, or an address), the DPO (Slack DMs and e-mail), the
 * triage channel, the managers (channel and e-mail). A step that resolves to nobody falls back up the path.
 */
import type { Config } from '../config.ts';
import type { Recipient } from '../domain/reminders.ts';

export type Target =
  | { channel: 'slack'; to: { user: string } | { channel: 'triage' | 'managers' } }
  | { channel: 'mail'; to: string };

export function targetKey(t: Target): string {
  if (t.channel === 'mail') return `mail:${t.to}`;
  return 'user' in t.to ? `slack:user:${t.to.user}` : `slack:channel:${t.to.channel}`;
}

const isSlackUser = (s: string) => /^[UW][A-Z0-9]+$/.test(s);

export function resolveTargets(recipient: Recipient, owner: string | null, config: Config): Target[] {
  switch (recipient) {
    case 'owner':
      if (owner && isSlackUser(owner)) return [{ channel: 'slack', to: { user: owner } }];
      if (owner?.includes('@')) return [{ channel: 'mail', to: owner }];
      return resolveTargets('triage', null, config); // nobody owns it yet: the team sees it
    case 'dpo':
      return [
        ...(config.slack?.roles.dpos ?? []).map((user): Target => ({ channel: 'slack', to: { user } })),
        { channel: 'mail', to: config.org.dpoEmail },
      ];
    case 'triage':
      return [{ channel: 'slack', to: { channel: 'triage' } }];
    case 'managers':
      return [
        { channel: 'slack', to: { channel: 'managers' } },
        ...config.managersEmail.map((to): Target => ({ channel: 'mail', to })),
      ];
  }
}

/** Start-up warnings: escalation steps that reach nobody (reference/slack.md). */
export function escalationWarnings(config: Config): string[] {
  const w: string[] = [];
  if (!config.slack) w.push('Slack is not configured: reminders to owners, the triage channel and DPO DMs are written to the outbox folder or log');
  else {
    if (!config.slack.triageChannel) w.push('SLACK_TRIAGE_CHANNEL is not set: the triage step of the escalation path reaches nobody');
    if (!config.slack.managersChannel && !config.managersEmail.length) w.push('neither SLACK_MANAGERS_CHANNEL nor MANAGERS_EMAIL is set: the managers step reaches nobody');
    if (!config.slack.roles.dpos.length) w.push('SLACK_DPOS is empty: the DPO is reached by e-mail only');
  }
  return w;
}
