/** `/dpo hold|release <case> <reason>` through the real Bolt app: the DPO only, with a reason, audited. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../../src/adapters/db/audit-log.ts';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import { testDatabases } from '../../support/databases.ts';
import { answer, command, seedRequest, startHarness, USERS, type Harness } from '../slack/harness.ts';

describe('/dpo hold and release', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(testDatabases()[0]!); });
  afterAll(async () => { await h?.close(); });

  it('places and lifts a legal hold for the DPO only, with a reason, and audits both', async () => {
    const c = await seedRequest(h);
    expect((await command(h, USERS.dpo, `hold ${c.number}`)).ack.text).toContain('`hold` needs a reason');
    expect(await answer(await command(h, USERS.agent, `hold ${c.number} litigation`)))
      .toContain('Not allowed: hold needs the role dpo; you are agent');
    expect(await answer(await command(h, USERS.manager, `release ${c.number} settled`))).toContain('Not allowed');
    expect(await answer(await command(h, USERS.dpo, `hold ${c.number.toLowerCase()} Litigation pending`)))
      .toContain(`${c.number} is under legal hold`);
    expect((await findCaseByNumber(h.desk.deps.database.db, c.number))!.legalHold).toBe(true);
    expect(await answer(await command(h, USERS.dpo, `hold ${c.number} again`))).toContain('already under legal hold');
    expect(await answer(await command(h, USERS.dpo, `release ${c.number} Litigation settled`)))
      .toContain('legal hold released');
    const events = [];
    for await (const e of readAudit(h.desk.deps.database.db, 100, c.id)) {
      if (e.type.startsWith('LegalHold')) events.push([e.type, e.actor, e.data.reason]);
    }
    expect(events).toEqual([
      ['LegalHoldPlaced', USERS.dpo, 'Litigation pending'], ['LegalHoldReleased', USERS.dpo, 'Litigation settled'],
    ]);
    expect((await command(h, USERS.nobody, 'help')).ack.text).toContain('/dpo hold <case> <reason>');
  });
});
