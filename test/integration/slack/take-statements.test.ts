/**
 * `/dpo take` through the real Bolt app: one read and one write of the case row (the use case loads once, checks
 * permission once, applies and saves once), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApp, type SlackApp } from '../../../src/adapters/slack/slack-app.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';
import { FakeSlack } from '../../support/fake-slack.ts';
import { answer, command, slackEnv, USERS, type Harness } from './harness.ts';

describe.each(testDatabases())('take on $name', (tdb) => {
  let h: Harness;
  const statements: string[] = [];
  let app: SlackApp;
  beforeAll(async () => {
    const fake = await new FakeSlack().start();
    const db = await freshDatabase(tdb);
    const clock = virtualClock('2026-03-05T10:00:00Z');
    const desk = testDesk(db.url, { clock, env: slackEnv(fake), onQuery: (s) => statements.push(s) });
    await desk.migrate();
    app = createSlackApp(desk.deps, desk.deps.config.slack!, { listen: { port: 0, host: '127.0.0.1' }, clientOptions: { retryConfig: { retries: 0 } } });
    await app.start();
    h = {
      desk, fake, slack: app, clock, url: `http://127.0.0.1:${app.port}/slack/events`,
      async close() { await app.stop(); await desk.close(); await fake.stop(); await db.drop(); },
    };
  });
  afterAll(async () => h?.close());

  it('reads the case row once and writes it once', async () => {
    const c = (await openCase(h.desk.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'mail', receivedAt: new Date('2026-03-05T09:00:00Z'),
      requester: { email: 'x@example.test', name: null, verified: true }, actor: { id: 'system', role: 'system' },
    }, h.clock())).case;
    statements.length = 0;
    expect(await answer(await command(h, USERS.agent, `take ${c.number}`))).toContain(`${c.number} is yours (state in_progress)`);
    const onCases = statements.filter((s) => /\b(from|update|into)\s+"?cases"?[\s(]/i.test(s));
    expect(onCases.filter((s) => /^\s*select/i.test(s))).toHaveLength(1);
    expect(onCases.filter((s) => /^\s*update/i.test(s))).toHaveLength(1);
    expect(onCases).toHaveLength(2);
  });
});
