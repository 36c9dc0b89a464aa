// State of the "Brief entwerfen" screen and the pure helpers its view uses: options and fields,
// the streamed draft, edits and re-checks, the review rule, and the letter as plain text.
import type { Backend } from './backend';
import { normalizeError } from './errors';
import { TaskRun, type TaskState } from './taskrun';
import type {
  AppError,
  DraftEvent,
  DraftOptions,
  DraftResult,
  DraftStage,
  FieldValue,
  Letter,
  LetterFormat,
  Paragraph,
  Prefill,
  Template,
} from './types';

/** The core's defaults (`DraftOptions::default`), with the chosen template. */
export function defaultOptions(template = ''): DraftOptions {
  return { template, fields: {}, instructions: null, tone: 'foermlich', form: 'b', letter_date: null, temperature: 0.3, seed: 42 };
}

/** The options as the shell gets them: empty texts as null, fields of other templates left out. */
export function optionsToSend(o: DraftOptions, template?: Template | null): DraftOptions {
  const keys = template ? new Set(template.fields.map((f) => f.key)) : null;
  const fields = Object.fromEntries(Object.entries(o.fields).filter(([k]) => keys === null || keys.has(k)));
  const instructions = o.instructions?.trim() || null;
  const letter_date = o.letter_date?.trim() || null;
  return { ...o, fields, instructions, letter_date };
}

export const FLAG_YES = 'ja';
export const FLAG_NO = 'nein';

/** Whether a flag field is set: anything but empty or a no (as the core reads it). */
export function isFlagSet(v: string | null | undefined): boolean {
  return v != null && !['', 'nein', 'no', 'false', '0'].includes(v.trim().toLowerCase());
}

/** The fields to show: the prefill's for this template, else the template's own (before the
 * first prefill arrives, or when it failed). */
export function fieldsOf(template: Template | null, prefill: Prefill | null): FieldValue[] {
  if (!template) return [];
  if (prefill && prefill.template_id === template.id) return prefill.fields;
  return template.fields.map((f) => ({
    key: f.key,
    label: f.label,
    kind: f.kind,
    required: f.required,
    hint: f.hint,
    value: f.default,
    origin: f.default ? 'vorlage' : 'leer',
    source: null,
    deadline: null,
  }));
}

/** What a field's input shows: the clerk's value where they typed one (even an emptied one),
 * else what the core found or the template proposes. */
export function fieldInputValue(f: FieldValue, clerk: Record<string, string>): string {
  return Object.prototype.hasOwnProperty.call(clerk, f.key) ? clerk[f.key] : (f.value ?? '');
}

/** The value the draft will use when the clerk left a field empty: the core falls back to the
 * incoming letter or the template then. Null when the input shows what is used. */
export function fallbackValue(f: FieldValue, clerk: Record<string, string>): string | null {
  const own = clerk[f.key];
  if (own === undefined || own.trim() !== '' || f.origin === 'eingabe') return null;
  return f.value;
}

export type FieldBadge = 'eingabe' | 'eingang' | 'vorlage' | 'berechnet' | 'fehlt' | null;

/** Where a field's value comes from, for the badge beside it. */
export function fieldBadge(f: FieldValue, clerk: Record<string, string>): FieldBadge {
  const own = clerk[f.key]?.trim();
  if (own) return 'eingabe';
  // An emptied clerk value: the core falls back to what it found (the prefill says what).
  if (f.origin === 'eingabe') return f.required ? 'fehlt' : null;
  if (f.origin === 'leer' || !f.value) return f.required ? 'fehlt' : null;
  return f.origin;
}

/** Labels of required fields without a value now (the clerk's edits count at once; the core's
 * values as of the last prefill). */
export function missingRequired(fields: FieldValue[], clerk: Record<string, string>): string[] {
  return fields.filter((f) => f.required && fieldBadge(f, clerk) === 'fehlt').map((f) => f.label);
}

/** The body paragraphs as one text (blank lines between them), as `Letter::body_text`. */
export function bodyText(l: Letter): string {
  return l.paragraphs
    .map((p) => p.text.trim())
    .filter((t) => t !== '')
    .join('\n\n');
}

/** The letter is German whatever the screen's language: "Anlage" or "Anlagen". */
export function enclosureHeading(n: number): string {
  return n === 1 ? 'Anlage' : 'Anlagen';
}

/** The whole letter as plain text, line for line as the core's `Letter::plain_text`. */
export function letterPlainText(l: Letter): string {
  const out: string[] = [];
  if (l.return_line !== '') out.push(l.return_line, '');
  out.push(...l.recipient, '');
  for (const i of l.info) out.push(`${i.label}: ${i.value}`);
  out.push('', l.subject, '', l.salutation, '', bodyText(l), '', l.closing, ...l.signature);
  if (l.enclosures.length > 0) out.push('', enclosureHeading(l.enclosures.length), ...l.enclosures);
  return out.join('\n');
}

// The core's `PLACEHOLDER` pattern: a bracketed text of 1–80 characters on one line.
const PLACEHOLDER = /\[[^[\]\n]{1,80}\]/gu;

/** `[Platzhalter]` left in the letter, each once, in order. */
export function placeholdersIn(l: Letter): string[] {
  return [...new Set(letterPlainText(l).match(PLACEHOLDER) ?? [])];
}

/** Model-written and edited paragraphs may be changed; fixed ones (legal texts above all) not. */
export function isEditable(p: Paragraph): boolean {
  return p.origin !== 'fixed' && !p.legal;
}

/** Only a part the model writes can be written anew. */
export function canRegenerate(template: Template | null | undefined, paragraphId: string): boolean {
  return template?.parts.some((p) => p.id === paragraphId && p.kind === 'model') ?? false;
}

/** The clerk's change of one paragraph: its origin becomes `edited`; placeholders are scanned at
 * once so the review rule holds before the core's check answers. */
export function editParagraph(r: DraftResult, id: string, text: string): DraftResult {
  const paragraphs = r.letter.paragraphs.map((p) => (p.id === id && isEditable(p) ? { ...p, text, origin: 'edited' as const } : p));
  const letter = { ...r.letter, paragraphs };
  return { ...r, letter, placeholders: placeholdersIn(letter) };
}

/** The "geprüft" mark may only be set once no placeholder is left. */
export function canReview(r: DraftResult | null): boolean {
  return r !== null && r.placeholders.length === 0;
}

export interface StreamedParagraph {
  id: string;
  text: string;
}

export interface DraftState extends TaskState<DraftResult> {
  stage: DraftStage | null;
  /** The paragraph the model writes now. */
  writing: string | null;
  /** Streamed text by paragraph, in the order the model wrote them. */
  streamed: StreamedParagraph[];
  /** The paragraph written anew (the result stays visible meanwhile). */
  regenerating: string | null;
  checking: boolean;
  checkError: AppError | null;
}

export const initialDraftState: DraftState = {
  phase: 'idle',
  requestId: null,
  stopping: false,
  result: null,
  error: null,
  stage: null,
  writing: null,
  streamed: [],
  regenerating: null,
  checking: false,
  checkError: null,
};

type StreamEvent = Extract<DraftEvent, { kind: 'stage' | 'paragraph' | 'token' }>;

/** How a progress event changes the state (the last events are the controller's). */
export function applyDraftEvent(s: DraftState, e: StreamEvent): Partial<DraftState> {
  switch (e.kind) {
    case 'stage':
      return { stage: e.stage };
    case 'paragraph':
      return {
        writing: e.id,
        // Written again (a retry): start its text afresh.
        streamed: [...s.streamed.filter((p) => p.id !== e.id), { id: e.id, text: '' }],
      };
    case 'token': {
      const known = s.streamed.some((p) => p.id === e.id);
      const streamed = known
        ? s.streamed.map((p) => (p.id === e.id ? { ...p, text: p.text + e.text } : p))
        : [...s.streamed, { id: e.id, text: e.text }];
      return { streamed, writing: e.id };
    }
  }
}

export class LetterController extends TaskRun<DraftResult, DraftState> {
  // Bumped by every edit and every new result: a check's answer about an older text is dropped.
  private version = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pendingChecks = 0;

  constructor(
    backend: Backend,
    onState: (s: DraftState) => void,
    private readonly checkDelayMs = 400,
  ) {
    super(backend, initialDraftState, onState);
  }

  start(documentId: number | null, options: DraftOptions): Promise<void> {
    this.cancelCheck();
    return this.run(() => this.backend.draft(documentId, options, (e) => this.onEvent(e)));
  }

  /** Writes one model paragraph anew; the letter stays on screen until the new one arrives. */
  regenerate(documentId: number | null, paragraphId: string): Promise<void> {
    const result = this.current().result;
    if (!result || this.current().phase === 'running') return Promise.resolve();
    this.cancelCheck();
    return this.run(() => {
      this.set({ result, regenerating: paragraphId });
      return this.backend.draftRegenerate(documentId, result, paragraphId, (e) => this.onEvent(e));
    });
  }

  /** The clerk changed a paragraph: take it, and check the letter again shortly after. */
  edit(paragraphId: string, text: string): void {
    const s = this.current();
    if (!s.result || s.phase === 'running') return;
    this.version += 1;
    this.set({ result: editParagraph(s.result, paragraphId, text) });
    this.cancelCheck();
    this.timer = setTimeout(() => void this.checkNow(), this.checkDelayMs);
  }

  /** Runs the core's check now (unsupported claims, placeholders); resolves with the checked
   * result, or null when there was none, it failed, or the text changed meanwhile. */
  async checkNow(): Promise<DraftResult | null> {
    this.cancelCheck();
    const r = this.current().result;
    if (!r) return null;
    const asked = this.version;
    this.pendingChecks += 1;
    this.set({ checking: true, checkError: null });
    try {
      const checked = await this.backend.draftCheck(r);
      if (asked !== this.version) return null;
      this.set({ result: checked });
      return checked;
    } catch (e) {
      if (asked === this.version) this.set({ checkError: normalizeError(e) });
      return null;
    } finally {
      this.pendingChecks -= 1;
      if (this.pendingChecks === 0) this.set({ checking: false });
    }
  }

  /** Saves the letter, checked first so the file has what the screen shows. */
  async exportLetter(format: LetterFormat, reviewed: boolean): Promise<string> {
    await this.checkNow();
    const r = this.current().result;
    if (!r) throw normalizeError('no letter');
    return this.backend.exportLetter(r, format, reviewed);
  }

  dispose(): void {
    this.cancelCheck();
  }

  private cancelCheck(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private onEvent(e: DraftEvent): void {
    switch (e.kind) {
      case 'done':
        this.version += 1;
        this.finish(e.result, e.result.cancelled);
        this.set({ writing: null, regenerating: null });
        break;
      case 'error':
        this.fail(e.error);
        this.set({ writing: null, regenerating: null });
        break;
      default:
        this.set(applyDraftEvent(this.current(), e));
    }
  }
}

export interface PrefillState {
  prefill: Prefill | null;
  error: AppError | null;
  loading: boolean;
}

/** Asks the core for a template's fields (deadlines computed) after the clerk paused typing;
 * only the newest answer counts. */
export class PrefillLoader {
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private waiting: (() => void) | null = null;
  private state: PrefillState = { prefill: null, error: null, loading: false };

  constructor(
    private readonly backend: Backend,
    private readonly onState: (s: PrefillState) => void,
    private readonly delayMs = 400,
  ) {}

  /** Loads after the delay, or at once with `now` (a new template or letter). Resolves when its
   * answer is in, or at once when a newer request replaced it. */
  request(documentId: number | null, options: DraftOptions, now = false): Promise<void> {
    this.cancelWaiting();
    if (now) return this.load(documentId, options);
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.waiting = null;
        void this.load(documentId, options).then(resolve);
      }, this.delayMs);
    });
  }

  dispose(): void {
    this.cancelWaiting();
    this.seq += 1;
  }

  private cancelWaiting(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.waiting?.();
    this.waiting = null;
  }

  private set(patch: Partial<PrefillState>): void {
    this.state = { ...this.state, ...patch };
    this.onState(this.state);
  }

  private async load(documentId: number | null, options: DraftOptions): Promise<void> {
    const n = ++this.seq;
    this.set({ loading: true });
    try {
      const prefill = await this.backend.draftPrefill(documentId, options);
      if (n === this.seq) this.set({ prefill, error: null, loading: false });
    } catch (e) {
      if (n === this.seq) this.set({ error: normalizeError(e), loading: false });
    }
  }
}
