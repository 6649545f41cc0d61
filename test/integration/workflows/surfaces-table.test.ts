/**
 * One source of truth: every transition of every shipped definition is offered where its definition says — the
 * `/dpo` word, a button on the case card, the reply modal, the close modal, and `dpo-desk case events` — to the
 * roles it names, and refused with a clear message to the others. The expectations are read from the YAML, the
 * observations from the real surfaces (signed requests to the Bolt app, the CLI in-process). SQLite and PostgreSQL.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../../../src/app/open-case.ts';
import { run } from '../../../src/cli/program.ts';
import type { Case } from '../../../src/domain/case.ts';
import type { TransitionDefinition, WorkflowDefinition } from '../../../src/domain/workflow/definition.ts';
import { testDatabases } from '../../support/databases.ts';
import { answer, command, openedView, startHarness, USERS, type Harness } from '../slack/harness.ts';

const WORKFLOW_IDS = readdirSync(new URL('../../../workflows/', import.meta.url))
  .filter((f) => f.endsWith('.yaml') && f !== 'intake-keywords.yaml').map((f) => f.replace(/\.yaml$/, ''));
const ROLES = { agent: USERS.agent, dpo: USERS.dpo, manager: USERS.manager } as const;
type Role = keyof typeof ROLES;

describe.each(testDatabases())('every transition on every surface, on $name', (tdb) => {
  let h: Harness;
  let url: string;
  beforeAll(async () => {
    h = await startHarness(tdb);
    url = (h.desk.deps.config.databaseUrl);
  });
  afterAll(async () => h?.close());

  /** A fresh case of `wf` in `state`, owned by `owner`, with the organisation role the transition is for. */
  async function caseIn(wf: WorkflowDefinition, t: TransitionDefinition, owner: string): Promise<Case> {
    const opened = await openCase(h.desk.deps, {
      kind: wf.kind, workflow: wf.id, requestTypes: wf.kind === 'request' ? ['access'] : [], channel: 'mail',
      receivedAt: new Date('2026-03-05T09:00:00Z'), awareAt: new Date('2026-03-05T09:00:00Z'),
      requester: { email: 'table.test@example.test', name: 'Table Test', verified: true },
      actor: { id: 'system', role: 'system' },
    }, h.clock());
    await h.desk.deps.database.db.updateTable('cases')
      .set({ state: t.from[0]!, owner, role: t.when?.case_role ?? 'controller' }).where('id', '=', opened.case.id).execute();
    return opened.case;
  }

  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: { DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  /** What a Slack user is offered for `t` on a case, surface by surface (null: the surface does not offer it). */
  async function slackOffers(c: Case, t: TransitionDefinition, user: string) {
    const seen: Record<string, boolean | null> = { command: null, button: null, reply: null, close: null };
    if (t.offer.button) {
      seen.button = (await answer(await command(h, user, `show ${c.number}`))).includes(`${c.number}|${t.on}`);
    }
    for (const where of ['reply', 'close'] as const) {
      if (!t.offer[where]) continue;
      const r = await command(h, user, `${where} ${c.number}`);
      const opened = await Promise.race([openedView(h, r.trigger).then((v) => v), answer(r).then(() => null)]);
      const block = where === 'reply' ? 'template' : 'resolution';
      seen[where] = Boolean(opened?.blocks?.find((b: any) => b.block_id === block)?.element.options.some((o: any) => o.value === t.on));
    }
    if (t.offer.command) {
      const r = await command(h, user, `${t.offer.command} ${c.number}`);
      const opened = await Promise.race([openedView(h, r.trigger).then(() => 'form'), answer(r)]);
      seen.command = opened === 'form' || !opened.includes('Not allowed');
      if (!seen.command) expect(opened).toMatch(/Not allowed: .*needs the role/);
    }
    return seen;
  }

  const workflows = () => h.desk.deps.workflows.list();

  it('the definitions offer something on every surface, and every role is somewhere allowed and refused', () => {
    const all = workflows().flatMap((wf) => wf.transitions);
    for (const where of ['button', 'reply', 'close'] as const) expect(all.some((t) => t.offer[where])).toBe(true);
    expect(all.some((t) => t.offer.command)).toBe(true);
  });

  // One test per definition file (they are all in workflows/): each walks its transitions × roles × surfaces.
  it.each(WORKFLOW_IDS)('%s: offers each transition where and to whom it says; refuses the others with the reason', async (id) => {
    const mismatches: string[] = [];
    for (const wf of workflows().filter((w) => w.id === id)) {
      for (const t of wf.transitions) {
        for (const role of Object.keys(ROLES) as Role[]) {
          const allowed = (t.roles as string[]).includes(role);
          const what = `${wf.id} ${t.on} as ${role}`;
          // The CLI acts as user "cli": the case is that user's, so ownership never hides an event.
          const forCli = await caseIn(wf, t, 'cli');
          const listed = JSON.parse((await cli(['case', 'events', forCli.number, '--as', role, '--json'])).out) as { event: string }[];
          if (listed.some((e) => e.event === t.on) !== allowed) mismatches.push(`${what}: CLI case events`);
          if (!allowed) {
            const refused = await cli(['case', 'do', forCli.number, t.on, '--as', role]);
            if (refused.code !== 2 || !/needs the role|Not allowed/.test(refused.err)) mismatches.push(`${what}: CLI case do not refused (${refused.err})`);
          }
          const forSlack = await caseIn(wf, t, ROLES[role]);
          const seen = await slackOffers(forSlack, t, ROLES[role]);
          for (const [surface, offered] of Object.entries(seen)) {
            if (offered === null) continue;
            // A button shows only to people who act on cases (the card of a manager has none).
            if (offered !== allowed) mismatches.push(`${what}: Slack ${surface} ${offered ? 'offered' : 'not offered'}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 240_000);

  it('walks every shipped definition', () => {
    expect(workflows().map((w) => w.id).sort()).toEqual([...WORKFLOW_IDS].sort());
  });
});
