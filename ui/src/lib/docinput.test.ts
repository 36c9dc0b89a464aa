import { describe, expect, it } from 'vitest';
import { readOne, takePasted } from './docinput';
import type { Backend } from './backend';
import type { AddResult } from './types';

const info = { id: 7, file_name: 'a.txt', sha256: 'ab', detected_type: 'TXT', pages: 1, blocks: 1, attachments: [], warnings: [] };

describe('readOne', () => {
  it('gives the document, a refusal or a failed call as an error', async () => {
    expect(await readOne(async () => ({ status: 'added', document: info }) as unknown as AddResult)).toEqual({ doc: info, error: null });
    const refused = { code: 'unsupported', message_de: 'Nicht lesbar.', message_en: 'Unreadable.' };
    expect(await readOne(async () => ({ status: 'failed', file_name: 'x.doc', error: refused }) as AddResult)).toEqual({ doc: null, error: refused });
    const failed = await readOne(async () => {
      throw { code: 'io', message_de: 'Fehler.', message_en: 'Error.' };
    });
    expect(failed.doc).toBeNull();
    expect(failed.error?.code).toBe('io');
  });
});

describe('takePasted', () => {
  it('sends trimmed text under the given name, nothing for blank text', async () => {
    const sent: [string, string][] = [];
    const api = {
      addDocumentBytes: async (name: string, bytes: Uint8Array) => {
        sent.push([name, new TextDecoder().decode(bytes)]);
        return { status: 'added', document: info } as unknown as AddResult;
      },
    } as unknown as Backend;
    expect(takePasted('   \n', 'Eingangsschreiben.txt', api)).toBeNull();
    await takePasted('  Sehr geehrte Damen und Herren,\n', 'Eingangsschreiben.txt', api)!();
    expect(sent).toEqual([['Eingangsschreiben.txt', 'Sehr geehrte Damen und Herren,']]);
  });
});
