import { describe, expect, it } from 'vitest';
import { compileStopWords, detectLanguage } from '../../../src/domain/intake/language.ts';
import { KEYWORDS } from './intake-fixtures.ts';

const STOP = compileStopWords(KEYWORDS.stopWords);

describe('detectLanguage', () => {
  it.each([
    ['Please send me a copy of all the data you hold about me. Thank you.', 'en'],
    ['Sehr geehrte Damen und Herren, bitte löschen Sie meine Daten. Mit freundlichen Grüßen', 'de'],
    ['Bonjour, je vous demande la suppression de mes données. Cordialement', 'fr'],
    ['Hola, solicito el acceso a mis datos personales. Gracias por su atención.', 'es'],
    ['Über die Löschung MEINER DATEN bitte ich Sie', 'de'],
  ] as const)('%s → %s', (text, lang) => {
    expect(detectLanguage(text, STOP, 'en')).toBe(lang);
  });

  it('falls back to the default language without evidence', () => {
    expect(detectLanguage('', STOP, 'de')).toBe('de');
    expect(detectLanguage('12345 ---', STOP, 'fr')).toBe('fr');
  });

  it('does not count chance hits in another language as evidence', () => {
    const italian = `Buongiorno,
con la presente chiedo la cancellazione di tutti i miei dati dai vostri sistemi, ai sensi del Regolamento (UE)
2016/679. Vi prego di confermare l'avvenuta cancellazione per iscritto.
Cordiali saluti, Giulia Romano`;
    expect(detectLanguage(italian, STOP, 'en')).toBe('en');
  });

  it('resolves a tie in favour of the default language', () => {
    expect(detectLanguage('the der', STOP, 'de')).toBe('de');
    expect(detectLanguage('the der', STOP, 'en')).toBe('en');
    expect(detectLanguage('der le', STOP, 'es')).toBe('de'); // tie without the default: LANGUAGES order
  });
});
