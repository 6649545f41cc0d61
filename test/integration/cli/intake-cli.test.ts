/**
 * The intake through the CLI (issue 11): `ingest --json` dates a message by our server's stamp even with
 * MAIL_RECEIVING_HOSTS unset (never by the file's mtime) and says which header did; a person's mail that is not
 * understood opens a triage case whose clock runs and whose reading `case show` explains; `deadline --aware` alone.
 */
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/program.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { FIXTURE_DIR } from '../../unit/intake/intake-fixtures.ts';

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: { LOG_LEVEL: 'silent', ...env } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A request stamped by our MX on 3 November, saved to a file today. */
const NOVEMBER = `Received: from mx.example.com by imap.example.com with LMTP id 1; Tue, 03 Nov 2026 09:15:04 +0100
Received: from smtp.example.test (smtp.example.test [192.0.2.1]) by mx.example.com (Postfix) with ESMTPS id 2;
 Tue, 03 Nov 2026 09:15:03 +0100
Received: by smtp.example.test (Postfix) id 3; Tue, 03 Nov 2026 09:14:58 +0100
From: Jane Roe <jane.roe@example.test>
To: dpo@example.com
Subject: Please forget me
Date: Tue, 3 Nov 2026 09:14:57 +0100
Message-ID: <nov3.jane@example.test>
Content-Type: text/plain; charset=utf-8

Please forget me. I closed my account.
`;

describe.each(testDatabases())('intake through the CLI on $name', (tdb) => {
  let url: string;
  let drop: () => Promise<void>;
  let dir: string;
  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    dir = mkdtempSync(join(tmpdir(), 'intake-cli-'));
  });
  afterEach(async () => { await drop(); });

  const env = () => ({ DATABASE_URL: url, ORG_DOMAINS: 'example.com', DPO_EMAIL: 'dpo@example.com', OUTBOX_DIR: dir, MAIL_RECEIVING_HOSTS: '' });

  it('ingest --json dates a message by our server (inferred from ORG_DOMAINS), not by the file, and says how', async () => {
    const file = join(dir, 'november.eml');
    writeFileSync(file, NOVEMBER);
    utimesSync(file, new Date('2026-11-29T10:00:00Z'), new Date('2026-11-29T10:00:00Z'));
    const r = await cli(['ingest', '--json', file], env());
    expect(r.code).toBe(0);
    const line = JSON.parse(r.out);
    expect(line).toMatchObject({
      action: 'create', kind: 'request', request_types: ['erasure'], received_at: '2026-11-03T08:15:03.000Z',
      received_from: 'received', reason: null, matched: ['erasure: forget me'],
    });
    expect(line.received_header).toMatch(/^Received: from smtp\.example\.test .* by mx\.example\.com .*09:15:03 \+0100$/);

    // Without any stamp of ours: the topmost Received; without any Received: the Date header — never the mtime.
    const hosted = join(dir, 'hosted.eml');
    writeFileSync(hosted, NOVEMBER.replace(/^Received: from mx[^\n]*\n/, '').replace(/by mx\.example\.com/, 'by mx1.hosted.example.test').replace('nov3.jane', 'nov3.hosted'));
    const bare = join(dir, 'bare.eml');
    writeFileSync(bare, NOVEMBER.replace(/^(Received:[^\n]*\n(?: [^\n]*\n)?)+/, '').replace('nov3.jane', 'nov3.bare'));
    const [h, b] = (await cli(['ingest', '--json', '--dry-run', hosted, bare], env())).out.split('\n').map((l) => JSON.parse(l));
    expect(h).toMatchObject({ received_at: '2026-11-03T08:15:03.000Z', received_from: 'topmost_received' });
    expect(b).toMatchObject({ received_at: '2026-11-03T08:14:57.000Z', received_from: 'date_header', received_header: 'Date: Tue, 3 Nov 2026 09:14:57 +0100' });
  });

  it("a person's mail we do not understand opens a triage case: clock running, no acknowledgement, reading shown", async () => {
    const r = await cli(['ingest', '--json', `${FIXTURE_DIR}triage-it-cancellazione.eml`, `${FIXTURE_DIR}other-en-cannot-access-account.eml`], env());
    const [italian, login] = r.out.split('\n').map((l) => JSON.parse(l));
    expect(italian).toMatchObject({ action: 'create', reason: 'triage', detected_language: 'it', language: 'en' });
    expect(login).toMatchObject({ action: 'create', reason: 'triage', confidence: 0 });
    const show = await cli(['case', 'show', italian.case, '--json'], env());
    const view = JSON.parse(show.out);
    expect(view).toMatchObject({ kind: 'request', state: 'triage', request_types: [], regimes: ['gdpr'] });
    expect(view.intake).toMatchObject({ triage: true, confidence: 0, language_note: 'language not supported: it' });
    expect(view.deadlines[0]).toMatchObject({ regime: 'gdpr', received: '2026-02-17', due: '2026-03-17' });
    // the team is told (case-opened); nothing is confirmed to the sender before a person knows what it is
    expect(view.outbox.map((o: { kind: string; channel: string }) => `${o.kind}/${o.channel}`)).toEqual(['case-opened/slack']);
    const text = (await cli(['case', 'show', italian.case], env())).out;
    expect(text).toContain('state: triage');
    expect(text).toMatch(/intake: TRIAGE .*confidence 0; matched: —; language not supported: it/);
  });

  it('deadline --regime gdpr-breach --aware <instant> works alone', async () => {
    const r = await cli(['deadline', '--regime', 'gdpr-breach', '--aware', '2026-03-27T10:00:00+01:00', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ regime: 'gdpr-breach', due_at: '2026-03-30T09:00:00.000Z' });
    expect(await cli(['deadline', '--regime', 'gdpr-breach'])).toMatchObject({ code: 2, err: expect.stringContaining('give --aware') });
  });
});
