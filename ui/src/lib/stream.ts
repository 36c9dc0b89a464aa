// State machine of one generation as shown in #output:
//   idle → streaming → done | error | cancelled
// A new submit starts over from any state except streaming.
import type { AppError, GenEvent, GenStats, OutputState } from './types';

export interface StreamState {
  phase: OutputState;
  /** Request id of the running/last generation; null until known. */
  requestId: number | null;
  text: string;
  promptTokens: number | null;
  stats: GenStats | null;
  error: AppError | null;
  /** The user asked to stop; waiting for the shell to confirm. */
  cancelRequested: boolean;
}

export type StreamAction =
  /** The user sent a prompt; the `generate` command is on its way. */
  | { type: 'submit' }
  /** `generate` resolved with the request id. */
  | { type: 'request_id'; requestId: number }
  /** An event arrived on the generation's channel. */
  | { type: 'event'; event: GenEvent }
  /** The user pressed Stopp / Esc. */
  | { type: 'cancel_requested' }
  /** `cancel` resolved for this request id. */
  | { type: 'cancel_confirmed'; requestId: number }
  /** `generate` (or `cancel`) was rejected. */
  | { type: 'failed'; error: AppError }
  | { type: 'reset' };

export const initialStreamState: StreamState = Object.freeze({
  phase: 'idle',
  requestId: null,
  text: '',
  promptTokens: null,
  stats: null,
  error: null,
  cancelRequested: false,
}) as StreamState;

export function isTerminal(phase: OutputState): boolean {
  return phase === 'done' || phase === 'error' || phase === 'cancelled';
}

function applyEvent(state: StreamState, ev: GenEvent): StreamState {
  if (state.phase === 'idle') return state;
  if (typeof ev !== 'object' || ev === null || typeof ev.request_id !== 'number') return state;

  // Events of another request are ignored. While the id is not yet known
  // (events can overtake the answer of `generate`), the first event's id is
  // adopted.
  if (state.requestId !== null && ev.request_id !== state.requestId) return state;
  const s: StreamState = state.requestId === null ? { ...state, requestId: ev.request_id } : state;

  if (s.phase === 'cancelled') {
    // The shell's final `done` after a confirmed cancel still carries stats.
    if (ev.kind === 'done' && s.stats === null) return { ...s, stats: ev.stats };
    return s;
  }
  if (s.phase !== 'streaming') return s;

  switch (ev.kind) {
    case 'started':
      return { ...s, promptTokens: ev.prompt_tokens };
    case 'token':
      return typeof ev.text === 'string' && ev.text !== '' ? { ...s, text: s.text + ev.text } : s;
    case 'done':
      return {
        ...s,
        phase: ev.stats?.stop_reason === 'cancelled' ? 'cancelled' : 'done',
        stats: ev.stats ?? null,
        cancelRequested: false,
      };
    case 'error':
      return {
        ...s,
        phase: 'error',
        error: { code: ev.code, message_de: ev.message_de, message_en: ev.message_en },
        cancelRequested: false,
      };
    default:
      return s;
  }
}

export function streamReducer(state: StreamState, action: StreamAction): StreamState {
  switch (action.type) {
    case 'submit':
      if (state.phase === 'streaming') return state;
      return { ...initialStreamState, phase: 'streaming' };
    case 'request_id':
      if (state.phase === 'idle') return state;
      return { ...state, requestId: action.requestId };
    case 'event':
      return applyEvent(state, action.event);
    case 'cancel_requested':
      if (state.phase !== 'streaming') return state;
      return { ...state, cancelRequested: true };
    case 'cancel_confirmed':
      if (state.phase !== 'streaming' || state.requestId !== action.requestId) return state;
      return { ...state, phase: 'cancelled', cancelRequested: false };
    case 'failed':
      if (state.phase !== 'streaming') return state;
      return { ...state, phase: 'error', error: action.error, cancelRequested: false };
    case 'reset':
      return state.phase === 'streaming' ? state : initialStreamState;
    default:
      return state;
  }
}
