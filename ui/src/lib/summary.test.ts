import { describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { citationLong, citationShort, markFlags, samePlace, SummaryController, summaryAsText, type SummaryState } from './summary';
import { akteStubs } from './testing';
import type { Position, SummaryEvent, SummaryResult } from './types';

const pos = (page: number | null, paragraph: number, attachment: string | null = null): Position => ({
  file: 'akte.pdf',
  file_sha256: 'ab',
  page,
  paragraph,
  attachment,
  sheet: null,
  row: null,
});

const result = (cancelled = false): SummaryResult => ({
  mark: 'KI-Entwurf – bitte prüfen',
  summary: 'Die Gebühr beträgt 80 €.',
  sentences: [{ text: 'Die Gebühr beträgt 80 €.', sources: [pos(3, 7)], supported: true }],
  facts: [{ kind: 'betrag', value: '80 €', normalized: '80.00', context: 'Die Gebühr beträgt 80 €.', sources: [pos(3, 7)] }],
  coverage: { pages_read: 6, pages_total: 6, chunks_read: 2, chunks_total: 2 },
  unsupported: [],
  model: { name: 'm', file: 'm.gguf', sha256: 'x' },
  cancelled,
  failed_files: [],
  warnings: [],
  timings: { total_ms: 10 },
});

function fakeBackend() {
  let emit: (e: SummaryEvent) => void = () => {};
  const calls: string[] = [];
  const unused = () => Promise.reject(new Error('not used'));
  const backend: Backend = {
    ...akteStubs,
    appInfo: unused,
    modelStatus: unused,
    onModelStatus: unused,
    generate: unused,
    summarize: async (ids, options, onEvent) => {
      calls.push(`summarize:${ids.join(',')}:${options.length}:${options.form}:${options.focus}`);
      emit = onEvent;
      return 7;
    },
    cancel: async (id) => {
      calls.push(`cancel:${id}`);
    },
  };
  return { backend, calls, emit: (e: SummaryEvent) => emit(e) };
}

describe('SummaryController', () => {
  it('runs, reports progress and partials, ends with the result', async () => {
    const f = fakeBackend();
    const states: SummaryState[] = [];
    const c = new SummaryController(f.backend, (s) => states.push(s));
    await c.start([1, 2], { length: 'kurz', form: 'stichpunkte', focus: 'Frist?' });
    expect(f.calls).toEqual(['summarize:1,2:kurz:stichpunkte:Frist?']);
    f.emit({ kind: 'progress', request_id: 7, progress: { stage: 'lesen', done: 1, total: 2, pages_read: 3, pages_total: 6, eta_s: 4 } });
    f.emit({ kind: 'partial', request_id: 7, chunk: 1, text: 'Teil eins.' });
    f.emit({ kind: 'token', request_id: 7, text: 'Die ' });
    let s = states.at(-1)!;
    expect(s.phase).toBe('running');
    expect(s.progress?.pages_read).toBe(3);
    expect(s.partials).toEqual(['Teil eins.']);
    expect(s.streamed).toBe('Die ');
    f.emit({ kind: 'done', request_id: 7, result: result() });
    s = states.at(-1)!;
    expect(s.phase).toBe('done');
    expect(s.result?.coverage.pages_read).toBe(6);
  });

  it('stops through cancel and keeps the partial result', async () => {
    const f = fakeBackend();
    let last: SummaryState | null = null;
    const c = new SummaryController(f.backend, (s) => (last = s));
    await c.start([1], { length: 'mittel', form: 'text', focus: null });
    await c.stop();
    expect(f.calls).toContain('cancel:7');
    f.emit({ kind: 'done', request_id: 7, result: result(true) });
    expect(last!.phase).toBe('cancelled');
    expect(last!.result?.cancelled).toBe(true);
  });

  it('shows a backend error', async () => {
    const f = fakeBackend();
    let last: SummaryState | null = null;
    const c = new SummaryController(f.backend, (s) => (last = s));
    await c.start([1], { length: 'kurz', form: 'text', focus: null });
    f.emit({ kind: 'error', request_id: 7, error: { code: 'task_no_text', message_de: 'Kein Text.', message_en: 'No text.' } });
    expect(last!.phase).toBe('error');
    expect(last!.error?.message_de).toBe('Kein Text.');
  });
});

describe('citations and flags', () => {
  it('labels citations in German and English', () => {
    expect(citationShort(pos(3, 7), 'de')).toBe('S. 3');
    expect(citationShort(pos(null, 4), 'en')).toBe('para. 4');
    expect(citationShort(pos(1, 2, 'anhang.pdf'), 'de')).toBe('anhang.pdf, S. 1');
    expect(citationLong(pos(3, 7), 'de')).toBe('akte.pdf, Seite 3, Absatz 7');
    expect(samePlace(pos(3, 7), pos(3, 7))).toBe(true);
    expect(samePlace(pos(3, 7), pos(3, 7, 'x.pdf'))).toBe(false);
  });

  it('marks flagged claims inside a sentence', () => {
    expect(markFlags('Frist 20.03.2025 und 980 €.', ['980 €', '20.03.2025'])).toEqual([
      { text: 'Frist ', flagged: false },
      { text: '20.03.2025', flagged: true },
      { text: ' und ', flagged: false },
      { text: '980 €', flagged: true },
      { text: '.', flagged: false },
    ]);
    expect(markFlags('Nichts.', [])).toEqual([{ text: 'Nichts.', flagged: false }]);
  });

  it('copies the mark, sources and facts as text', () => {
    const text = summaryAsText(result(), 'de');
    expect(text.startsWith('KI-Entwurf – bitte prüfen')).toBe(true);
    expect(text).toContain('Die Gebühr beträgt 80 €. [akte.pdf, Seite 3, Absatz 7]');
    expect(text).toContain('- betrag: 80 €');
  });
});
