// @vitest-environment jsdom
import axe from 'axe-core';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import HistoryPanel from './HistoryPanel.svelte';
import PrivacySettings from './PrivacySettings.svelte';
import type { StoreBackend } from '../lib/backend';
import { setLang } from '../lib/locale.svelte';
import type { HistoryItem, Position, ResultTrace, SettingsView, StoreStatus, UserSettings } from '../lib/types';

const flush = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 0));
    flushSync();
  }
};

const $ = <T extends Element = HTMLElement>(sel: string) => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el;
};

const pos = (paragraph: number, page: number | null): Position => ({
  file: 'bescheid.pdf',
  file_sha256: 'b1',
  page,
  paragraph,
  attachment: null,
  sheet: null,
  row: null,
});

/** Entry 2 was saved with its documents; entry 1 is an older one without them. */
function trace(id: number): ResultTrace {
  const provenance = { model_name: 'Gemma 3 270M', model_sha256: 'a5'.repeat(32), template: null, input_sha256: ['b1'], parameters: { temperature: 0.2 }, app_version: '0.1.0' };
  const base = { id, created_at: 1_700_000_000, task: 'summary', title: 'Zusammenfassung: bescheid.pdf', provenance };
  if (id === 1) {
    return { ...base, status: 'not_kept', note_de: 'nicht gespeichert', sentences: [], unsupported: [], inputs: [{ file_name: null, sha256: 'b1', kept: false }] };
  }
  return {
    ...base,
    status: 'traced',
    note_de: null,
    sentences: [
      { text: 'Die Gebühr beträgt 120,00 Euro.', sources: [pos(2, 1), pos(5, 2)], figures: [], supported: true },
      { text: 'Es wird ein Zuschlag von 999,00 Euro fällig.', sources: [], figures: [], supported: false },
    ],
    unsupported: [{ text: '999,00 Euro', kind: 'betrag', sentence: 1 }],
    inputs: [{ file_name: 'bescheid.pdf', sha256: 'b1', kept: true }],
  };
}

function fakeStore(opts: { locked?: boolean; status?: StoreStatus } = {}) {
  const calls: string[] = [];
  const listeners: (() => void)[] = [];
  let items: HistoryItem[] = [
    { id: 2, created_at: 1_700_000_100, task: 'free_text', title: 'Antwort an Frau Beispiel', model_name: 'Gemma' },
    { id: 1, created_at: 1_700_000_000, task: 'free_text', title: 'Eingangsbestätigung', model_name: 'Gemma' },
  ];
  let user: UserSettings = { sender: {} };
  const view = (): SettingsView => ({
    user,
    effective: {
      retention_days: opts.locked ? { value: 14, locked: true } : { value: user.retention_days ?? 30, locked: false },
      keep_history: { value: user.keep_history ?? true, locked: false },
      max_file_mb: { value: 200, locked: false },
      sender: Object.fromEntries(
        (['authority', 'office', 'clerk', 'role', 'phone', 'email', 'opening_hours', 'address', 'logo', 'land'] as const).map((f) =>
          opts.locked && f === 'authority'
            ? [f, { value: 'Stadt Musterstadt', locked: true }]
            : [f, { value: user.sender[f] ?? null, locked: false }],
        ),
      ) as SettingsView['effective']['sender'],
      disabled_features: [],
      allowed_models: null,
      policy_source: null,
    },
  });
  const api: StoreBackend = {
    storeStatus: async () => opts.status ?? { phase: 'open', state: 'ready', db_path: '/home/a/schreibstube.db', can_start_fresh: false },
    historyList: async () => items,
    historySearch: async (q) => {
      calls.push(`search:${q}`);
      return items.filter((i) => i.title.toLowerCase().includes(q.toLowerCase()));
    },
    historyGet: async (id) => {
      const i = items.find((x) => x.id === id)!;
      return { ...i, body: `Text ${id}`, data: {}, provenance: { model_name: 'Gemma', model_sha256: 'a5', template: null, input_sha256: [], parameters: {}, app_version: '0.1.0' } };
    },
    historyDelete: async (id) => {
      calls.push(`delete:${id}`);
      items = items.filter((x) => x.id !== id);
    },
    historyTrace: async (id) => {
      calls.push(`trace:${id}`);
      return trace(id);
    },
    historyAsDocument: async (id) => ({ status: 'failed', file_name: `Ergebnis-${id}.txt`, error: { code: 'x', message_de: 'x', message_en: 'x' } }),
    settingsGet: async () => view(),
    settingsSet: async (u) => {
      calls.push(`set:${JSON.stringify(u)}`);
      user = u;
      return view();
    },
    dataExport: async () => '/home/a/Downloads/export.zip',
    dataDeleteAll: async (c) => {
      calls.push(`delete_all:${c}`);
    },
    auditExport: async () => '/home/a/Downloads/protokoll.csv',
    storeStartFresh: async (c) => {
      calls.push(`fresh:${c}`);
      return '/home/a/schreibstube.db.unreadable-2026-11-26';
    },
    onHistoryChanged: async (h) => {
      listeners.push(h);
      return () => listeners.splice(listeners.indexOf(h), 1);
    },
  };
  const changed = () => listeners.forEach((h) => h());
  const add = (item: HistoryItem) => (items = [item, ...items]);
  return { api, calls, changed, add };
}

let component: ReturnType<typeof mount> | null = null;

beforeEach(() => {
  setLang('de');
  document.body.innerHTML = '<main id="app"></main>';
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
});

async function noSeriousAxe() {
  const result = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

describe('HistoryPanel', () => {
  it('lists, searches, opens and deletes entries with the keyboard-reachable buttons', async () => {
    const s = fakeStore();
    component = mount(HistoryPanel, { target: $('#app'), props: { api: s.api } });
    await flush();
    const titles = () => [...document.querySelectorAll('.history-title')].map((e) => e.textContent);
    expect(titles()).toEqual(['Antwort an Frau Beispiel', 'Eingangsbestätigung']);
    expect($('label[for="history-query"]').textContent).toBe('Im Verlauf suchen');

    const q = $<HTMLInputElement>('#history-query');
    q.value = 'eingang';
    q.dispatchEvent(new Event('input', { bubbles: true }));
    $<HTMLFormElement>('.history-search').dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await flush();
    expect(s.calls).toEqual(['search:eingang']);
    expect(titles()).toEqual(['Eingangsbestätigung']);

    $<HTMLButtonElement>('.history-item[data-id="1"]').click();
    await flush();
    expect($('.history-body').textContent).toBe('Text 1');
    expect(document.activeElement?.id).toBe('history-detail-heading');
    await noSeriousAxe();
    $<HTMLButtonElement>('#history-delete').click();
    await flush();
    expect(s.calls).toContain('delete:1');
    expect(document.querySelector('.history-detail')).toBeNull();
    expect($('.notice').textContent).toBe('Eintrag gelöscht.');
  });

  it('shows how an entry came about: sentences with sources, unsupported ones marked, model and inputs', async () => {
    const s = fakeStore();
    component = mount(HistoryPanel, { target: $('#app'), props: { api: s.api } });
    await flush();
    $<HTMLButtonElement>('.history-item[data-id="2"]').click();
    await flush();
    const toggle = $<HTMLButtonElement>('#history-trace-toggle');
    expect(toggle.textContent).toBe('Wie ist das entstanden?');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.querySelector('#history-trace')).toBeNull();
    toggle.click();
    await flush();
    expect(s.calls).toEqual(['trace:2']);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const items = [...document.querySelectorAll('#history-trace-sentences > li')];
    expect(items).toHaveLength(2);
    expect(items[0].getAttribute('data-supported')).toBe('true');
    expect([...items[0].querySelectorAll('cite')].map((c) => c.textContent)).toEqual(['bescheid.pdf, Seite 1, Absatz 2', 'bescheid.pdf, Seite 2, Absatz 5']);
    // Unsupported: said in words, not by colour alone, and the invented amount is flagged.
    expect(items[1].querySelector('.no-source')?.textContent).toBe('(keine Quelle gefunden)');
    expect(items[1].querySelector('mark.flag')?.textContent).toContain('999,00 Euro');
    expect($('#history-trace-flags').textContent).toContain('999,00 Euro');
    const prov = $('#history-trace-provenance').textContent ?? '';
    expect(prov).toContain('Gemma 3 270M');
    expect(prov).toContain('a5'.repeat(32));
    expect(prov).toContain('{"temperature":0.2}');
    expect($('#history-trace-inputs').textContent).toContain('bescheid.pdf');
    expect($('#history-trace-inputs').textContent).toContain('(gespeichert)');
    await noSeriousAxe();

    // An older entry: the sources were not kept, said clearly, no error.
    $<HTMLButtonElement>('.history-item[data-id="1"]').click();
    await flush();
    expect(document.querySelector('#history-trace')).toBeNull();
    $<HTMLButtonElement>('#history-trace-toggle').click();
    await flush();
    expect($('#history-trace-status').textContent).toBe(
      'Für dieses ältere Ergebnis wurden die Quellen nicht gespeichert; die Herkunft einzelner Sätze lässt sich nicht mehr zeigen.',
    );
    expect(document.querySelector('#history-trace-sentences')).toBeNull();
    expect(document.querySelector('[role="alert"]')).toBeNull();
    expect($('#history-trace-inputs').textContent).toContain('(nicht gespeichert)');
  });

  it('reloads when the shell reports a saved result', async () => {
    const s = fakeStore();
    component = mount(HistoryPanel, { target: $('#app'), props: { api: s.api } });
    await flush();
    expect(document.querySelectorAll('.history-item')).toHaveLength(2);
    s.add({ id: 3, created_at: 1_700_000_200, task: 'free_text', title: 'Neu gespeichert', model_name: 'Gemma' });
    s.changed();
    await flush();
    expect(document.querySelector('.history-title')?.textContent).toBe('Neu gespeichert');
  });
  it('subscribes to the shell before it loads the list', async () => {
    const s = fakeStore();
    const order: string[] = [];
    const subscribe = s.api.onHistoryChanged;
    const list = s.api.historyList;
    s.api.onHistoryChanged = (h) => {
      order.push('subscribe');
      return subscribe(h);
    };
    s.api.historyList = (limit) => {
      order.push('list');
      return list(limit);
    };
    component = mount(HistoryPanel, { target: $('#app'), props: { api: s.api } });
    await flush();
    expect(order).toEqual(['subscribe', 'list']);
    expect(document.querySelectorAll('.history-item')).toHaveLength(2);
  });
});

describe('PrivacySettings', () => {
  it('saves settings and shows IT-locked ones read-only', async () => {
    const s = fakeStore();
    component = mount(PrivacySettings, { target: $('#app'), props: { api: s.api } });
    await flush();
    expect($('#store-status').textContent).toContain('verschlüsselt gespeichert: /home/a/schreibstube.db');
    const days = $<HTMLInputElement>('#retention-days');
    expect(days.value).toBe('30');
    expect(days.disabled).toBe(false);
    days.value = '0';
    days.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    expect($<HTMLButtonElement>('#settings-save').disabled).toBe(true);
    expect($('#retention-invalid').textContent).toContain('zwischen 1 und 3650');
    days.value = '7';
    days.dispatchEvent(new Event('input', { bubbles: true }));
    const clerk = $<HTMLInputElement>('#sender-clerk');
    expect($('label[for="sender-clerk"]').textContent).toBe('Sachbearbeitung');
    clerk.value = '  Frau Beispiel ';
    clerk.dispatchEvent(new Event('input', { bubbles: true }));
    flushSync();
    $<HTMLFormElement>('.privacy-form').dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await flush();
    expect(s.calls).toHaveLength(1);
    const saved = JSON.parse(s.calls[0].slice('set:'.length)) as UserSettings;
    expect(saved.retention_days).toBe(7);
    expect(saved.keep_history).toBe(true);
    expect(saved.sender.clerk).toBe('Frau Beispiel');
    expect(saved.sender.authority).toBeNull();
    expect($<HTMLInputElement>('#sender-clerk').value).toBe('Frau Beispiel');
    expect($('#privacy-notice').textContent).toBe('Einstellungen gespeichert.');
    await noSeriousAxe();

    unmount(component);
    document.body.innerHTML = '<main id="app"></main>';
    component = mount(PrivacySettings, { target: $('#app'), props: { api: fakeStore({ locked: true }).api } });
    await flush();
    expect($<HTMLInputElement>('#retention-days').disabled).toBe(true);
    expect($<HTMLInputElement>('#retention-days').value).toBe('14');
    expect($('#retention-locked').textContent).toBe('Von der IT festgelegt');
    expect($('#retention-days').getAttribute('aria-describedby')).toBe('retention-locked');
    expect($<HTMLInputElement>('#sender-authority').disabled).toBe(true);
    expect($<HTMLInputElement>('#sender-authority').value).toBe('Stadt Musterstadt');
    expect($('#sender-authority-locked').textContent).toBe('Von der IT festgelegt');
    expect($<HTMLInputElement>('#sender-office').disabled).toBe(false);
    await noSeriousAxe();
  });

  it('keeps unsaved edits when the shell reports a change; an untouched form is reloaded', async () => {
    const s = fakeStore();
    let settingsReads = 0;
    const settingsGet = s.api.settingsGet;
    s.api.settingsGet = () => {
      settingsReads++;
      return settingsGet();
    };
    component = mount(PrivacySettings, { target: $('#app'), props: { api: s.api } });
    await flush();
    expect(settingsReads).toBe(1);
    const days = $<HTMLInputElement>('#retention-days');
    days.value = '45';
    days.dispatchEvent(new Event('input', { bubbles: true }));
    const clerk = $<HTMLInputElement>('#sender-clerk');
    clerk.value = 'Frau Beisp';
    clerk.dispatchEvent(new Event('input', { bubbles: true }));
    $<HTMLInputElement>('#keep-history').click();
    flushSync();

    // A saved answer elsewhere: the half-typed settings stay.
    s.changed();
    await flush();
    expect($<HTMLInputElement>('#retention-days').value).toBe('45');
    expect($<HTMLInputElement>('#sender-clerk').value).toBe('Frau Beisp');
    expect($<HTMLInputElement>('#keep-history').checked).toBe(false);
    expect(settingsReads).toBe(1);

    // Once saved, the form is clean again and follows the settings.
    $<HTMLFormElement>('.privacy-form').dispatchEvent(new SubmitEvent('submit', { cancelable: true }));
    await flush();
    expect(s.calls).toHaveLength(1);
    s.changed();
    await flush();
    expect(settingsReads).toBe(2);
    expect($<HTMLInputElement>('#retention-days').value).toBe('45');
    expect($<HTMLInputElement>('#sender-clerk').value).toBe('Frau Beisp');
  });

  it('subscribes before it loads and shows the store once the shell says it has opened', async () => {
    const s = fakeStore();
    const order: string[] = [];
    let opened = false;
    const subscribe = s.api.onHistoryChanged;
    s.api.onHistoryChanged = (h) => {
      order.push('subscribe');
      return subscribe(h);
    };
    s.api.storeStatus = async () => {
      order.push('status');
      return opened
        ? { phase: 'open', state: 'ready', db_path: '/home/a/schreibstube.db', can_start_fresh: false }
        : { phase: 'opening' };
    };
    component = mount(PrivacySettings, { target: $('#app'), props: { api: s.api } });
    await flush();
    expect(order).toEqual(['subscribe', 'status']);
    expect($('#store-status').dataset.state).toBe('opening');
    expect(document.querySelector('.privacy-form')).toBeNull();

    opened = true;
    s.changed();
    await flush();
    expect($('#store-status').textContent).toContain('/home/a/schreibstube.db');
    expect($<HTMLInputElement>('#retention-days').value).toBe('30');
  });

  it('deletes all data only after an explicit confirmation and exports to a shown path', async () => {
    const s = fakeStore();
    component = mount(PrivacySettings, { target: $('#app'), props: { api: s.api } });
    await flush();
    $<HTMLButtonElement>('#data-export').click();
    await flush();
    expect($('#privacy-notice').textContent).toBe('Export gespeichert unter /home/a/Downloads/export.zip');
    $<HTMLButtonElement>('#data-delete').click();
    flushSync();
    expect($('#confirm-warning').textContent).toContain('endgültig gelöscht');
    expect($<HTMLButtonElement>('#confirm-go').disabled).toBe(true);
    $<HTMLButtonElement>('#confirm-go').click();
    await flush();
    expect(s.calls).toEqual([]);
    $<HTMLInputElement>('#confirm-check').click();
    flushSync();
    $<HTMLButtonElement>('#confirm-go').click();
    await flush();
    expect(s.calls).toEqual(['delete_all:true']);
    expect($('#privacy-notice').textContent).toBe('Alle Daten wurden gelöscht.');
  });

  it('shows an unavailable store and offers to start fresh after a lost key', async () => {
    const s = fakeStore({
      status: {
        phase: 'open',
        state: 'unavailable',
        db_path: '/home/a/schreibstube.db',
        can_start_fresh: true,
        error: { code: 'store_key_missing', message_de: 'Der Schlüssel fehlt.', message_en: 'The key is missing.' },
      },
    });
    component = mount(PrivacySettings, { target: $('#app'), props: { api: s.api } });
    await flush();
    expect($('#store-status').dataset.state).toBe('unavailable');
    expect($('#store-status').textContent).toContain('nicht verfügbar: Der Schlüssel fehlt.');
    expect($<HTMLButtonElement>('#data-export').disabled).toBe(true);
    $<HTMLButtonElement>('#store-fresh').click();
    flushSync();
    expect($('#confirm-warning').textContent).toContain('aufbewahrt (nicht gelöscht)');
    $<HTMLInputElement>('#confirm-check').click();
    flushSync();
    $<HTMLButtonElement>('#confirm-go').click();
    await flush();
    expect(s.calls).toEqual(['fresh:true']);
    expect($('#privacy-notice').textContent).toContain('schreibstube.db.unreadable-2026-11-26');
  });
});
