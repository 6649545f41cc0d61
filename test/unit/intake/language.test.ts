import { describe, expect, it } from 'vitest';
import { detectLanguage, languageNote, replyLanguage } from '../../../src/domain/intake/language.ts';

describe('detectLanguage (eld, offline)', () => {
  it.each([
    ['Please send me a copy of all the data you hold about me. Thank you.', 'en'],
    ['Sehr geehrte Damen und Herren, bitte löschen Sie meine Daten. Mit freundlichen Grüßen', 'de'],
    ['Bonjour, je vous demande la suppression de mes données. Cordialement', 'fr'],
    ['Hola, solicito el acceso a mis datos personales. Gracias por su atención.', 'es'],
    ['Über die Löschung MEINER DATEN bitte ich Sie', 'de'],
    ['what do you know about me?', 'en'],
  ] as const)('%s → %s', (text, lang) => {
    expect(detectLanguage(text, 'en')).toEqual({ language: lang, detected: lang });
  });

  it('tells Italian and Dutch apart and answers them in the default language', () => {
    const italian = `Buongiorno,
con la presente chiedo la cancellazione di tutti i miei dati dai vostri sistemi, ai sensi del Regolamento (UE)
2016/679. Vi prego di confermare l'avvenuta cancellazione per iscritto.
Cordiali saluti, Giulia Romano`;
    expect(detectLanguage(italian, 'en')).toEqual({ language: 'en', detected: 'it' });
    expect(detectLanguage('Ik wil graag weten welke gegevens u van mij heeft opgeslagen.', 'de')).toEqual({ language: 'de', detected: 'nl' });
  });

  it('falls back to the default language without enough text', () => {
    expect(detectLanguage('', 'de')).toEqual({ language: 'de', detected: null });
    expect(detectLanguage('12345 ---', 'fr')).toEqual({ language: 'fr', detected: null });
    expect(detectLanguage('Hi, thx', 'es')).toEqual({ language: 'es', detected: null });
  });

  it('maps a detected language to a template language and names the unsupported ones', () => {
    expect(replyLanguage('fr', 'en')).toBe('fr');
    expect(replyLanguage('it', 'en')).toBe('en');
    expect(languageNote('it')).toBe('language not supported: it');
    expect(languageNote('de')).toBeNull();
    expect(languageNote(null)).toBeNull();
  });
});
