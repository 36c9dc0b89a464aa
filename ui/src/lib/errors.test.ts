import { describe, expect, it } from 'vitest';
import { errorMessage, isAppError, NO_BACKEND, normalizeError } from './errors';

describe('normalizeError', () => {
  it('keeps a contract error as it is', () => {
    const e = { code: 'model_not_ready', message_de: 'Modell lädt noch.', message_en: 'Model still loading.' };
    expect(normalizeError(e)).toEqual(e);
    expect(errorMessage(e, 'de')).toBe('Modell lädt noch.');
    expect(errorMessage(e, 'en')).toBe('Model still loading.');
  });

  it('fills an empty language from the other', () => {
    const e = normalizeError({ code: 'x', message_de: '', message_en: 'Only English' });
    expect(e.message_de).toBe('Only English');
  });

  it('wraps strings and Error objects in both languages', () => {
    const s = normalizeError('command generate not found');
    expect(s.code).toBe('unknown');
    expect(s.message_de).toBe('Unerwarteter Fehler: command generate not found');
    expect(s.message_en).toBe('Unexpected error: command generate not found');
    expect(normalizeError(new Error('boom')).message_en).toBe('Unexpected error: boom');
    expect(normalizeError(undefined).message_de).toBe('Unerwarteter Fehler.');
    expect(normalizeError({ foo: 1 }).message_en).toBe('Unexpected error: {"foo":1}');
  });

  it('recognises the contract shape', () => {
    expect(isAppError(NO_BACKEND)).toBe(true);
    expect(isAppError({ code: 'x' })).toBe(false);
    expect(isAppError(null)).toBe(false);
  });
});
