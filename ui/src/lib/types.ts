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

// ---- Akte: documents and summaries (docs/ipc.md, "Akte zusammenfassen") ----

export type DocumentType = 'pdf' | 'docx' | 'odt' | 'txt' | 'markdown' | 'html' | 'eml' | 'csv' | string;

/** What the file list shows of a read document. */
export interface DocumentInfo {
  id: number;
  file_name: string;
  /** sha256 of the file: citations name their file by it. */
  sha256: string;
  detected_type: DocumentType;
  pages: number | null;
  blocks: number;
  attachments: number;
  warnings: string[];
}

export type AddResult =
  | { status: 'added'; document: DocumentInfo }
  | { status: 'failed'; file_name: string; error: AppError };

/** A citation target: exactly the core's `Position`. */
export interface Position {
  file: string;
  file_sha256: string;
  page: number | null;
  paragraph: number;
  attachment: string | null;
  sheet: string | null;
  row: number | null;
}

export interface Block extends Position {
  kind: string;
  text: string;
  level: number | null;
  ocr_confidence: number | null;
}

export interface DocumentFull {
  source: { file_name: string; sha256: string; detected_type: DocumentType; size_bytes: number };
  blocks: Block[];
  warnings: string[];
}

export type SummaryLength = 'kurz' | 'mittel' | 'ausfuehrlich';
export type SummaryForm = 'text' | 'stichpunkte';

export interface SummaryOptions {
  length: SummaryLength;
  form: SummaryForm;
  focus: string | null;
}

export interface SummaryProgress {
  stage: 'lesen' | 'zusammenfuehren' | 'pruefen';
  done: number;
  total: number;
  pages_read: number;
  pages_total: number;
  eta_s: number | null;
}

export interface CitedSentence {
  text: string;
  sources: Position[];
  supported: boolean;
}

export interface Fact {
  kind: string;
  value: string;
  normalized: string;
  context: string;
  sources: Position[];
}

export interface Unsupported {
  text: string;
  kind: string;
  sentence: number;
}

export interface SummaryResult {
  mark: string;
  summary: string;
  sentences: CitedSentence[];
  facts: Fact[];
  coverage: { pages_read: number; pages_total: number; chunks_read: number; chunks_total: number };
  unsupported: Unsupported[];
  model: { name: string; file: string; sha256: string };
  cancelled: boolean;
  failed_files: { file: string; error: AppError }[];
  warnings: string[];
  timings: { total_ms: number };
}

export type SummaryEvent =
  | { kind: 'progress'; request_id: number; progress: SummaryProgress }
  | { kind: 'partial'; request_id: number; chunk: number; text: string }
  | { kind: 'token'; request_id: number; text: string }
  | { kind: 'done'; request_id: number; result: SummaryResult }
  | { kind: 'error'; request_id: number; error: AppError };
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

/** "Wie ist das entstanden?" for a stored result (core: `store::ResultTrace`). */
export interface ResultTrace {
  id: number;
  created_at: number;
  task: string;
  title: string;
  /** not_kept: an older result saved before documents were kept; no_documents: free text */
  status: 'traced' | 'partial' | 'not_kept' | 'no_documents';
  note_de: string | null;
  sentences: { text: string; sources: Position[]; figures: string[]; supported: boolean }[];
  unsupported: Unsupported[];
  provenance: StoredResult['provenance'];
  inputs: { file_name: string | null; sha256: string; kept: boolean }[];
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
  /** The clerk's role under the name ("Sachbearbeiterin Wohngeld"). */
  role?: string | null;
  phone?: string | null;
  email?: string | null;
  opening_hours?: string | null;
  address?: string | null;
  logo?: string | null;
  /** Bundesland code ("NW") for public holidays when deadlines are computed. */
  land?: string | null;
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

/** What `model_import` reports about an imported model. */
export interface ImportReport {
  name: string;
  file: string;
  path: string;
  size_bytes: number;
  sha256: string;
  licence: string | null;
  context_length: number | null;
  estimated_ram_mb: number;
  in_manifest: boolean;
  already_present: boolean;
}

// ---- Explain (docs/ipc.md, "Ergebnis erklären") ----

export type Audience = 'buerger' | 'leichte-sprache' | 'kollegium' | 'gremium';

export interface ExplainOptions {
  audience: Audience;
  question: string | null;
}

export interface FigureInput {
  name: string;
  column: string;
  row: string;
  text: string;
  value: string;
  position: Position;
}

export interface Figure {
  id: string;
  kind: 'summe' | 'differenz' | 'veraenderung' | 'anteil' | 'groesster_anstieg' | 'groesster_rueckgang';
  label: string;
  row: string | null;
  value: number;
  exact: string;
  display: string;
  formula: string;
  inputs: FigureInput[];
}

export interface Scores {
  sentences: number;
  words: number;
  syllables: number;
  flesch_amstad: number;
  wiener_sachtextformel: number;
}

export interface ExplainResult {
  mark: string;
  note: string;
  audience: Audience;
  question: string | null;
  explanation: string;
  sentences: { text: string; sources: Position[]; figures: string[]; supported: boolean }[];
  figures: Figure[];
  table: { file: string; from: string; to: string; data_rows: number; rounding: string } | null;
  key_facts: { kind: string; label_de: string; value: string; sources: Position[]; in_explanation: boolean }[];
  unsupported: Unsupported[];
  readability: { before: Scores; after: Scores; rules_failed: { sentence: number; text: string; rules: string[]; words: string[] }[]; revisions: number };
  model: { name: string; file: string; sha256: string };
  cancelled: boolean;
  warnings: string[];
}

export type ExplainEvent =
  | { kind: 'stage'; request_id: number; stage: string }
  | { kind: 'token'; request_id: number; text: string }
  | { kind: 'revision'; request_id: number; round: number; failing: number }
  | { kind: 'done'; request_id: number; result: ExplainResult }
  | { kind: 'error'; request_id: number; error: AppError };

/** Which model wrote a result. */
export interface ModelRef {
  name: string;
  file: string;
  sha256: string;
}

export interface Timings {
  total_ms: number;
  map_ms?: number;
  reduce_ms?: number;
  generations?: number;
  prompt_tokens?: number;
  cached_tokens?: number;
  generated_tokens?: number;
}

// ---- Letters (docs/ipc.md, "Brief entwerfen") ----

export type FieldKind = 'text' | 'multiline' | 'date' | 'deadline' | 'flag';

export interface FieldSpec {
  key: string;
  label: string;
  required: boolean;
  kind: FieldKind;
  default: string | null;
  hint: string | null;
}

export interface PartSpec {
  id: string;
  kind: 'fixed' | 'model';
  label: string;
  text: string | null;
  instruction: string | null;
  max_words: number;
  legal: boolean;
  /** A flag field's key: the part is only in the letter when that flag is set. */
  when: string | null;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  subject: string;
  /** All fields, the standard ones (recipient, references …) included. */
  fields: FieldSpec[];
  parts: PartSpec[];
  enclosures: string[];
  origin: string;
}

export type Tone = 'foermlich' | 'buergernah' | 'leichte-sprache';
export type LetterForm = 'a' | 'b';

export interface DraftOptions {
  template: string;
  /** The clerk's values by field key; they win over the incoming letter and the template. */
  fields: Record<string, string>;
  instructions: string | null;
  tone: Tone;
  form: LetterForm;
  /** TT.MM.JJJJ; null = today. */
  letter_date: string | null;
  temperature: number;
  seed: number | null;
}

export interface ComputedDeadline {
  input: string;
  /** TT.MM.JJJJ */
  date: string;
  iso: string;
  /** Set when the end fell on a weekend or holiday and was moved. */
  moved_from: string | null;
  explanation_de: string;
}

export type FieldOrigin = 'eingabe' | 'eingang' | 'vorlage' | 'berechnet' | 'leer';

export interface FieldValue {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  hint: string | null;
  value: string | null;
  origin: FieldOrigin;
  source: Position | null;
  deadline: ComputedDeadline | null;
}

export interface Prefill {
  template_id: string;
  template_name: string;
  fields: FieldValue[];
  /** Labels of required fields without a value. */
  missing_required: string[];
  letter_date: string;
}

export type ParagraphOrigin = 'fixed' | 'model' | 'edited';

export interface Paragraph {
  /** The template part's id. */
  id: string;
  label: string;
  origin: ParagraphOrigin;
  /** A fixed legal passage: never edited. */
  legal: boolean;
  text: string;
}

export interface InfoLine {
  label: string;
  value: string;
}

/** A reply as DIN 5008 lays it out (the core's `Letter`). */
export interface Letter {
  form: LetterForm;
  sender: SenderProfile;
  return_line: string;
  recipient: string[];
  info: InfoLine[];
  date: string;
  subject: string;
  salutation: string;
  paragraphs: Paragraph[];
  closing: string;
  signature: string[];
  enclosures: string[];
}

/** A claim of the letter that no input contains. */
export interface Flag {
  /** A paragraph id, or `betreff` for the subject. */
  paragraph: string;
  text: string;
  kind: string;
}

export interface DraftResult {
  mark: string;
  template_id: string;
  template_name: string;
  letter: Letter;
  fields: FieldValue[];
  unsupported: Flag[];
  placeholders: string[];
  check_sources: string[];
  model: ModelRef;
  options: DraftOptions;
  timings: Timings;
  cancelled: boolean;
  warnings: string[];
}

export type DraftStage = 'vorbereiten' | 'schreiben' | 'pruefen';

export type DraftEvent =
  | { kind: 'stage'; request_id: number; stage: DraftStage }
  | { kind: 'paragraph'; request_id: number; id: string }
  | { kind: 'token'; request_id: number; id: string; text: string }
  | { kind: 'done'; request_id: number; result: DraftResult }
  | { kind: 'error'; request_id: number; error: AppError };

export type LetterFormat = 'docx' | 'odt' | 'pdf' | 'txt';
