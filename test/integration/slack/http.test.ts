/** The HTTP receiver: Slack's signature and timestamp checks, the health endpoint, help and usage in the ack. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../support/databases.ts';
import { commandBody, postSigned, signedHeaders } from '../../support/fake-slack.ts';
import { command, SECRET, startHarness, USERS, type Harness } from './harness.ts';

describe('Slack HTTP receiver', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { await h?.close(); });

  const body = () => commandBody({ command: '/dpo', text: 'help', user: USERS.agent, responseUrl: h.fake.responseUrl() });

  it('answers a correctly signed command with the ack body', async () => {
    const r = await postSigned(h.url, body(), { secret: SECRET });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('/dpo list [mine|open|overdue|due-this-week]') });
  });

  it('rejects a bad signature, a wrong secret and a body changed after signing', async () => {
    expect((await postSigned(h.url, body(), { secret: 'not-the-secret-at-all' })).status).toBe(401);
    const signed = body();
    const res = await fetch(h.url, {
      method: 'POST', body: signed.replace('help', 'list'),
      headers: signedHeaders(SECRET, signed),
    });
    expect(res.status).toBe(401);
    expect((await postSigned(h.url, body(), { secret: SECRET, headers: { 'x-slack-signature': 'v0=deadbeef' } })).status).toBe(401);
  });

  it('rejects a stale timestamp (more than 5 minutes old) even when correctly signed', async () => {
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postSigned(h.url, body(), { secret: SECRET, ts: stale })).status).toBe(401);
  });

  it('serves a health endpoint that checks the database', async () => {
    const res = await fetch(`http://127.0.0.1:${h.slack.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mode: 'http', database: 'up' });
  });

  it('answers unknown or malformed input with an ephemeral usage message naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['frobnicate', /Unknown command "frobnicate"/],
      ['list everything', /`list` takes one of mine, open, overdue, due-this-week — not "everything"/],
      ['take DSR-20X-1', /"DSR-20X-1" is not a case number/],
      ['assign DSR-2026-0001 bob', /`assign` needs one user/],
      ['note DSR-2026-0001', /`note` needs text/],
      ['pause DSR-2026-0001 forever', /`pause` takes identity or clarification — not "forever"/],
      ['take DSR-2026-0001 now please', /`take` takes only a case number \(got "now please"\)/],
      ['new request twice', /`new` takes at most one workflow/],
      ['help me', /`help` takes no arguments/],
      ['deadline BRE-2026-0001 yesterday', /`deadline` needs the instant/],
    ];
    for (const [text, problem] of cases) {
      const r = await command(h, USERS.agent, text);
      expect(r.status).toBe(200);
      expect(r.ack).toMatchObject({ response_type: 'ephemeral' });
      expect(r.ack.text).toMatch(problem);
      expect(r.ack.text).toContain('/dpo help');
    }
  });
});
