/**
 * Agents act on the cases they own or that nobody owns; another agent's case is its owner's or the DPO's to hand
 * over (issue 13 item 8). Written out as a table, observed through Slack on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { testDatabases } from '../../support/databases.ts';
import { answer, command, seedRequest, startHarness, USERS, type Harness } from './harness.ts';

/** [what, owner of the case, who tries, allowed] */
const TABLE: [string, string | null, string, boolean][] = [
  ['take', null, USERS.agent2, true],
  ['take', USERS.agent, USERS.agent2, false],
  ['take', USERS.agent, USERS.dpo, true],
  ['note', USERS.agent, USERS.agent2, false],
  ['note', USERS.agent, USERS.agent, true],
  ['verify', USERS.agent, USERS.agent2, false],
  ['verify', null, USERS.agent2, true],
  ['verify', USERS.agent, USERS.dpo, true],
  ['assign', USERS.agent, USERS.agent2, false],
  ['assign', USERS.agent, USERS.agent, true],
];

describe.each(testDatabases())('who acts on whose case, on $name', (tdb) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(tdb); });
  afterAll(async () => h?.close());

  it.each(TABLE)('%s on a case owned by %s, by %s → allowed %s', async (what, owner, user, allowed) => {
    const c = await seedRequest(h, { owner });
    const words = what === 'note' ? `note ${c.number} called back` : what === 'assign'
      ? `assign ${c.number} <@${USERS.agent2}>` : `${what} ${c.number}`;
    const said = await answer(await command(h, user, words));
    if (allowed) {
      expect(said).not.toContain('Not allowed');
    } else {
      expect(said).toContain(`this case is <@${owner}>'s`);
      expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.owner).toBe(owner);
    }
  });
});
