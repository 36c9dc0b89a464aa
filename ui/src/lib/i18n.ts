// All user-visible strings. German is the primary language; English is the
// fallback-checked second dictionary. Placeholders: {name}.

export const LANGS = ['de', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'de';
export const LANG_STORAGE_KEY = 'schreibstube.lang';

const de = {
  'app.name': 'Schreibstube',
  'app.tagline': 'Schreibassistent für die Verwaltung',
  'skip.main': 'Zum Hauptinhalt springen',
  'lang.label': 'Sprache',
  'lang.de': 'Deutsch',
  'lang.en': 'English',

  'tasks.heading': 'Aufgaben',
  'tasks.intro': 'Diese Assistenten werden in einer späteren Version freigeschaltet.',
  'tasks.letter.title': 'Brief entwerfen',
  'tasks.letter.desc': 'Aus Stichpunkten einen Bescheid oder ein Anschreiben vorbereiten.',
  'tasks.summary.title': 'Akte zusammenfassen',
  'tasks.summary.desc': 'Die wesentlichen Punkte eines Vorgangs knapp zusammenstellen.',
  'tasks.explain.title': 'Ergebnis erklären',
  'tasks.explain.desc': 'Eine Entscheidung in verständlicher Sprache für Bürgerinnen und Bürger erläutern.',
  'tasks.unavailable': 'Folgt in einer späteren Version',

  'free.heading': 'Freier Text',
  'free.prompt.label': 'Ihre Eingabe',
  'free.prompt.hint': 'Strg + Eingabetaste sendet, Esc bricht eine laufende Antwort ab.',
  'free.send': 'Senden',
  'free.stop': 'Stopp',
  'free.output.heading': 'Antwort',
  'free.output.placeholder': 'Hier erscheint die Antwort des Modells.',
  'free.output.streaming': 'Antwort wird erzeugt …',
  'free.output.stopping': 'Wird abgebrochen …',
  'free.output.cancelled': 'Abgebrochen.',
  'free.ai_mark': 'KI-generierter Text – bitte prüfen',
  'free.error.title': 'Fehler',

  'reason.model_loading': 'Senden ist möglich, sobald das Modell geladen ist.',
  'reason.model_error': 'Senden ist nicht möglich, weil das Modell nicht verfügbar ist.',
  'reason.empty': 'Bitte geben Sie zuerst einen Text ein.',
  'reason.busy': 'Eine Antwort wird gerade erzeugt. Mit „Stopp“ oder Esc brechen Sie ab.',
  'reason.ready': 'Bereit zum Senden.',

  'stats.tokens.one': '{n} Token',
  'stats.tokens.other': '{n} Tokens',
  'stats.rate': '{n} Tokens/s',
  'stop.max_tokens': 'Höchstlänge erreicht',
  'stop.stop_string': 'vollständig',
  'stop.end_of_generation': 'vollständig',
  'stop.cancelled': 'abgebrochen',

  'status.label': 'Modellstatus',
  'status.connecting': 'Verbindung zum Modell wird hergestellt …',
  'status.loading': 'Modell wird geladen … {percent}',
  'status.loading_named': 'Modell wird geladen … {percent} · {name}',
  'status.ready': 'Bereit: {name}',
  'status.error': 'Modell nicht verfügbar: {message}',
  'status.progress_label': 'Ladefortschritt des Modells',
  'status.kind.base': 'Basismodell',
  'status.kind.instruct': 'Instruktionsmodell',
  'status.version': 'Version {version}',
  'status.unknown_model': 'unbekanntes Modell',

  'history.heading': 'Verlauf',
  'history.intro': 'Gespeicherte Ergebnisse, verschlüsselt auf diesem Arbeitsplatz.',
  'history.search.label': 'Im Verlauf suchen',
  'history.search.button': 'Suchen',
  'history.refresh': 'Aktualisieren',
  'history.empty': 'Keine Einträge.',
  'history.open': 'Öffnen',
  'history.delete': 'Eintrag löschen',
  'history.deleted': 'Eintrag gelöscht.',
  'history.detail.heading': 'Eintrag vom {date}',
  'history.detail.model': 'Modell: {name}',
  'history.close': 'Schließen',
  'history.task.free_text': 'Freier Text',

  'privacy.heading': 'Einstellungen – Datenschutz & Aufbewahrung',
  'privacy.store.opening': 'Der Verlauf wird geöffnet …',
  'privacy.store.ready': 'Ergebnisse werden verschlüsselt gespeichert: {path}',
  'privacy.store.off': 'Der Verlauf ist abgeschaltet; es werden keine Ergebnisse gespeichert.',
  'privacy.store.unavailable': 'Der Verlauf ist nicht verfügbar: {message}',
  'privacy.retention.label': 'Ergebnisse aufbewahren (Tage)',
  'privacy.retention.invalid': 'Bitte eine ganze Zahl zwischen 1 und 3650 eingeben.',
  'privacy.keep.label': 'Ergebnisse im Verlauf speichern',
  'privacy.locked': 'Von der IT festgelegt',
  'privacy.save': 'Einstellungen speichern',
  'privacy.saved': 'Einstellungen gespeichert.',
  'privacy.export': 'Meine Daten exportieren',
  'privacy.exported': 'Export gespeichert unter {path}',
  'privacy.audit': 'Protokoll exportieren (CSV)',
  'privacy.audited': 'Protokoll gespeichert unter {path}',
  'privacy.delete': 'Alle Daten löschen …',
  'privacy.delete.warning': 'Alle gespeicherten Ergebnisse, Dokumente, Einstellungen und das Protokoll werden endgültig gelöscht.',
  'privacy.delete.confirm_label': 'Ja, ich möchte alle Daten endgültig löschen.',
  'privacy.delete.confirm': 'Endgültig löschen',
  'privacy.cancel': 'Abbrechen',
  'privacy.deleted': 'Alle Daten wurden gelöscht.',
  'privacy.fresh': 'Neu beginnen …',
  'privacy.fresh.warning': 'Die unlesbare Datenbank wird umbenannt und aufbewahrt (nicht gelöscht); danach beginnt ein neuer, leerer Verlauf.',
  'privacy.fresh.confirm_label': 'Ja, mit einem neuen Verlauf beginnen.',
  'privacy.fresh.confirm': 'Neu beginnen',
  'privacy.fresh.done': 'Die alte Datenbank liegt jetzt unter {path}.',

  'sender.heading': 'Absender (Briefkopf)',
  'sender.authority': 'Behörde',
  'sender.office': 'Amt / Abteilung',
  'sender.clerk': 'Sachbearbeitung',
  'sender.phone': 'Telefon',
  'sender.email': 'E-Mail',
  'sender.opening_hours': 'Sprechzeiten',
  'sender.address': 'Anschrift',
} as const;

export type MessageKey = keyof typeof de;
export type Dictionary = Record<MessageKey, string>;

const en: Dictionary = {
  'app.name': 'Schreibstube',
  'app.tagline': 'Writing assistant for public administration',
  'skip.main': 'Skip to main content',
  'lang.label': 'Language',
  'lang.de': 'Deutsch',
  'lang.en': 'English',

  'tasks.heading': 'Tasks',
  'tasks.intro': 'These assistants will be enabled in a later version.',
  'tasks.letter.title': 'Draft a letter',
  'tasks.letter.desc': 'Prepare a notice or a cover letter from bullet points.',
  'tasks.summary.title': 'Summarise a file',
  'tasks.summary.desc': 'Compile the essential points of a case briefly.',
  'tasks.explain.title': 'Explain a decision',
  'tasks.explain.desc': 'Explain a decision to citizens in plain language.',
  'tasks.unavailable': 'Coming in a later version',

  'free.heading': 'Free text',
  'free.prompt.label': 'Your input',
  'free.prompt.hint': 'Ctrl + Enter sends, Esc stops a running answer.',
  'free.send': 'Send',
  'free.stop': 'Stop',
  'free.output.heading': 'Answer',
  'free.output.placeholder': 'The model’s answer will appear here.',
  'free.output.streaming': 'Generating answer …',
  'free.output.stopping': 'Stopping …',
  'free.output.cancelled': 'Stopped.',
  'free.ai_mark': 'AI-generated text – please check',
  'free.error.title': 'Error',

  'reason.model_loading': 'You can send as soon as the model has loaded.',
  'reason.model_error': 'Sending is not possible because the model is unavailable.',
  'reason.empty': 'Please enter a text first.',
  'reason.busy': 'An answer is being generated. Use “Stop” or Esc to cancel.',
  'reason.ready': 'Ready to send.',

  'stats.tokens.one': '{n} token',
  'stats.tokens.other': '{n} tokens',
  'stats.rate': '{n} tokens/s',
  'stop.max_tokens': 'length limit reached',
  'stop.stop_string': 'complete',
  'stop.end_of_generation': 'complete',
  'stop.cancelled': 'stopped',

  'status.label': 'Model status',
  'status.connecting': 'Connecting to the model …',
  'status.loading': 'Loading model … {percent}',
  'status.loading_named': 'Loading model … {percent} · {name}',
  'status.ready': 'Ready: {name}',
  'status.error': 'Model unavailable: {message}',
  'status.progress_label': 'Model loading progress',
  'status.kind.base': 'base model',
  'status.kind.instruct': 'instruction-tuned model',
  'status.version': 'Version {version}',
  'status.unknown_model': 'unknown model',

  'history.heading': 'History',
  'history.intro': 'Saved results, encrypted on this workstation.',
  'history.search.label': 'Search the history',
  'history.search.button': 'Search',
  'history.refresh': 'Refresh',
  'history.empty': 'No entries.',
  'history.open': 'Open',
  'history.delete': 'Delete entry',
  'history.deleted': 'Entry deleted.',
  'history.detail.heading': 'Entry of {date}',
  'history.detail.model': 'Model: {name}',
  'history.close': 'Close',
  'history.task.free_text': 'Free text',

  'privacy.heading': 'Settings – Privacy & retention',
  'privacy.store.opening': 'Opening the history …',
  'privacy.store.ready': 'Results are stored encrypted: {path}',
  'privacy.store.off': 'History is switched off; no results are stored.',
  'privacy.store.unavailable': 'The history is not available: {message}',
  'privacy.retention.label': 'Keep results (days)',
  'privacy.retention.invalid': 'Please enter a whole number between 1 and 3650.',
  'privacy.keep.label': 'Save results in the history',
  'privacy.locked': 'Set by your IT',
  'privacy.save': 'Save settings',
  'privacy.saved': 'Settings saved.',
  'privacy.export': 'Export my data',
  'privacy.exported': 'Export saved as {path}',
  'privacy.audit': 'Export the audit log (CSV)',
  'privacy.audited': 'Audit log saved as {path}',
  'privacy.delete': 'Delete all data …',
  'privacy.delete.warning': 'All saved results, documents, settings and the audit log will be deleted for good.',
  'privacy.delete.confirm_label': 'Yes, I want to delete all data for good.',
  'privacy.delete.confirm': 'Delete for good',
  'privacy.cancel': 'Cancel',
  'privacy.deleted': 'All data has been deleted.',
  'privacy.fresh': 'Start fresh …',
  'privacy.fresh.warning': 'The unreadable database is renamed and kept (not deleted); then a new, empty history starts.',
  'privacy.fresh.confirm_label': 'Yes, start with a new history.',
  'privacy.fresh.confirm': 'Start fresh',
  'privacy.fresh.done': 'The old database is now at {path}.',

  'sender.heading': 'Sender (letterhead)',
  'sender.authority': 'Authority',
  'sender.office': 'Office / department',
  'sender.clerk': 'Clerk',
  'sender.phone': 'Phone',
  'sender.email': 'E-mail',
  'sender.opening_hours': 'Opening hours',
  'sender.address': 'Address',
};

export const dictionaries: Record<Lang, Partial<Dictionary>> = { de, en };

export type Params = Record<string, string | number>;

export function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** Reads a persisted language; anything unknown gives the default (German). */
export function parseLang(v: unknown): Lang {
  return isLang(v) ? v : DEFAULT_LANG;
}

/** BCP 47 locale used for number formatting. */
export function numberLocale(lang: Lang): string {
  return lang === 'en' ? 'en-GB' : 'de-DE';
}

function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/**
 * Looks `key` up in the dictionary of `lang`, falling back to German and, as a
 * last resort, to the key itself (so a missing string is visible, not blank).
 */
export function translate(
  lang: Lang | string,
  key: MessageKey,
  params?: Params,
  dicts: Record<string, Partial<Dictionary>> = dictionaries,
): string {
  const primary = isLang(lang) ? dicts[lang] : undefined;
  const template = primary?.[key] ?? dicts[DEFAULT_LANG]?.[key] ?? key;
  return interpolate(template, params);
}

/** A typed `t(key, params)` bound to a language getter. */
export function makeT(getLang: () => Lang) {
  return (key: MessageKey, params?: Params): string => translate(getLang(), key, params);
}
