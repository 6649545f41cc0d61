/** The published audit anchor's format: `<sha256 hex>:<count>`, or `empty:0` for an empty log. */
import { describe, expect, it } from 'vitest';
import { formatAnchor, parseAnchor } from '../../../src/app/audit-anchor.ts';

describe('audit anchor', () => {
  const hash = 'ab'.repeat(32);

  it('round-trips through its text form', () => {
    expect(parseAnchor(formatAnchor({ hash, count: 42 }))).toEqual({ hash, count: 42 });
    expect(formatAnchor({ hash: '', count: 0 })).toBe('empty:0');
    expect(parseAnchor('empty:0')).toEqual({ hash: '', count: 0 });
    expect(parseAnchor(` ${hash.toUpperCase()}:7 `)).toEqual({ hash, count: 7 });
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'abc:1', `${hash}`, `${hash}:`, `${hash}:-1`, `${hash}:1.5`, `${hash}:0`, 'empty:3', `${hash}x:1`]) {
      expect(parseAnchor(bad), bad).toBeNull();
    }
  });
});
