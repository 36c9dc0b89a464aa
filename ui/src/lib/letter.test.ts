import { describe, expect, it, vi } from 'vitest';
import type { Backend } from './backend';
import {
  applyDraftEvent,
  canRegenerate,
  canReview,
  defaultOptions,
  editParagraph,
  fallbackValue,
  fieldBadge,
  fieldInputValue,
  fieldsOf,
  initialDraftState,
  isEditable,
  isFlagSet,
  LetterController,
  letterPlainText,
  missingRequired,
  optionsToSend,
  placeholdersIn,
  PrefillLoader,
  type DraftState,
  type PrefillState,
} from './letter';
import { akteStubs } from './testing';
import type { DraftEvent, DraftResult, FieldValue, Letter, Prefill, Template } from './types';

const letter = (): Letter => ({
  form: 'b',
  sender: { authority: 'Stadt Musterstadt', address: 'Marktplatz 1\n12345 Musterstadt', clerk: 'Frau Beispiel', land: 'NW' },
  return_line: 'Stadt Musterstadt · Marktplatz 1 · 12345 Musterstadt',
  recipient: ['Herrn', 'Max Mustermann', 'Lindenweg 5', '12345 Musterstadt'],
  info: [
    { label: 'Ihr Zeichen', value: 'MM-1' },
    { label: 'Datum', value: '02.03.2026' },
  ],
  date: '02.03.2026',
  subject: 'Antrag auf Wohngeld – fehlende Unterlagen',
  salutation: 'Sehr geehrter Herr Mustermann,',
  paragraphs: [
    { id: 'einleitung', label: 'Einleitung', origin: 'model', legal: false, text: 'vielen Dank für Ihren Antrag. ' },
    { id: 'liste', label: 'Fehlende Unterlagen', origin: 'fixed', legal: false, text: 'Bitte reichen Sie bis zum 16.03.2026 ein:\n– Gehaltsnachweise 2025' },
    { id: 'leer', label: 'Leer', origin: 'model', legal: false, text: '  ' },
    { id: 'mitwirkung', label: 'Hinweis auf die Mitwirkung', origin: 'fixed', legal: true, text: 'Nach § 26 Abs. 2 VwVfG …' },
  ],
  closing: 'Mit freundlichen Grüßen',
  signature: ['Im Auftrag', 'Frau Beispiel'],
  enclosures: [],
});

const result = (over: Partial<DraftResult> = {}): DraftResult => ({
  mark: 'KI-Entwurf – bitte prüfen',
  template_id: 'nachforderung',
  template_name: 'Nachforderung von Unterlagen',
  letter: letter(),
  fields: [],
  unsupported: [],
  placeholders: [],
  check_sources: ['Antrag auf Wohngeld'],
  model: { name: 'm', file: 'm.gguf', sha256: 'x' },
  options: defaultOptions('nachforderung'),
  timings: { total_ms: 1 },
  cancelled: false,
  warnings: [],
  ...over,
});

const template: Template = {
  id: 'nachforderung',
  name: 'Nachforderung von Unterlagen',
  description: 'Fordert fehlende Unterlagen an.',
  subject: '{gegenstand} – fehlende Unterlagen',
  fields: [
    { key: 'empfaenger_name', label: 'Name', required: true, kind: 'text', default: null, hint: null },
    { key: 'frist', label: 'Frist', required: true, kind: 'deadline', default: 'zwei Wochen', hint: null },
    { key: 'sozialleistung', label: 'Sozialleistung', required: false, kind: 'flag', default: null, hint: null },
  ],
  parts: [
    { id: 'einleitung', kind: 'model', label: 'Einleitung', text: null, instruction: 'Dank', max_words: 50, legal: false, when: null },
    { id: 'liste', kind: 'fixed', label: 'Fehlende Unterlagen', text: '…', instruction: null, max_words: 0, legal: false, when: null },
  ],
  enclosures: [],
  origin: 'mitgeliefert',
};

const field = (over: Partial<FieldValue>): FieldValue => ({
  key: 'k',
  label: 'K',
  kind: 'text',
  required: false,
  hint: null,
  value: null,
  origin: 'leer',
  source: null,
  deadline: null,
  ...over,
});

function fakeBackend() {
  const calls: string[] = [];
  let emit: (e: DraftEvent) => void = () => {};
  const unused = () => Promise.reject(new Error('not used'));
  let checkAnswer: (r: DraftResult) => Promise<DraftResult> = async (r) => r;
  const backend: Backend = {
    ...akteStubs,
    appInfo: unused,
    modelStatus: unused,
    onModelStatus: unused,
    generate: unused,
    cancel: async (id) => {
      calls.push(`cancel:${id}`);
    },
    draft: async (doc, o, onEvent) => {
      calls.push(`draft:${doc}:${o.template}:${o.tone}`);
      emit = onEvent;
      return 9;
    },
    draftRegenerate: async (doc, r, id, onEvent) => {
      calls.push(`regenerate:${doc}:${id}:${r.letter.paragraphs.length}`);
      emit = onEvent;
      return 10;
    },
    draftCheck: (r) => {
      calls.push(`check:${r.letter.paragraphs[0].text}`);
      return checkAnswer(r);
    },
    exportLetter: async (r, format, reviewed) => {
      calls.push(`export:${format}:${reviewed}:${r.letter.paragraphs[0].origin}`);
      return `/export/brief.${format}`;
    },
  };
  return { backend, calls, emit: (e: DraftEvent) => emit(e), answerChecks: (f: typeof checkAnswer) => (checkAnswer = f) };
}

describe('options and fields', () => {
  it('defaults as the core: förmlich, Form B, temperature 0.3, seed 42, today', () => {
    expect(defaultOptions('nachforderung')).toEqual({
      template: 'nachforderung',
      fields: {},
      instructions: null,
      tone: 'foermlich',
      form: 'b',
      letter_date: null,
      temperature: 0.3,
      seed: 42,
    });
  });

  it('sends empty texts as null and only the template’s fields', () => {
    const o = { ...defaultOptions('nachforderung'), instructions: '  ', letter_date: ' ', fields: { frist: '1 Monat', alt: 'x' } };
    const sent = optionsToSend(o, template);
    expect(sent.instructions).toBeNull();
    expect(sent.letter_date).toBeNull();
    expect(sent.fields).toEqual({ frist: '1 Monat' });
    expect(optionsToSend({ ...o, instructions: ' Es fehlen die Gehaltsnachweise 2025 ' }).instructions).toBe('Es fehlen die Gehaltsnachweise 2025');
  });

  it('shows the template’s fields until the prefill for it arrives', () => {
    const before = fieldsOf(template, null);
    expect(before.map((f) => [f.key, f.origin, f.value])).toEqual([
      ['empfaenger_name', 'leer', null],
      ['frist', 'vorlage', 'zwei Wochen'],
      ['sozialleistung', 'leer', null],
    ]);
    const prefill: Prefill = { template_id: 'andere', template_name: 'x', fields: [field({})], missing_required: [], letter_date: '02.03.2026' };
    expect(fieldsOf(template, prefill)).toHaveLength(3);
    expect(fieldsOf(template, { ...prefill, template_id: 'nachforderung' })).toEqual([field({})]);
    expect(fieldsOf(null, prefill)).toEqual([]);
  });

  it('the clerk’s values win; badges say where a value comes from', () => {
    const fromLetter = field({ key: 'empfaenger_name', required: true, value: 'Max Mustermann', origin: 'eingang' });
    expect(fieldInputValue(fromLetter, {})).toBe('Max Mustermann');
    expect(fieldBadge(fromLetter, {})).toBe('eingang');
    expect(fieldInputValue(fromLetter, { empfaenger_name: 'Erika Muster' })).toBe('Erika Muster');
    expect(fieldBadge(fromLetter, { empfaenger_name: 'Erika Muster' })).toBe('eingabe');
    // Emptied: the input stays empty, the core falls back to the letter – and the screen says so.
    expect(fieldInputValue(fromLetter, { empfaenger_name: '' })).toBe('');
    expect(fieldBadge(fromLetter, { empfaenger_name: '' })).toBe('eingang');
    expect(fallbackValue(fromLetter, { empfaenger_name: '' })).toBe('Max Mustermann');
    expect(fallbackValue(fromLetter, {})).toBeNull();

    const empty = field({ key: 'gegenstand', label: 'Gegenstand', required: true });
    const optional = field({ key: 'ihr_zeichen', label: 'Ihr Zeichen' });
    const typed = field({ key: 'frist', label: 'Frist', required: true, value: '1 Monat', origin: 'eingabe' });
    expect(fieldBadge(empty, {})).toBe('fehlt');
    expect(fieldBadge(optional, {})).toBeNull();
    expect(missingRequired([fromLetter, empty, optional, typed], { frist: '1 Monat' })).toEqual(['Gegenstand']);
    // A required value the clerk just deleted counts as missing until the core answers again.
    expect(missingRequired([typed], { frist: ' ' })).toEqual(['Frist']);
  });

  it('reads flags as the core does', () => {
    for (const yes of ['ja', 'Ja', 'x', 'true']) expect(isFlagSet(yes), yes).toBe(true);
    for (const no of ['', 'nein', 'NEIN', 'no', 'false', '0', null, undefined]) expect(isFlagSet(no), String(no)).toBe(false);
  });
});

describe('letter text and review', () => {
  it('plain text mirrors Letter::plain_text', () => {
    expect(letterPlainText(letter()).split('\n')).toEqual([
      'Stadt Musterstadt · Marktplatz 1 · 12345 Musterstadt',
      '',
      'Herrn',
      'Max Mustermann',
      'Lindenweg 5',
      '12345 Musterstadt',
      '',
      'Ihr Zeichen: MM-1',
      'Datum: 02.03.2026',
      '',
      'Antrag auf Wohngeld – fehlende Unterlagen',
      '',
      'Sehr geehrter Herr Mustermann,',
      '',
      'vielen Dank für Ihren Antrag.',
      '',
      'Bitte reichen Sie bis zum 16.03.2026 ein:',
      '– Gehaltsnachweise 2025',
      '',
      'Nach § 26 Abs. 2 VwVfG …',
      '',
      'Mit freundlichen Grüßen',
      'Im Auftrag',
      'Frau Beispiel',
    ]);
    const text = letterPlainText({ ...letter(), return_line: '', enclosures: ['Antragsformular'] });
    expect(text.startsWith('Herrn\n')).toBe(true);
    expect(text.endsWith('Frau Beispiel\n\nAnlage\nAntragsformular')).toBe(true);
    expect(letterPlainText({ ...letter(), enclosures: ['A', 'B'] }).endsWith('\n\nAnlagen\nA\nB')).toBe(true);
  });

  it('an edit marks the paragraph edited and rescans placeholders; fixed text stays', () => {
    const r = result();
    const edited = editParagraph(r, 'einleitung', 'Danke. Bitte nennen Sie [Telefonnummer] und [Telefonnummer].');
    expect(edited.letter.paragraphs[0]).toMatchObject({ origin: 'edited', text: 'Danke. Bitte nennen Sie [Telefonnummer] und [Telefonnummer].' });
    expect(edited.placeholders).toEqual(['[Telefonnummer]']);
    expect(r.letter.paragraphs[0].origin).toBe('model');
    const legal = editParagraph(r, 'mitwirkung', 'anders');
    expect(legal.letter.paragraphs[3].text).toBe('Nach § 26 Abs. 2 VwVfG …');
    expect(editParagraph(r, 'liste', 'anders').letter.paragraphs[1].origin).toBe('fixed');
  });

  it('review needs a letter without placeholders', () => {
    expect(canReview(null)).toBe(false);
    expect(canReview(result({ placeholders: ['[Datum]'] }))).toBe(false);
    expect(canReview(result())).toBe(true);
    expect(placeholdersIn({ ...letter(), subject: '[Gegenstand] – fehlende Unterlagen' })).toEqual(['[Gegenstand]']);
  });

  it('only model parts can be reworded, only model/edited paragraphs edited', () => {
    expect(canRegenerate(template, 'einleitung')).toBe(true);
    expect(canRegenerate(template, 'liste')).toBe(false);
    expect(canRegenerate(null, 'einleitung')).toBe(false);
    const [model, fixed, , legal] = letter().paragraphs;
    expect(isEditable(model)).toBe(true);
    expect(isEditable({ ...model, origin: 'edited' })).toBe(true);
    expect(isEditable(fixed)).toBe(false);
    expect(isEditable(legal)).toBe(false);
  });
});

describe('LetterController', () => {
  it('streams paragraph by paragraph to the result, and stops on request', async () => {
    const f = fakeBackend();
    let last: DraftState = initialDraftState;
    const c = new LetterController(f.backend, (s) => (last = s));
    await c.start(3, { ...defaultOptions('nachforderung'), tone: 'buergernah' });
    expect(f.calls).toEqual(['draft:3:nachforderung:buergernah']);
    expect(last.phase).toBe('running');
    expect(last.requestId).toBe(9);
    f.emit({ kind: 'stage', request_id: 9, stage: 'schreiben' });
    f.emit({ kind: 'paragraph', request_id: 9, id: 'einleitung' });
    f.emit({ kind: 'token', request_id: 9, id: 'einleitung', text: 'vielen ' });
    f.emit({ kind: 'token', request_id: 9, id: 'einleitung', text: 'Dank' });
    f.emit({ kind: 'paragraph', request_id: 9, id: 'rueckfragen' });
    f.emit({ kind: 'token', request_id: 9, id: 'rueckfragen', text: 'Bei Fragen' });
    expect(last.stage).toBe('schreiben');
    expect(last.writing).toBe('rueckfragen');
    expect(last.streamed).toEqual([
      { id: 'einleitung', text: 'vielen Dank' },
      { id: 'rueckfragen', text: 'Bei Fragen' },
    ]);
    await c.stop();
    expect(f.calls).toContain('cancel:9');
    f.emit({ kind: 'done', request_id: 9, result: result({ cancelled: true }) });
    expect(last.phase).toBe('cancelled');
    expect(last.result?.cancelled).toBe(true);
    expect(last.writing).toBeNull();
  });

  it('a retried paragraph starts afresh; an error ends the run', async () => {
    const s0 = { ...initialDraftState, streamed: [{ id: 'a', text: 'alt' }] };
    expect(applyDraftEvent(s0, { kind: 'paragraph', request_id: 1, id: 'a' }).streamed).toEqual([{ id: 'a', text: '' }]);
    expect(applyDraftEvent(s0, { kind: 'token', request_id: 1, id: 'b', text: 'x' }).streamed).toEqual([
      { id: 'a', text: 'alt' },
      { id: 'b', text: 'x' },
    ]);
    const f = fakeBackend();
    let last: DraftState = initialDraftState;
    const c = new LetterController(f.backend, (s) => (last = s));
    await c.start(null, defaultOptions('nachforderung'));
    expect(f.calls).toEqual(['draft:null:nachforderung:foermlich']);
    f.emit({ kind: 'error', request_id: 9, error: { code: 'missing_fields', message_de: 'Es fehlen: Frist', message_en: 'Missing: Frist' } });
    expect(last.phase).toBe('error');
    expect(last.error?.code).toBe('missing_fields');
  });

  it('rewords one paragraph while the letter stays visible', async () => {
    const f = fakeBackend();
    let last: DraftState = initialDraftState;
    const c = new LetterController(f.backend, (s) => (last = s));
    await c.start(3, defaultOptions('nachforderung'));
    f.emit({ kind: 'done', request_id: 9, result: result() });
    await c.regenerate(3, 'einleitung');
    expect(f.calls).toContain('regenerate:3:einleitung:4');
    expect(last.phase).toBe('running');
    expect(last.regenerating).toBe('einleitung');
    expect(last.result?.letter.paragraphs[0].text).toBe('vielen Dank für Ihren Antrag. ');
    f.emit({ kind: 'token', request_id: 10, id: 'einleitung', text: 'Danke' });
    expect(last.streamed).toEqual([{ id: 'einleitung', text: 'Danke' }]);
    const updated = result();
    updated.letter.paragraphs[0] = { ...updated.letter.paragraphs[0], text: 'Danke für Ihren Antrag.' };
    f.emit({ kind: 'done', request_id: 10, result: updated });
    expect(last.phase).toBe('done');
    expect(last.regenerating).toBeNull();
    expect(last.result?.letter.paragraphs[0].text).toBe('Danke für Ihren Antrag.');
  });

  it('checks an edit after a pause, drops an answer about older text, checks before export', async () => {
    vi.useFakeTimers();
    try {
      const f = fakeBackend();
      let last: DraftState = initialDraftState;
      const c = new LetterController(f.backend, (s) => (last = s), 400);
      await c.start(null, defaultOptions('nachforderung'));
      f.emit({ kind: 'done', request_id: 9, result: result() });
      f.answerChecks(async (r) => ({ ...r, unsupported: [{ paragraph: 'einleitung', text: '17.03.2026', kind: 'datum' }] }));
      c.edit('einleitung', 'Danke');
      c.edit('einleitung', 'Danke bis 17.03.2026');
      expect(last.result?.letter.paragraphs[0]).toMatchObject({ origin: 'edited', text: 'Danke bis 17.03.2026' });
      expect(f.calls.filter((x) => x.startsWith('check'))).toEqual([]);
      await vi.advanceTimersByTimeAsync(400);
      expect(f.calls.filter((x) => x.startsWith('check'))).toEqual(['check:Danke bis 17.03.2026']);
      expect(last.result?.unsupported.map((u) => u.text)).toEqual(['17.03.2026']);
      expect(last.checking).toBe(false);

      // The clerk types on while a check runs: its answer is about older text.
      let release: () => void = () => {};
      f.answerChecks((r) => new Promise((ok) => (release = () => ok({ ...r, unsupported: [] }))));
      const pending = c.checkNow();
      c.edit('einleitung', 'Neu');
      release();
      expect(await pending).toBeNull();
      expect(last.result?.letter.paragraphs[0].text).toBe('Neu');

      f.answerChecks(async (r) => r);
      const path = await c.exportLetter('odt', true);
      expect(path).toBe('/export/brief.odt');
      expect(f.calls.slice(-2)).toEqual(['check:Neu', 'export:odt:true:edited']);
      c.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PrefillLoader', () => {
  it('asks after a pause and keeps only the newest answer', async () => {
    vi.useFakeTimers();
    try {
      const asked: string[] = [];
      const answers: ((p: Prefill) => void)[] = [];
      const backend = {
        ...akteStubs,
        draftPrefill: (doc: number | null, o: { fields: Record<string, string> }) => {
          asked.push(`${doc}:${o.fields.frist ?? ''}`);
          return new Promise<Prefill>((ok) => answers.push(ok));
        },
      } as unknown as Backend;
      let last: PrefillState | null = null;
      const p = new PrefillLoader(backend, (s) => (last = s), 400);
      const prefill = (frist: string): Prefill => ({
        template_id: 'nachforderung',
        template_name: 'Nachforderung',
        fields: [field({ key: 'frist', value: frist, origin: 'eingabe' })],
        missing_required: [],
        letter_date: '02.03.2026',
      });
      const o = (frist: string) => ({ ...defaultOptions('nachforderung'), fields: { frist } });
      void p.request(3, o('1'));
      void p.request(3, o('1 M'));
      await vi.advanceTimersByTimeAsync(400);
      expect(asked).toEqual(['3:1 M']);
      void p.request(3, o('1 Monat'), true);
      expect(asked).toEqual(['3:1 M', '3:1 Monat']);
      answers[1](prefill('1 Monat'));
      answers[0](prefill('1 M'));
      await vi.advanceTimersByTimeAsync(0);
      expect(last!.prefill?.fields[0].value).toBe('1 Monat');
      expect(last!.loading).toBe(false);
      p.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
