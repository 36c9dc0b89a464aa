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

// ---- Store: history, settings, data rights, IT policy (docs/ipc.md) ----

export type StoreStatus =
  | { phase: 'opening' }
  | {
      phase: 'open';
      state: 'ready' | 'off' | 'unavailable';
      error?: AppError;
      db_path: string;
      /** key missing or wrong: offer "start fresh" (the old file is kept) */
      can_start_fresh: boolean;
    };

export interface HistoryItem {
  id: number;
  /** unix seconds */
  created_at: number;
  task: string;
  title: string;
  model_name: string;
}

export interface StoredResult {
  id: number;
  created_at: number;
  task: string;
  title: string;
  body: string;
  data: unknown;
  provenance: {
    model_name: string;
    model_sha256: string;
    template: string | null;
    input_sha256: string[];
    parameters: unknown;
    app_version: string;
  };
}

/** `locked`: "von der IT festgelegt", shown read-only. */
export interface Setting<T> {
  value: T;
  locked: boolean;
}

export interface SenderProfile {
  authority?: string | null;
  office?: string | null;
  clerk?: string | null;
  phone?: string | null;
  email?: string | null;
  opening_hours?: string | null;
  address?: string | null;
  logo?: string | null;
}

export interface UserSettings {
  retention_days?: number | null;
  keep_history?: boolean | null;
  max_file_mb?: number | null;
  sender: SenderProfile;
}

export interface SettingsView {
  user: UserSettings;
  effective: {
    retention_days: Setting<number>;
    keep_history: Setting<boolean>;
    max_file_mb: Setting<number>;
    sender: Record<keyof SenderProfile, Setting<string | null>>;
    disabled_features: string[];
    allowed_models: string[] | null;
    policy_source: string | null;
  };
}
