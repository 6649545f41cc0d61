import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, parseConfig } from '../../../src/config.ts';

const noFiles = { readFile: (p: string): string => { throw new Error(`no file ${p}`); } };
const minimal = { ORG_NAME: 'Example Org', DPO_EMAIL: 'dpo@example.com' };

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const r = parseConfig(minimal, noFiles);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.databaseUrl).toBe('sqlite:./data/dpo-desk.sqlite');
    expect(r.config.org).toMatchObject({
      timezone: 'Europe/Berlin', holidays: 'DE', role: 'controller', regimes: ['gdpr'], domains: ['example.com'],
      defaultLanguage: 'en',
    });
    expect(r.config.clocks).toEqual({
      gdprPause: true, gdprExtensionFrom: 'receipt', contractDays: 15, contractUnit: 'calendar', lgpdRoll: false,
    });
  });

  it('names every bad or missing key with what is expected and never echoes a value', () => {
    const secretish = 'Sup3r-Secret-Value';
    const r = parseConfig({
      DATABASE_URL: `mysql://${secretish}`, ORG_TIMEZONE: 'Mars/Olympus', ORG_HOLIDAYS: 'XX-YY', ORG_ROLE: 'owner',
      ORG_REGIMES: 'gdpr,hipaa', CONTRACT_DAYS: 'fifteen', CONTRACT_UNIT: 'weeks', DEFAULT_LANGUAGE: 'it',
      DPO_EMAIL: secretish, GDPR_PAUSE: 'maybe', HOLIDAY_CLOSURES: '2026-12-24,24.12.',
    }, noFiles);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const keys = r.errors.map((e) => e.split(':')[0]);
    expect(keys).toEqual([
      'CONTRACT_DAYS', 'CONTRACT_UNIT', 'DATABASE_URL', 'DEFAULT_LANGUAGE', 'DPO_EMAIL', 'GDPR_PAUSE', 'HOLIDAY_CLOSURES',
      'ORG_HOLIDAYS', 'ORG_NAME', 'ORG_REGIMES', 'ORG_ROLE', 'ORG_TIMEZONE',
    ]);
    expect(r.errors.find((e) => e.startsWith('ORG_NAME'))).toMatch(/missing/);
    expect(r.errors.find((e) => e.startsWith('ORG_TIMEZONE'))).toMatch(/IANA time zone/);
    for (const e of r.errors) {
      expect(e).not.toContain(secretish);
      expect(e).not.toContain('Mars/Olympus');
    }
  });

  it('reads <KEY>_FILE for secrets and names an unreadable one', () => {
    const files = { readFile: (p: string) => (p === '/run/secrets/db' ? 'postgres://u:p@127.0.0.1/test\n' : '') };
    const r = parseConfig({ ...minimal, DATABASE_URL_FILE: '/run/secrets/db' }, files);
    expect(r.ok && r.config.databaseUrl).toBe('postgres://u:p@127.0.0.1/test');
    const bad = parseConfig({ ...minimal, DATABASE_URL_FILE: '/nope' }, noFiles);
    expect(bad.ok ? [] : bad.errors).toEqual(['DATABASE_URL_FILE: cannot read the file it names']);
  });

  it('uses given defaults (the demo) only where the environment is silent', () => {
    const r = parseConfig({ ORG_NAME: 'Mine' }, { ...noFiles, defaults: { ORG_NAME: 'Demo', DPO_EMAIL: 'dpo@example.com' } });
    expect(r.ok && r.config.org.name).toBe('Mine');
  });

  it('requires the IMAP credentials and a signing secret with a mailbox', () => {
    const r = parseConfig({ ...minimal, IMAP_HOST: 'imap.example.com', IMAP_PORT: '99999', PROCESSOR_CONTROLLERS: 'x' }, noFiles);
    expect(r.ok ? [] : r.errors).toEqual([
      'IMAP_PASSWORD: missing; required when IMAP_HOST is set',
      'IMAP_PORT: expected a port number',
      'IMAP_USER: missing; required when IMAP_HOST is set',
      'MAIL_SIGNING_SECRET: missing; required with a mailbox or mail server (signs our Message-IDs)',
      'PROCESSOR_CONTROLLERS: expected domain-or-address=controller@address pairs separated by commas',
    ]);
  });

  it('parses the mail settings', () => {
    const r = parseConfig({
      ...minimal, SMTP_HOST: 'smtp.example.com', MAIL_SIGNING_SECRET: 'a-long-enough-secret', MAIL_RECEIVING_HOSTS: 'MX.example.com',
      PROCESSOR_CONTROLLERS: 'customer.example=Privacy@customer.example',
    }, noFiles);
    expect(r.ok && r.config.mail).toMatchObject({
      from: 'dpo@example.com', receivingHosts: ['mx.example.com'], controllers: { 'customer.example': 'privacy@customer.example' },
    });
    expect(r.ok && r.config.smtp).toMatchObject({ host: 'smtp.example.com', port: 587, secure: false });
  });

  it('every key is documented in .env.example', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    for (const key of CONFIG_KEYS) expect(example).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
  });
});
