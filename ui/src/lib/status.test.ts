import { describe, expect, it } from 'vitest';
import {
  clampProgress,
  describeModelStatus,
  formatPercent,
  formatRate,
  formatStats,
  mergeModelStatus,
  sendBlockKey,
  sendBlockReason,
  stopReasonKey,
} from './status';
import type { GenStats, ModelStatus } from './types';

// Intl uses a no-break space between number and % in German.
const norm = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

const loading = (progress: number): ModelStatus => ({
  state: 'loading',
  name: 'Gemma 3 270M (Q4_K_M)',
  file: 'gemma-3-270m-it-Q4_K_M.gguf',
  kind: 'instruct',
  progress,
});
const ready: ModelStatus = { ...loading(1), state: 'ready' };
const failed: ModelStatus = {
  ...loading(0),
  state: 'error',
  error: { code: 'model_missing', message_de: 'Modelldatei fehlt.', message_en: 'Model file is missing.' },
};

const stats = (over: Partial<GenStats> = {}): GenStats => ({
  prompt_tokens: 12,
  generated_tokens: 42,
  prompt_ms: 80,
  generate_ms: 589,
  prompt_tokens_per_s: 150,
  generate_tokens_per_s: 71.3,
  stop_reason: 'end_of_generation',
  ...over,
});

describe('percent and numbers', () => {
  it('formats progress as whole percent, German style', () => {
    expect(norm(formatPercent(0.4, 'de'))).toBe('40 %');
    expect(norm(formatPercent(0.4, 'en'))).toBe('40%');
    expect(norm(formatPercent(0, 'de'))).toBe('0 %');
    expect(norm(formatPercent(1, 'de'))).toBe('100 %');
  });

  it('never shows 100 % before loading has finished', () => {
    expect(norm(formatPercent(0.996, 'de'))).toBe('99 %');
  });

  it('clamps nonsense progress values', () => {
    expect(clampProgress(-1)).toBe(0);
    expect(clampProgress(3)).toBe(1);
    expect(clampProgress(Number.NaN)).toBe(0);
    expect(clampProgress('0.5')).toBe(0);
    expect(norm(formatPercent(7, 'de'))).toBe('100 %');
  });

  it('formats rates with one decimal and the locale separator', () => {
    expect(formatRate(71.34, 'de')).toBe('71,3');
    expect(formatRate(71.34, 'en')).toBe('71.3');
    expect(formatRate(5, 'de')).toBe('5,0');
    expect(formatRate(1234.56, 'de')).toBe('1.234,6');
    expect(formatRate(Number.POSITIVE_INFINITY, 'de')).toBe('0,0');
  });
});

describe('formatStats', () => {
  it('matches the example in German', () => {
    expect(formatStats(stats(), 'de')).toBe('42 Tokens · 71,3 Tokens/s');
  });

  it('uses English number formatting and words in English', () => {
    expect(formatStats(stats({ generated_tokens: 1200, generate_tokens_per_s: 9.95 }), 'en')).toBe(
      '1,200 tokens · 10.0 tokens/s',
    );
  });

  it('uses the singular for one token', () => {
    expect(formatStats(stats({ generated_tokens: 1 }), 'de')).toBe('1 Token · 71,3 Tokens/s');
  });

  it('groups thousands in German', () => {
    expect(formatStats(stats({ generated_tokens: 1234 }), 'de')).toMatch(/^1\.234 Tokens/);
  });

  it('names the stop reason', () => {
    expect(stopReasonKey(stats({ stop_reason: 'max_tokens' }))).toBe('stop.max_tokens');
    expect(stopReasonKey(stats({ stop_reason: 'cancelled' }))).toBe('stop.cancelled');
    expect(stopReasonKey(stats({ stop_reason: 'stop_string' }))).toBe('stop.stop_string');
  });
});

describe('describeModelStatus', () => {
  it('shows loading with percent, name and a progress value', () => {
    const v = describeModelStatus(loading(0.4), 'de');
    expect(v.state).toBe('loading');
    expect(norm(v.text)).toBe('Modell wird geladen … 40 % · Gemma 3 270M (Q4_K_M)');
    expect(v.progress).toBeCloseTo(0.4);
    expect(v.kindLabel).toBe('Instruktionsmodell');
  });

  it('shows loading without a name', () => {
    const v = describeModelStatus({ ...loading(0.05), name: '' }, 'en');
    expect(norm(v.text)).toBe('Loading model … 5%');
  });

  it('shows ready with the model name', () => {
    const v = describeModelStatus(ready, 'de');
    expect(v).toMatchObject({ state: 'ready', text: 'Bereit: Gemma 3 270M (Q4_K_M)', progress: null });
    expect(describeModelStatus(ready, 'en').text).toBe('Ready: Gemma 3 270M (Q4_K_M)');
    expect(describeModelStatus({ ...ready, kind: 'base' }, 'de').kindLabel).toBe('Basismodell');
  });

  it('shows the error in the current language', () => {
    expect(describeModelStatus(failed, 'de')).toMatchObject({
      state: 'error',
      text: 'Modell nicht verfügbar: Modelldatei fehlt.',
    });
    expect(describeModelStatus(failed, 'en').text).toBe('Model unavailable: Model file is missing.');
  });

  it('shows "connecting" as loading before anything is known', () => {
    const v = describeModelStatus(null, 'de');
    expect(v.state).toBe('loading');
    expect(v.text).toBe('Verbindung zum Modell wird hergestellt …');
    expect(v.progress).toBeNull();
  });
});

describe('mergeModelStatus', () => {
  it('takes the snapshot when no event was seen', () => {
    expect(mergeModelStatus(null, loading(0.2), 'snapshot', false)).toEqual(loading(0.2));
  });

  it('always takes events, even backwards (a reload)', () => {
    expect(mergeModelStatus(ready, loading(0.1), 'event', true)).toEqual(loading(0.1));
  });

  it('ignores a stale snapshot that arrives after a newer event', () => {
    const current = loading(0.6);
    expect(mergeModelStatus(current, loading(0.3), 'snapshot', true)).toBe(current);
    expect(mergeModelStatus(ready, loading(0.9), 'snapshot', true)).toBe(ready);
  });

  it('takes a snapshot that is further along than the last event', () => {
    expect(mergeModelStatus(loading(0.3), ready, 'snapshot', true)).toBe(ready);
    expect(mergeModelStatus(loading(0.3), failed, 'snapshot', true)).toBe(failed);
  });
});

describe('sendBlockReason', () => {
  it('blocks while the model is unknown or loading', () => {
    expect(sendBlockReason(null, 'Hallo', 'idle')).toBe('model_loading');
    expect(sendBlockReason(loading(0.5), 'Hallo', 'idle')).toBe('model_loading');
  });

  it('blocks when the model failed', () => {
    expect(sendBlockReason(failed, 'Hallo', 'done')).toBe('model_error');
  });

  it('blocks an empty or whitespace-only prompt', () => {
    expect(sendBlockReason(ready, '', 'idle')).toBe('empty');
    expect(sendBlockReason(ready, '  \n\t ', 'idle')).toBe('empty');
  });

  it('blocks while a generation runs', () => {
    expect(sendBlockReason(ready, 'Hallo', 'streaming')).toBe('busy');
  });

  it('allows sending otherwise, also after a finished run', () => {
    for (const phase of ['idle', 'done', 'error', 'cancelled'] as const) {
      expect(sendBlockReason(ready, 'Hallo', phase)).toBeNull();
    }
    expect(sendBlockKey(null)).toBe('reason.ready');
    expect(sendBlockKey('empty')).toBe('reason.empty');
  });
});
