// One document as the input of a task screen (Ergebnis erklären, Brief entwerfen): a chosen file,
// pasted text or anything else that yields an `AddResult`.
import type { Backend } from './backend';
import { normalizeError } from './errors';
import type { AddResult, AppError, DocumentInfo } from './types';

export type ReadOutcome = { doc: DocumentInfo; error: null } | { doc: null; error: AppError };

/** Runs `work`; a refused file and a failed call both come back as the error to show. */
export async function readOne(work: () => Promise<AddResult>): Promise<ReadOutcome> {
  try {
    const r = await work();
    return r.status === 'added' ? { doc: r.document, error: null } : { doc: null, error: r.error };
  } catch (e) {
    return { doc: null, error: normalizeError(e) };
  }
}

/** The file chosen in a file input, which is cleared so the same file can be chosen again. */
export function takePicked(e: Event, api: Backend): (() => Promise<AddResult>) | null {
  const input = e.currentTarget as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  return file ? async () => api.addDocumentBytes(file.name, new Uint8Array(await file.arrayBuffer())) : null;
}

/** Pasted text as a document named `name`; null when there is no text. */
export function takePasted(text: string, name: string, api: Backend): (() => Promise<AddResult>) | null {
  const trimmed = text.trim();
  return trimmed ? () => api.addDocumentBytes(name, new TextEncoder().encode(trimmed)) : null;
}
