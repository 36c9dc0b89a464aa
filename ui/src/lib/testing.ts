// Test helpers: the Akte part of a fake backend, for tests that do not use it.
import type { Backend } from './backend';

const unused = (name: string) => () => Promise.reject(new Error(`${name} is not used by this test`));

export const akteStubs: Pick<
  Backend,
  'addDocuments' | 'addDocumentBytes' | 'addSampleDocument' | 'removeDocument' | 'getDocument' | 'summarize' | 'exportSummary' | 'exportExplanation' | 'importModel' | 'explain' | 'onFileDrop'
  | 'templatesList' | 'draftPrefill' | 'draft' | 'draftRegenerate' | 'draftCheck' | 'exportLetter'
> = {
  addDocuments: unused('addDocuments'),
  addDocumentBytes: unused('addDocumentBytes'),
  addSampleDocument: unused('addSampleDocument'),
  removeDocument: unused('removeDocument'),
  getDocument: unused('getDocument'),
  summarize: unused('summarize'),
  exportSummary: unused('exportSummary'),
  exportExplanation: unused('exportExplanation'),
  importModel: unused('importModel'),
  explain: unused('explain'),
  onFileDrop: async () => () => {},
  templatesList: unused('templatesList'),
  draftPrefill: unused('draftPrefill'),
  draft: unused('draft'),
  draftRegenerate: unused('draftRegenerate'),
  draftCheck: unused('draftCheck'),
  exportLetter: unused('exportLetter'),
};
