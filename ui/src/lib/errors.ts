import type { AppError } from './types';

export const NO_BACKEND: AppError = {
  code: 'no_backend',
  message_de:
    'Keine Verbindung zur Anwendung. Die Oberfläche läuft außerhalb der Schreibstube (Tauri ist nicht verfügbar).',
  message_en:
    'No connection to the application. The interface is running outside Schreibstube (Tauri is not available).',
};

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/** True when `v` has the shape of the contract's error value. */
export function isAppError(v: unknown): v is AppError {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === 'string' && typeof o.message_de === 'string' && typeof o.message_en === 'string';
}

/**
 * Turns whatever a rejected promise carried into an `AppError`.
 * The shell rejects with `{code, message_de, message_en}`; anything else
 * (a plain string from Tauri itself, an `Error`, …) is wrapped so that the UI
 * always has a message in both languages.
 */
export function normalizeError(e: unknown): AppError {
  if (isAppError(e)) {
    // Fill a missing language from the other one rather than showing nothing.
    const de = isNonEmptyString(e.message_de) ? e.message_de : e.message_en;
    const en = isNonEmptyString(e.message_en) ? e.message_en : e.message_de;
    return { code: e.code || 'unknown', message_de: de, message_en: en };
  }
  let detail = '';
  if (e instanceof Error) detail = e.message;
  else if (typeof e === 'string') detail = e;
  else if (e !== undefined && e !== null) {
    try {
      detail = JSON.stringify(e);
    } catch {
      detail = String(e);
    }
  }
  return {
    code: 'unknown',
    message_de: detail ? `Unerwarteter Fehler: ${detail}` : 'Unerwarteter Fehler.',
    message_en: detail ? `Unexpected error: ${detail}` : 'Unexpected error.',
  };
}

export function errorMessage(err: AppError, lang: 'de' | 'en'): string {
  return lang === 'en' ? err.message_en : err.message_de;
}
