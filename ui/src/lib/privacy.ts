// Pure logic of the history and privacy panels (tested without a DOM).
import { errorMessage } from './errors';
import { numberLocale, type Lang, type MessageKey, type Params } from './i18n';
import type { SenderProfile, SettingsView, StoreStatus, UserSettings } from './types';

/** The sender profile's text fields, in form order. */
export const SENDER_FIELDS = ['authority', 'office', 'clerk', 'role', 'phone', 'email', 'opening_hours', 'address', 'land', 'logo'] as const;
export type SenderField = (typeof SENDER_FIELDS)[number];
export type SenderDraft = Record<SenderField, string>;

/** The form's values: what is in force (the IT's where it has set them). */
export function senderDraft(view: SettingsView): SenderDraft {
  const draft = {} as SenderDraft;
  for (const f of SENDER_FIELDS) draft[f] = view.effective.sender[f]?.value ?? '';
  return draft;
}

export const MAX_RETENTION_DAYS = 3650;

/** A retention the user typed: a whole number of days in 1..3650, else null. */
export function parseRetention(input: string): number | null {
  const s = input.trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= 1 && n <= MAX_RETENTION_DAYS ? n : null;
}

/** The store's state as one sentence (key + params for `t`). */
export function storeStatusText(status: StoreStatus | null, lang: Lang): { key: MessageKey; params?: Params } {
  if (status === null || status.phase === 'opening') return { key: 'privacy.store.opening' };
  switch (status.state) {
    case 'ready':
      return { key: 'privacy.store.ready', params: { path: status.db_path } };
    case 'off':
      return { key: 'privacy.store.off' };
    default:
      return {
        key: 'privacy.store.unavailable',
        params: { message: status.error ? errorMessage(status.error, lang) : '' },
      };
  }
}

/** Whether history commands can be used now. */
export function storeUsable(status: StoreStatus | null): boolean {
  return status !== null && status.phase === 'open' && status.state !== 'unavailable';
}

/** Unix seconds as a local date and time. */
export function formatDate(unixSeconds: number, lang: Lang): string {
  return new Intl.DateTimeFormat(numberLocale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(unixSeconds * 1000),
  );
}

/**
 * The user settings to save: the stored ones with the edited values, never touching a setting
 * the IT has locked (the shell would refuse the change anyway).
 */
export function settingsToSave(
  view: SettingsView,
  retentionDays: number,
  keepHistory: boolean,
  sender?: SenderDraft,
): UserSettings {
  const next: UserSettings = { ...view.user, sender: { ...view.user.sender } };
  if (!view.effective.retention_days.locked) next.retention_days = retentionDays;
  if (!view.effective.keep_history.locked) next.keep_history = keepHistory;
  if (sender) {
    for (const f of SENDER_FIELDS) {
      if (view.effective.sender[f]?.locked) continue;
      const v = sender[f].trim();
      (next.sender as SenderProfile)[f] = v === '' ? null : v;
    }
  }
  return next;
}

export function taskLabelKey(task: string): MessageKey | null {
  switch (task) {
    case 'free_text':
      return 'history.task.free_text';
    case 'summary':
      return 'history.task.summary';
    case 'explanation':
      return 'history.task.explanation';
    case 'draft':
      return 'history.task.draft';
    default:
      return null;
  }
}
