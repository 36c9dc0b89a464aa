// The only module that talks to the Tauri shell (docs/ipc.md). Components get a
// `Backend` and can therefore be tested with a fake one.
import { Channel, invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { NO_BACKEND, normalizeError } from './errors';
import type {
  AddResult,
  AppInfo,
  DocumentFull,
  DraftEvent,
  DraftOptions,
  DraftResult,
  ExplainEvent,
  ExplainOptions,
  ExplainResult,
  GenEvent,
  GenParams,
  HistoryItem,
  ResultTrace,
  ImportReport,
  LetterFormat,
  ModelStatus,
  Prefill,
  SettingsView,
  StoreStatus,
  StoredResult,
  SummaryEvent,
  SummaryOptions,
  SummaryResult,
  Template,
  UserSettings,
} from './types';

export type Unlisten = () => void;

export interface Backend {
  appInfo(): Promise<AppInfo>;
  modelStatus(): Promise<ModelStatus>;
  /** Subscribes to the `model-status` event. */
  onModelStatus(handler: (status: ModelStatus) => void): Promise<Unlisten>;
  /** Starts a generation; resolves with the request id while events keep arriving. */
  generate(prompt: string, params: GenParams, onEvent: (event: GenEvent) => void): Promise<number>;
  cancel(requestId: number): Promise<void>;
  /** Reads files by path (dropped on the window). */
  addDocuments(paths: string[]): Promise<AddResult[]>;
  /** Reads a file chosen in the file picker (its bytes travel as the raw request body). */
  addDocumentBytes(name: string, bytes: Uint8Array): Promise<AddResult>;
  /** A sample of the first-run guide: the case file (default), a budget table, a notice or a
   * citizen's application (the incoming letter of "Brief entwerfen"). */
  addSampleDocument(which?: 'akte' | 'haushalt' | 'bescheid' | 'antrag'): Promise<AddResult>;
  /** Starts an explanation of one read document; resolves with the request id (`cancel` stops). */
  explain(documentId: number, options: ExplainOptions, onEvent: (event: ExplainEvent) => void): Promise<number>;
  removeDocument(id: number): Promise<void>;
  getDocument(id: number): Promise<DocumentFull>;
  /** Starts a summary; resolves with the request id (stop it with `cancel`). */
  summarize(documentIds: number[], options: SummaryOptions, onEvent: (event: SummaryEvent) => void): Promise<number>;
  /** Saves a summary in the export folder; resolves with the file's path. */
  exportSummary(result: SummaryResult, format: 'markdown' | 'docx' | 'pdf'): Promise<string>;
  /** Saves an explanation with its figures in the export folder; resolves with the file's path. */
  exportExplanation(result: ExplainResult, format: 'markdown' | 'docx' | 'pdf'): Promise<string>;
  /** The letter templates (Textbausteine). */
  templatesList(): Promise<Template[]>;
  /** A template's fields for an incoming letter (or none) and the clerk's values, deadlines computed. */
  draftPrefill(documentId: number | null, options: DraftOptions): Promise<Prefill>;
  /** Starts a reply letter; resolves with the request id (`cancel` stops). */
  draft(documentId: number | null, options: DraftOptions, onEvent: (event: DraftEvent) => void): Promise<number>;
  /** Rewrites one model paragraph; its `done` event carries the whole updated result. */
  draftRegenerate(documentId: number | null, result: DraftResult, paragraphId: string, onEvent: (event: DraftEvent) => void): Promise<number>;
  /** Checks an edited letter again: unsupported claims and `[Platzhalter]`. */
  draftCheck(result: DraftResult): Promise<DraftResult>;
  /** Saves the letter in the export folder; resolves with the file's path. `reviewed` leaves the
   * "KI-Entwurf" mark out (refused with `placeholders_left` while placeholders remain). */
  exportLetter(result: DraftResult, format: LetterFormat, reviewed: boolean): Promise<string>;
  /** Copies a GGUF from disk into the models folder (checked against manifest and IT policy). */
  importModel(path: string): Promise<ImportReport>;
  /** Subscribes to files dropped on the window; the handler gets their paths. */
  onFileDrop(handler: (paths: string[]) => void): Promise<Unlisten>;
}

/** Every rejection leaves this module as an `AppError` ({code, message_de, message_en}). */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  if (!available()) throw NO_BACKEND;
  try {
    return await fn();
  } catch (e) {
    throw normalizeError(e);
  }
}

function available(): boolean {
  try {
    return isTauri() || typeof (globalThis as { __TAURI_INTERNALS__?: unknown }).__TAURI_INTERNALS__ === 'object';
  } catch {
    return false;
  }
}

export const tauriBackend: Backend = {
  appInfo: () => call(() => invoke<AppInfo>('app_info')),

  modelStatus: () => call(() => invoke<ModelStatus>('model_status')),

  onModelStatus: (handler) =>
    call(async () => {
      const unlisten = await listen<ModelStatus>('model-status', (e) => handler(e.payload));
      return () => {
        void unlisten();
      };
    }),

  generate: (prompt, params, onEvent) =>
    call(() => {
      const onEventChannel = new Channel<GenEvent>();
      onEventChannel.onmessage = onEvent;
      return invoke<number>('generate', { prompt, params, onEvent: onEventChannel });
    }),

  cancel: (requestId) =>
    call(async () => {
      await invoke<null>('cancel', { requestId });
    }),

  addDocuments: (paths) => call(() => invoke<AddResult[]>('add_documents', { paths })),

  addDocumentBytes: (name, bytes) =>
    call(() => invoke<AddResult>('add_document_bytes', bytes, { headers: { 'x-file-name': encodeURIComponent(name) } })),

  addSampleDocument: (which) => call(() => invoke<AddResult>('add_sample_document', { which: which ?? null })),

  explain: (documentId, options, onEvent) =>
    call(() => {
      const channel = new Channel<ExplainEvent>();
      channel.onmessage = onEvent;
      return invoke<number>('explain', { documentId, options, onEvent: channel });
    }),

  removeDocument: (id) =>
    call(async () => {
      await invoke<null>('remove_document', { id });
    }),

  getDocument: (id) => call(() => invoke<DocumentFull>('get_document', { id })),

  summarize: (documentIds, options, onEvent) =>
    call(() => {
      const channel = new Channel<SummaryEvent>();
      channel.onmessage = onEvent;
      return invoke<number>('summarize', { documentIds, options, onEvent: channel });
    }),

  exportSummary: (result, format) => call(() => invoke<string>('export_summary', { result, format })),

  exportExplanation: (result, format) => call(() => invoke<string>('export_explanation', { result, format })),

  templatesList: () => call(() => invoke<Template[]>('templates_list')),

  draftPrefill: (documentId, options) => call(() => invoke<Prefill>('draft_prefill', { documentId, options })),

  draft: (documentId, options, onEvent) =>
    call(() => {
      const channel = new Channel<DraftEvent>();
      channel.onmessage = onEvent;
      return invoke<number>('draft', { documentId, options, onEvent: channel });
    }),

  draftRegenerate: (documentId, result, paragraphId, onEvent) =>
    call(() => {
      const channel = new Channel<DraftEvent>();
      channel.onmessage = onEvent;
      return invoke<number>('draft_regenerate', { documentId, result, paragraphId, onEvent: channel });
    }),

  draftCheck: (result) => call(() => invoke<DraftResult>('draft_check', { result })),

  exportLetter: (result, format, reviewed) => call(() => invoke<string>('export_letter', { result, format, reviewed })),

  importModel: (path) => call(() => invoke<ImportReport>('model_import', { path })),

  onFileDrop: (handler) =>
    call(async () => {
      // The webview's own drag-and-drop delivers paths (an HTML drop event would not).
      const unlisten = await listen<{ paths: string[] }>('tauri://drag-drop', (e) => handler(e.payload.paths ?? []));
      return () => {
        void unlisten();
      };
    }),
};

/** The store's commands: history, settings, data rights (docs/ipc.md). */
export interface StoreBackend {
  storeStatus(): Promise<StoreStatus>;
  historyList(limit?: number): Promise<HistoryItem[]>;
  historySearch(query: string, limit?: number): Promise<HistoryItem[]>;
  historyGet(id: number): Promise<StoredResult>;
  historyDelete(id: number): Promise<void>;
  /** "Wie ist das entstanden?": sentences with their sources in the documents kept with the result. */
  historyTrace(id: number): Promise<ResultTrace>;
  /** A stored result's text as a session document (`Ergebnis-<id>.txt`), to explain it. */
  historyAsDocument(id: number): Promise<AddResult>;
  settingsGet(): Promise<SettingsView>;
  settingsSet(user: UserSettings): Promise<SettingsView>;
  /** Resolves with the path of the ZIP. */
  dataExport(): Promise<string>;
  /** `confirmed` must be the user's explicit yes. */
  dataDeleteAll(confirmed: boolean): Promise<void>;
  /** Resolves with the path of the CSV. */
  auditExport(): Promise<string>;
  /** After a lost key: resolves with where the old file now is. */
  storeStartFresh(confirmed: boolean): Promise<string>;
  /** Subscribes to `history-changed` (a result saved or deleted, the store opened). */
  onHistoryChanged(handler: () => void): Promise<Unlisten>;
}

export const tauriStoreBackend: StoreBackend = {
  storeStatus: () => call(() => invoke<StoreStatus>('store_status')),
  historyList: (limit) => call(() => invoke<HistoryItem[]>('history_list', { limit })),
  historySearch: (query, limit) => call(() => invoke<HistoryItem[]>('history_search', { query, limit })),
  historyGet: (id) => call(() => invoke<StoredResult>('history_get', { id })),
  historyDelete: (id) =>
    call(async () => {
      await invoke<null>('history_delete', { id });
    }),
  historyTrace: (id) => call(() => invoke<ResultTrace>('history_trace', { id })),
  historyAsDocument: (id) => call(() => invoke<AddResult>('history_as_document', { id })),
  settingsGet: () => call(() => invoke<SettingsView>('settings_get')),
  settingsSet: (user) => call(() => invoke<SettingsView>('settings_set', { user })),
  dataExport: () => call(() => invoke<string>('data_export')),
  dataDeleteAll: (confirmed) =>
    call(async () => {
      await invoke<null>('data_delete_all', { confirmed });
    }),
  auditExport: () => call(() => invoke<string>('audit_export')),
  storeStartFresh: (confirmed) => call(() => invoke<string>('store_start_fresh', { confirmed })),
  onHistoryChanged: (handler) =>
    call(async () => {
      const unlisten = await listen('history-changed', () => handler());
      return () => {
        void unlisten();
      };
    }),
};
