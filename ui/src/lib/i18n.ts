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

  'tasks.intro': 'Wählen Sie eine Aufgabe. Weitere Assistenten folgen in späteren Versionen.',
  'tasks.open': 'Öffnen',
  'nav.back': 'Zurück zur Startseite',
  'akte.heading': 'Akte zusammenfassen',
  'akte.intro': 'Alle Seiten werden gelesen. Jede Aussage verweist auf ihre Fundstelle; Fakten wie Fristen und Beträge ermittelt das Programm selbst.',
  'akte.files.heading': 'Dateien der Akte',
  'akte.files.drop': 'Ziehen Sie Dateien in dieses Fenster (PDF, DOCX, ODT, E-Mail, Text, CSV) oder wählen Sie sie aus.',
  'akte.files.pick': 'Dateien auswählen …',
  'akte.files.sample': 'Beispielakte laden',
  'akte.files.empty': 'Noch keine Dateien.',
  'akte.files.remove': '{name} entfernen',
  'akte.files.pages.one': '{n} Seite',
  'akte.files.pages.other': '{n} Seiten',
  'akte.files.blocks': '{n} Absätze',
  'akte.files.failed': 'Nicht gelesen',
  'akte.files.reading': 'Dateien werden gelesen …',
  'akte.files.show': '{name} anzeigen',
  'akte.options.heading': 'Einstellungen',
  'akte.length.legend': 'Länge',
  'akte.length.kurz': 'Kurz (3–5 Sätze)',
  'akte.length.mittel': 'Mittel',
  'akte.length.ausfuehrlich': 'Ausführlich',
  'akte.form.legend': 'Form',
  'akte.form.text': 'Fließtext',
  'akte.form.stichpunkte': 'Stichpunkte',
  'akte.focus.label': 'Fokusfrage (optional)',
  'akte.focus.hint': 'Zum Beispiel: Was fordert der Antragsteller?',
  'akte.start': 'Zusammenfassen',
  'akte.stop': 'Stopp',
  'akte.reason.no_files': 'Bitte fügen Sie zuerst mindestens eine lesbare Datei hinzu.',
  'akte.progress.lesen': 'Abschnitt {done} von {total} gelesen · {pages} von {pages_total} Seiten',
  'akte.progress.zusammenfuehren': 'Teilergebnisse werden zusammengeführt ({done} von {total})',
  'akte.progress.pruefen': 'Belege und Fakten werden geprüft …',
  'akte.progress.eta': 'noch etwa {s} s',
  'akte.progress.starting': 'Zusammenfassung wird vorbereitet …',
  'akte.progress.label': 'Fortschritt der Zusammenfassung',
  'akte.result.heading': 'Zusammenfassung',
  'akte.result.coverage': '{read} von {total} Seiten gelesen',
  'akte.result.cancelled': 'Abgebrochen – Teilergebnis aus den bereits gelesenen Abschnitten.',
  'akte.result.no_source': 'keine Quelle gefunden',
  'akte.result.source': '{short} – Quelle öffnen: {where}',
  'akte.result.flag': 'nicht in den Quellen gefunden',
  'akte.result.copy': 'Als Text kopieren',
  'akte.result.copied': 'In die Zwischenablage kopiert.',
  'akte.result.export_docx': 'Als DOCX speichern',
  'akte.result.export_md': 'Als Markdown speichern',
  'akte.result.exported': 'Gespeichert: {path}',
  'akte.result.model': 'Modell: {name}',
  'akte.facts.heading': 'Fakten aus der Akte',
  'akte.facts.kind': 'Art',
  'akte.facts.value': 'Wert',
  'akte.facts.context': 'Zusammenhang',
  'akte.facts.source': 'Fundstelle',
  'akte.facts.none': 'Keine Fristen, Beträge oder Aktenzeichen gefunden.',
  'akte.flags.heading': 'Nicht in den Quellen gefunden',
  'akte.flags.intro': 'Diese Angaben der Zusammenfassung stehen in keiner Datei der Akte. Bitte prüfen oder streichen Sie sie.',
  'akte.doc.heading': 'Dokument',
  'akte.doc.none': 'Wählen Sie eine Datei oder eine Quellenangabe, um den Text hier zu sehen.',
  'akte.doc.page': 'Seite {n}',
  'akte.doc.attachment': 'Anhang: {name}',
  'akte.partials.heading': 'Zwischenergebnisse',
  'fact.aktenzeichen': 'Aktenzeichen',
  'fact.frist': 'Frist',
  'fact.datum': 'Datum',
  'fact.betrag': 'Betrag',
  'fact.beteiligter': 'Beteiligte',
  'fact.forderung': 'Forderung',
  'fact.iban': 'IBAN',
  'fact.telefon': 'Telefon',
  'fact.email': 'E-Mail',
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

  'tasks.intro': 'Choose a task. More assistants follow in later versions.',
  'tasks.open': 'Open',
  'nav.back': 'Back to the start page',
  'akte.heading': 'Summarise a case file',
  'akte.intro': 'Every page is read. Each statement links to where it comes from; facts such as deadlines and amounts are found by the program itself.',
  'akte.files.heading': 'Files of the case',
  'akte.files.drop': 'Drop files onto this window (PDF, DOCX, ODT, e-mail, text, CSV) or choose them.',
  'akte.files.pick': 'Choose files …',
  'akte.files.sample': 'Load sample case file',
  'akte.files.empty': 'No files yet.',
  'akte.files.remove': 'Remove {name}',
  'akte.files.pages.one': '{n} page',
  'akte.files.pages.other': '{n} pages',
  'akte.files.blocks': '{n} paragraphs',
  'akte.files.failed': 'Not read',
  'akte.files.reading': 'Reading files …',
  'akte.files.show': 'Show {name}',
  'akte.options.heading': 'Settings',
  'akte.length.legend': 'Length',
  'akte.length.kurz': 'Short (3–5 sentences)',
  'akte.length.mittel': 'Medium',
  'akte.length.ausfuehrlich': 'Detailed',
  'akte.form.legend': 'Form',
  'akte.form.text': 'Running text',
  'akte.form.stichpunkte': 'Bullet points',
  'akte.focus.label': 'Focus question (optional)',
  'akte.focus.hint': 'For example: What does the applicant ask for?',
  'akte.start': 'Summarise',
  'akte.stop': 'Stop',
  'akte.reason.no_files': 'Please add at least one readable file first.',
  'akte.progress.lesen': 'Section {done} of {total} read · {pages} of {pages_total} pages',
  'akte.progress.zusammenfuehren': 'Merging partial results ({done} of {total})',
  'akte.progress.pruefen': 'Checking sources and facts …',
  'akte.progress.eta': 'about {s} s left',
  'akte.progress.starting': 'Preparing the summary …',
  'akte.progress.label': 'Summary progress',
  'akte.result.heading': 'Summary',
  'akte.result.coverage': '{read} of {total} pages read',
  'akte.result.cancelled': 'Stopped – partial result from the sections read so far.',
  'akte.result.no_source': 'no source found',
  'akte.result.source': '{short} – open source: {where}',
  'akte.result.flag': 'not found in the sources',
  'akte.result.copy': 'Copy as text',
  'akte.result.copied': 'Copied to the clipboard.',
  'akte.result.export_docx': 'Save as DOCX',
  'akte.result.export_md': 'Save as Markdown',
  'akte.result.exported': 'Saved: {path}',
  'akte.result.model': 'Model: {name}',
  'akte.facts.heading': 'Facts from the case file',
  'akte.facts.kind': 'Kind',
  'akte.facts.value': 'Value',
  'akte.facts.context': 'Context',
  'akte.facts.source': 'Source',
  'akte.facts.none': 'No deadlines, amounts or file numbers found.',
  'akte.flags.heading': 'Not found in the sources',
  'akte.flags.intro': 'These details of the summary appear in no file of the case. Please check or remove them.',
  'akte.doc.heading': 'Document',
  'akte.doc.none': 'Choose a file or a source reference to see its text here.',
  'akte.doc.page': 'Page {n}',
  'akte.doc.attachment': 'Attachment: {name}',
  'akte.partials.heading': 'Intermediate results',
  'fact.aktenzeichen': 'File number',
  'fact.frist': 'Deadline',
  'fact.datum': 'Date',
  'fact.betrag': 'Amount',
  'fact.beteiligter': 'Party',
  'fact.forderung': 'Demand',
  'fact.iban': 'IBAN',
  'fact.telefon': 'Phone',
  'fact.email': 'E-mail',
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
