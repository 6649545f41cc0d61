/**
 * The role matrix: every role × every gated action, through Slack, observed by its effect (a modal opened, the
 * case changed) or its refusal — and, where allowed, the Slack user recorded as the actor. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findCaseByNumber } from '../../../src/adapters/db/case-repository.ts';
import type { Case } from '../../../src/domain/case.ts';
import { testDatabases } from '../../support/databases.ts';
import type { SlackCall } from '../../support/fake-slack.ts';
import {
  answer, click, command, expectNoPersonalData, openedView, seedBreach, seedRequest, startHarness, submit, USERS, type Harness,
} from './harness.ts';

const ROLES = { agent: USERS.agent, 'agent (user group)': USERS.groupie, dpo: USERS.dpo, manager: USERS.manager, 'no role': USERS.nobody } as const;
type RoleName = keyof typeof ROLES;

/** Written out, not derived from the code under test: 1 = allowed. Columns: agent, agent (group), dpo, manager, no role. */
const EXPECTED: Record<string, [number, number, number, number, number]> = {
  list: [1, 1, 1, 1, 1],
  show: [1, 1, 1, 1, 1],
  new: [1, 1, 1, 0, 0],
  breach: [1, 1, 1, 1, 1], // anyone reports an incident (issue 10): a team role gets the full breach modal, others the report modal
  take: [1, 1, 1, 0, 0],
  assign: [1, 1, 1, 0, 0],
  note: [1, 1, 1, 0, 0],
  reply: [1, 1, 1, 0, 0],
  details: [1, 1, 1, 0, 0],
  verify: [1, 1, 1, 0, 0],
  pause: [1, 1, 1, 0, 0],
  resume: [1, 1, 1, 0, 0],
  close: [1, 1, 1, 0, 0],
  escalate: [1, 1, 1, 0, 0],
  extend: [0, 0, 1, 0, 0],
  'extend (submitted)': [0, 0, 1, 0, 0],
  refuse: [0, 0, 1, 0, 0],
  'deadline override': [0, 0, 1, 0, 0],
  assess: [0, 0, 1, 0, 0],
  'notify authority': [0, 0, 1, 0, 0],
  export: [0, 0, 1, 1, 0],
};

describe.each(testDatabases())('role matrix on $name', (tdb) => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(tdb); });
  afterAll(async () => { expectNoPersonalData(h.fake); await h?.close(); });
  const db = () => h.desk.deps.database.db;

  /** A command or press answered by a modal (true) or by a refusal (false). */
  async function modalOrRefusal(r: { trigger: string; responses: () => SlackCall[] }): Promise<boolean> {
    await vi.waitFor(() => expect(h.fake.of('views.open', (c) => c.params.trigger_id === r.trigger).length + r.responses().length).toBeGreaterThan(0));
    const opened = h.fake.of('views.open', (c) => c.params.trigger_id === r.trigger).length === 1;
    if (!opened) expect(await answer(r)).toContain('Not allowed');
    return opened;
  }

  /** A command answered in words: allowed unless it says "Not allowed". */
  async function said(user: string, text: string): Promise<boolean> {
    return !(await answer(await command(h, user, text))).includes('Not allowed');
  }

  async function lastActor(c: Case): Promise<string> {
    const e = await db().selectFrom('audit_events').select('actor').where('case_id', '=', c.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    return e.actor;
  }

  const closeView = async (c: Case) => openedView(h, (await command(h, USERS.dpo, `close ${c.number}`)).trigger);
  const extendView = async (c: Case) => openedView(h, (await command(h, USERS.dpo, `extend ${c.number}`)).trigger);

  const ATTEMPT: Record<string, (user: string) => Promise<{ allowed: boolean; c?: Case }>> = {
    list: async (u) => ({ allowed: await said(u, 'list open') }),
    show: async (u) => { const c = await seedRequest(h); return { allowed: await said(u, `show ${c.number}`) }; },
    new: async (u) => ({ allowed: await modalOrRefusal(await command(h, u, 'new')) }),
    breach: async (u) => ({ allowed: await modalOrRefusal(await command(h, u, 'breach')) }),
    take: async (u) => { const c = await seedRequest(h); await answer(await click(h, u, 'case_take', c.number)); return { allowed: (await findCaseByNumber(db(), c.number))!.owner === u, c }; },
    assign: async (u) => { const c = await seedRequest(h); await said(u, `assign ${c.number} <@${USERS.agent2}>`); return { allowed: (await findCaseByNumber(db(), c.number))!.owner === USERS.agent2, c }; },
    note: async (u) => { const c = await seedRequest(h); return { allowed: await said(u, `note ${c.number} checked the CRM`), c }; },
    reply: async (u) => { const c = await seedRequest(h, { owner: u }); return { allowed: await modalOrRefusal(await command(h, u, `reply ${c.number}`)) }; },
    details: async (u) => { const c = await seedRequest(h, { owner: u }); return { allowed: await modalOrRefusal(await click(h, u, 'case_details', c.number)) }; },
    verify: async (u) => { const c = await seedRequest(h, { owner: u }); await said(u, `verify ${c.number}`); return { allowed: Boolean((await findCaseByNumber(db(), c.number))!.identityVerifiedAt), c }; },
    pause: async (u) => { const c = await seedRequest(h, { owner: u }); return { allowed: await modalOrRefusal(await command(h, u, `pause ${c.number}`)) }; },
    resume: async (u) => {
      const c = await seedRequest(h, { owner: u });
      await db().updateTable('cases').set({ state: 'clarification_pending' }).where('id', '=', c.id).execute();
      await said(u, `resume ${c.number}`);
      return { allowed: (await findCaseByNumber(db(), c.number))!.state === 'in_progress', c };
    },
    close: async (u) => { const c = await seedRequest(h, { owner: u }); return { allowed: await modalOrRefusal(await command(h, u, `close ${c.number}`)) }; },
    escalate: async (u) => {
      const c = await seedRequest(h);
      await answer(await click(h, u, 'case_escalate', c.number));
      const alerts = await db().selectFrom('outbox').select('id').where('case_id', '=', c.id).where('kind', '=', 'dpo-alert').execute();
      return { allowed: alerts.length > 0, c };
    },
    extend: async (u) => { const c = await seedRequest(h); return { allowed: await modalOrRefusal(await command(h, u, `extend ${c.number}`)) }; },
    'extend (submitted)': async (u) => {
      const c = await seedRequest(h);
      const r = await submit(h, u, await extendView(c), { reasons: 'Large archive to search.' });
      if (r.ack.response_action === 'update' && JSON.stringify(r.ack.view).includes('Not allowed')) return { allowed: false };
      return { allowed: (await findCaseByNumber(db(), c.number))!.extension !== null, c };
    },
    refuse: async (u) => {
      const c = await seedRequest(h, { owner: u });
      await submit(h, u, await closeView(c), {
        resolution: 'Refused', reasons: 'Manifestly excessive.', 'authority.name': 'Example DPA', 'authority.url': 'https://dpa.example.test',
      });
      return { allowed: (await findCaseByNumber(db(), c.number))!.state === 'refused', c };
    },
    'deadline override': async (u) => {
      const c = await seedBreach(h);
      await said(u, `deadline ${c.number} 2026-03-05T07:00 log shows the alert earlier`);
      return { allowed: (await findCaseByNumber(db(), c.number))!.awareAt!.toISOString() === '2026-03-05T06:00:00.000Z', c };
    },
    assess: async (u) => { const c = await seedBreach(h); await said(u, `assess ${c.number} risk customer e-mails exposed`); return { allowed: (await findCaseByNumber(db(), c.number))!.state === 'assessed', c }; },
    'notify authority': async (u) => { const c = await seedBreach(h); await said(u, `notify ${c.number} initial`); return { allowed: (await findCaseByNumber(db(), c.number))!.state === 'notified', c }; },
    export: async (u) => ({ allowed: await said(u, 'export') }),
  };

  it('covers every gated action', () => {
    expect(Object.keys(ATTEMPT).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [action, expected] of Object.entries(EXPECTED)) {
    it(`${action}: ${(Object.keys(ROLES) as RoleName[]).map((r, i) => `${r} ${expected[i] ? 'yes' : 'no'}`).join(', ')}`, async () => {
      const observed: number[] = [];
      for (const user of Object.values(ROLES)) {
        const { allowed, c } = await ATTEMPT[action]!(user);
        observed.push(allowed ? 1 : 0);
        if (allowed && c) expect(await lastActor(c), `${action} by ${user} recorded`).toBe(user);
      }
      expect(observed).toEqual(expected);
    });
  }
});
