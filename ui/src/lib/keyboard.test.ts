import { describe, expect, it } from 'vitest';
import { decideShortcut, escapeStopsTask, type KeyContext, type KeyInfo } from './keyboard';

const key = (over: Partial<KeyInfo>): KeyInfo => ({
  key: 'a',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  isComposing: false,
  inPrompt: true,
  ...over,
});
const idle: KeyContext = { streaming: false, stopping: false, canSend: true };
const running: KeyContext = { streaming: true, stopping: false, canSend: false };

describe('decideShortcut', () => {
  it('Ctrl+Enter in the prompt sends', () => {
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true }), idle)).toBe('send');
  });

  it('Cmd+Enter in the prompt sends too (macOS)', () => {
    expect(decideShortcut(key({ key: 'Enter', metaKey: true }), idle)).toBe('send');
  });

  it('plain Enter and Shift/Alt combinations insert text as usual', () => {
    expect(decideShortcut(key({ key: 'Enter' }), idle)).toBeNull();
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true, shiftKey: true }), idle)).toBeNull();
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true, altKey: true }), idle)).toBeNull();
  });

  it('Ctrl+Enter outside the prompt does nothing', () => {
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true, inPrompt: false }), idle)).toBeNull();
  });

  it('Ctrl+Enter does nothing when sending is not possible', () => {
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true }), { ...idle, canSend: false })).toBeNull();
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true }), running)).toBeNull();
  });

  it('Esc anywhere stops a running generation', () => {
    expect(decideShortcut(key({ key: 'Escape' }), running)).toBe('stop');
    expect(decideShortcut(key({ key: 'Escape', inPrompt: false }), running)).toBe('stop');
  });

  it('Esc does nothing when nothing runs or a stop is already under way', () => {
    expect(decideShortcut(key({ key: 'Escape' }), idle)).toBeNull();
    expect(decideShortcut(key({ key: 'Escape' }), { ...running, stopping: true })).toBeNull();
    expect(decideShortcut(key({ key: 'Escape', shiftKey: true }), running)).toBeNull();
  });

  it('ignores keys during IME composition', () => {
    expect(decideShortcut(key({ key: 'Enter', ctrlKey: true, isComposing: true }), idle)).toBeNull();
    expect(decideShortcut(key({ key: 'Escape', isComposing: true }), running)).toBeNull();
  });
});

describe('escapeStopsTask', () => {
  // What the handler reads of a KeyboardEvent (the unit tests run without a DOM).
  const press = (key: string, prevented = false) => {
    const e = { key, defaultPrevented: prevented, preventDefault: () => (e.defaultPrevented = true) };
    return e;
  };

  it('stops a running task on Esc and takes the key', () => {
    let stopped = 0;
    const e = press('Escape');
    escapeStopsTask(e, true, () => stopped++);
    expect(stopped).toBe(1);
    expect(e.defaultPrevented).toBe(true);
  });

  it('leaves other keys, idle screens and handled keys alone', () => {
    let stopped = 0;
    escapeStopsTask(press('Enter'), true, () => stopped++);
    escapeStopsTask(press('Escape'), false, () => stopped++);
    escapeStopsTask(press('Escape', true), true, () => stopped++);
    expect(stopped).toBe(0);
  });
});
