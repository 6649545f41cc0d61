/**
 * The managers' daily digest in Slack: the figures (open, overdue, due this week, answered on time) and the cases
 * behind them, overdue first — case facts only (number, kind, state, due date, countdown), never a data subject.
 */
import type { Digest } from '../../../app/digest.ts';
import { context, section, sections } from './case-facts.ts';
import type { SlackMessage } from './case-message.ts';

type DigestCase = Digest['cases'][number];

const line = (c: DigestCase) =>
  `• *${c.caseNumber}* · ${c.kind} · ${c.state.replace(/_/g, ' ')} · due ${c.due} · ${c.countdown}`;

export function digestMessage(d: Digest): SlackMessage {
  const overdue = d.cases.filter((c) => c.countdown.startsWith('OVERDUE'));
  const rest = d.cases.filter((c) => !c.countdown.startsWith('OVERDUE'));
  const figures = `${d.open} open · ${d.overdue} overdue · ${d.dueThisWeek} due this week`
    + ` · answered on time (90 days): ${d.onTimeRate}`;
  const listed = overdue.length + rest.length;
  return {
    text: `DPO desk digest ${d.date}: ${figures}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `DPO desk digest — ${d.date}` } },
      {
        type: 'section', fields: [
          { type: 'mrkdwn', text: `*Overdue*\n${d.overdue}` },
          { type: 'mrkdwn', text: `*Due this week*\n${d.dueThisWeek}` },
          { type: 'mrkdwn', text: `*Open*\n${d.open}` },
          { type: 'mrkdwn', text: `*Answered on time (90 days)*\n${d.onTimeRate}` },
        ],
      },
      ...(overdue.length ? [section('*Overdue*'), ...sections(overdue.map(line))] : []),
      ...(rest.length ? [section('*Next by deadline*'), ...sections(rest.map(line))] : []),
      ...(d.open > listed ? [context(`…and ${d.open - listed} more (\`/dpo list open\`).`)] : []),
      ...(d.open === 0 ? [context('No open cases.')] : []),
    ],
  };
}
