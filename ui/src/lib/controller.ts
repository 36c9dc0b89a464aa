// Glue between the backend and the pure reducers. No DOM, no Svelte: the
// components subscribe with `onChange` and render what they get.
import type { Backend, Unlisten } from './backend';
import { normalizeError } from './errors';
import { mergeModelStatus } from './status';
import { initialStreamState, streamReducer, type StreamAction, type StreamState } from './stream';
import type { GenEvent, GenParams, ModelStatus } from './types';

export const DEFAULT_PARAMS: GenParams = { max_tokens: 256 };

export class GenerationController {
  state: StreamState = initialStreamState;
  /** Bumped on every submit; callbacks of older generations are dropped. */
  private generation = 0;
  private cancelSentFor: number | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly onChange: (state: StreamState) => void = () => {},
    private readonly params: GenParams = DEFAULT_PARAMS,
  ) {}

  private dispatch(action: StreamAction): void {
    const next = streamReducer(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.onChange(next);
    this.maybeSendCancel();
  }

  /** Starts a generation. Returns false when one is already running or the prompt is empty. */
  send(prompt: string): boolean {
    if (this.state.phase === 'streaming' || prompt.trim() === '') return false;
    const gen = ++this.generation;
    this.cancelSentFor = null;
    this.dispatch({ type: 'submit' });
    const onEvent = (event: GenEvent) => {
      if (gen === this.generation) this.dispatch({ type: 'event', event });
    };
    this.backend.generate(prompt, this.params, onEvent).then(
      (requestId) => {
        if (gen === this.generation) this.dispatch({ type: 'request_id', requestId });
      },
      (e: unknown) => {
        if (gen === this.generation) this.dispatch({ type: 'failed', error: normalizeError(e) });
      },
    );
    return true;
  }

  /** Asks the shell to stop. Until the id is known the cancel is sent as soon as it is. */
  stop(): void {
    if (this.state.phase !== 'streaming' || this.state.cancelRequested) return;
    this.dispatch({ type: 'cancel_requested' });
  }

  private maybeSendCancel(): void {
    const s = this.state;
    if (s.phase !== 'streaming' || !s.cancelRequested || s.requestId === null) return;
    if (this.cancelSentFor === s.requestId) return;
    const requestId = s.requestId;
    const gen = this.generation;
    this.cancelSentFor = requestId;
    this.backend.cancel(requestId).then(
      () => {
        if (gen === this.generation) this.dispatch({ type: 'cancel_confirmed', requestId });
      },
      (e: unknown) => {
        if (gen === this.generation) this.dispatch({ type: 'failed', error: normalizeError(e) });
      },
    );
  }

  /** Clears a finished result (e.g. before editing a new prompt). */
  reset(): void {
    this.dispatch({ type: 'reset' });
  }
}

/** Keeps the model status from the `model_status` command and `model-status` events. */
export class ModelStatusTracker {
  status: ModelStatus | null = null;
  private eventSeen = false;
  private unlisten: Unlisten | null = null;
  private disposed = false;

  constructor(
    private readonly backend: Backend,
    private readonly onChange: (status: ModelStatus) => void = () => {},
  ) {}

  private apply(incoming: ModelStatus, source: 'event' | 'snapshot'): void {
    const next = mergeModelStatus(this.status, incoming, source, this.eventSeen);
    if (source === 'event') this.eventSeen = true;
    if (next === this.status) return;
    this.status = next;
    this.onChange(next);
  }

  /** Listen first, then ask: nothing that happens in between is lost. */
  async start(): Promise<void> {
    try {
      const unlisten = await this.backend.onModelStatus((s) => {
        if (!this.disposed) this.apply(s, 'event');
      });
      if (this.disposed) unlisten();
      else this.unlisten = unlisten;
    } catch (e) {
      // Without the event the snapshot below is still worth having.
      if (normalizeError(e).code !== 'no_backend') console.warn('model-status: listen failed', e);
    }
    try {
      const snapshot = await this.backend.modelStatus();
      if (!this.disposed) this.apply(snapshot, 'snapshot');
    } catch (e) {
      if (this.disposed) return;
      const error = normalizeError(e);
      // Only show the failure if no event told us anything better.
      if (this.status === null) {
        this.apply({ state: 'error', name: '', file: '', kind: 'instruct', progress: 0, error }, 'snapshot');
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.unlisten?.();
    this.unlisten = null;
  }
}
