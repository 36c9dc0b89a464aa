import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LANG,
  dictionaries,
  isLang,
  makeT,
  numberLocale,
  parseLang,
  translate,
  type Dictionary,
  type Lang,
  type MessageKey,
} from './i18n';

describe('translate', () => {
  it('returns German and English strings', () => {
    expect(translate('de', 'free.send')).toBe('Senden');
    expect(translate('en', 'free.send')).toBe('Send');
    expect(translate('de', 'free.stop')).toBe('Stopp');
    expect(translate('de', 'free.ai_mark')).toBe('KI-generierter Text – bitte prüfen');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('de', 'status.ready', { name: 'Gemma 3 270M (Q4_K_M)' })).toBe(
      'Bereit: Gemma 3 270M (Q4_K_M)',
    );
    expect(translate('en', 'status.ready', {})).toBe('Ready: {name}');
    expect(translate('de', 'stats.tokens.other', { n: 0 })).toBe('0 Tokens');
  });

  it('falls back to German for an unknown language', () => {
    expect(translate('fr', 'free.send')).toBe('Senden');
  });

  it('falls back to German when the English entry is missing, then to the key', () => {
    const dicts: Record<string, Partial<Dictionary>> = {
      de: { 'free.send': 'Senden' },
      en: {},
    };
    expect(translate('en', 'free.send', undefined, dicts)).toBe('Senden');
    expect(translate('en', 'free.stop', undefined, dicts)).toBe('free.stop');
  });

  it('makeT follows the current language', () => {
    let lang: Lang = 'de';
    const t = makeT(() => lang);
    expect(t('lang.label')).toBe('Sprache');
    lang = 'en';
    expect(t('lang.label')).toBe('Language');
  });
});

describe('dictionaries', () => {
  it('German and English have exactly the same keys and no empty strings', () => {
    const deKeys = Object.keys(dictionaries.de).sort();
    const enKeys = Object.keys(dictionaries.en).sort();
    expect(enKeys).toEqual(deKeys);
    for (const lang of ['de', 'en'] as const) {
      for (const key of deKeys as MessageKey[]) {
        expect(dictionaries[lang][key], `${lang}:${key}`).toMatch(/\S/);
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(dictionaries.de) as MessageKey[]) {
      expect(names(dictionaries.en[key]!), key).toEqual(names(dictionaries.de[key]!));
    }
  });
});

describe('language helpers', () => {
  it('parseLang accepts only known languages and defaults to German', () => {
    expect(parseLang('en')).toBe('en');
    expect(parseLang('de')).toBe('de');
    expect(parseLang('EN')).toBe(DEFAULT_LANG);
    expect(parseLang(null)).toBe('de');
    expect(parseLang(undefined)).toBe('de');
    expect(isLang('fr')).toBe(false);
  });

  it('maps languages to number locales', () => {
    expect(numberLocale('de')).toBe('de-DE');
    expect(numberLocale('en')).toBe('en-GB');
  });
});
