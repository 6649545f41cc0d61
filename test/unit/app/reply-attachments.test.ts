/** The rules for files sent with a reply: size, the files a template names, portability's formats, the listing. */
import { describe, expect, it } from 'vitest';
import { checkReplyFiles, toMailAttachments } from '../../../src/app/reply-attachments.ts';

const MB = 1024 * 1024;
const meta = (filename: string, size = 10) => ({ filename, size });

describe('checkReplyFiles', () => {
  it('fills the access answer\'s list from the files attached, keeping a typed description by name', () => {
    const copy = { filename: 'copy.pdf', description: 'all tickets' };
    const fields = { access: { purposes: ['billing'], attachments: [copy] } };
    const files = [meta('copy.pdf'), meta('/tmp/x/data.json')];
    const r = checkReplyFiles(['answer-access', 'answer-erasure'], fields, files, 10 * MB);
    expect(r).toEqual({
      ok: true,
      fields: { access: { purposes: ['billing'], attachments: [copy, { filename: 'data.json' }] } },
    });
  });

  it('refuses a template that names files none of which (or not all of which) are attached', () => {
    const typed = { portability: { scope: 's', files: [{ filename: 'x.json', format: 'JSON' }] } };
    expect(checkReplyFiles(['answer-portability'], typed, [], 10 * MB)).toMatchObject({
      ok: false, code: 'ATTACHMENTS_MISSING',
      message: expect.stringContaining('this answer names files (x.json); attach them'),
    });
    expect(checkReplyFiles(['answer-portability'], typed, [meta('y.json')], 10 * MB)).toMatchObject({
      ok: false, message: expect.stringContaining('names files (x.json)'),
    });
    expect(checkReplyFiles(['answer-access'], {}, [], 10 * MB))
      .toMatchObject({ ok: false, code: 'ATTACHMENTS_MISSING' });
    // A template that speaks of no file needs none.
    expect(checkReplyFiles(['answer-erasure'], {}, [], 10 * MB)).toEqual({ ok: true, fields: {} });
  });

  it('portability: JSON or CSV by extension, with the format in the list; anything else refused', () => {
    const files = [meta('a.JSON'), meta('b.csv')];
    const LISTED = [{ filename: 'a.JSON', format: 'JSON' }, { filename: 'b.csv', format: 'CSV' }];
    const ok = checkReplyFiles(['answer-portability'], { portability: { scope: 's' } }, files, MB);
    expect(ok).toEqual({
      ok: true,
      fields: { portability: { scope: 's', files: LISTED } },
    });
    expect(checkReplyFiles(['answer-portability'], {}, [meta('a.json'), meta('b.xlsx')], MB))
      .toMatchObject({ ok: false, code: 'ATTACHMENT_TYPE', message: expect.stringContaining('b.xlsx') });
  });

  it('names the limit when the files together are too large, and refuses files for an event without mail', () => {
    const r = checkReplyFiles(['answer-erasure'], {}, [meta('a.pdf', 6 * MB), meta('b.pdf', 5 * MB)], 10 * MB);
    expect(r).toMatchObject({ ok: false, code: 'ATTACHMENTS_TOO_LARGE' });
    expect(!r.ok && r.message)
      .toContain('The files come to 11 MB (11534336 bytes); a reply may carry at most 10 MB (10485760 bytes)');
    expect(checkReplyFiles([], {}, [meta('a.pdf')], MB)).toMatchObject({ ok: false, code: 'ATTACHMENTS_NOT_SENT' });
  });
});

describe('toMailAttachments', () => {
  it('types JSON and CSV by extension whatever the browser said; keeps a given type otherwise; one-line names', () => {
    const bytes = new TextEncoder().encode('x');
    expect(toMailAttachments([
      { filename: 'a.csv', contentType: 'application/vnd.ms-excel', bytes },
      { filename: 'scan.bin', contentType: 'image/tiff', bytes },
      { filename: 'dir/evil\r\nname.txt', bytes },
    ])).toEqual([
      { filename: 'a.csv', contentType: 'text/csv', contentBase64: 'eA==' },
      { filename: 'scan.bin', contentType: 'image/tiff', contentBase64: 'eA==' },
      { filename: 'evil name.txt', contentType: 'text/plain', contentBase64: 'eA==' },
    ]);
  });
});
