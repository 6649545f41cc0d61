import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../../src/domain/intake/addresses.ts';
import { autoByBody, compileBodyMatcher, readWebForm, withoutSignatures } from '../../../src/domain/intake/body-signals.ts';
import { htmlToText } from '../../../src/domain/intake/html-to-text.ts';
import { understandMessage } from '../../../src/domain/intake/understand-message.ts';
import { DELIVERED_AT, KEYWORDS, corpusPolicy, fixtureNames, readExpected, readFixture } from './intake-fixtures.ts';

const M = compileBodyMatcher(KEYWORDS);

describe('client signatures', () => {
  it('drops "Sent from my iPhone" and its translations, not a long line that mentions a phone', () => {
    const text = 'Bitte löschen\n\nVon meinem iPhone gesendet\nEnvoyé de mon iPhone\nInviato da iPhone\nI bought it, sent from my iPhone to my sister last year, and the app kept all the contacts.';
    expect(withoutSignatures(text, M).split('\n')).toEqual(['Bitte löschen', '', 'I bought it, sent from my iPhone to my sister last year, and the app kept all the contacts.']);
  });
});

describe('automatic mail recognised by its words', () => {
  it.each([
    ['I am currently out of the office with limited access to email.', 'out_of_office'],
    ['Ich bin bis 20.11. nicht im Büro.', 'out_of_office'],
    ["Je suis absente du bureau jusqu'au 18 novembre.", 'out_of_office'],
    ['Me encuentro fuera de la oficina hasta el lunes.', 'out_of_office'],
    ['Please confirm you are a real person by clicking the link below.', 'auto_reply'],
    ['Bitte bestätigen Sie, dass Sie ein Mensch sind.', 'auto_reply'],
  ] as const)('%s → %s', (text, auto) => {
    expect(autoByBody(text, M)?.auto).toBe(auto);
  });

  it('a person mentioning an office is a person', () => {
    expect(autoByBody('I was in your office last week; please delete my data.', M)).toBeNull();
  });

  it("never takes a person's request for an out-of-office because of words in their signature", async () => {
    const raw = new TextEncoder().encode([
      'From: Karl Berg <karl.berg@example.test>', 'To: dpo@example.com', 'Subject: Löschung', 'Message-ID: <sig@example.test>',
      'Date: Mon, 2 Mar 2026 09:00:00 +0100', '', 'Bitte löschen Sie mein Kundenkonto.', '',
      'Karl Berg', 'In dringenden Fällen wenden Sie sich an mein Sekretariat.', '',
    ].join('\r\n'));
    const r = await understandMessage(raw, corpusPolicy(), DELIVERED_AT);
    expect(r.ok && { auto: r.value.auto, types: r.value.requestTypes }).toEqual({ auto: 'human', types: ['erasure'] });
    const away = new TextEncoder().encode(new TextDecoder().decode(raw).replace('Bitte löschen Sie mein Kundenkonto.', 'Ich bin bis Freitag nicht im Büro.').replace('Subject: Löschung', 'Subject: Abwesend'));
    const o = await understandMessage(away, corpusPolicy(), DELIVERED_AT);
    expect(o.ok && { auto: o.value.auto, requester: o.value.requester }).toEqual({ auto: 'out_of_office', requester: null });
  });
});

describe('web-form fields', () => {
  it('reads "Label: value", a label above its value, and a table row', () => {
    expect(readWebForm('Name: Hannah Reid\nEmail: hannah.reid@example.test\nMessage: delete me', M)).toEqual({
      email: 'hannah.reid@example.test', name: 'Hannah Reid', message: 'delete me', fields: 3,
    });
    expect(readWebForm('Vorname: Petra\nNachname: Albrecht\nE-Mail-Adresse: petra@example.test\nIhre Nachricht:\nBitte Auskunft.', M))
      .toMatchObject({ email: 'petra@example.test', name: 'Petra Albrecht', message: 'Bitte Auskunft.' });
    expect(readWebForm(htmlToText('<table><tr><td>Nom</td><td>Julie</td></tr><tr><td>Adresse e-mail</td><td>julie@example.test</td></tr></table>'), M))
      .toMatchObject({ email: 'julie@example.test', name: 'Julie' });
  });

  it('is not a form without an address field, or with a single field', () => {
    expect(readWebForm('Name: Hannah\nMessage: hi', M)).toBeNull();
    expect(readWebForm('Email: hannah@example.test', M)).toBeNull();
  });
});

describe('libraries: entities and IDN addresses', () => {
  it('decodes every HTML5 entity (html-to-text)', () => {
    expect(htmlToText("<p>droit d&rsquo;acc&egrave;s &ndash; l&apos;oubli&hellip; &Eacute;lodie &#8217; &#x2019;</p>")).toBe('droit d’accès – l\'oubli… Élodie ’ ’');
  });

  it('accepts internationalised domains in both spellings (domainToASCII)', () => {
    expect(normalizeEmail('anna@münchen.de')).toBe('anna@münchen.de');
    expect(normalizeEmail('Anna@XN--MNCHEN-3YA.DE')).toBe('anna@münchen.de');
    expect(normalizeEmail('anna@münchen')).toBeNull();
    expect(normalizeEmail('anna@mün chen.de')).toBeNull();
  });
});

describe('receipt with MAIL_RECEIVING_HOSTS unset (gdpr-rules §1)', () => {
  it('every fixture is dated as with the configured host, or earlier by seconds when it was submitted on our own servers', async () => {
    for (const name of fixtureNames()) {
      const expected = readExpected(name) as { received_at: string | null };
      const r = await understandMessage(readFixture(name), corpusPolicy({ receivingHosts: [] }), DELIVERED_AT);
      if (!r.ok || expected.received_at === null) continue;
      const early = new Date(expected.received_at).getTime() - r.value.receivedAt.getTime();
      expect(early, name).toBeGreaterThanOrEqual(0);
      expect(early, name).toBeLessThan(60_000);
      if (early > 0) expect(r.value.from?.email ?? '', name).toMatch(/@example\.com$/); // our web server's own hop
    }
  });
});
