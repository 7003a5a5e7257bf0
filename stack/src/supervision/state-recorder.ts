import type { ProgressEvent, Reporter } from '../orchestrator.js';
import { writeSupervisionState, type SupervisedComponent, type SupervisionState } from './supervision-state.js';

export function initialSupervisionState(launcherPid: number, now: Date): SupervisionState {
  return { version: 1, launcherPid, stack: 'starting', updatedAt: now.toISOString(), components: [] };
}

function change(state: SupervisionState, name: string, now: Date, update: (component: SupervisedComponent) => Partial<SupervisedComponent>): SupervisionState {
  if (!state.components.some((c) => c.name === name)) return state;
  return { ...state, updatedAt: now.toISOString(), components: state.components.map((c) => (c.name === name ? { ...c, ...update(c) } : c)) };
}

/** The state after one progress event (the same object when the event changes nothing): pure. */
export function applyProgressEvent(state: SupervisionState, event: ProgressEvent, now: Date): SupervisionState {
  const at = now.toISOString();
  switch (event.type) {
    case 'ready': {
      if (event.pid === undefined) return state;
      const component: SupervisedComponent = { name: event.name, pid: event.pid, state: 'running', restarts: 0, healthySince: at, lastExit: null, lastRestartMs: null };
      return { ...state, updatedAt: at, components: [...state.components.filter((c) => c.name !== event.name), component] };
    }
    case 'exited':
      return change(state, event.name, now, () => ({ state: event.restart ? 'restarting' : 'failed', lastExit: { code: event.code, at } }));
    case 'restart-failed':
      return change(state, event.name, now, () => ({ state: event.restart ? 'restarting' : 'failed', restarts: event.attempt }));
    case 'restarted':
      // pid, restarts and the recovery time change together, once the new process is healthy.
      return change(state, event.name, now, () => ({ pid: event.pid, state: 'running', restarts: event.restarts, healthySince: at, lastRestartMs: event.ms }));
    case 'failed':
      return change(state, event.name, now, () => ({ state: 'failed' }));
    case 'stopped':
      return change(state, event.name, now, () => ({ state: 'stopped' }));
    default:
      return state;
  }
}

/** The launcher is done: whatever it ran is gone. */
export function finalSupervisionState(state: SupervisionState, now: Date): SupervisionState {
  return { ...state, stack: 'stopped', updatedAt: now.toISOString(), components: state.components.map((c) => (c.state === 'failed' ? c : { ...c, state: 'stopped' })) };
}

/**
 * Keeps `<STACK_DIR>/supervision.json` in step with the orchestrator's events (a Reporter beside the display),
 * rewriting it on every change.
 */
export class SupervisionStateFile implements Reporter {
  private state: SupervisionState;
  private warned = false;

  constructor(
    private readonly stackDir: string,
    private readonly onWriteError: (error: unknown) => void,
    launcherPid = process.pid,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.state = initialSupervisionState(launcherPid, clock());
    this.write();
  }

  update(event: ProgressEvent): void {
    this.set(applyProgressEvent(this.state, event, this.clock()));
  }

  stack(phase: SupervisionState['stack']): void {
    this.set({ ...this.state, stack: phase, updatedAt: this.clock().toISOString() });
  }

  close(): void {
    this.set(finalSupervisionState(this.state, this.clock()));
  }

  private set(next: SupervisionState): void {
    if (next === this.state) return;
    this.state = next;
    this.write();
  }

  private write(): void {
    try {
      writeSupervisionState(this.stackDir, this.state);
    } catch (error) {
      // A full disk must not take the stack down: said once, then the file is left as it is.
      if (!this.warned) this.onWriteError(error);
      this.warned = true;
    }
  }
}
