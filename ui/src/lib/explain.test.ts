import { describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { barGeometry, changeBars, ExplainController, explanationAsText, isTotalLabel, type ExplainState } from './explain';
import { akteStubs } from './testing';
import type { ExplainEvent, ExplainResult, Figure } from './types';

const fig = (id: string, kind: Figure['kind'], row: string | null, value: number, display: string): Figure => ({
  id,
  kind,
  label: `${row}: ${kind}`,
  row,
  value,
  exact: String(value),
  display,
  formula: 'B-A',
  inputs: [],
});

const result = (): ExplainResult => ({
  mark: 'KI-Entwurf – bitte prüfen',
  note: 'Diese Erklärung ersetzt nicht das Original.',
  audience: 'gremium',
  question: null,
  explanation: 'Die Feuerwehr erhält 126.345,00 € mehr.',
  sentences: [{ text: 'Die Feuerwehr erhält 126.345,00 € mehr.', sources: [], figures: ['differenz:1'], supported: true }],
  figures: [fig('differenz:1', 'differenz', 'Feuerwehr', 126345, '+126.345,00'), fig('summe:B', 'summe', null, 9677587, '9.677.587,00')],
  table: null,
  key_facts: [],
  unsupported: [],
  readability: { before: { sentences: 1, words: 5, syllables: 9, flesch_amstad: 60, wiener_sachtextformel: 5 }, after: { sentences: 1, words: 6, syllables: 10, flesch_amstad: 70, wiener_sachtextformel: 4 }, rules_failed: [], revisions: 0 },
  model: { name: 'm', file: 'm.gguf', sha256: 'x' },
  cancelled: false,
  warnings: [],
});

describe('ExplainController', () => {
  it('runs through stages and revisions to the result, and stops on request', async () => {
    let emit: (e: ExplainEvent) => void = () => {};
    const calls: string[] = [];
    const unused = () => Promise.reject(new Error('not used'));
    const backend: Backend = {
      ...akteStubs,
      appInfo: unused,
      modelStatus: unused,
      onModelStatus: unused,
      generate: unused,
      explain: async (id, o, onEvent) => {
        calls.push(`explain:${id}:${o.audience}:${o.question}`);
        emit = onEvent;
        return 5;
      },
      cancel: async (id) => {
        calls.push(`cancel:${id}`);
      },
    };
    let last: ExplainState | null = null;
    const c = new ExplainController(backend, (s) => (last = s));
    await c.start(3, { audience: 'leichte-sprache', question: 'Was muss ich tun?' });
    expect(calls).toEqual(['explain:3:leichte-sprache:Was muss ich tun?']);
    emit({ kind: 'stage', request_id: 5, stage: 'erklaeren' });
    emit({ kind: 'token', request_id: 5, text: 'Sie ' });
    expect(last!.streamed).toBe('Sie ');
    emit({ kind: 'revision', request_id: 5, round: 1, failing: 2 });
    expect(last!.stage).toBe('ueberarbeiten');
    expect(last!.round).toBe(1);
    await c.stop();
    expect(calls).toContain('cancel:5');
    emit({ kind: 'done', request_id: 5, result: { ...result(), cancelled: true } });
    expect(last!.phase).toBe('cancelled');
  });
});

describe('chart and text', () => {
  it('bars are the differences, placed around a zero line', () => {
    const bars = changeBars([
      fig('differenz:0', 'differenz', 'Schulen', -57150, '-57.150,00'),
      fig('differenz:1', 'differenz', 'Kitas', 348000, '+348.000,00'),
      fig('veraenderung:1', 'veraenderung', 'Kitas', 10, '+10,0 %'),
      fig('differenz:2', 'differenz', 'Summe', 290850, '+290.850,00'),
    ]);
    expect(bars.map((b) => b.label)).toEqual(['Schulen', 'Kitas']);
    const g = barGeometry(bars);
    expect(g.zero).toBeCloseTo((57150 / 405150) * 100, 5);
    expect(g.bars[0].x).toBe(0);
    expect(g.bars[0].width).toBeCloseTo(g.zero, 5);
    expect(g.bars[1].x).toBeCloseTo(g.zero, 5);
    expect(g.bars[1].x + g.bars[1].width).toBeCloseTo(100, 5);
  });

  it('total rows are found by the core\'s rule (is_total_label): the label alone, or before a space or a colon', () => {
    for (const label of ['Summe', 'Summe:', 'Zwischensumme', 'ZWISCHENSUMME Bereich 1', 'Gesamt: alle Produkte', 'gesamtsumme', ' Insgesamt ', 'Total 2026', '\u00a0Summe\u0085']) {
      expect(isTotalLabel(label), label).toBe(true);
    }
    for (const label of ['Summenbildung', 'Summe-Konto', 'Summe.', 'Gesamtschule', 'Zwischensummen', 'Kitas, Summe', '\ufeffSumme', '']) {
      expect(isTotalLabel(label), label).toBe(false);
    }
    const bars = changeBars([
      fig('differenz:0', 'differenz', 'Kitas', 348000, '+348.000,00'),
      fig('differenz:1', 'differenz', 'Zwischensumme', 348000, '+348.000,00'),
      fig('differenz:2', 'differenz', 'Summe-Konto', 1000, '+1.000,00'),
      fig('differenz:3', 'differenz', 'Summe: Haushalt', 349000, '+349.000,00'),
    ]);
    expect(bars.map((b) => b.label)).toEqual(['Kitas', 'Summe-Konto']);
  });

  it('copies mark, note, text and the formulas', () => {
    const text = explanationAsText(result());
    expect(text.split('\n').slice(0, 2)).toEqual(['KI-Entwurf – bitte prüfen', 'Diese Erklärung ersetzt nicht das Original.']);
    expect(text).toContain('- Feuerwehr: differenz: +126.345,00 (B-A)');
  });
});
