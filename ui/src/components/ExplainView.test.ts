// @vitest-environment jsdom
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ExplainView from './ExplainView.svelte';
import type { Backend, StoreBackend } from '../lib/backend';
import { setLang } from '../lib/locale.svelte';
import { akteStubs } from '../lib/testing';
import type { HistoryItem } from '../lib/types';

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

const unused = () => Promise.reject(new Error('not used'));
const backend: Backend = { ...akteStubs, appInfo: unused, modelStatus: unused, onModelStatus: unused, generate: unused, cancel: unused };

function store(items: HistoryItem[], calls: string[]): StoreBackend {
  const no = () => Promise.reject(new Error('not used'));
  return {
    storeStatus: no,
    historyList: async () => items,
    historySearch: no,
    historyGet: no,
    historyDelete: no,
    historyTrace: no,
    historyAsDocument: async (id) => {
      calls.push(`as_document:${id}`);
      return {
        status: 'added',
        document: { id: 7, file_name: `Ergebnis-${id}.txt`, sha256: 'c0', detected_type: 'txt', pages: null, blocks: 3, attachments: 0, warnings: [] },
      };
    },
    settingsGet: no,
    settingsSet: no,
    dataExport: no,
    dataDeleteAll: no,
    auditExport: no,
    storeStartFresh: no,
    onHistoryChanged: async () => () => {},
  };
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

describe('ExplainView: Früheres Ergebnis', () => {
  it('lists recent history entries and makes the chosen one the document to explain', async () => {
    const calls: string[] = [];
    const items: HistoryItem[] = [
      { id: 4, created_at: 1_700_000_100, task: 'summary', title: 'Zusammenfassung: akte.pdf', model_name: 'Gemma' },
      { id: 2, created_at: 1_700_000_000, task: 'draft', title: 'Antwort an Frau Beispiel', model_name: 'Gemma' },
    ];
    component = mount(ExplainView, { target: $('#app'), props: { backend, store: store(items, calls), modelReady: true, onback: () => {} } });
    await flush();
    expect($('label[for="explain-earlier"]').textContent).toBe('Früheres Ergebnis');
    const select = $<HTMLSelectElement>('#explain-earlier');
    const options = [...select.options].map((o) => o.textContent ?? '');
    expect(options).toHaveLength(3);
    expect(options[1]).toMatch(/^Zusammenfassung: akte\.pdf · Zusammenfassung · /);
    expect(options[2]).toMatch(/^Antwort an Frau Beispiel · Briefentwurf · /);
    expect($<HTMLButtonElement>('#explain-earlier-use').disabled).toBe(true);

    select.value = '2';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    flushSync();
    $<HTMLButtonElement>('#explain-earlier-use').click();
    await flush();
    expect(calls).toEqual(['as_document:2']);
    expect($('#explain-doc').textContent?.trim()).toBe('Ausgewählt: Ergebnis-2.txt (TXT)');
    expect($<HTMLButtonElement>('#explain-start').disabled).toBe(false);
  });

  it('says so when the history is empty', async () => {
    component = mount(ExplainView, { target: $('#app'), props: { backend, store: store([], []), modelReady: true, onback: () => {} } });
    await flush();
    expect($('#explain-earlier-empty').textContent).toBe('Im Verlauf sind noch keine Ergebnisse.');
  });
});
