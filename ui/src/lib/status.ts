// Pure formatting and decision helpers for the status bar and the send button.
import { errorMessage } from './errors';
import { numberLocale, translate, type Lang, type MessageKey } from './i18n';
import type { GenStats, ModelStatus, OutputState } from './types';

/** Clamps a 0..1 progress value; NaN and garbage count as 0. */
export function clampProgress(p: unknown): number {
  if (typeof p !== 'number' || !Number.isFinite(p)) return 0;
  return Math.min(1, Math.max(0, p));
}

/** "40 %" (de) / "40%" (en) – whole percent, rounded down so 99.6 % never shows as 100 %. */
export function formatPercent(progress: unknown, lang: Lang): string {
  const p = Math.floor(clampProgress(progress) * 100) / 100;
  return new Intl.NumberFormat(numberLocale(lang), {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(p);
}

export function formatInteger(n: number, lang: Lang): string {
  return new Intl.NumberFormat(numberLocale(lang), { maximumFractionDigits: 0 }).format(n);
}

/** One decimal, e.g. "71,3" (de) / "71.3" (en). */
export function formatRate(n: number, lang: Lang): string {
  const v = Number.isFinite(n) ? n : 0;
  return new Intl.NumberFormat(numberLocale(lang), {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(v);
}

/** "42 Tokens · 71,3 Tokens/s" */
export function formatStats(stats: GenStats, lang: Lang): string {
  const n = stats.generated_tokens;
  const tokens = translate(lang, n === 1 ? 'stats.tokens.one' : 'stats.tokens.other', {
    n: formatInteger(n, lang),
  });
  const rate = translate(lang, 'stats.rate', { n: formatRate(stats.generate_tokens_per_s, lang) });
  return `${tokens} · ${rate}`;
}

export function stopReasonKey(stats: GenStats): MessageKey {
  switch (stats.stop_reason) {
    case 'max_tokens':
      return 'stop.max_tokens';
    case 'cancelled':
      return 'stop.cancelled';
    case 'stop_string':
      return 'stop.stop_string';
    default:
      return 'stop.end_of_generation';
  }
}

export type StatusView = {
  /** data-state of #model-status */
  state: ModelStatus['state'];
  text: string;
  /** value for <progress>, or null when no progress bar should be shown */
  progress: number | null;
  kindLabel: string | null;
};

/**
 * Text of the status bar. `status === null` means the UI has not heard from the
 * shell yet; that is shown as "loading" (the contract only knows three states).
 */
export function describeModelStatus(status: ModelStatus | null, lang: Lang): StatusView {
  if (status === null) {
    return { state: 'loading', text: translate(lang, 'status.connecting'), progress: null, kindLabel: null };
  }
  const name = status.name?.trim() || '';
  const kindLabel =
    status.kind === 'base' || status.kind === 'instruct'
      ? translate(lang, status.kind === 'base' ? 'status.kind.base' : 'status.kind.instruct')
      : null;
  switch (status.state) {
    case 'loading': {
      const percent = formatPercent(status.progress, lang);
      return {
        state: 'loading',
        text: name
          ? translate(lang, 'status.loading_named', { percent, name })
          : translate(lang, 'status.loading', { percent }),
        progress: clampProgress(status.progress),
        kindLabel,
      };
    }
    case 'ready':
      return {
        state: 'ready',
        text: translate(lang, 'status.ready', { name: name || translate(lang, 'status.unknown_model') }),
        progress: null,
        kindLabel,
      };
    case 'error':
    default: {
      const message = status.error
        ? errorMessage(status.error, lang)
        : translate(lang, 'status.unknown_model');
      return { state: 'error', text: translate(lang, 'status.error', { message }), progress: null, kindLabel: null };
    }
  }
}

function rank(s: ModelStatus): number {
  // Loading progresses 0..1; ready and error are final (2).
  return s.state === 'loading' ? clampProgress(s.progress) : 2;
}

/**
 * Combines the answer of `model_status` with what `model-status` events have
 * already delivered. Events are always newer than what came before them, so
 * they always win. The snapshot from the command may have been taken before an
 * event that arrived earlier, so it only wins when it is not a step back.
 */
export function mergeModelStatus(
  current: ModelStatus | null,
  incoming: ModelStatus,
  source: 'event' | 'snapshot',
  eventSeen: boolean,
): ModelStatus {
  if (source === 'event' || current === null || !eventSeen) return incoming;
  return rank(incoming) >= rank(current) ? incoming : current;
}

export type SendBlock = 'model_loading' | 'model_error' | 'busy' | 'empty';

/** Why sending is not possible right now, or null when it is. */
export function sendBlockReason(
  model: ModelStatus | null,
  prompt: string,
  output: OutputState,
): SendBlock | null {
  if (output === 'streaming') return 'busy';
  if (model === null || model.state === 'loading') return 'model_loading';
  if (model.state !== 'ready') return 'model_error';
  if (prompt.trim() === '') return 'empty';
  return null;
}

export function sendBlockKey(block: SendBlock | null): MessageKey {
  switch (block) {
    case 'model_loading':
      return 'reason.model_loading';
    case 'model_error':
      return 'reason.model_error';
    case 'busy':
      return 'reason.busy';
    case 'empty':
      return 'reason.empty';
    default:
      return 'reason.ready';
  }
}
