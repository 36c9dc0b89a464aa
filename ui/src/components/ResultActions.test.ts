// @vitest-environment jsdom
// Copy and export under a result, shared by the summary, explanation and letter screens.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ResultActions from './ResultActions.svelte';
import { setLang } from '../lib/locale.svelte';

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

let component: ReturnType<typeof mount> | null = null;
let clipboard: string[] = [];

beforeEach(() => {
  setLang('de');
  document.body.innerHTML = '<main id="app"></main>';
  clipboard = [];
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (text: string) => void clipboard.push(text) },
  });
});

afterEach(() => {
  if (component) unmount(component);
  component = null;
  setLang('de');
});

describe('ResultActions', () => {
  it('offers the given formats in order, with ids and test ids from the prefix', () => {
    component = mount(ResultActions, {
      target: $('#app'),
      props: { prefix: 'letter', formats: ['docx', 'odt', 'pdf'], copyLabel: 'letter.copy', text: () => 'x', save: async () => '/tmp/x' },
    });
    flushSync();
    const buttons = [...document.querySelectorAll<HTMLButtonElement>('.actions button')];
    expect(buttons.map((b) => [b.id, b.dataset.testid, b.textContent])).toEqual([
      ['letter-copy', 'letter-copy', 'Text kopieren'],
      ['letter-export-docx', 'letter-export-docx', 'Als DOCX speichern'],
      ['letter-export-odt', 'letter-export-odt', 'Als ODT speichern'],
      ['letter-export-pdf', 'letter-export-pdf', 'Als PDF speichern'],
    ]);
    expect(buttons.every((b) => !b.disabled)).toBe(true);
    expect($('#letter-export-status').getAttribute('role')).toBe('status');
  });

  it('the summary and explanation formats: DOCX, PDF, Markdown', () => {
    component = mount(ResultActions, {
      target: $('#app'),
      props: { prefix: 'akte', formats: ['docx', 'pdf', 'markdown'], text: () => 'x', save: async () => '/tmp/x' },
    });
    flushSync();
    expect([...document.querySelectorAll('.actions button')].map((b) => `${b.id}: ${b.textContent}`)).toEqual([
      'akte-copy: Als Text kopieren',
      'akte-export-docx: Als DOCX speichern',
      'akte-export-pdf: Als PDF speichern',
      'akte-export-md: Als Markdown speichern',
    ]);
  });

  it('is all off when told so', () => {
    component = mount(ResultActions, {
      target: $('#app'),
      props: { prefix: 'letter', formats: ['docx'], disabled: true, text: () => 'x', save: async () => '/tmp/x' },
    });
    flushSync();
    expect([...document.querySelectorAll<HTMLButtonElement>('.actions button')].map((b) => b.disabled)).toEqual([true, true]);
  });

  it('says what happened last, waits while saving, and shows a failure in the current language', async () => {
    const saves: string[] = [];
    let finish: (path: string) => void = () => {};
    let fail = false;
    component = mount(ResultActions, {
      target: $('#app'),
      props: {
        prefix: 'x',
        formats: ['docx', 'pdf', 'markdown'],
        text: () => 'Der Text',
        save: (format: string) => {
          saves.push(format);
          if (fail) return Promise.reject({ code: 'io', message_de: 'Speichern fehlgeschlagen', message_en: 'Saving failed' });
          return new Promise<string>((resolve) => (finish = resolve));
        },
      },
    });
    flushSync();
    const status = () => $('#x-export-status').textContent?.trim();

    $<HTMLButtonElement>('#x-copy').click();
    await flush();
    expect(clipboard).toEqual(['Der Text']);
    expect(status()).toBe('In die Zwischenablage kopiert.');

    $<HTMLButtonElement>('#x-export-pdf').click();
    flushSync();
    expect(saves).toEqual(['pdf']);
    expect(status()).toBe('');
    // While saving, the export buttons ignore clicks but stay focusable (not `disabled`).
    expect($<HTMLButtonElement>('#x-export-docx').getAttribute('aria-disabled')).toBe('true');
    expect($<HTMLButtonElement>('#x-export-docx').disabled).toBe(false);
    $<HTMLButtonElement>('#x-export-docx').click();
    flushSync();
    expect(saves).toEqual(['pdf']);
    expect($<HTMLButtonElement>('#x-copy').disabled).toBe(false);
    finish('/home/a/Ergebnis.pdf');
    await flush();
    expect($<HTMLButtonElement>('#x-export-docx').getAttribute('aria-disabled')).toBe('false');
    expect(status()).toBe('Gespeichert: /home/a/Ergebnis.pdf');

    $<HTMLButtonElement>('#x-copy').click();
    await flush();
    expect(status()).toBe('In die Zwischenablage kopiert.');

    fail = true;
    $<HTMLButtonElement>('#x-export-md').click();
    await flush();
    expect(saves).toEqual(['pdf', 'markdown']);
    expect(status()).toBe('');
    const error = $('#x-export-error');
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toBe('Speichern fehlgeschlagen');
    setLang('en');
    flushSync();
    expect($('#x-export-error').textContent).toBe('Saving failed');
  });
});
