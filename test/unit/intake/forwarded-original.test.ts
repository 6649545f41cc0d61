import { describe, expect, it } from 'vitest';
import { readInlineForward } from '../../../src/domain/intake/inline-forward.ts';
import { understandMessage } from '../../../src/domain/intake/understand-message.ts';
import { DELIVERED_AT, corpusPolicy } from './intake-fixtures.ts';

const OUTLOOK_BLOCK = `Please handle.

________________________________
From: Ben Carter <ben.carter@example.org>
Sent: Tuesday, March 3, 2026 11:02 AM
To: Sales <sales@example.com>
Subject: Please remove my details

Please delete my personal data.
`;

function mail(headers: string[], body: string): Uint8Array {
  return new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}`);
}

async function understand(raw: Uint8Array) {
  const result = await understandMessage(raw, corpusPolicy(), DELIVERED_AT);
  if (!result.ok) throw new Error(result.detail);
  return result.value;
}

describe('readInlineForward', () => {
  it('recovers sender, subject, date text and body of an Outlook block', () => {
    expect(readInlineForward(OUTLOOK_BLOCK, 'FW: Please remove my details')).toEqual({
      from: { email: 'ben.carter@example.org', name: 'Ben Carter' },
      subject: 'Please remove my details',
      dateText: 'Tuesday, March 3, 2026 11:02 AM',
      body: 'Please delete my personal data.',
    });
  });

  it('is not fooled by a forward prefix in the subject alone', () => {
    expect(readInlineForward('Two requests attached, see there.\n', 'FW: two requests')).toBeNull();
  });

  it('keeps a forward whose sender line has no address, with an unknown sender', () => {
    const text = OUTLOOK_BLOCK.replace('Ben Carter <ben.carter@example.org>', 'Ben Carter');
    expect(readInlineForward(text, 'FW: Please remove my details')?.from).toBeNull();
  });
});

describe('forward recovery (email.md, forwarded mail rules 1-4)', () => {
  const base = (from: string, subject: string) => [
    `From: ${from}`,
    'To: dpo@example.com',
    `Subject: ${subject}`,
    'Date: Wed, 4 Mar 2026 10:01:12 +0000',
    'Message-ID: <outer@example.com>',
    'Content-Type: text/plain; charset=utf-8',
  ];

  it('reads an internal inline forward as unverified', async () => {
    const u = await understand(mail(base('Sam Patel <sam.patel@example.com>', 'FW: Please remove my details'), OUTLOOK_BLOCK));
    expect(u.forward).toEqual({ kind: 'inline', forwardedBy: 'sam.patel@example.com' });
    expect(u.requester).toEqual({ email: 'ben.carter@example.org', name: 'Ben Carter', verified: false });
    expect(u.original.subject).toBe('Please remove my details');
    expect(u.receivedAt.toISOString()).toBe('2026-03-03T11:02:00.000Z');
    expect(u.requestTypes).toEqual(['erasure']);
  });

  it('never reads a stranger\'s body as a forward', async () => {
    const u = await understand(mail(base('Mal Reed <m.reed@example.org>', 'FW: Please remove my details'), OUTLOOK_BLOCK));
    expect(u.forward).toBeNull();
    expect(u.requester).toEqual({ email: 'm.reed@example.org', name: 'Mal Reed', verified: true });
  });

  it('treats a subdomain of an org domain as internal', async () => {
    const u = await understand(mail(base('Sam Patel <sam@uk.example.com>', 'FW: Please remove my details'), OUTLOOK_BLOCK));
    expect(u.forward?.kind).toBe('inline');
  });

  it('never makes one of our own addresses the requester', async () => {
    const text = OUTLOOK_BLOCK.replace('Ben Carter <ben.carter@example.org>', 'Privacy Team <Privacy@Example.com>');
    const u = await understand(mail(base('Sam Patel <sam.patel@example.com>', 'FW: Please remove my details'), text));
    expect(u.forward?.kind).toBe('inline');
    expect(u.requester).toBeNull();
  });

  it('takes an attached original from an internal sender as verified', async () => {
    const inner = ['From: Grace Lin <grace.lin@example.org>', 'Subject: My data', 'Date: Mon, 2 Mar 2026 08:05:12 +0000', 'Message-ID: <inner@example.org>', '', 'Please send me a copy of my data.'].join('\r\n');
    const body = ['--b', 'Content-Type: text/plain', '', 'See attached.', '--b', 'Content-Type: message/rfc822', '', inner, '--b--', ''].join('\n');
    const headers = [...base('Tom Baker <tom.baker@example.com>', 'FW: My data').slice(0, -1), 'Content-Type: multipart/mixed; boundary="b"'];
    const u = await understand(mail(headers, body));
    expect(u.forward).toEqual({ kind: 'attached', forwardedBy: 'tom.baker@example.com' });
    expect(u.requester).toEqual({ email: 'grace.lin@example.org', name: 'Grace Lin', verified: true });
    expect(u.original).toMatchObject({ subject: 'My data', messageId: 'inner@example.org' });
    expect(u.messageId).toBe('outer@example.com');
    expect(u.receivedAt.toISOString()).toBe('2026-03-02T08:05:12.000Z');
    expect(u.attachments).toEqual([{ filename: null, mimeType: 'message/rfc822', size: expect.any(Number) }]);
  });

  it('reads a redirect: From is the original author, Resent-From the colleague', async () => {
    const headers = ['Resent-From: Tom Baker <tom.baker@example.com>', ...base('Nina Petrova <nina.petrova@example.test>', 'Please delete my data')];
    const u = await understand(mail(headers, 'Please delete my data.\n'));
    expect(u.forward).toEqual({ kind: 'redirect', forwardedBy: 'tom.baker@example.com' });
    expect(u.requester).toEqual({ email: 'nina.petrova@example.test', name: 'Nina Petrova', verified: true });
  });

  it('does not look for forwards in automatic mail', async () => {
    const headers = [...base('Sam Patel <sam.patel@example.com>', 'FW: Please remove my details'), 'Auto-Submitted: auto-generated'];
    const u = await understand(mail(headers, OUTLOOK_BLOCK));
    expect(u).toMatchObject({ auto: 'auto_reply', forward: null, requester: null, kind: 'other', requestTypes: [] });
  });
});
