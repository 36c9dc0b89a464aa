// State of the "Ergebnis erklären" screen and the pure helpers its view uses.
import type { Backend } from './backend';
import { TaskRun, type TaskState } from './taskrun';
import type { ExplainEvent, ExplainOptions, ExplainResult, Figure } from './types';

export interface ExplainState extends TaskState<ExplainResult> {
  stage: string | null;
  round: number;
  streamed: string;
}

export const initialExplainState: ExplainState = {
  phase: 'idle',
  requestId: null,
  stopping: false,
  stage: null,
  round: 0,
  streamed: '',
  result: null,
  error: null,
};

export class ExplainController extends TaskRun<ExplainResult, ExplainState> {
  constructor(backend: Backend, onState: (s: ExplainState) => void) {
    super(backend, initialExplainState, onState);
  }

  start(documentId: number, options: ExplainOptions): Promise<void> {
    return this.run(() => this.backend.explain(documentId, options, (e) => this.onEvent(e)));
  }

  private onEvent(e: ExplainEvent): void {
    switch (e.kind) {
      case 'stage':
        this.set({ stage: e.stage });
        break;
      case 'token':
        this.set({ streamed: this.current().streamed + e.text });
        break;
      case 'revision':
        this.set({ stage: 'ueberarbeiten', round: e.round, streamed: '' });
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

export interface Bar {
  label: string;
  value: number;
  display: string;
}

// The source of truth is the core's `is_total_label` (crates/core/src/tasks/figures.rs, with
// TOTAL_LABELS there): the same labels, the same rule. Change both together.
const TOTAL_LABELS = ['summe', 'gesamt', 'insgesamt', 'total', 'gesamtsumme', 'zwischensumme'];

/** Whether a row label names a total: one of the labels alone or followed by a space or a colon,
 * ignoring case and surrounding white space ("Summe", "Gesamt: alle Produkte", not "Summenbildung"). */
export function isTotalLabel(cell: string): boolean {
  // Rust's trim() strips Unicode White_Space, which differs from JavaScript's trim() in U+0085 and U+FEFF.
  const folded = cell.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '').toLowerCase();
  return TOTAL_LABELS.some((t) => folded === t || folded.startsWith(`${t} `) || folded.startsWith(`${t}:`));
}

/** The bars of the chart: each item row's difference (B − A), as the core computed it; a total
 * row ("Summe") would dwarf the items, so it has no bar (its values are in the table). The core
 * also counts a row as a total when another text cell holds such a label; the figures do not say
 * so, so such a row still gets its bar. */
export function changeBars(figures: Figure[]): Bar[] {
  return figures
    .filter((f) => f.kind === 'differenz' && f.row !== null && !isTotalLabel(f.row))
    .map((f) => ({ label: f.row as string, value: f.value, display: f.display }));
}

/** Geometry for a horizontal bar chart with a zero line: x and width in percent of the plot. */
export function barGeometry(bars: Bar[]): { zero: number; bars: (Bar & { x: number; width: number })[] } {
  const min = Math.min(0, ...bars.map((b) => b.value));
  const max = Math.max(0, ...bars.map((b) => b.value));
  const span = max - min || 1;
  const zero = ((0 - min) / span) * 100;
  return {
    zero,
    bars: bars.map((b) => {
      const end = ((b.value - min) / span) * 100;
      return { ...b, x: Math.min(zero, end), width: Math.abs(end - zero) };
    }),
  };
}

/** Plain text for the clipboard: mark, note, the explanation, the figures with formulas. */
export function explanationAsText(r: ExplainResult): string {
  const lines = [r.mark, r.note, '', r.explanation.trim()];
  if (r.figures.length) {
    lines.push('', 'Berechnete Werte:');
    for (const f of r.figures) lines.push(`- ${f.label}: ${f.display} (${f.formula})`);
  }
  if (r.unsupported.length) {
    lines.push('', 'Nicht in den Quellen gefunden:');
    for (const u of r.unsupported) lines.push(`- ${u.text}`);
  }
  return lines.join('\n');
}
