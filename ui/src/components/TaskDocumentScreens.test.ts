// @vitest-environment jsdom
// The screens with one input document free it in the shell's session: the one they replace, the
// one removed, and the last one when the screen goes.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ExplainView from './ExplainView.svelte';
import LetterView from './LetterView.svelte';
import type { Backend } from '../lib/backend';
import { setLang } from '../lib/locale.svelte';
import { akteStubs } from '../lib/testing';

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

function fakeBackend() {
  const calls: string[] = [];
  let next = 0;
  const unused = () => Promise.reject(new Error('not used'));
  const backend: Backend = {
    ...akteStubs,
    appInfo: unused,
    modelStatus: unused,
    onModelStatus: unused,
    generate: unused,
    cancel: unused,
    templatesList: async () => [],
    addSampleDocument: async (which) => {
      const id = ++next;
      calls.push(`sample:${which}:${id}`);
      return {
        status: 'added',
        document: { id, file_name: `${which}-${id}.txt`, sha256: `s${id}`, detected_type: 'txt', pages: null, blocks: 2, attachments: 0, warnings: [] },
      };
    },
    removeDocument: async (id) => {
      calls.push(`remove:${id}`);
    },
  };
  return { backend, calls };
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

describe('documents of the task screens', () => {
  it('ExplainView frees the document it replaces and the last one when it goes', async () => {
    const f = fakeBackend();
    component = mount(ExplainView, { target: $('#app'), props: { backend: f.backend, store: null, modelReady: true, onback: () => {} } });
    await flush();
    $<HTMLButtonElement>('#explain-sample-budget').click();
    await flush();
    $<HTMLButtonElement>('#explain-sample-notice').click();
    await flush();
    expect($('#explain-doc').textContent?.trim()).toBe('Ausgewählt: bescheid-2.txt (TXT)');
    expect(f.calls).toEqual(['sample:haushalt:1', 'sample:bescheid:2', 'remove:1']);
    unmount(component);
    component = null;
    await flush();
    expect(f.calls).toEqual(['sample:haushalt:1', 'sample:bescheid:2', 'remove:1', 'remove:2']);
  });

  it('LetterView frees a removed document once, and the current one when it goes', async () => {
    const f = fakeBackend();
    component = mount(LetterView, { target: $('#app'), props: { backend: f.backend, modelReady: true, onback: () => {} } });
    await flush();
    $<HTMLButtonElement>('#letter-sample').click();
    await flush();
    $<HTMLButtonElement>('#letter-doc-remove').click();
    await flush();
    expect(document.querySelector('#letter-doc-remove')).toBeNull();
    expect(f.calls).toEqual(['sample:antrag:1', 'remove:1']);
    $<HTMLButtonElement>('#letter-sample').click();
    await flush();
    unmount(component);
    component = null;
    await flush();
    expect(f.calls).toEqual(['sample:antrag:1', 'remove:1', 'sample:antrag:2', 'remove:2']);
  });
});
