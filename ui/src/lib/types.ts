// Types of the shell ⇄ UI contract (docs/ipc.md). Field names are snake_case
// because they are the JSON payloads exactly as the Rust shell sends them.

export type ModelState = 'loading' | 'ready' | 'error';

/** Error value of rejected commands and of `error` stream events. */
export interface AppError {
  code: string;
  message_de: string;
  message_en: string;
}

export interface ModelStatus {
  state: ModelState;
  /** e.g. "Gemma 3 270M (Q4_K_M)" */
  name: string;
  /** file name only */
  file: string;
  kind: 'base' | 'instruct';
  /** 0..1 while loading */
  progress: number;
  error?: AppError;
}

export interface AppInfo {
  version: string;
  model: ModelStatus;
}

export interface GenParams {
  max_tokens?: number;
  temperature?: number;
  seed?: number;
}

export type StopReason = 'max_tokens' | 'stop_string' | 'end_of_generation' | 'cancelled';

export interface GenStats {
  prompt_tokens: number;
  generated_tokens: number;
  prompt_ms: number;
  generate_ms: number;
  prompt_tokens_per_s: number;
  generate_tokens_per_s: number;
  stop_reason: StopReason;
}

export type GenEvent =
  | { kind: 'started'; request_id: number; prompt_tokens: number }
  | { kind: 'token'; request_id: number; text: string }
  | { kind: 'done'; request_id: number; stats: GenStats }
  | { kind: 'error'; request_id: number; code: string; message_de: string; message_en: string };

/** Values of `#output[data-state]`. */
export type OutputState = 'idle' | 'streaming' | 'done' | 'error' | 'cancelled';
