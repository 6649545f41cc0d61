/**
 * The breach desk's commands on SQLite and PostgreSQL: customers, breach decisions through `case do`, breach
 * draft/recipients/show/link, export register.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCase } from '../../../src/app/open-case.ts';
import { run } from '../../../src/cli/program.ts';
import { REGISTER_COLUMNS } from '../../../src/domain/breach/register.ts';
import { freshDatabase, testDatabases } from '../../support/databases.ts';
import { testDesk } from '../../support/desk.ts';

describe.each(testDatabases())('breach commands on $name', (tdb) => {
  let url: string;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'dpo-desk-breach-cli-'));
  beforeEach(async () => {
    ({ url, drop } = await freshDatabase(tdb));
  });
  afterEach(async () => {
    await drop();
  });

  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { LOG_LEVEL: 'silent', DATABASE_URL: url, ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com', ...env },
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const openBreach = async (hoursAgo: number, env: Record<string, string> = {}) => {
    const desk = testDesk(url, { env });
    try {
      const at = new Date(Date.now() - hoursAgo * 3_600_000);
      return (
        await openCase(
          desk.deps,
          { kind: 'breach', channel: 'cli', receivedAt: at, awareAt: at, actor: { id: 'cli', role: 'dpo' } },
          new Date(),
        )
      ).case;
    } finally {
      await desk.close();
    }
  };

  it('customers: add from YAML, list, set; bad input named and nothing stored', async () => {
    const file = join(dir, 'customers.yaml');
    writeFileSync(
      file,
      'customers:\n  - id: acme\n    name: Acme Shop\n    domains: [acme.example]\n    security-address: security@acme.example\n  - id: bergbau\n    name: Bergbau AG\n    domains: [bergbau.example]\n    request-address: datenschutz@bergbau.example\n    language: de\n    notice-hours: 48\n',
    );
    expect(await cli(['customers', 'add', '--file', file])).toMatchObject({
      code: 0,
      out: 'Added acme: Acme Shop\nAdded bergbau: Bergbau AG',
    });
    expect(await cli(['customers', 'add', 'acme', '--name', 'Again'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('Already stored: acme'),
    });
    const bad = await cli(['customers', 'add', 'cyan', '--name', 'Cyan', '--security-address', 'not-an-address']);
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('securityAddress: expected an e-mail address') });
    expect(
      await cli(['customers', 'set', 'bergbau', '--security-address', 'sicherheit@bergbau.example']),
    ).toMatchObject({ code: 0 });
    const list = JSON.parse((await cli(['customers', 'list', '--json'])).out);
    expect(list.map((c: { id: string }) => c.id)).toEqual(['acme', 'bergbau']);
    expect(list[1]).toMatchObject({
      securityAddress: 'sicherheit@bergbau.example',
      requestAddress: 'datenschutz@bergbau.example',
      language: 'de',
      noticeHours: 48,
    });
    expect((await cli(['customers', 'list'])).out).toContain(
      'acme             Acme Shop — acme.example; requests → —; incidents → security@acme.example; en; 72 h',
    );
  });

  it("a controller's breach: record decisions, the late rule, the draft in German, recipients, the register export", async () => {
    const c = await openBreach(80);
    const assess = await cli([
      'case',
      'do',
      c.number,
      'Assessed',
      '--field',
      'risk=high',
      '--field',
      'reasons=payroll data',
      '--field',
      'nature=Vertraulichkeit',
      '--field',
      'consequences=Identitätsdiebstahl',
      '--field',
      'measures=Passwörter zurückgesetzt;Polizei informiert',
    ]);
    expect(assess).toMatchObject({ code: 0, out: `${c.number}: risk assessed as high — state assessed` });
    expect(await cli(['case', 'do', c.number, 'AuthorityNotified', '--field', 'phase=initial'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('more than 72 h'),
    });
    expect(await cli(['case', 'do', c.number, 'Guessed'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('"Guessed" is not an event'),
    });
    expect(await cli(['case', 'do', c.number, 'Assessed', '--field', 'risk'])).toMatchObject({ code: 2 });
    const draft = await cli([
      'breach',
      'draft',
      c.number,
      '--lang',
      'de',
      '--format',
      'text',
      '--late-reasons',
      'Wochenende',
    ]);
    expect(draft.out).toContain('Meldung einer Verletzung des Schutzes personenbezogener Daten');
    expect(draft.out).toContain('Passwörter zurückgesetzt');
    expect(draft.out).toContain('Wochenende');
    expect(draft.out).toContain('dpo@example.com');
    expect(
      await cli([
        'case',
        'do',
        c.number,
        'AuthorityNotified',
        '--field',
        'phase=initial',
        '--field',
        'late_reasons=forensics',
        '--field',
        'reference=LDA-1',
      ]),
    ).toMatchObject({ code: 0 });

    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'email,language\nana@example.test,es\nbroken\n');
    expect(await cli(['breach', 'recipients', c.number, '--file', csv])).toMatchObject({
      code: 2,
      err: expect.stringContaining('line 3: "broken"'),
    });
    writeFileSync(csv, 'email,language\nana@example.test,es\nbob@example.test,en\nana@example.test,es\n');
    expect(await cli(['breach', 'recipients', c.number, '--file', csv])).toMatchObject({
      code: 0,
      out: '2 added, 1 duplicate(s) skipped (2 distinct in the file).',
    });
    expect((await cli(['breach', 'show', c.number])).out).toContain(
      'notices to people: 0 sent, 2 pending, 0 failed (of 2)',
    );

    const out = join(dir, `register-${tdb.name}.csv`);
    expect(await cli(['export', 'register', '--format', 'csv', '--out', out])).toMatchObject({
      code: 0,
      err: `1 entry written to ${out}`,
    });
    const [header, row] = readFileSync(out, 'utf8').split('\r\n');
    expect(header).toBe(Object.keys(REGISTER_COLUMNS).join(','));
    expect(row).toContain(`${c.number},controller,notified`);
    expect(row).toContain('forensics');
    const json = JSON.parse((await cli(['export', 'register', '--format', 'json'])).out);
    expect(json[0]).toMatchObject({
      case: c.number,
      risk: 'high',
      notifications: [{ audience: 'authority', phase: 'initial', reference: 'LDA-1' }],
    });
    expect(JSON.parse((await cli(['export', 'register', '--format', 'json', '--from', '2099-01-01'])).out)).toEqual([]);
    expect(await cli(['export', 'register', '--from', '2026-03-02', '--to', '2026-03-01'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--from is after --to'),
    });
    expect(await cli(['export', 'register', '--from', '01.03.2026'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--from expects a date'),
    });
  });

  it('a processor links a breach to customers and alerts them; never records an authority notification', async () => {
    const env = { ORG_ROLE: 'processor' };
    await cli(
      [
        'customers',
        'add',
        'acme',
        '--name',
        'Acme Shop',
        '--domains',
        'acme.example',
        '--security-address',
        'security@acme.example',
      ],
      env,
    );
    const c = await openBreach(2, env);
    expect(await cli(['case', 'do', c.number, 'AuthorityNotified', '--field', 'phase=initial'], env)).toMatchObject({
      code: 2,
      err: expect.stringContaining('not an event'),
    });
    expect(await cli(['breach', 'link', c.number, 'acme'], env)).toMatchObject({ code: 0, out: 'Linked acme.' });
    expect(await cli(['case', 'do', c.number, 'CustomerNotified'], env)).toMatchObject({
      code: 0,
      out: expect.stringContaining('customer alert queued'),
    });
    expect((await cli(['breach', 'show', c.number], env)).out).toMatch(/customer acme: alerted /);
  });
});
