// Decides what a key press means; the component only carries the decision out.

export interface KeyInfo {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  /** true while an input method (IME) is composing text */
  isComposing?: boolean;
  /** true when the key went to the prompt textarea */
  inPrompt: boolean;
}

export interface KeyContext {
  streaming: boolean;
  /** a stop was already requested for the running generation */
  stopping: boolean;
  canSend: boolean;
}

export type Shortcut = 'send' | 'stop' | null;

/**
 * - Ctrl+Enter (⌘+Enter on macOS) in the prompt sends, if sending is possible.
 * - Esc anywhere stops a running generation.
 * Everything else (and anything during IME composition) is left to the browser.
 */
export function decideShortcut(k: KeyInfo, ctx: KeyContext): Shortcut {
  if (k.isComposing) return null;
  if (k.key === 'Escape') {
    if (k.ctrlKey || k.metaKey || k.altKey || k.shiftKey) return null;
    return ctx.streaming && !ctx.stopping ? 'stop' : null;
  }
  if (k.key === 'Enter' && k.inPrompt && (k.ctrlKey || k.metaKey) && !k.altKey && !k.shiftKey) {
    return ctx.canSend ? 'send' : null;
  }
  return null;
}

/** Esc on a task screen (Akte, Erklären, Brief) stops its running task, as it stops a free-text answer. */
export function escapeStopsTask(e: Pick<KeyboardEvent, 'key' | 'defaultPrevented' | 'preventDefault'>, running: boolean, stop: () => unknown): void {
  if (e.key === 'Escape' && running && !e.defaultPrevented) {
    e.preventDefault();
    void stop();
  }
}
