import { describe, expect, it } from 'vitest';
import { forwardedReceiptInstant, ownServerTest, parseReceived, receiptInstant } from '../../../src/domain/intake/receipt-instant.ts';

const HOSTS = ['mx.example.com'];
const DELIVERED = new Date('2026-03-10T12:00:00Z');

const ours = (date: string) => `from mail.example.test (mail.example.test [192.0.2.1]) by mx.example.com (Postfix) with ESMTPS id 4R1; ${date}`;
const lmtp = (date: string) => `from mx.example.com by imap.example.com with LMTP id abc; ${date}`;
const foreign = (date: string) => `by mail.example.test (Postfix, from userid 1000) id 0F; ${date}`;

describe('parseReceived', () => {
  it('reads the by-host and the date after the last semicolon', () => {
    const stamp = parseReceived(ours('Tue, 3 Mar 2026 09:15:02 +0100 (CET)'));
    expect(stamp.by).toBe('mx.example.com');
    expect(stamp.at?.toISOString()).toBe('2026-03-03T08:15:02.000Z');
  });

  it('copes with a missing date, a trailing dot and an odd weekday', () => {
    expect(parseReceived('from x by MX.Example.COM. with SMTP').by).toBe('mx.example.com');
    expect(parseReceived('from x by mx.example.com with SMTP').at).toBeNull();
    expect(parseReceived('by mx.example.com; Mon, 3 Mar 2026 9:15:02 +0100').at?.toISOString()).toBe('2026-03-03T08:15:02.000Z');
  });
});

describe('receiptInstant (gdpr-rules §1)', () => {
  it('takes the bottom-most Received of our servers', () => {
    const values = [ours('Tue, 3 Mar 2026 09:15:09 +0100'), ours('Tue, 3 Mar 2026 09:15:02 +0100'), foreign('Tue, 3 Mar 2026 09:14:58 +0100')];
    expect(receiptInstant(values, HOSTS, DELIVERED)).toMatchObject({ at: new Date('2026-03-03T08:15:02Z'), source: 'received' });
    expect(receiptInstant(values, HOSTS, DELIVERED).header).toMatch(/^Received: from mail\.example\.test .* by mx\.example\.com .*09:15:02 \+0100$/);
  });

  it('skips later hops of unlisted internal hosts at the top (LMTP)', () => {
    const values = [lmtp('Tue, 3 Mar 2026 09:16:00 +0100'), ours('Tue, 3 Mar 2026 09:15:02 +0100')];
    expect(receiptInstant(values, HOSTS, DELIVERED).at).toEqual(new Date('2026-03-03T08:15:02Z'));
  });

  it('does not believe a header claiming our host below a foreign hop (sender-written)', () => {
    const values = [ours('Mon, 9 Mar 2026 11:30:05 +0000'), foreign('Mon, 9 Mar 2026 11:30:01 +0000'), ours('Thu, 1 Jan 2026 09:00:00 +0000')];
    expect(receiptInstant(values, HOSTS, DELIVERED).at).toEqual(new Date('2026-03-09T11:30:05Z'));
  });

  it('uses the next stamp up when the bottom one has no readable date', () => {
    const values = [ours('Tue, 3 Mar 2026 09:15:09 +0100'), 'from a by mx.example.com id 1; garbage'];
    expect(receiptInstant(values, HOSTS, DELIVERED).at).toEqual(new Date('2026-03-03T08:15:09Z'));
  });

  it('without a stamp of ours: the topmost Received (written by the receiving side), then INTERNALDATE', () => {
    expect(receiptInstant([foreign('Tue, 3 Mar 2026 09:15:09 +0100')], HOSTS, DELIVERED)).toMatchObject({ at: new Date('2026-03-03T08:15:09Z'), source: 'topmost_received' });
    expect(receiptInstant([], HOSTS, DELIVERED)).toEqual({ at: DELIVERED, source: 'internal_date', header: null });
    expect(receiptInstant(['from a by mx.example.com id 1'], HOSTS, DELIVERED).source).toBe('internal_date');
  });

  it('a file import has no INTERNALDATE: its Date header, else the import time — never an mtime', () => {
    const imported = { importedAt: new Date('2026-11-20T10:00:00Z') };
    expect(receiptInstant([], HOSTS, imported, 'Tue, 3 Nov 2026 09:15:02 +0100')).toEqual({
      at: new Date('2026-11-03T08:15:02Z'), source: 'date_header', header: 'Date: Tue, 3 Nov 2026 09:15:02 +0100',
    });
    expect(receiptInstant([], HOSTS, imported, null)).toEqual({ at: imported.importedAt, source: 'imported', header: null });
  });

  it('without MAIL_RECEIVING_HOSTS, every host under our domains is ours', () => {
    const servers = { receivingHosts: [], domains: ['example.com'] };
    const values = [lmtp('Tue, 3 Nov 2026 09:16:00 +0100'), ours('Tue, 3 Nov 2026 09:15:02 +0100'), foreign('Tue, 3 Nov 2026 09:14:58 +0100')];
    expect(receiptInstant(values, servers, DELIVERED)).toMatchObject({ at: new Date('2026-11-03T08:15:02Z'), source: 'received' });
    expect(ownServerTest(servers)('mx.example.com.evil.test')).toBe(false);
    expect(ownServerTest({ receivingHosts: ['mx1.example.net'], domains: ['example.com'] })('mx.example.com')).toBe(false);
  });

  it('matches receiving hosts case-insensitively', () => {
    expect(receiptInstant([ours('Tue, 3 Mar 2026 09:15:09 +0100')], ['MX.EXAMPLE.COM.'], DELIVERED).source).toBe('received');
  });
});

describe('forwardedReceiptInstant', () => {
  const outer = new Date('2026-03-05T09:40:13Z');

  it('keeps the original date of a forwarded request', () => {
    expect(forwardedReceiptInstant(new Date('2026-03-02T08:05:12Z'), outer)).toEqual(new Date('2026-03-02T08:05:12Z'));
  });

  it('ignores a missing, future or more than one year old date', () => {
    expect(forwardedReceiptInstant(null, outer)).toBe(outer);
    expect(forwardedReceiptInstant(new Date('2026-03-05T09:40:14Z'), outer)).toBe(outer);
    expect(forwardedReceiptInstant(new Date('2025-03-05T09:40:12Z'), outer)).toBe(outer);
    expect(forwardedReceiptInstant(new Date('invalid'), outer)).toBe(outer);
  });

  it('accepts exactly one year and exactly the outer instant', () => {
    expect(forwardedReceiptInstant(new Date('2025-03-05T09:40:13Z'), outer)).toEqual(new Date('2025-03-05T09:40:13Z'));
    expect(forwardedReceiptInstant(new Date(outer.getTime()), outer)).toEqual(outer);
  });
});
