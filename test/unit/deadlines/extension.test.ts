import { describe, expect, it } from 'vitest';
import { computeDeadline } from '../../../src/domain/deadlines/clocks.ts';
import { decideExtension } from '../../../src/domain/deadlines/extension.ts';
import { createWorkingCalendar } from '../../../src/domain/deadlines/working-calendar.ts';

const de = createWorkingCalendar('DE');
const clock = (regime: 'gdpr' | 'ccpa' | 'lgpd' | 'contract', extra = {}) =>
  computeDeadline({ regime, receivedAt: new Date('2026-03-05T10:00:00Z'), zone: 'Europe/Berlin', calendar: de, ...extra });

describe('decideExtension (GDPR Art. 12(3))', () => {
  it('grants an extension whose notice with reasons was sent within the first month', () => {
    expect(decideExtension(clock('gdpr'), { sentOn: '2026-04-07', reasons: 'complex request' }))
      .toEqual({ ok: true, extendedDue: '2026-06-05' });
  });

  it.each([
    ['notice after the original deadline', clock('gdpr'), { sentOn: '2026-04-08', reasons: 'x' }, 'EXTENSION_NOTICE_LATE'],
    ['no reasons', clock('gdpr'), { sentOn: '2026-03-20', reasons: '  ' }, 'EXTENSION_REASONS_REQUIRED'],
    ['notice not sent', clock('gdpr'), { sentOn: null, reasons: 'x' }, 'EXTENSION_NOTICE_NOT_SENT'],
    ['a second extension', clock('gdpr', { extension: { noticeSentOn: '2026-03-10', reasons: 'x' } }),
      { sentOn: '2026-03-20', reasons: 'y' }, 'EXTENSION_ALREADY_USED'],
    ['lgpd has none', clock('lgpd'), { sentOn: '2026-03-06', reasons: 'x' }, 'EXTENSION_NOT_AVAILABLE'],
    ['contract has none', clock('contract'), { sentOn: '2026-03-06', reasons: 'x' }, 'EXTENSION_NOT_AVAILABLE'],
  ])('refuses %s', (_label, deadline, notice, code) => {
    const r = decideExtension(deadline, notice);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });

  it('allows the ccpa extension with notice by day 45', () => {
    expect(decideExtension(clock('ccpa'), { sentOn: '2026-04-19', reasons: 'volume' }).ok).toBe(true);
    expect(decideExtension(clock('ccpa'), { sentOn: '2026-04-20', reasons: 'volume' }).ok).toBe(false);
  });
});
