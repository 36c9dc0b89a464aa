// A long task in the shell (a summary, an explanation): started with a Channel of events,
// stopped with `cancel`. Subclasses say how their events change their state.
import type { Backend } from './backend';
import { normalizeError } from './errors';
import type { AppError } from './types';

export type TaskPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

export interface TaskState<R> {
  phase: TaskPhase;
  requestId: number | null;
  stopping: boolean;
  result: R | null;
  error: AppError | null;
}

export abstract class TaskRun<R, S extends TaskState<R>> {
  private state: S;

  constructor(
    protected readonly backend: Backend,
    private readonly initial: S,
    private readonly onState: (s: S) => void,
  ) {
    this.state = initial;
  }

  protected current(): S {
    return this.state;
  }

  protected set(patch: Partial<S>): void {
    this.state = { ...this.state, ...patch };
    this.onState(this.state);
  }

  /** Runs `call` (which starts the task and resolves with its request id) unless one runs. */
  protected async run(call: () => Promise<number>): Promise<void> {
    if (this.state.phase === 'running') return;
    this.set({ ...this.initial, phase: 'running' });
    try {
      const id = await call();
      // Events may have ended the run before the id arrived.
      const now = this.current();
      if (now.phase === 'running') this.set({ requestId: id } as Partial<S>);
      if (now.phase === 'running' && now.stopping) await this.backend.cancel(id);
    } catch (e) {
      this.set({ phase: 'error', error: normalizeError(e) } as Partial<S>);
    }
  }

  async stop(): Promise<void> {
    if (this.state.phase !== 'running' || this.state.stopping) return;
    this.set({ stopping: true } as Partial<S>);
    if (this.state.requestId !== null) {
      try {
        await this.backend.cancel(this.state.requestId);
      } catch {
        // It may have ended meanwhile; its last event decides the state.
      }
    }
  }

  /** The last event: the result (a stopped run's partial result too) or an error. */
  protected finish(result: R, cancelled: boolean): void {
    this.set({ phase: cancelled ? 'cancelled' : 'done', result, stopping: false, requestId: null } as Partial<S>);
  }

  protected fail(error: AppError): void {
    this.set({ phase: 'error', error, stopping: false, requestId: null } as Partial<S>);
  }
}
