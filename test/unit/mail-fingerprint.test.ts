/** What counts as "the same mail" when a Message-ID repeats: author, recipients, subject, date and body — not trace headers. */
import { describe, expect, it } from 'vitest';
import { contentFingerprint } from '../../src/domain/mail-fingerprint.ts';

const mail = (o: { from?: string; trace?: string[]; body?: string; eol?: string } = {}) => {
  const eol = o.eol ?? '\r\n';
  return Buffer.from([
    ...(o.trace ?? ['Received: from a by mx.example.com; Mon, 2 Mar 2026 09:14:35 +0000']),
    `From: ${o.from ?? 'Jane <jane@example.test>'}`, 'To: dpo@example.com', 'Subject: Access request',
    'Date: Mon, 2 Mar 2026 09:14:31 +0000', 'Message-ID: <same@example.test>', '', o.body ?? 'Please send me my data.', '',
  ].join(eol));
};

describe('contentFingerprint', () => {
  it('is the same for copies that differ only in trace headers (two aliases, redelivery)', () => {
    expect(contentFingerprint(mail({ trace: ['Delivered-To: alias@example.com', 'X-Original-To: alias@example.com',
      'Received: from b by mx2.example.com; Mon, 2 Mar 2026 09:14:36 +0000'] }))).toBe(contentFingerprint(mail()));
  });

  it('differs for another author or another text under the same Message-ID', () => {
    expect(contentFingerprint(mail({ from: 'Eve <eve@example.test>' }))).not.toBe(contentFingerprint(mail()));
    expect(contentFingerprint(mail({ body: 'Please delete my account.' }))).not.toBe(contentFingerprint(mail()));
  });

  it('reads folded headers and bare-LF messages, and a message without a body', () => {
    const folded = Buffer.from(mail().toString().replace('Subject: Access request', 'Subject: Access\r\n request'));
    expect(contentFingerprint(folded)).toBe(contentFingerprint(mail()));
    expect(contentFingerprint(mail({ eol: '\n' }))).toMatch(/^[0-9a-f]{64}$/);
    expect(contentFingerprint(Buffer.from('From: x@example.test'))).toMatch(/^[0-9a-f]{64}$/);
  });
});
