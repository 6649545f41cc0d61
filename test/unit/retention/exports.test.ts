/** The request log CSV (csv-stringify, formula injection escaped), sealed audit text, and the PNG chart. */
import { describe, expect, it } from 'vitest';
import { renderOnTimeChart } from '../../../src/adapters/charts/on-time-chart.ts';
import { REQUEST_LOG_COLUMNS, requestLogCsv, type RequestLogRow } from '../../../src/app/request-log.ts';
import { chainHash } from '../../../src/domain/audit-chain.ts';
import { commitment, sealData, unsealData } from '../../../src/domain/audit-seal.ts';

const row = (o: Partial<RequestLogRow>): RequestLogRow => ({
  number: 'DSR-2026-0001', workflow: 'request', types: 'access', regimes: 'gdpr', received: '2026-03-05',
  due: '2026-04-07', extended: 'no', paused_days: 0, answered: '', outcome: 'open', on_time: 'pending', ...o,
});

describe('request log CSV', () => {
  it('has the documented header and escapes cells a spreadsheet would run as a formula', () => {
    const csv = requestLogCsv([
      row({ outcome: '=HYPERLINK("http://x")' }),
      row({ types: '+1', regimes: '-2', workflow: '@sum', due: '\tx', received: '\rx' }),
    ]);
    const lines = csv.split('\n');
    expect(lines[0]).toBe(REQUEST_LOG_COLUMNS.join(','));
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[2]).toMatch(/^DSR-2026-0001,'@sum,'\+1,'-2,"?'\rx"?,'\tx,/);
  });
});

describe('sealed audit text', () => {
  it('chains a salted commitment, so deleting the cleartext keeps the hash', () => {
    let n = 0;
    const sealed = sealData({ reasons: 'Ada Example asked twice', risk: 'high' }, () => `salt-${++n}`);
    expect(sealed.data).toEqual({ reasons: { sealed: commitment('salt-1', 'Ada Example asked twice') }, risk: 'high' });
    expect(JSON.stringify(sealed.data)).not.toContain('Ada');
    expect(unsealData(sealed.data, sealed.texts)).toEqual({ reasons: 'Ada Example asked twice', risk: 'high' });
    const forged = [{ ...sealed.texts[0]!, value: 'edited' }];
    expect(unsealData(sealed.data, forged)).toEqual(sealed.data); // a forged text is not shown
    const event = { seq: 1, caseId: 'c', type: 'Refused', actor: 'U1', at: new Date(0), data: sealed.data };
    expect(chainHash('', event)).toBe(chainHash('', { ...event, data: unsealData(sealed.data, []) }));
  });
});

describe('on-time chart', () => {
  it('renders a PNG without a browser', async () => {
    const points = [{ month: '2026-03', share: null, closed: 0 }, { month: '2026-04', share: 57.1, closed: 7 }];
    const png = Buffer.from(await renderOnTimeChart(points, 'On time'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(300); // width from the IHDR chunk
  });
});
