import { describe, expect, it } from 'vitest';
import type { Backend } from './backend';
import { TaskDocument } from './taskdocument.svelte';
import { akteStubs } from './testing';
import type { AddResult, DocumentFull, DocumentInfo, Position } from './types';

const info = (id: number): DocumentInfo => ({
  id,
  file_name: `datei-${id}.txt`,
  sha256: `s${id}`,
  detected_type: 'txt',
  pages: null,
  blocks: 2,
  attachments: 0,
  warnings: [],
});

const added = (id: number) => async (): Promise<AddResult> => ({ status: 'added', document: info(id) });

const full = (id: number): DocumentFull => ({
  source: { file_name: `datei-${id}.txt`, sha256: `s${id}`, detected_type: 'txt', size_bytes: 1 },
  blocks: [],
  warnings: [],
});

const at = (paragraph: number): Position => ({ file: 'datei.txt', file_sha256: 's', page: null, paragraph, attachment: null, sheet: null, row: null });

/** A fake shell that records removeDocument/getDocument; `failGet` makes the next fetches fail. */
function fake() {
  const calls: string[] = [];
  let failGet = 0;
  const unused = () => Promise.reject(new Error('not used'));
  const api: Backend = {
    ...akteStubs,
    appInfo: unused,
    modelStatus: unused,
    onModelStatus: unused,
    generate: unused,
    cancel: unused,
    removeDocument: async (id) => {
      calls.push(`remove:${id}`);
    },
    getDocument: async (id) => {
      calls.push(`get:${id}`);
      if (failGet > 0) {
        failGet--;
        throw { code: 'invalid_parameter', message_de: 'Dokument ist nicht geöffnet', message_en: 'Document is not open' };
      }
      return full(id);
    },
  };
  return { api, calls, failNextGet: () => failGet++ };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('TaskDocument', () => {
  it('frees the document it replaces, but not on a refused read or the same document', async () => {
    const f = fake();
    const d = new TaskDocument(f.api);
    await d.take(added(1));
    expect(d.doc?.id).toBe(1);
    expect(f.calls).toEqual([]);
    await d.take(added(2));
    expect(d.doc?.id).toBe(2);
    expect(f.calls).toEqual(['remove:1']);
    await d.take(async () => ({ status: 'failed', file_name: 'kaputt.pdf', error: { code: 'x', message_de: 'kaputt', message_en: 'broken' } }));
    expect(d.doc?.id).toBe(2);
    expect(d.error?.message_de).toBe('kaputt');
    await d.take(added(2));
    expect(f.calls).toEqual(['remove:1']);
  });

  it('frees on clear and on dispose, and a read finishing after dispose too', async () => {
    const f = fake();
    const d = new TaskDocument(f.api);
    await d.take(added(1));
    d.clear();
    expect(d.doc).toBeNull();
    expect(f.calls).toEqual(['remove:1']);
    d.clear();
    expect(f.calls).toEqual(['remove:1']);

    await d.take(added(2));
    let finish: (r: AddResult) => void = () => {};
    const pending = d.take(() => new Promise<AddResult>((r) => (finish = r)));
    d.dispose();
    expect(f.calls).toEqual(['remove:1', 'remove:2']);
    finish({ status: 'added', document: info(3) });
    await pending;
    expect(d.doc).toBeNull();
    expect(f.calls).toEqual(['remove:1', 'remove:2', 'remove:3']);
    await d.take(added(4));
    expect(d.doc).toBeNull();
  });

  it('fetches the cited document once and again only for a new one', async () => {
    const f = fake();
    const d = new TaskDocument(f.api);
    await d.cite(at(1));
    expect(f.calls).toEqual([]);
    await d.take(added(1));
    await Promise.all([d.cite(at(1)), d.cite(at(2))]);
    await d.cite(at(3));
    expect(f.calls).toEqual(['get:1']);
    expect(d.shown).toEqual(full(1));
    expect(d.highlight).toEqual(at(3));
    await d.take(added(2));
    expect(d.shown).toBeNull();
    await d.cite(at(4));
    expect(f.calls).toEqual(['get:1', 'remove:1', 'get:2']);
    expect(d.shown).toEqual(full(2));
  });

  it('turns a failed fetch into the error and tries again on the next citation', async () => {
    const f = fake();
    const d = new TaskDocument(f.api);
    await d.take(added(1));
    f.failNextGet();
    await expect(d.cite(at(1))).resolves.toBeUndefined();
    expect(d.error?.message_de).toBe('Dokument ist nicht geöffnet');
    expect(d.shown).toBeNull();
    await d.cite(at(2));
    expect(d.error).toBeNull();
    expect(d.shown).toEqual(full(1));
    expect(d.highlight).toEqual(at(2));
    expect(f.calls).toEqual(['get:1', 'get:1']);
  });

  it('does not show a document that was replaced while it was fetched', async () => {
    const f = fake();
    const d = new TaskDocument(f.api);
    await d.take(added(1));
    const citing = d.cite(at(1));
    await d.take(added(2));
    await citing;
    await settle();
    expect(d.doc?.id).toBe(2);
    expect(d.shown).toBeNull();
    expect(d.highlight).toBeNull();
  });
});
