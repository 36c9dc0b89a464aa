import { describe, expect, it } from 'vitest';
import { initialStreamState, isTerminal, streamReducer, type StreamAction, type StreamState } from './stream';
import type { GenEvent, GenStats } from './types';

const stats = (stop_reason: GenStats['stop_reason'] = 'end_of_generation'): GenStats => ({
  prompt_tokens: 5,
  generated_tokens: 3,
  prompt_ms: 10,
  generate_ms: 42,
  prompt_tokens_per_s: 500,
  generate_tokens_per_s: 71.3,
  stop_reason,
});
const ev = (e: GenEvent): StreamAction => ({ type: 'event', event: e });
const run = (actions: StreamAction[], from: StreamState = initialStreamState) =>
  actions.reduce(streamReducer, from);

describe('streamReducer', () => {
  it('starts idle', () => {
    expect(initialStreamState.phase).toBe('idle');
    expect(initialStreamState.text).toBe('');
  });

  it('runs idle → streaming → done and accumulates tokens', () => {
    const s = run([
      { type: 'submit' },
      { type: 'request_id', requestId: 7 },
      ev({ kind: 'started', request_id: 7, prompt_tokens: 5 }),
      ev({ kind: 'token', request_id: 7, text: 'Sehr ' }),
      ev({ kind: 'token', request_id: 7, text: 'geehrte ' }),
      ev({ kind: 'token', request_id: 7, text: 'Damen' }),
    ]);
    expect(s.phase).toBe('streaming');
    expect(s.text).toBe('Sehr geehrte Damen');
    expect(s.promptTokens).toBe(5);
    const done = streamReducer(s, ev({ kind: 'done', request_id: 7, stats: stats() }));
    expect(done.phase).toBe('done');
    expect(done.stats?.generated_tokens).toBe(3);
    expect(done.text).toBe('Sehr geehrte Damen');
    expect(isTerminal(done.phase)).toBe(true);
  });

  it('ignores events of other request ids', () => {
    const s = run([
      { type: 'submit' },
      { type: 'request_id', requestId: 2 },
      ev({ kind: 'token', request_id: 1, text: 'alt' }),
      ev({ kind: 'token', request_id: 2, text: 'neu' }),
      ev({ kind: 'done', request_id: 1, stats: stats() }),
      ev({ kind: 'error', request_id: 3, code: 'x', message_de: 'x', message_en: 'x' }),
    ]);
    expect(s.phase).toBe('streaming');
    expect(s.text).toBe('neu');
  });

  it('adopts the id of events that overtake the answer of generate', () => {
    const s = run([
      { type: 'submit' },
      ev({ kind: 'started', request_id: 9, prompt_tokens: 2 }),
      ev({ kind: 'token', request_id: 9, text: 'a' }),
      ev({ kind: 'token', request_id: 8, text: 'X' }),
      { type: 'request_id', requestId: 9 },
      ev({ kind: 'token', request_id: 9, text: 'b' }),
    ]);
    expect(s.requestId).toBe(9);
    expect(s.text).toBe('ab');
  });

  it('keeps the result when generate resolves after done', () => {
    const s = run([
      { type: 'submit' },
      ev({ kind: 'token', request_id: 4, text: 'fertig' }),
      ev({ kind: 'done', request_id: 4, stats: stats() }),
      { type: 'request_id', requestId: 4 },
    ]);
    expect(s.phase).toBe('done');
    expect(s.text).toBe('fertig');
  });

  it('ignores events while idle', () => {
    const s = streamReducer(initialStreamState, ev({ kind: 'token', request_id: 1, text: 'x' }));
    expect(s).toBe(initialStreamState);
  });

  it('goes to error on an error event and keeps the partial text', () => {
    const s = run([
      { type: 'submit' },
      { type: 'request_id', requestId: 1 },
      ev({ kind: 'token', request_id: 1, text: 'Teil' }),
      ev({ kind: 'error', request_id: 1, code: 'decode', message_de: 'Dekodierfehler', message_en: 'Decode error' }),
      ev({ kind: 'token', request_id: 1, text: 'danach' }),
    ]);
    expect(s.phase).toBe('error');
    expect(s.error).toEqual({ code: 'decode', message_de: 'Dekodierfehler', message_en: 'Decode error' });
    expect(s.text).toBe('Teil');
  });

  it('goes to error when generate is rejected', () => {
    const error = { code: 'model_not_ready', message_de: 'Noch nicht bereit', message_en: 'Not ready' };
    const s = run([{ type: 'submit' }, { type: 'failed', error }]);
    expect(s.phase).toBe('error');
    expect(s.error).toBe(error);
  });

  it('treats done with stop_reason cancelled as cancelled', () => {
    const s = run([
      { type: 'submit' },
      { type: 'request_id', requestId: 3 },
      ev({ kind: 'token', request_id: 3, text: 'ab' }),
      { type: 'cancel_requested' },
      ev({ kind: 'done', request_id: 3, stats: stats('cancelled') }),
    ]);
    expect(s.phase).toBe('cancelled');
    expect(s.stats?.stop_reason).toBe('cancelled');
    expect(s.cancelRequested).toBe(false);
  });

  it('becomes cancelled when the cancel command is confirmed, and takes later stats', () => {
    let s = run([
      { type: 'submit' },
      { type: 'request_id', requestId: 3 },
      ev({ kind: 'token', request_id: 3, text: 'ab' }),
      { type: 'cancel_requested' },
    ]);
    expect(s.phase).toBe('streaming');
    expect(s.cancelRequested).toBe(true);
    expect(streamReducer(s, { type: 'cancel_confirmed', requestId: 99 })).toBe(s);
    s = streamReducer(s, { type: 'cancel_confirmed', requestId: 3 });
    expect(s.phase).toBe('cancelled');
    s = streamReducer(s, ev({ kind: 'token', request_id: 3, text: 'zu spät' }));
    expect(s.text).toBe('ab');
    s = streamReducer(s, ev({ kind: 'done', request_id: 3, stats: stats('cancelled') }));
    expect(s.phase).toBe('cancelled');
    expect(s.stats?.generated_tokens).toBe(3);
  });

  it('finishing normally wins over a late cancel', () => {
    const s = run([
      { type: 'submit' },
      { type: 'request_id', requestId: 5 },
      { type: 'cancel_requested' },
      ev({ kind: 'done', request_id: 5, stats: stats('max_tokens') }),
      { type: 'cancel_confirmed', requestId: 5 },
    ]);
    expect(s.phase).toBe('done');
  });

  it('does not accept a second submit while streaming, but does afterwards', () => {
    const streaming = run([{ type: 'submit' }, ev({ kind: 'token', request_id: 1, text: 'x' })]);
    expect(streamReducer(streaming, { type: 'submit' })).toBe(streaming);
    const done = streamReducer(streaming, ev({ kind: 'done', request_id: 1, stats: stats() }));
    const again = streamReducer(done, { type: 'submit' });
    expect(again).toMatchObject({ phase: 'streaming', text: '', requestId: null, stats: null, error: null });
  });

  it('cancel_requested and reset do nothing in the wrong phase', () => {
    expect(streamReducer(initialStreamState, { type: 'cancel_requested' })).toBe(initialStreamState);
    const streaming = run([{ type: 'submit' }]);
    expect(streamReducer(streaming, { type: 'reset' })).toBe(streaming);
    const done = run([{ type: 'submit' }, ev({ kind: 'done', request_id: 1, stats: stats() })]);
    expect(streamReducer(done, { type: 'reset' })).toEqual(initialStreamState);
  });
});
