/** `dpo-desk purge`, `case hold|release`, `export requests`, `report` on the command line, SQLite and PostgreSQL. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCaseByNumber, getPrivate } from '../../../src/adapters/db/case-repository.ts';
import { recordCaseEvent } from '../../../src/app/apply-event.ts';
import { openCase } from '../../../src/app/open-case.ts';
import { run } from '../../../src/cli/program.ts';
import type { Desk } from '../../../src/main.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk, virtualClock } from '../../support/desk.ts';

describe.each(testDatabases())('retention commands on $name', (tdb) => {
  let desk: Desk;
  let url: string;
  let drop: () => Promise<void>;
  const clock = virtualClock('2026-03-05T10:00:00Z');
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { LOG_LEVEL: 'silent', DATABASE_URL: url };
    const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const closedRequest = async () => {
    const { case: c } = await openCase(desk.deps, {
      kind: 'request', requestTypes: ['access'], channel: 'cli', receivedAt: new Date('2026-03-05T09:00:00Z'),
      requester: { email: 'ada.example@example.test', name: 'Ada Example', verified: true },
      content: 'my loyalty card data', actor: { id: 'cli', role: 'dpo' },
    }, clock());
    const withdrawn = {
      caseNumber: c.number, type: 'Withdrawn', actor: { id: 'cli', role: 'dpo' as const },
      fields: { outcome: 'withdrawn' },
    };
    await recordCaseEvent(desk.deps, withdrawn, clock());
    return c;
  };

  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
    clock.set('2026-03-05T10:00:00Z');
    desk = testDesk(url, { clock });
  });
  afterEach(async () => { await desk.close(); await drop(); });

  it('holds, refuses a purge of the held case, releases, purges with progress, and the chain verifies', async () => {
    const a = await closedRequest();
    const b = await closedRequest();
    expect((await cli(['case', 'hold', a.number])).code).toBe(2); // --reason is required
    const blank = await cli(['case', 'hold', a.number, '--reason', '  ']);
    expect([blank.code, blank.err]).toEqual([2, 'A legal hold needs a reason to place it.']);
    expect(await cli(['case', 'hold', a.number.toLowerCase(), '--reason', 'Authority inquiry 2026/17']))
      .toMatchObject({ code: 0, out: `${a.number} is under legal hold.` });
    expect((await cli(['case', 'hold', a.number, '--reason', 'again'])).err)
      .toBe(`${a.number} is already under legal hold.`);
    expect((await cli(['case', 'show', a.number])).out).toContain('under legal hold');
    expect(JSON.parse((await cli(['case', 'show', a.number, '--json'])).out)).toMatchObject({ legal_hold: true });
    const later = '2026-06-04T10:00:00Z'; // 91 days after closure
    const dry = JSON.parse((await cli(['purge', '--dry-run', '--json', '--now', later])).out);
    expect(dry).toEqual({
      now: '2026-06-04T10:00:00.000Z', dry_run: true, redacted: [b.number], deleted: [], held: 1, caseless_mails: 0,
    });
    expect((await getPrivate(desk.deps.database.db, b.id))!.content).toBe('my loyalty card data');
    expect(await cli(['case', 'release', a.number, '--reason', 'Inquiry closed']))
      .toMatchObject({ code: 0, out: `${a.number}: legal hold released.` });
    const done = await cli(['purge', '--now', later, '--progress-every', '1']);
    expect(done.out.split('\n'))
      .toEqual([`Redacted the content of 2 case(s): ${a.number}, ${b.number}.`, 'Deleted the facts of 0 case(s).']);
    expect(done.err.split('\n'))
      .toEqual(['purge: 1 case(s) done (1 redacted, 0 deleted)', 'purge: 2 case(s) done (2 redacted, 0 deleted)']);
    const db = desk.deps.database.db;
    for (const c of [a, b]) expect((await getPrivate(db, c.id))!).toMatchObject({ content: null, requesterName: null });
    expect((await findCaseByNumber(db, a.number))!).toMatchObject({ state: 'withdrawn', legalHold: false });
    expect((await cli(['audit', 'verify'])).out).toMatch(/^Audit log intact: \d+ event\(s\), chain verified\.$/);
    expect(JSON.parse((await cli(['purge', '--json', '--now', later])).out))
      .toMatchObject({ redacted: [], deleted: [] });
  });

  it('rejects bad arguments with exit 2 and documents every command in --help', async () => {
    for (const args of [['purge', '--progress-every', '0'], ['purge', '--now', 'yesterday'], ['report'],
      ['report', '--month', '2026-13'], ['export', 'requests', '--from', '05.03.2026'],
      ['case', 'release', 'nope', '--reason', 'x']]) {
      expect((await cli(args)).code, args.join(' ')).toBe(2);
    }
    for (const args of [['purge'], ['case', 'hold'], ['case', 'release'], ['export', 'requests'], ['report']]) {
      const r = await cli([...args, '--help']);
      expect([r.code, r.out.startsWith('Usage: dpo-desk')]).toEqual([0, true]);
    }
  });
});
