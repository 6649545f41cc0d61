import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { understandMessage } from '../../../src/domain/intake/understand-message.ts';
import type { Understanding } from '../../../src/domain/intake/understanding.ts';
import { DELIVERED_AT, corpusPolicy, fixtureNames, readFixture } from './intake-fixtures.ts';

const encoder = new TextEncoder();

/** Every value of an Understanding that came from a header (and may end up in one we write). */
function headerDerived(u: Understanding): (string | null)[] {
  return [
    u.messageId, u.inReplyTo, ...u.references, u.subject, u.from?.email ?? null, u.from?.name ?? null, u.autoReason,
    u.forward?.forwardedBy ?? null, u.requester?.email ?? null, u.requester?.name ?? null, u.original.subject,
    u.original.messageId, u.bouncedMessageId, ...u.attachments.flatMap((a) => [a.filename, a.mimeType]),
  ];
}

describe('understandMessage: size and parse failures', () => {
  it('quarantines a message above maxBytes without parsing it', async () => {
    const head = encoder.encode('From: a@example.test\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n');
    const huge = new Uint8Array(10 * 1024 * 1024 + 1);
    huge.set(head);
    huge.fill(0x61, head.length);
    const result = await understandMessage(huge, corpusPolicy(), DELIVERED_AT);
    expect(result).toEqual({ ok: false, reason: 'too_large', detail: '10485761 bytes, above the limit of 10485760 bytes' });
  });

  it('quarantines a committed fixture under a small maxBytes', async () => {
    const raw = readFixture('request-access-en');
    const result = await understandMessage(raw, corpusPolicy({ maxBytes: 1024 }), DELIVERED_AT);
    expect(result).toMatchObject({ ok: false, reason: 'too_large' });
    expect((await understandMessage(raw, corpusPolicy({ maxBytes: raw.byteLength }), DELIVERED_AT)).ok).toBe(true);
  });

  it('reports a MIME structure the parser refuses (nesting beyond its limit) as unparseable', async () => {
    const depth = 300;
    let body = 'hello';
    for (let i = depth; i > 0; i -= 1) body = `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n${body}\r\n--b${i}--`;
    const raw = encoder.encode(`From: a@example.test\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n${body}\r\n`);
    expect(await understandMessage(raw, corpusPolicy(), DELIVERED_AT)).toMatchObject({ ok: false, reason: 'unparseable' });
  });

  it('reports bytes without a header section as unparseable', async () => {
    for (const text of ['', 'just some text\r\n', '\r\n\r\nFrom: a@example.test\r\n', 'Subject: only a subject\r\n\r\nhi']) {
      expect(await understandMessage(encoder.encode(text), corpusPolicy(), DELIVERED_AT), JSON.stringify(text)).toMatchObject({
        ok: false,
        reason: 'unparseable',
      });
    }
  });
});

describe('understandMessage: robustness', () => {
  it('never throws on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const result = await understandMessage(bytes, corpusPolicy(), DELIVERED_AT);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on damaged fixtures, and returned header values stay on one line', async () => {
    const fixtures = fixtureNames().map(readFixture);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: fixtures.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ minLength: 0, maxLength: 16 }),
        async (index, cut, noise) => {
          const raw = fixtures[index]!;
          const at = Math.floor(raw.length * cut);
          const damaged = new Uint8Array([...raw.subarray(0, at), ...noise, ...raw.subarray(at + noise.length)]);
          const result = await understandMessage(damaged, corpusPolicy(), DELIVERED_AT);
          if (result.ok) for (const value of headerDerived(result.value)) expect(value ?? '').not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(fixtureNames())('%s: header-derived values are CR/LF-free and the result is deterministic', async (name) => {
    const first = await understandMessage(readFixture(name), corpusPolicy(), DELIVERED_AT);
    const second = await understandMessage(readFixture(name), corpusPolicy(), DELIVERED_AT);
    expect(second).toEqual(first);
    if (first.ok) for (const value of headerDerived(first.value)) expect(value ?? '').not.toMatch(/[\r\n]/);
  });
});

describe('understandMessage: saved files', () => {
  it('reads a message saved with an mbox "From " envelope line', async () => {
    const raw = readFixture('request-access-en');
    const mbox = new Uint8Array([...encoder.encode('From jane.holloway@example.test Mon Mar  2 09:14:35 2026\n'), ...raw]);
    const plain = await understandMessage(raw, corpusPolicy(), DELIVERED_AT);
    expect(await understandMessage(mbox, corpusPolicy(), DELIVERED_AT)).toEqual(plain);
  });
});

describe('understandMessage: threading and bounce fields', () => {
  it('returns message ids without angle brackets', async () => {
    const raw = encoder.encode(
      [
        'From: Jane <jane@example.test>',
        'Subject: Re: [DSR-2026-0042] We have received your request',
        'Message-ID: <reply.1@example.test>',
        'In-Reply-To: <c.DSR-2026-0042.1.9f2c4e1ab07d@example.com>',
        'References: <first@example.test>\r\n <c.DSR-2026-0042.1.9f2c4e1ab07d@example.com>',
        '',
        'Thanks!',
      ].join('\r\n'),
    );
    const result = await understandMessage(raw, corpusPolicy(), DELIVERED_AT);
    expect(result.ok && result.value).toMatchObject({
      messageId: 'reply.1@example.test',
      inReplyTo: 'c.DSR-2026-0042.1.9f2c4e1ab07d@example.com',
      references: ['first@example.test', 'c.DSR-2026-0042.1.9f2c4e1ab07d@example.com'],
      receivedAt: DELIVERED_AT,
    });
  });
});
