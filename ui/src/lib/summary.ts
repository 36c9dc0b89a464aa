// State of the "Akte zusammenfassen" screen: files, a running summary and its result.
// Pure TypeScript (no Svelte), so it is tested without a DOM.
import type { Backend } from './backend';
import { TaskRun, type TaskState } from './taskrun';
import type { AppError, DocumentInfo, Position, SummaryEvent, SummaryOptions, SummaryProgress, SummaryResult } from './types';

export interface SummaryState extends TaskState<SummaryResult> {
  progress: SummaryProgress | null;
  /** Chunk summaries as they arrive (shown while the merge runs). */
  partials: string[];
  /** Streamed text of the final step. */
  streamed: string;
}

export const initialSummaryState: SummaryState = {
  phase: 'idle',
  requestId: null,
  stopping: false,
  progress: null,
  partials: [],
  streamed: '',
  result: null,
  error: null,
};

export class SummaryController extends TaskRun<SummaryResult, SummaryState> {
  constructor(backend: Backend, onState: (s: SummaryState) => void) {
    super(backend, initialSummaryState, onState);
  }

  start(documentIds: number[], options: SummaryOptions): Promise<void> {
    return this.run(() => this.backend.summarize(documentIds, options, (e) => this.onEvent(e)));
  }

  private onEvent(e: SummaryEvent): void {
    switch (e.kind) {
      case 'progress':
        this.set({ progress: e.progress });
        break;
      case 'partial':
        this.set({ partials: [...this.current().partials, e.text] });
        break;
      case 'token':
        this.set({ streamed: this.current().streamed + e.text });
        break;
      case 'done':
        this.finish(e.result, e.result.cancelled);
        break;
      case 'error':
        this.fail(e.error);
        break;
    }
  }
}

/** The files of the Akte: read ones and those that failed, in the order added. */
export type AkteFile =
  | { status: 'added'; document: DocumentInfo }
  | { status: 'failed'; file_name: string; error: AppError };

/** Short citation text, e.g. "S. 3" or "Abs. 5" (formats without pages), with the attachment. */
export function citationShort(p: Position, lang: 'de' | 'en'): string {
  const where = p.page !== null ? `${lang === 'de' ? 'S.' : 'p.'} ${p.page}` : `${lang === 'de' ? 'Abs.' : 'para.'} ${p.paragraph}`;
  return p.attachment ? `${p.attachment}, ${where}` : where;
}

/** Full citation for screen readers and tooltips: "akte.pdf, Seite 3, Absatz 7". */
export function citationLong(p: Position, lang: 'de' | 'en'): string {
  const parts = [p.file];
  if (p.attachment) parts.push(`${lang === 'de' ? 'Anhang' : 'attachment'} ${p.attachment}`);
  if (p.page !== null) parts.push(`${lang === 'de' ? 'Seite' : 'page'} ${p.page}`);
  if (p.row !== null) parts.push(`${lang === 'de' ? 'Zeile' : 'row'} ${p.row}`);
  parts.push(`${lang === 'de' ? 'Absatz' : 'paragraph'} ${p.paragraph}`);
  return parts.join(', ');
}

/** Whether a block is the one a citation points to. */
export function samePlace(a: Position, b: Position): boolean {
  return a.file_sha256 === b.file_sha256 && a.paragraph === b.paragraph && (a.attachment ?? null) === (b.attachment ?? null);
}

/** Splits a sentence into plain and flagged parts, for highlighting unsupported claims. */
export function markFlags(sentence: string, flagged: string[]): { text: string; flagged: boolean }[] {
  const parts: { text: string; flagged: boolean }[] = [];
  let rest = sentence;
  for (;;) {
    let best = -1;
    let which = '';
    for (const f of flagged) {
      if (!f) continue;
      const i = rest.indexOf(f);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        which = f;
      }
    }
    if (best < 0) break;
    if (best > 0) parts.push({ text: rest.slice(0, best), flagged: false });
    parts.push({ text: which, flagged: true });
    rest = rest.slice(best + which.length);
  }
  if (rest) parts.push({ text: rest, flagged: false });
  return parts;
}

/** Plain text for the clipboard: the mark, the summary with its sources, the facts. */
export function summaryAsText(r: SummaryResult, lang: 'de' | 'en'): string {
  const lines = [r.mark, ''];
  for (const s of r.sentences) {
    const src = s.sources.map((p) => citationLong(p, lang)).join('; ');
    lines.push(src ? `${s.text} [${src}]` : s.text);
  }
  if (r.facts.length) {
    lines.push('', lang === 'de' ? 'Fakten:' : 'Facts:');
    for (const f of r.facts) lines.push(`- ${f.kind}: ${f.value} [${f.sources.map((p) => citationLong(p, lang)).join('; ')}]`);
  }
  if (r.unsupported.length) {
    lines.push('', lang === 'de' ? 'Nicht in den Quellen gefunden:' : 'Not found in the sources:');
    for (const u of r.unsupported) lines.push(`- ${u.text}`);
  }
  return lines.join('\n');
}
