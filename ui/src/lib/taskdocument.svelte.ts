// The one document a task screen works on (Ergebnis erklären, Brief entwerfen): reading it, the
// error to show, and the passage a citation opens in the document pane. It owns the document in
// the shell's session: a replaced or cleared one is freed there, and `dispose` frees the last.
import type { Backend } from './backend';
import { readOne } from './docinput';
import { normalizeError } from './errors';
import type { AddResult, AppError, DocumentFull, DocumentInfo, Position } from './types';

export class TaskDocument {
  doc = $state.raw<DocumentInfo | null>(null);
  error = $state.raw<AppError | null>(null);
  reading = $state(false);
  /** The full text shown in the pane once a citation is opened, with the cited passage. */
  shown = $state.raw<DocumentFull | null>(null);
  highlight = $state.raw<Position | null>(null);

  /** The full text of `doc`, fetched once at the first citation (a failed fetch is not kept). */
  private full: { id: number; text: Promise<DocumentFull> } | null = null;
  private disposed = false;

  constructor(private readonly api: Backend) {}

  /** Reads a document (file, pasted text, sample …); a refusal becomes `error`, the old one stays.
   * A new one replaces the old, which is freed in the session. */
  async take(work: (() => Promise<AddResult>) | null): Promise<void> {
    if (!work || this.disposed) return;
    this.reading = true;
    this.error = null;
    const r = await readOne(work);
    if (this.disposed) {
      // The screen has gone while the document was read: nobody will use it.
      this.free(r.doc);
      return;
    }
    this.reading = false;
    if (r.doc) {
      this.replace(r.doc);
    } else {
      this.error = r.error;
    }
  }

  /** Shows the cited passage in the pane; the document's text is fetched once, not per click. */
  async cite(p: Position): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    this.error = null;
    if (this.full?.id !== doc.id) this.full = { id: doc.id, text: this.api.getDocument(doc.id) };
    const full = this.full;
    try {
      const text = await full.text;
      if (this.doc?.id !== doc.id) return; // replaced meanwhile
      this.shown = text;
      this.highlight = p;
    } catch (e) {
      if (this.full === full) this.full = null; // the next click tries again
      if (this.doc?.id === doc.id) this.error = normalizeError(e);
    }
  }

  /** Forgets the document and frees it in the session. */
  clear(): void {
    this.replace(null);
  }

  /** Frees the document in the session; call when the screen goes (its `onDestroy`). A document
   * still being read is freed when it arrives. */
  dispose(): void {
    this.disposed = true;
    this.clear();
  }

  private replace(next: DocumentInfo | null): void {
    const gone = this.doc;
    this.doc = next;
    this.full = null;
    this.shown = null;
    this.highlight = null;
    if (gone && gone.id !== next?.id) this.free(gone);
  }

  private free(doc: DocumentInfo | null): void {
    if (!doc) return;
    this.api.removeDocument(doc.id).catch(() => {
      // Only this screen used it; a document left in the session does no harm.
    });
  }
}
