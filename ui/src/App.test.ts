// @vitest-environment jsdom
import axe from 'axe-core';
import { akteStubs } from './lib/testing';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import App from './App.svelte';
import type { Backend } from './lib/backend';
import { NO_BACKEND } from './lib/errors';
import { LANG_STORAGE_KEY } from './lib/i18n';
import { setLang } from './lib/locale.svelte';
import type { DraftEvent, DraftResult, ExplainEvent, GenEvent, ModelStatus, Prefill, SummaryEvent, Template } from './lib/types';

const flush = async () => {
  await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

const ready: ModelStatus = {
  state: 'ready',
  name: 'Gemma 3 270M (Q4_K_M)',
  file: 'gemma-3-270m-it-Q4_K_M.gguf',
  kind: 'instruct',
  progress: 1,
};

function scriptedBackend(initial: ModelStatus) {
  let emitStatus: (s: ModelStatus) => void = () => {};
  let emitGen: (e: GenEvent) => void = () => {};
  const calls: string[] = [];
  let resolveGen: (id: number) => void = () => {};
  const backend: Backend = {
    ...akteStubs,
    appInfo: async () => ({ version: '0.1.0', model: initial }),
    modelStatus: async () => initial,
    onModelStatus: async (h) => {
      emitStatus = h;
      return () => {};
    },
    generate: (prompt, params, onEvent) => {
      calls.push(`generate:${prompt}:${params.max_tokens}`);
      emitGen = onEvent;
      return new Promise((r) => (resolveGen = r));
    },
    cancel: async (id) => {
      calls.push(`cancel:${id}`);
    },
  };
  return {
    backend,
    calls,
    status: (s: ModelStatus) => emitStatus(s),
    gen: (e: GenEvent) => emitGen(e),
    resolveGen: (id: number) => resolveGen(id),
  };
}

const $ = <T extends Element = HTMLElement>(sel: string) => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el;
};

function typePrompt(text: string) {
  const ta = $<HTMLTextAreaElement>('#prompt');
  ta.value = text;
  ta.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

function key(target: Element, init: KeyboardEventInit) {
  target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }));
  flushSync();
}

let app: ReturnType<typeof mount> | null = null;

beforeEach(() => {
  localStorage.clear();
  setLang('de');
  document.title = 'Schreibstube'; // as in index.html
  document.body.innerHTML = '<div id="app"></div>';
});

afterEach(() => {
  if (app) unmount(app);
  app = null;
});

function start(backend: Backend) {
  app = mount(App, { target: $('#app'), props: { backend } });
  flushSync();
}

describe('App', () => {
  it('renders the contract ids and landmarks', async () => {
    const b = scriptedBackend(ready);
    start(b.backend);
    await flush();
    for (const id of ['#prompt', '#send', '#stop', '#output', '#model-status', '#lang']) {
      expect(document.querySelector(id), id).not.toBeNull();
    }
    expect(document.querySelectorAll('main')).toHaveLength(1);
    expect(document.querySelector('header')).not.toBeNull();
    expect(document.querySelector('footer')).not.toBeNull();
    expect($('h1').textContent).toBe('Schreibstube');
    expect($('#output').getAttribute('aria-live')).toBe('polite');
    expect($('#output').dataset.state).toBe('idle');
    expect($('#model-status').getAttribute('role')).toBe('status');
    expect($('a.skip-link').getAttribute('href')).toBe('#main');
    const cards = [...document.querySelectorAll('.task-card h3')].map((h) => h.textContent);
    expect(cards).toEqual(['Brief entwerfen', 'Akte zusammenfassen', 'Ergebnis erklären']);
    expect([...document.querySelectorAll('.task-card button, .task-card a')].map((b) => b.id)).toEqual(['task-letter', 'task-summary', 'task-explain']);
    // Each card's button says which task it opens (not three buttons all named "Öffnen").
    const names = [...document.querySelectorAll('.task-card button')].map((b) =>
      (b.getAttribute('aria-labelledby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent?.trim())
        .join(' '),
    );
    expect(names).toEqual(['Öffnen Brief entwerfen', 'Öffnen Akte zusammenfassen', 'Öffnen Ergebnis erklären']);
  });

  it('explains the budget sample: figures table, chart, readability, citations, no serious axe findings', async () => {
    const b = scriptedBackend(ready);
    let emit: (e: ExplainEvent) => void = () => {};
    const pos = { file: 'haushalt.csv', file_sha256: 'ef', page: null, paragraph: 3, attachment: null, sheet: null, row: 3 };
    b.backend.addSampleDocument = async (which) => {
      b.calls.push(`sample:${which}`);
      return { status: 'added', document: { id: 7, file_name: 'Beispiel-Haushalt-2026.csv', sha256: 'ef', detected_type: 'csv', pages: null, blocks: 8, attachments: 0, warnings: [] } };
    };
    b.backend.explain = async (id, o, onEvent) => {
      b.calls.push(`explain:${id}:${o.audience}`);
      emit = onEvent;
      return 11;
    };
    b.backend.getDocument = async () => ({
      source: { file_name: 'haushalt.csv', sha256: 'ef', detected_type: 'csv', size_bytes: 1 },
      warnings: [],
      blocks: [{ ...pos, kind: 'table_row', text: '12.6 | Feuerwehr | 842.300,00 | 968.645,00', level: null, ocr_confidence: null }],
    });
    start(b.backend);
    await flush();
    $('#task-explain').click();
    await flush();
    expect($('#explain-heading').textContent).toBe('Ergebnis erklären');
    $('#explain-sample-budget').click();
    await flush();
    await flush();
    expect($('#explain-doc').textContent).toContain('Beispiel-Haushalt-2026.csv');
    ($('input[name="audience"][value="gremium"]') as HTMLInputElement).click();
    flushSync();
    $<HTMLButtonElement>('#explain-start').click();
    await flush();
    expect(b.calls).toContain('explain:7:gremium');
    emit({ kind: 'stage', request_id: 11, stage: 'analysieren' });
    flushSync();
    expect($('#explain-progress').textContent).toContain('Tabelle wird ausgewertet');
    const fig = (id: string, kind: 'differenz' | 'summe', row: string | null, value: number, display: string) => ({
      id, kind, label: row ? `${row}: Differenz` : 'Summe Ansatz 2026', row, value, exact: String(value), display, formula: kind === 'summe' ? 'Summe(B)' : 'B-A',
      inputs: [{ name: 'A', column: 'Ansatz 2025', row: row ?? 'Summe', text: '842.300,00', value: '842300', position: pos }],
    });
    emit({
      kind: 'done',
      request_id: 11,
      result: {
        mark: 'KI-Entwurf – bitte prüfen',
        note: 'Diese Erklärung ersetzt nicht das Original.',
        audience: 'gremium',
        question: null,
        explanation: 'Die Feuerwehr erhält 126.345,00 € mehr.',
        sentences: [{ text: 'Die Feuerwehr erhält 126.345,00 € mehr.', sources: [pos], figures: ['differenz:1'], supported: true }],
        figures: [fig('differenz:1', 'differenz', 'Feuerwehr', 126345, '+126.345,00'), fig('differenz:2', 'differenz', 'Grundschulen', -57150, '-57.150,00'), fig('summe:B', 'summe', null, 9677587, '9.677.587,00')],
        table: { file: 'haushalt.csv', from: 'Ansatz 2025', to: 'Ansatz 2026', data_rows: 6, rounding: 'Prozentwerte gerundet.' },
        key_facts: [],
        unsupported: [],
        readability: { before: { sentences: 8, words: 40, syllables: 90, flesch_amstad: 12.3, wiener_sachtextformel: 14.1 }, after: { sentences: 1, words: 6, syllables: 11, flesch_amstad: 55.5, wiener_sachtextformel: 6.2 }, rules_failed: [], revisions: 0 },
        model: { name: 'Gemma', file: 'g.gguf', sha256: 'abc' },
        cancelled: false,
        warnings: [],
      },
    });
    flushSync();
    expect($('#explain-result').dataset.state).toBe('done');
    expect($('#explain-note').textContent).toContain('ersetzt nicht das Original');
    expect(document.querySelectorAll('#explain-chart rect')).toHaveLength(2);
    expect($('#explain-chart rect.bar-down title').textContent).toBe('Grundschulen: -57.150,00');
    expect($('#explain-figures').textContent).toContain('9.677.587,00');
    expect($('#explain-readability').textContent).toContain('55,5');
    $<HTMLButtonElement>('#explain-sentences .cite').click();
    await flush();
    await flush();
    expect($('#akte-doc .block.hl').textContent).toContain('Feuerwehr');
    const results = await axe.run(document.body, { resultTypes: ['violations'] });
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  it('drafts a letter: template, sample, prefilled fields, streamed draft, edit, review, export, no serious axe findings', async () => {
    const b = scriptedBackend(ready);
    let emit: (e: DraftEvent) => void = () => {};
    const pos = { file: 'antrag.txt', file_sha256: 'ab', page: null, paragraph: 2, attachment: null, sheet: null, row: null };
    const templates: Template[] = [
      {
        id: 'nachforderung', name: 'Nachforderung von Unterlagen', description: 'Fordert fehlende Unterlagen mit Frist an.', subject: '{gegenstand}',
        fields: [
          { key: 'empfaenger_name', label: 'Name', required: true, kind: 'text', default: null, hint: null },
          { key: 'fehlende_unterlagen', label: 'Fehlende Unterlagen', required: true, kind: 'multiline', default: null, hint: 'Eine pro Zeile' },
          { key: 'frist', label: 'Frist', required: true, kind: 'deadline', default: 'zwei Wochen', hint: null },
          { key: 'sozialleistung', label: 'Sozialleistung (SGB)', required: false, kind: 'flag', default: null, hint: null },
        ],
        parts: [
          { id: 'einleitung', kind: 'model', label: 'Einleitung', text: null, instruction: 'Dank', max_words: 50, legal: false, when: null },
          { id: 'mitwirkung', kind: 'fixed', label: 'Hinweis auf die Mitwirkung', text: '…', instruction: null, max_words: 0, legal: true, when: null },
        ],
        enclosures: [], origin: 'mitgeliefert',
      },
      { id: 'eingangsbestaetigung', name: 'Eingangsbestätigung', description: 'Bestätigt den Eingang.', subject: '', fields: [], parts: [], enclosures: [], origin: 'mitgeliefert' },
    ];
    const prefills: string[] = [];
    b.backend.templatesList = async () => templates;
    b.backend.addSampleDocument = async (which) => {
      b.calls.push(`sample:${which}`);
      return { status: 'added', document: { id: 4, file_name: 'Beispiel-Antrag-Wohngeld.txt', sha256: 'ab', detected_type: 'txt', pages: null, blocks: 6, attachments: 0, warnings: [] } };
    };
    b.backend.draftPrefill = async (doc, o): Promise<Prefill> => {
      prefills.push(`${doc}:${JSON.stringify(o.fields)}`);
      const typed = (k: string) => o.fields[k]?.trim() || null;
      return {
        template_id: o.template, template_name: 'Nachforderung von Unterlagen', letter_date: '02.03.2026', missing_required: [],
        fields: [
          { key: 'empfaenger_name', label: 'Name', kind: 'text', required: true, hint: null, value: doc ? 'Max Mustermann' : null, origin: doc ? 'eingang' : 'leer', source: doc ? pos : null, deadline: null },
          { key: 'fehlende_unterlagen', label: 'Fehlende Unterlagen', kind: 'multiline', required: true, hint: 'Eine pro Zeile', value: typed('fehlende_unterlagen'), origin: typed('fehlende_unterlagen') ? 'eingabe' : 'leer', source: null, deadline: null },
          { key: 'frist', label: 'Frist', kind: 'deadline', required: true, hint: null, value: 'zwei Wochen', origin: 'vorlage', source: null,
            deadline: { input: 'zwei Wochen', date: '16.03.2026', iso: '2026-03-16', moved_from: null, explanation_de: 'Zwei Wochen ab dem 02.03.2026.' } },
          { key: 'sozialleistung', label: 'Sozialleistung (SGB)', kind: 'flag', required: false, hint: null, value: typed('sozialleistung'), origin: typed('sozialleistung') ? 'eingabe' : 'leer', source: null, deadline: null },
        ],
      };
    };
    b.backend.getDocument = async () => ({
      source: { file_name: 'antrag.txt', sha256: 'ab', detected_type: 'txt', size_bytes: 1 },
      warnings: [],
      blocks: [{ ...pos, kind: 'paragraph', text: 'Max Mustermann, Lindenweg 5', level: null, ocr_confidence: null }],
    });
    b.backend.draft = async (doc, o, onEvent) => {
      b.calls.push(`draft:${doc}:${o.template}:${o.tone}:${o.form}:${o.instructions}:${JSON.stringify(o.fields)}`);
      emit = onEvent;
      return 21;
    };
    b.backend.draftCheck = async (r) => {
      b.calls.push('check');
      return r;
    };
    b.backend.exportLetter = async (r, format, reviewed) => {
      b.calls.push(`export:${format}:${reviewed}:${r.letter.paragraphs[0].origin}`);
      return `/home/x/Schreibstube/Brief.${format}`;
    };
    start(b.backend);
    await flush();
    $('#task-letter').click();
    await flush();
    expect($('#letter-heading').textContent).toBe('Brief entwerfen');
    expect($<HTMLInputElement>('[data-testid="letter-template-nachforderung"]').checked).toBe(true);
    await flush();
    // Without a letter the name is missing: the generate button says why it waits.
    expect($('#letter-reason').textContent).toContain('Name');
    $('[data-testid="letter-sample"]').click();
    await flush();
    await flush();
    expect(b.calls).toContain('sample:antrag');
    expect($('#letter-doc').textContent).toContain('Beispiel-Antrag-Wohngeld.txt');
    expect($<HTMLInputElement>('#field-empfaenger_name').value).toBe('Max Mustermann');
    expect($('#field-empfaenger_name-origin').textContent).toContain('aus dem Eingangsschreiben');
    expect($('#field-frist-deadline').textContent).toContain('16.03.2026');
    expect($('#field-fehlende_unterlagen').getAttribute('aria-required')).toBe('true');
    expect($('#field-fehlende_unterlagen-origin').textContent).toContain('fehlt');
    expect($<HTMLButtonElement>('[data-testid="letter-generate"]').disabled).toBe(true);
    const list = $<HTMLTextAreaElement>('#field-fehlende_unterlagen');
    list.value = 'Gehaltsnachweise 2025';
    list.dispatchEvent(new Event('input', { bubbles: true }));
    $<HTMLInputElement>('#field-sozialleistung').click();
    flushSync();
    expect($<HTMLButtonElement>('[data-testid="letter-generate"]').disabled).toBe(false);
    const notes = $<HTMLTextAreaElement>('#letter-instructions');
    notes.value = 'Es fehlen die Gehaltsnachweise 2025';
    notes.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    $<HTMLButtonElement>('[data-testid="letter-generate"]').click();
    await flush();
    expect(b.calls).toContain('draft:4:nachforderung:foermlich:b:Es fehlen die Gehaltsnachweise 2025:{"fehlende_unterlagen":"Gehaltsnachweise 2025","sozialleistung":"ja"}');
    emit({ kind: 'stage', request_id: 21, stage: 'schreiben' });
    emit({ kind: 'paragraph', request_id: 21, id: 'einleitung' });
    emit({ kind: 'token', request_id: 21, id: 'einleitung', text: 'vielen Dank für Ihren Antrag' });
    flushSync();
    expect($('#letter-progress').textContent).toContain('Absätze werden geschrieben');
    expect($('#letter-stream').textContent).toContain('vielen Dank für Ihren Antrag');
    const draft: DraftResult = {
      mark: 'KI-Entwurf – bitte prüfen', template_id: 'nachforderung', template_name: 'Nachforderung von Unterlagen',
      letter: {
        form: 'b', sender: { authority: 'Stadt Musterstadt', office: 'Wohngeldstelle' }, return_line: 'Stadt Musterstadt · Marktplatz 1 · 12345 Musterstadt',
        recipient: ['Herrn', 'Max Mustermann', 'Lindenweg 5', '12345 Musterstadt'], info: [{ label: 'Datum', value: '02.03.2026' }], date: '02.03.2026',
        subject: 'Antrag auf Wohngeld – fehlende Unterlagen', salutation: 'Sehr geehrter Herr Mustermann,',
        paragraphs: [
          { id: 'einleitung', label: 'Einleitung', origin: 'model', legal: false, text: 'vielen Dank für Ihren Antrag vom [Datum].' },
          { id: 'mitwirkung', label: 'Hinweis auf die Mitwirkung', origin: 'fixed', legal: true, text: 'Nach § 26 Abs. 2 VwVfG …' },
        ],
        closing: 'Mit freundlichen Grüßen', signature: ['Im Auftrag', 'Frau Beispiel'], enclosures: ['Antragsformular'],
      },
      fields: [], unsupported: [{ paragraph: 'einleitung', text: '[Datum]', kind: 'datum' }], placeholders: ['[Datum]'], check_sources: [],
      model: { name: 'Gemma', file: 'g.gguf', sha256: 'abc' }, options: { template: 'nachforderung', fields: {}, instructions: null, tone: 'foermlich', form: 'b', letter_date: null, temperature: 0.3, seed: 42 },
      timings: { total_ms: 5 }, cancelled: false, warnings: [],
    };
    emit({ kind: 'done', request_id: 21, result: draft });
    flushSync();
    expect($('[data-testid="letter-result"]').dataset.state).toBe('done');
    expect($('[data-testid="letter-paragraph-mitwirkung"]').textContent).toContain('Rechtstext aus der Vorlage – unverändert');
    expect(document.querySelector('[data-testid="letter-paragraph-mitwirkung"] textarea')).toBeNull();
    expect(document.querySelector('#letter-regenerate-mitwirkung')).toBeNull();
    expect($('#letter-regenerate-einleitung').textContent).toBe('Neu formulieren');
    expect($('#letter-placeholders').textContent).toContain('[Datum]');
    expect($<HTMLInputElement>('[data-testid="letter-reviewed"]').disabled).toBe(true);
    expect($('#letter-reviewed-note').textContent).toContain('Platzhalter');
    const preview = $('[data-testid="letter-preview"]');
    expect(preview.getAttribute('role')).toBe('region');
    expect(preview.getAttribute('aria-label')).toBe('Vorschau nach DIN 5008');
    expect(preview.textContent).toContain('KI-Entwurf – bitte prüfen');
    expect(preview.textContent).toContain('Anlage');
    expect($('.din-page').dataset.form).toBe('b');

    const para = $<HTMLTextAreaElement>('#para-einleitung');
    para.value = 'vielen Dank für Ihren Antrag vom 20.02.2026.';
    para.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect($('[data-testid="letter-paragraph-einleitung"]').dataset.origin).toBe('edited');
    expect($<HTMLInputElement>('[data-testid="letter-reviewed"]').disabled).toBe(false);
    $<HTMLInputElement>('[data-testid="letter-reviewed"]').click();
    flushSync();
    expect($('[data-testid="letter-preview"]').textContent).not.toContain('KI-Entwurf');
    $('[data-testid="letter-export-docx"]').click();
    await flush();
    await flush();
    expect(b.calls).toContain('export:docx:true:edited');
    expect($('#letter-export-status').textContent).toContain('/home/x/Schreibstube/Brief.docx');

    $<HTMLButtonElement>('#field-empfaenger_name-origin + .cite').click();
    await flush();
    await flush();
    expect($('#akte-doc .block.hl').textContent).toContain('Max Mustermann');
    expect(prefills[0]).toBe('null:{}');
    const results = await axe.run(document.body, { resultTypes: ['violations'] });
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });

  it('imports a model from a path and shows what the core reports, or its German refusal', async () => {
    const b = scriptedBackend(ready);
    b.backend.importModel = async (path) => {
      if (path.includes('fremd')) throw { code: 'model_not_allowed', message_de: 'Das Modell „fremd.gguf“ ist von Ihrer IT nicht freigegeben.', message_en: 'x' };
      return { name: 'Qwen 2.5 3B', file: 'q.gguf', path: '/m/q.gguf', size_bytes: 2048 * 1048576, sha256: 'ab12', licence: 'Apache-2.0', context_length: 32768, estimated_ram_mb: 3100, in_manifest: true, already_present: false };
    };
    start(b.backend);
    await flush();
    const input = $<HTMLInputElement>('#model-path');
    input.value = '/media/usb/q.gguf';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    $<HTMLButtonElement>('#model-import-button').click();
    await flush();
    await flush();
    expect($('#model-import-result').textContent).toContain('Übernommen: Qwen 2.5 3B');
    expect($('#model-import').textContent).toContain('Apache-2.0');
    expect($('#model-import').textContent).toContain('32768 Tokens');
    input.value = '/media/usb/fremd.gguf';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    $<HTMLButtonElement>('#model-import-button').click();
    await flush();
    await flush();
    expect($('#model-import [role="alert"]').textContent).toContain('nicht freigegeben');
  });

  it('a file dropped anywhere opens the Akte screen with it, failures listed with their reason', async () => {
    const b = scriptedBackend(ready);
    let drop: (paths: string[]) => void = () => {};
    b.backend.onFileDrop = async (h) => {
      drop = h;
      return () => {};
    };
    b.backend.addDocuments = async (paths) => {
      b.calls.push(`add:${paths.join(',')}`);
      return [
        {
          status: 'added',
          document: { id: 4, file_name: 'antrag.docx', sha256: 'cd', detected_type: 'docx', pages: null, blocks: 12, attachments: 0, warnings: [] },
        },
        {
          status: 'failed',
          file_name: 'geheim.pdf',
          error: { code: 'pdf_encrypted', message_de: 'Die PDF-Datei „geheim.pdf“ ist passwortgeschützt.', message_en: 'x' },
        },
      ];
    };
    start(b.backend);
    await flush();
    drop(['/home/u/antrag.docx', '/home/u/geheim.pdf']);
    await flush();
    await flush();
    expect(b.calls).toContain('add:/home/u/antrag.docx,/home/u/geheim.pdf');
    expect($('#akte-heading').textContent).toBe('Akte zusammenfassen');
    expect($('#akte-files').textContent).toContain('antrag.docx');
    expect($('#akte-files').textContent).toContain('12 Absätze');
    expect($('#akte-files li[data-status="failed"]').textContent).toContain('passwortgeschützt');
  });

  it('opens the Akte screen, adds the sample, summarises with citations and goes back', async () => {
    const b = scriptedBackend(ready);
    let emit: (e: SummaryEvent) => void = () => {};
    const pos = { file: 'akte.pdf', file_sha256: 'ab', page: 3, paragraph: 7, attachment: null, sheet: null, row: null };
    b.backend.addSampleDocument = async () => ({
      status: 'added',
      document: { id: 1, file_name: 'akte.pdf', sha256: 'ab', detected_type: 'pdf', pages: 6, blocks: 13, attachments: 0, warnings: [] },
    });
    b.backend.summarize = async (ids, _o, onEvent) => {
      b.calls.push(`summarize:${ids.join(',')}`);
      emit = onEvent;
      return 9;
    };
    b.backend.getDocument = async () => ({
      source: { file_name: 'akte.pdf', sha256: 'ab', detected_type: 'pdf', size_bytes: 1 },
      warnings: [],
      blocks: [{ ...pos, paragraph: 7, kind: 'paragraph', text: 'Die Gebühr beträgt 80 €.', level: null, ocr_confidence: null }],
    });
    start(b.backend);
    await flush();
    $('#task-summary').click();
    await flush();
    expect($('#akte-heading').textContent).toBe('Akte zusammenfassen');
    expect($<HTMLButtonElement>('#akte-start').disabled).toBe(true);
    $('#akte-sample').click();
    await flush();
    await flush();
    expect($('#akte-files').textContent).toContain('6 Seiten');
    expect($<HTMLButtonElement>('#akte-start').disabled).toBe(false);
    $<HTMLButtonElement>('#akte-start').click();
    await flush();
    expect(b.calls).toContain('summarize:1');
    emit({ kind: 'progress', request_id: 9, progress: { stage: 'lesen', done: 1, total: 2, pages_read: 3, pages_total: 6, eta_s: 5 } });
    flushSync();
    expect($('#akte-progress').textContent).toContain('Abschnitt 1 von 2 gelesen · 3 von 6 Seiten');
    emit({
      kind: 'done',
      request_id: 9,
      result: {
        mark: 'KI-Entwurf – bitte prüfen',
        summary: 'Die Gebühr beträgt 80 €. Frist 20.03.2025.',
        sentences: [
          { text: 'Die Gebühr beträgt 80 €.', sources: [pos], supported: true },
          { text: 'Frist 20.03.2025.', sources: [], supported: false },
        ],
        facts: [{ kind: 'betrag', value: '80 €', normalized: '80.00', context: 'Die Gebühr beträgt 80 €.', sources: [pos] }],
        coverage: { pages_read: 6, pages_total: 6, chunks_read: 2, chunks_total: 2 },
        unsupported: [{ text: '20.03.2025', kind: 'frist', sentence: 1 }],
        model: { name: 'Gemma', file: 'g.gguf', sha256: 'x' },
        cancelled: false,
        failed_files: [],
        warnings: [],
        timings: { total_ms: 5 },
      },
    });
    flushSync();
    expect($('#akte-result').dataset.state).toBe('done');
    expect($('#akte-coverage').textContent).toContain('6 von 6 Seiten gelesen');
    expect($('mark.flag').textContent).toContain('20.03.2025');
    expect($('#akte-facts').textContent).toContain('Betrag');
    const cite = $<HTMLButtonElement>('#akte-result .cite');
    expect(cite.getAttribute('aria-label')).toBe('S. 3 – Quelle öffnen: akte.pdf, Seite 3, Absatz 7');
    cite.click();
    await flush();
    await flush();
    expect($('#akte-doc .block.hl').textContent).toBe('Die Gebühr beträgt 80 €.');
    expect(document.activeElement).toBe($('#akte-doc .block.hl'));
    expect($('#akte-doc').textContent).toContain('Seite 3');
    const results = await axe.run(document.body, { resultTypes: ['violations'] });
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    $('#akte-back').click();
    await flush();
    expect(document.querySelector('#prompt')).not.toBeNull();
  });

  it('shows the model state and enables send only when ready and not empty', async () => {
    const loading: ModelStatus = { ...ready, state: 'loading', progress: 0.4 };
    const b = scriptedBackend(loading);
    start(b.backend);
    await flush();
    expect($('#model-status').dataset.state).toBe('loading');
    expect($('#model-status').textContent?.replace(/\u00a0/g, ' ')).toContain('Modell wird geladen … 40 %');
    expect($<HTMLProgressElement>('progress').value).toBeCloseTo(0.4);
    typePrompt('Bitte einen Gruß');
    expect($<HTMLButtonElement>('#send').disabled).toBe(true);
    expect($('#send-reason').textContent).toContain('sobald das Modell geladen ist');

    b.status(ready);
    flushSync();
    expect($('#model-status').dataset.state).toBe('ready');
    expect($('#model-status').textContent).toBe('Bereit: Gemma 3 270M (Q4_K_M)');
    expect(document.querySelector('progress')).toBeNull();
    expect($<HTMLButtonElement>('#send').disabled).toBe(false);

    typePrompt('   ');
    expect($<HTMLButtonElement>('#send').disabled).toBe(true);
    expect($('#send-reason').textContent).toContain('Bitte geben Sie zuerst einen Text ein.');
  });

  it('streams, finishes with stats and the AI mark', async () => {
    const b = scriptedBackend(ready);
    start(b.backend);
    await flush();
    typePrompt('Schreibe einen Satz.');
    $<HTMLButtonElement>('#send').click();
    flushSync();
    expect(b.calls).toEqual(['generate:Schreibe einen Satz.:256']);
    expect($('#output').dataset.state).toBe('streaming');
    expect($<HTMLButtonElement>('#stop').disabled).toBe(false);
    expect($<HTMLButtonElement>('#send').disabled).toBe(true);

    b.gen({ kind: 'started', request_id: 1, prompt_tokens: 4 });
    b.gen({ kind: 'token', request_id: 1, text: 'Guten ' });
    b.gen({ kind: 'token', request_id: 1, text: 'Tag.' });
    b.resolveGen(1);
    await flush();
    expect($('#output').textContent).toBe('Guten Tag.');
    b.gen({
      kind: 'done',
      request_id: 1,
      stats: {
        prompt_tokens: 4,
        generated_tokens: 42,
        prompt_ms: 10,
        generate_ms: 589,
        prompt_tokens_per_s: 400,
        generate_tokens_per_s: 71.3,
        stop_reason: 'end_of_generation',
      },
    });
    flushSync();
    expect($('#output').dataset.state).toBe('done');
    expect($('.stats').textContent).toContain('42 Tokens · 71,3 Tokens/s');
    expect($('.ai-mark').textContent).toContain('KI-generierter Text – bitte prüfen');
    expect($<HTMLButtonElement>('#stop').disabled).toBe(true);
  });

  it('Ctrl+Enter sends and Esc stops', async () => {
    const b = scriptedBackend(ready);
    start(b.backend);
    await flush();
    typePrompt('Hallo');
    key($('#prompt'), { key: 'Enter', ctrlKey: true });
    expect($('#output').dataset.state).toBe('streaming');
    b.resolveGen(5);
    await flush();
    key(document.body, { key: 'Escape' });
    await flush();
    expect(b.calls).toEqual(['generate:Hallo:256', 'cancel:5']);
    expect($('#output').dataset.state).toBe('cancelled');
  });

  it('shows errors in an alert in the current language', async () => {
    const b = scriptedBackend(ready);
    start(b.backend);
    await flush();
    typePrompt('Hallo');
    $<HTMLButtonElement>('#send').click();
    flushSync();
    b.gen({ kind: 'error', request_id: 1, code: 'oom', message_de: 'Zu wenig Speicher', message_en: 'Out of memory' });
    flushSync();
    expect($('#output').dataset.state).toBe('error');
    expect($('[role="alert"]').textContent).toContain('Zu wenig Speicher');
    const lang = $<HTMLSelectElement>('#lang');
    lang.value = 'en';
    lang.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    expect($('[role="alert"]').textContent).toContain('Out of memory');
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('en');
    expect($('#send').textContent).toBe('Send');
  });

  it('degrades to an error status without a backend', async () => {
    const reject = () => Promise.reject(NO_BACKEND);
    start({ ...akteStubs, appInfo: reject, modelStatus: reject, onModelStatus: reject, generate: reject, cancel: reject });
    await flush();
    await flush();
    expect($('#model-status').dataset.state).toBe('error');
    expect($('#model-status').textContent).toContain('Keine Verbindung zur Anwendung');
    expect($<HTMLButtonElement>('#send').disabled).toBe(true);
  });

  it('has no serious or critical axe findings on the start screen', async () => {
    const b = scriptedBackend(ready);
    start(b.backend);
    await flush();
    const result = await axe.run(document.documentElement, {
      // jsdom cannot compute colours; contrast is checked in a real browser.
      rules: { 'color-contrast': { enabled: false } },
    });
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
});
