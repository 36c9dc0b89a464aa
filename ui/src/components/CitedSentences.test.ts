// @vitest-environment jsdom
// The parts every result screen shares: its sentences with their sources (clickable citations or
// plain text), and the "Wie ist das entstanden?" box with the model.
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import CitedSentences from './CitedSentences.svelte';
import Provenance from './Provenance.svelte';
import { setLang } from '../lib/locale.svelte';
import type { CitedSentence, Position, Unsupported } from '../lib/types';

const pos = (paragraph: number): Position => ({ file: 'akte.pdf', file_sha256: 'ab', page: 2, paragraph, attachment: null, sheet: null, row: null });

const sentences: CitedSentence[] = [
  { text: 'Die Gebühr beträgt 80 €.', sources: [pos(1), pos(4)], supported: true },
  { text: 'Zu zahlen bis 20.03.2025.', sources: [], supported: false },
];
const unsupported: Unsupported[] = [{ text: '20.03.2025', kind: 'frist', sentence: 1 }];

const $ = <T extends Element = HTMLElement>(sel: string) => {
  const el = document.querySelector<T>(sel);
  if (!el) throw new Error(`missing ${sel}`);
  return el;
};

let component: ReturnType<typeof mount> | null = null;

beforeEach(() => {
  setLang('de');
  document.body.innerHTML = '<main id="app"></main>';
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
});

describe('CitedSentences', () => {
  it('with onopen: a list of sentences whose sources are citations that open the passage', () => {
    const opened: Position[] = [];
    component = mount(CitedSentences, { target: $('#app'), props: { sentences, unsupported, onopen: (p: Position) => opened.push(p), id: 'x-sentences' } });
    flushSync();
    const list = $('#x-sentences');
    expect(list.tagName).toBe('UL');
    expect(list.className).toBe('sentences');
    const items = [...list.querySelectorAll(':scope > li')];
    expect(items.map((li) => li.getAttribute('data-supported'))).toEqual(['true', 'false']);
    const cites = [...items[0].querySelectorAll<HTMLButtonElement>('button.cite')];
    expect(cites.map((c) => c.textContent)).toEqual(['S. 2', 'S. 2']);
    expect(items[0].querySelector('.no-source')).toBeNull();
    expect(items[0].querySelector('mark')).toBeNull();
    cites[1].click();
    expect(opened).toEqual([pos(4)]);
    // The flagged date is marked, and said in words.
    const mark = items[1].querySelector('mark.flag');
    expect(mark?.firstChild?.textContent).toBe('20.03.2025');
    expect(mark?.querySelector('.visually-hidden')?.textContent?.trim()).toBe('(nicht in den Quellen gefunden)');
    expect(items[1].querySelector('.no-source')?.textContent).toBe('(keine Quelle gefunden)');
    expect(items[1].querySelector('.cite')).toBeNull();
    expect(document.querySelector('cite')).toBeNull();
  });

  it('without onopen: an ordered list naming the sources as plain text', () => {
    component = mount(CitedSentences, { target: $('#app'), props: { sentences, unsupported, ordered: true } });
    flushSync();
    const list = $('.sentences');
    expect(list.tagName).toBe('OL');
    expect(list.hasAttribute('id')).toBe(false);
    const items = [...list.querySelectorAll(':scope > li')];
    expect(items[0].querySelector('.trace-sources')?.textContent).toMatch(/^Quellen: /);
    expect([...items[0].querySelectorAll('cite.trace-source')].map((c) => c.textContent)).toEqual([
      'akte.pdf, Seite 2, Absatz 1',
      'akte.pdf, Seite 2, Absatz 4',
    ]);
    expect(document.querySelector('button')).toBeNull();
    expect(items[1].querySelector('.trace-sources')).toBeNull();
    expect(items[1].querySelector('.no-source')?.textContent).toBe('(keine Quelle gefunden)');
    expect(items[1].querySelector('mark.flag')?.getAttribute('title')).toBe('nicht in den Quellen gefunden');
  });
});

describe('Provenance', () => {
  it('names the model and its hash before the task’s own facts', () => {
    const children = createRawSnippet(() => ({ render: () => '<div><dt>Eingabe</dt><dd>akte.pdf</dd></div>' }));
    component = mount(Provenance, { target: $('#app'), props: { id: 'x-provenance', model: { name: 'Gemma', file: 'g.gguf', sha256: 'a5'.repeat(32) }, children } });
    flushSync();
    const box = $<HTMLDetailsElement>('details.provenance#x-provenance');
    expect(box.querySelector('summary')?.textContent).toBe('Wie ist das entstanden?');
    expect([...box.querySelectorAll('dl.model-facts dt')].map((d) => d.textContent)).toEqual(['Sprachmodell', 'sha256', 'Eingabe']);
    expect([...box.querySelectorAll('dl.model-facts dd')].map((d) => d.textContent)).toEqual(['Gemma', 'a5'.repeat(32), 'akte.pdf']);
    expect(box.querySelector('dd.mono')?.textContent).toBe('a5'.repeat(32));
  });
});
