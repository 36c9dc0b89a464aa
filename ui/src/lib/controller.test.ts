import { describe, expect, it, vi } from 'vitest';
import { akteStubs } from './testing';
import type { Backend } from './backend';
import { GenerationController, ModelStatusTracker } from './controller';
import type { GenEvent, GenParams, ModelStatus } from './types';

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const status = (state: ModelStatus['state'], progress = 0): ModelStatus => ({
  state,
  name: 'Gemma 3 270M (Q4_K_M)',
  file: 'm.gguf',
  kind: 'instruct',
  progress,
});

/** A scriptable backend: tests push events and settle the command promises. */
function fakeBackend() {
  const gens: {
    prompt: string;
    params: GenParams;
    emit: (e: GenEvent) => void;
    result: ReturnType<typeof deferred<number>>;
  }[] = [];
  const cancels: { requestId: number; result: ReturnType<typeof deferred<void>> }[] = [];
  let statusHandler: ((s: ModelStatus) => void) | null = null;
  const snapshot = deferred<ModelStatus>();
  const unlisten = vi.fn();
  const backend: Backend = {
    ...akteStubs,
    appInfo: () => Promise.resolve({ version: '0.1.0', model: status('ready') }),
    modelStatus: () => snapshot.promise,
    onModelStatus: (h) => {
      statusHandler = h;
      return Promise.resolve(unlisten);
    },
    generate: (prompt, params, onEvent) => {
      const result = deferred<number>();
      gens.push({ prompt, params, emit: onEvent, result });
      return result.promise;
    },
    cancel: (requestId) => {
      const result = deferred<void>();
      cancels.push({ requestId, result });
      return result.promise;
    },
  };
  return { backend, gens, cancels, snapshot, unlisten, emitStatus: (s: ModelStatus) => statusHandler?.(s) };
}

describe('GenerationController', () => {
  it('sends prompt with max_tokens 256 and streams into the state', async () => {
    const f = fakeBackend();
    const changes: string[] = [];
    const c = new GenerationController(f.backend, (s) => changes.push(s.phase));
    expect(c.send('Hallo')).toBe(true);
    expect(f.gens[0].prompt).toBe('Hallo');
    expect(f.gens[0].params).toEqual({ max_tokens: 256 });
    f.gens[0].emit({ kind: 'started', request_id: 1, prompt_tokens: 2 });
    f.gens[0].emit({ kind: 'token', request_id: 1, text: 'Guten ' });
    f.gens[0].emit({ kind: 'token', request_id: 1, text: 'Tag' });
    f.gens[0].result.resolve(1);
    await flush();
    expect(c.state.text).toBe('Guten Tag');
    f.gens[0].emit({
      kind: 'done',
      request_id: 1,
      stats: {
        prompt_tokens: 2,
        generated_tokens: 2,
        prompt_ms: 1,
        generate_ms: 20,
        prompt_tokens_per_s: 1,
        generate_tokens_per_s: 100,
        stop_reason: 'end_of_generation',
      },
    });
    expect(c.state.phase).toBe('done');
    expect(changes[0]).toBe('streaming');
    expect(changes.at(-1)).toBe('done');
  });

  it('refuses an empty prompt and a second send while streaming', () => {
    const f = fakeBackend();
    const c = new GenerationController(f.backend);
    expect(c.send('   ')).toBe(false);
    expect(c.send('a')).toBe(true);
    expect(c.send('b')).toBe(false);
    expect(f.gens).toHaveLength(1);
  });

  it('shows a rejected generate as error', async () => {
    const f = fakeBackend();
    const c = new GenerationController(f.backend);
    c.send('a');
    f.gens[0].result.reject({ code: 'model_not_ready', message_de: 'Lädt', message_en: 'Loading' });
    await flush();
    expect(c.state.phase).toBe('error');
    expect(c.state.error?.code).toBe('model_not_ready');
  });

  it('stop sends cancel with the request id and ends in cancelled', async () => {
    const f = fakeBackend();
    const c = new GenerationController(f.backend);
    c.send('a');
    f.gens[0].result.resolve(11);
    await flush();
    c.stop();
    c.stop(); // a second press sends nothing more
    expect(f.cancels).toEqual([expect.objectContaining({ requestId: 11 })]);
    expect(c.state.phase).toBe('streaming');
    f.cancels[0].result.resolve();
    await flush();
    expect(c.state.phase).toBe('cancelled');
  });

  it('a stop before the id is known is sent as soon as the id arrives', async () => {
    const f = fakeBackend();
    const c = new GenerationController(f.backend);
    c.send('a');
    c.stop();
    expect(f.cancels).toHaveLength(0);
    f.gens[0].emit({ kind: 'started', request_id: 21, prompt_tokens: 1 });
    expect(f.cancels.map((x) => x.requestId)).toEqual([21]);
    f.gens[0].result.resolve(21);
    await flush();
    expect(f.cancels).toHaveLength(1);
  });

  it('a failing cancel is shown as error', async () => {
    const f = fakeBackend();
    const c = new GenerationController(f.backend);
    c.send('a');
    f.gens[0].result.resolve(1);
    await flush();
    c.stop();
    f.cancels[0].result.reject('kaputt');
    await flush();
    expect(c.state.phase).toBe('error');
    expect(c.state.error?.message_de).toContain('kaputt');
  });

  it('drops late events and answers of an earlier generation', async () => {
    const f = fakeBackend();
    const c = new GenerationController(f.backend);
    c.send('erste');
    f.gens[0].result.reject({ code: 'x', message_de: 'x', message_en: 'x' });
    await flush();
    c.send('zweite');
    f.gens[0].emit({ kind: 'token', request_id: 1, text: 'ALT' });
    f.gens[1].emit({ kind: 'token', request_id: 2, text: 'neu' });
    expect(c.state.text).toBe('neu');
    expect(c.state.phase).toBe('streaming');
  });
});

describe('ModelStatusTracker', () => {
  it('listens before asking and applies the snapshot', async () => {
    const f = fakeBackend();
    const seen: ModelStatus[] = [];
    const t = new ModelStatusTracker(f.backend, (s) => seen.push(s));
    const started = t.start();
    await flush();
    f.snapshot.resolve(status('loading', 0.2));
    await started;
    expect(t.status).toEqual(status('loading', 0.2));
    f.emitStatus(status('loading', 0.5));
    f.emitStatus(status('ready', 1));
    expect(t.status?.state).toBe('ready');
    expect(seen.map((s) => s.state)).toEqual(['loading', 'loading', 'ready']);
  });

  it('ignores a snapshot older than an event that came first', async () => {
    const f = fakeBackend();
    const t = new ModelStatusTracker(f.backend);
    const started = t.start();
    await flush();
    f.emitStatus(status('ready', 1));
    f.snapshot.resolve(status('loading', 0.9));
    await started;
    expect(t.status?.state).toBe('ready');
  });

  it('turns a failing model_status into an error state', async () => {
    const f = fakeBackend();
    const t = new ModelStatusTracker(f.backend);
    const started = t.start();
    f.snapshot.reject({ code: 'no_backend', message_de: 'Keine Verbindung', message_en: 'No connection' });
    await started;
    expect(t.status?.state).toBe('error');
    expect(t.status?.error?.message_en).toBe('No connection');
  });

  it('unsubscribes on dispose', async () => {
    const f = fakeBackend();
    const t = new ModelStatusTracker(f.backend);
    const started = t.start();
    await flush();
    t.dispose();
    f.snapshot.resolve(status('ready', 1));
    await started;
    expect(f.unlisten).toHaveBeenCalledOnce();
    expect(t.status).toBeNull();
  });
});
