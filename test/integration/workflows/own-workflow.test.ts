/**
 * A new obligation is a YAML file: a workflow written here (its own states, clock and reminders) in a folder given
 * by WORKFLOWS_DIR is loaded, opened from the CLI, moved through its transitions with the roles it names, and
 * reminds on time — with no code change. SQLite and PostgreSQL.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/program.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';

const VENDOR_AUDIT = `
id: vendor-audit
kind: obligation
label: Yearly vendor audit
prefix: VAU
clock: { rule: contract, days: 14, unit: calendar, from: received }
open:
  roles: [dpo]
  fields:
    - { name: vendor, label: Vendor }
initial: planned
states:
  planned: { description: Not started }
  auditing: { description: Under way }
  done: { description: Finished, final: true }
transitions:
  - { on: AuditStarted, label: Start the audit, done: audit started, from: [planned], to: auditing, roles: [agent, dpo],
      offer: { command: start-audit, button: true } }
  - on: AuditFinished
    label: Finish the audit
    done: audit finished
    from: [auditing]
    to: done
    roles: [dpo]
    offer: { close: true }
    fields:
      - { name: outcome, type: longtext, label: Findings }
reminders:
  - { id: due-3d, anchor: due, at: -3d, to: [dpo], states: [planned, auditing] }
  - { id: overdue, anchor: due, at: "0", repeat: daily, overdue: true, to: [dpo], states: [planned, auditing] }
`;

function workflowsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-workflows-'));
  for (const f of ['request.yaml', 'breach.yaml']) copyFileSync(new URL(`../../../workflows/${f}`, import.meta.url), join(dir, f));
  writeFileSync(join(dir, 'vendor-audit.yaml'), VENDOR_AUDIT);
  return dir;
}

describe.each(testDatabases())('a workflow written in a test, on $name', (tdb) => {
  let db: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await freshDatabase(tdb);
    env = { DATABASE_URL: db.url, WORKFLOWS_DIR: workflowsDir(), LOG_LEVEL: 'silent', SLACK_DPOS: '' };
  });
  afterAll(async () => db?.drop());

  async function cli(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, { out: (l) => out.push(l), err: (l) => err.push(l), env });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('opens from the CLI, moves by its roles, refuses others with what is allowed, reminds on time', async () => {
    const received = new Date(Date.now() - 2 * 86_400_000);
    const opened = await cli('case', 'open', '--workflow', 'vendor-audit', '--received', received.toISOString(),
      '--field', 'vendor=Acme Hosting', '--json');
    expect(opened.code, opened.err).toBe(0);
    const c = JSON.parse(opened.out) as { number: string; state: string; due: string };
    expect(c.number).toMatch(/^VAU-\d{4}-0001$/);
    expect(c.state).toBe('planned');
    const dueAt = new Date(c.due);
    expect(dueAt.getTime() - received.getTime()).toBeGreaterThan(13 * 86_400_000);

    const agentMay = JSON.parse((await cli('case', 'events', c.number, '--as', 'agent', '--json')).out) as { event: string }[];
    expect(agentMay.map((e) => e.event)).toEqual(['AuditStarted']);
    const notOpen = await cli('case', 'open', '--workflow', 'vendor-audit', '--received', received.toISOString(), '--as', 'agent',
      '--field', 'vendor=Other');
    expect(notOpen.code).toBe(1);
    expect(notOpen.err).toContain('Not allowed');

    expect((await cli('case', 'do', c.number, 'AuditStarted', '--as', 'agent')).out).toContain('audit started — state auditing');
    const refused = await cli('case', 'do', c.number, 'AuditFinished', '--as', 'agent', '--field', 'outcome=fine');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/needs the role dpo/);
    const badField = await cli('case', 'do', c.number, 'AuditFinished', '--field', 'grade=A');
    expect(badField.code).toBe(2);
    expect(badField.err).toContain('has no field grade (it takes outcome)');
    const unknown = await cli('case', 'do', c.number, 'Teleported');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('allowed now for dpo: AuditFinished');

    const before = await cli('tick', '--now', new Date(dueAt.getTime() - 4 * 86_400_000).toISOString(), '--json');
    expect(JSON.parse(before.out).claimed).toBe(0);
    const due3d = JSON.parse((await cli('tick', '--now', new Date(dueAt.getTime() - 2 * 86_400_000).toISOString(), '--json')).out);
    expect(due3d.claimed).toBeGreaterThan(0);
    expect(JSON.stringify(due3d.messages)).toContain(c.number);

    const missing = await cli('case', 'do', c.number, 'AuditFinished');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('AuditFinished needs: outcome');
    const done = await cli('case', 'do', c.number, 'AuditFinished', '--field', 'outcome=No findings.', '--json');
    expect(JSON.parse(done.out)).toMatchObject({ state: 'done', duplicate: false });
    const after = JSON.parse((await cli('tick', '--now', new Date(dueAt.getTime() + 86_400_000).toISOString(), '--json')).out);
    expect(JSON.stringify(after.messages)).not.toContain(c.number);
  });

  it('a broken definition stops the desk naming the file and the problem', async () => {
    const dir = workflowsDir();
    writeFileSync(join(dir, 'broken.yaml'), VENDOR_AUDIT.replace('id: vendor-audit', 'id: broken').replace('prefix: VAU', 'prefix: VAU'));
    const r = await run(['cases'], { out: () => {}, err: () => {}, env: { ...env, WORKFLOWS_DIR: dir } }).catch((e: Error) => e);
    expect(String(r)).toMatch(/prefix VAU is already used by (broken|vendor-audit)/);
  });
});
