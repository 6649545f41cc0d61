/**
 * Hostile Slack requests against the real Bolt app over HTTP: correctly signed bodies that are not Slack payloads
 * (`payload=null`, a JSON `null`, arrays, numbers, broken JSON) get 400 and the desk keeps answering; timestamps
 * more than 5 minutes in the future or the past get 401; and a small fuzz of signed bad bodies (fast-check) never
 * produces an uncaught error, a 5xx from our guard, or a dead server.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../support/databases.ts';
import { commandBody, postSigned } from '../../support/fake-slack.ts';
import { command, SECRET, startHarness, USERS, type Harness } from './harness.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

describe('hostile signed Slack requests', () => {
  let h: Harness;
  const crashes: unknown[] = [];
  const onCrash = (e: unknown) => { crashes.push(e); };
  beforeAll(async () => {
    h = await startHarness(testDatabases()[0]!);
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
    await h?.close();
  });

  const stillServing = async () => {
    const r = await command(h, USERS.agent, 'help');
    expect(r.status).toBe(200);
    expect(r.ack.text).toContain('/dpo list');
  };

  it('answers 400 to signed bodies that are not Slack payloads, and keeps working', async () => {
    const bad: [string, string][] = [
      ['payload=null', FORM], ['payload=%5B%5D', FORM], ['payload=1', FORM], ['payload=%22x%22', FORM], ['payload=%7B', FORM],
      ['payload=%7B%7D', FORM], ['payload', FORM], ['', FORM],
      ['null', JSON_TYPE], ['[]', JSON_TYPE], ['42', JSON_TYPE], ['"text"', JSON_TYPE], ['{', JSON_TYPE], ['{}', JSON_TYPE], ['', JSON_TYPE],
    ];
    for (const [body, contentType] of bad) {
      expect({ body, contentType, status: (await postSigned(h.url, body, { secret: SECRET, contentType })).status })
        .toEqual({ body, contentType, status: 400 });
    }
    await stillServing();
    expect(crashes).toEqual([]);
  });

  it('rejects timestamps more than 5 minutes in the future or the past, accepts 4 minutes either way', async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = () => commandBody({ command: '/dpo', text: 'help', user: USERS.agent, responseUrl: h.fake.responseUrl() });
    expect((await postSigned(h.url, body(), { secret: SECRET, ts: now + 6 * 60 })).status).toBe(401);
    expect((await postSigned(h.url, body(), { secret: SECRET, ts: now - 6 * 60 })).status).toBe(401);
    expect((await postSigned(h.url, body(), { secret: SECRET, ts: now + 4 * 60 })).status).toBe(200);
    expect((await postSigned(h.url, body(), { secret: SECRET, ts: now - 4 * 60 })).status).toBe(200);
  });

  it('fuzz: 150 signed bad bodies (form and JSON) never crash the desk nor get past the guard as a 5xx', async () => {
    const types = ['block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'event_callback', 'url_verification'];
    const slackish = fc.record({
      type: fc.constantFrom(...types),
      user: fc.option(fc.oneof(fc.constant(null), fc.record({ id: fc.string() })), { nil: undefined }),
      actions: fc.option(fc.oneof(fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 2 })), { nil: undefined }),
      view: fc.option(fc.oneof(fc.constant(null), fc.jsonValue()), { nil: undefined }),
      event: fc.option(fc.oneof(fc.constant(null), fc.jsonValue()), { nil: undefined }),
      challenge: fc.option(fc.jsonValue(), { nil: undefined }),
    }, { requiredKeys: ['type'] });
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), slackish);
    const body = fc.oneof(
      value.map((v) => [`payload=${encodeURIComponent(JSON.stringify(v) ?? 'null')}`, FORM] as const),
      value.map((v) => [JSON.stringify(v) ?? 'null', JSON_TYPE] as const),
      fc.string({ maxLength: 200 }).map((s) => [s, fc.sample(fc.constantFrom(FORM, JSON_TYPE), 1)[0]!] as const),
      fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 }), { maxKeys: 4 })
        .map((d) => [new URLSearchParams(d).toString(), FORM] as const),
    );
    const samples = fc.sample(body, { numRuns: 150, seed: 1313 });
    const statuses = await Promise.all(samples.map(([b, contentType]) => postSigned(h.url, b, { secret: SECRET, contentType }).then((r) => r.status)));
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(new Set(statuses).size).toBeGreaterThan(1); // some reached Bolt, some were refused
    await stillServing();
    expect(crashes).toEqual([]);
  });
});
