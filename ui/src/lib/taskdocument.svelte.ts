// The one document a task screen works on (Ergebnis erklären, Brief entwerfen): reading it, the
// error to show, and the passage a citation opens in the document pane.
import type { Backend } from './backend';
import { readOne } from './docinput';
import type { AddResult, AppError, DocumentFull, DocumentInfo, Position } from './types';

export class TaskDocument {
  doc = $state.raw<DocumentInfo | null>(null);
  error = $state.raw<AppError | null>(null);
  reading = $state(false);
  /** The full text shown in the pane once a citation is opened, with the cited passage. */
  shown = $state.raw<DocumentFull | null>(null);
  highlight = $state.raw<Position | null>(null);

  constructor(private readonly api: Backend) {}

  /** Reads a document (file, pasted text, sample …); a refusal becomes `error`, the old one stays. */
  async take(work: (() => Promise<AddResult>) | null): Promise<void> {
    if (!work) return;
    this.reading = true;
    this.error = null;
    const r = await readOne(work);
    this.reading = false;
    if (r.doc) {
      this.doc = r.doc;
      this.shown = null;
      this.highlight = null;
    } else {
      this.error = r.error;
    }
  }

  async cite(p: Position): Promise<void> {
    if (!this.doc) return;
    this.shown = await this.api.getDocument(this.doc.id);
    this.highlight = p;
  }

  /** Forgets the document; returns it so the caller can free it in the session. */
  clear(): DocumentInfo | null {
    const gone = this.doc;
    this.doc = null;
    this.shown = null;
    this.highlight = null;
    return gone;
  }
}
