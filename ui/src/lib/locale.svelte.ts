// Reactive current language. `t` reads it, so templates re-render on a switch.
import { LANG_STORAGE_KEY, makeT, parseLang, type Lang } from './i18n';

function readStored(): Lang {
  try {
    return parseLang(globalThis.localStorage?.getItem(LANG_STORAGE_KEY));
  } catch {
    return parseLang(null);
  }
}

export const locale = $state<{ lang: Lang }>({ lang: readStored() });

export const t = makeT(() => locale.lang);

export function setLang(lang: Lang): void {
  locale.lang = lang;
  try {
    globalThis.localStorage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // storage may be unavailable; the choice then lasts for this session only
  }
  applyDocumentLang(lang);
}

export function applyDocumentLang(lang: Lang): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}
