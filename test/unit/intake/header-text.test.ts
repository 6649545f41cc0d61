import { describe, expect, it } from 'vitest';
import { isInternal, normalizeEmail } from '../../../src/domain/intake/addresses.ts';
import { cleanHeaderValue, messageIdsIn } from '../../../src/domain/intake/header-text.ts';

describe('header text', () => {
  it('removes CR, LF and other control characters', () => {
    expect(cleanHeaderValue('a\r\nBcc: x@example.test\u0000\u2028b  ')).toBe('a Bcc: x@example.test b');
  });

  it('reads message ids', () => {
    expect(messageIdsIn('<a@x> <b@y>\r\n\t<c@z>')).toEqual(['a@x', 'b@y', 'c@z']);
    expect(messageIdsIn('bare@example.test')).toEqual(['bare@example.test']);
    expect(messageIdsIn('no id here')).toEqual([]);
    expect(messageIdsIn(null)).toEqual([]);
  });
});

describe('addresses', () => {
  it('normalises or refuses', () => {
    expect(normalizeEmail(' <Jane.Doe@Example.TEST> ')).toBe('jane.doe@example.test');
    expect(normalizeEmail('mailto:jane@example.test')).toBe('jane@example.test');
    expect(normalizeEmail('jane@localhost')).toBeNull();
    expect(normalizeEmail('Jane Doe')).toBeNull();
    expect(normalizeEmail('a@b@example.test')).toBeNull();
  });

  it('knows internal domains and their subdomains only', () => {
    expect(isInternal('a@example.com', ['example.com'])).toBe(true);
    expect(isInternal('a@uk.example.com', ['Example.com'])).toBe(true);
    expect(isInternal('a@notexample.com', ['example.com'])).toBe(false);
    expect(isInternal('a@example.com.example.org', ['example.com'])).toBe(false);
  });
});
