import { describe, expect, it } from 'vitest';
import { formatDate, parseRetention, senderDraft, settingsToSave, storeStatusText, storeUsable } from './privacy';
import type { SettingsView } from './types';

const view = (locked: boolean): SettingsView => ({
  user: { retention_days: 60, keep_history: null, sender: { clerk: 'Frau Beispiel' } },
  effective: {
    retention_days: { value: locked ? 14 : 60, locked },
    keep_history: { value: true, locked: false },
    max_file_mb: { value: 200, locked: false },
    sender: {
      authority: { value: 'Stadt Musterstadt', locked: true },
      office: { value: null, locked: false },
      clerk: { value: 'Frau Beispiel', locked: false },
      role: { value: null, locked: false },
      phone: { value: null, locked: false },
      email: { value: null, locked: false },
      opening_hours: { value: null, locked: false },
      address: { value: null, locked: false },
      logo: { value: null, locked: false },
      land: { value: null, locked: false },
    },
    disabled_features: [],
    allowed_models: null,
    policy_source: locked ? '/etc/schreibstube/policy.toml' : null,
  },
});

describe('privacy logic', () => {
  it('accepts whole numbers of days in range only', () => {
    expect(parseRetention('30')).toBe(30);
    expect(parseRetention(' 3650 ')).toBe(3650);
    for (const bad of ['0', '3651', '-1', '1.5', '', 'dreißig', '1e3']) expect(parseRetention(bad), bad).toBeNull();
  });

  it('never changes a setting the IT has locked', () => {
    const unlocked = settingsToSave(view(false), 7, false);
    expect(unlocked.retention_days).toBe(7);
    expect(unlocked.keep_history).toBe(false);
    expect(unlocked.sender.clerk).toBe('Frau Beispiel');
    const locked = settingsToSave(view(true), 7, false);
    expect(locked.retention_days).toBe(60);
    expect(locked.keep_history).toBe(false);
    const draft = { ...senderDraft(view(true)), authority: 'Andere Stadt', phone: ' 0123 ', office: '' };
    expect(draft.clerk).toBe('Frau Beispiel');
    const withSender = settingsToSave(view(true), 7, true, draft);
    expect(withSender.sender.authority).toBeUndefined();
    expect(withSender.sender.phone).toBe('0123');
    expect(withSender.sender.office).toBeNull();
  });

  it('describes every store state', () => {
    expect(storeStatusText(null, 'de').key).toBe('privacy.store.opening');
    expect(storeStatusText({ phase: 'opening' }, 'de').key).toBe('privacy.store.opening');
    const ready = { phase: 'open', state: 'ready', db_path: '/x/schreibstube.db', can_start_fresh: false } as const;
    expect(storeStatusText(ready, 'de')).toEqual({ key: 'privacy.store.ready', params: { path: '/x/schreibstube.db' } });
    const broken = {
      phase: 'open',
      state: 'unavailable',
      db_path: '/x/schreibstube.db',
      can_start_fresh: true,
      error: { code: 'store_key_missing', message_de: 'Schlüssel fehlt', message_en: 'Key missing' },
    } as const;
    expect(storeStatusText(broken, 'en').params).toEqual({ message: 'Key missing' });
    expect(storeUsable(ready)).toBe(true);
    expect(storeUsable(broken)).toBe(false);
    expect(storeUsable({ phase: 'opening' })).toBe(false);
  });

  it('formats dates for the language', () => {
    const d = formatDate(1_700_000_000, 'de');
    expect(d).toMatch(/2023/);
    expect(d).toMatch(/14\.11\.2023|14\. Nov/);
  });
});
