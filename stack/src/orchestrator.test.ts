import { describe, expect, it } from 'vitest';
import type { Component } from './component.js';
import { ComponentFailedError, Orchestrator, orderComponents, StackDefinitionError, StartInterruptedError, type ProgressEvent } from './orchestrator.js';
import type { ManagedProcess } from './processes.js';

type Ctx = Record<string, never>;

interface FakeOptions {
  dependsOn?: string[];
  /** A setup step: no process. */
  step?: boolean;
  healthy?: () => boolean;
  /** The start finishes only once this has resolved (another component's start began, say): order by signal. */
  startAfter?: () => Promise<unknown>;
  startError?: string;
  skipped?: boolean;
  /** Waits for the abort signal instead of finishing (a long seed). */
  hangUntilAborted?: boolean;
}

let nextPid = 4_000_000;

/** Polls a condition; the deadline is only a bound for a broken orchestrator, far above what a loaded machine needs. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A world of fake components recording what happens to them, in order. */
function world() {
  const log: string[] = [];
  const events: ProgressEvent[] = [];
  const processes = new Map<string, { process: ManagedProcess; exit(code: number | string): void }>();
  const sawAbort: string[] = [];
  /** Resolves once `name`'s start has begun. */
  const startBegan = (name: string) => until(() => log.includes(`start ${name}`), `${name} to start`);

  const fake = (name: string, options: FakeOptions = {}): Component<Ctx> => ({
    name,
    dependsOn: options.dependsOn,
    async start({ signal }) {
      log.push(`start ${name}`);
      if (options.startAfter) await options.startAfter();
      if (options.startError) throw new Error(options.startError);
      if (options.hangUntilAborted) {
        await new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort.push(name);
            reject(signal.reason);
          });
        });
      }
      if (options.step) return options.skipped ? { skipped: true, detail: 'nothing to do' } : { detail: 'did it' };
      let exit: (code: number | string) => void = () => {};
      const exited = new Promise<number | string>((resolve) => (exit = resolve));
      const process: ManagedProcess = { name, pid: nextPid++, logFile: `/nonexistent/${name}.log`, exited };
      processes.set(name, { process, exit });
      return process;
    },
    health: options.step ? undefined : { check: async () => options.healthy?.() ?? true, intervalMs: 10 },
    async stop(process) {
      log.push(`stop ${name}`);
      // The process is gone a moment after it is told to stop, not at once (no order is asserted on that moment).
      await new Promise((resolve) => setImmediate(resolve));
      processes.get(process.name)?.exit(0);
    },
  });

  const orchestrator = (components: Component<Ctx>[], healthTimeoutMs = 200) =>
    new Orchestrator<Ctx>(components, {}, { update: (event) => {
      events.push(event);
      if (event.type === 'ready' || event.type === 'done' || event.type === 'skipped' || event.type === 'restarted') log.push(`${event.type} ${event.name}`);
    } }, { healthTimeoutMs, stopGraceMs: 100, restart: { burst: 5, windowMs: 60_000, initialDelayMs: 5, maxDelayMs: 50, resetAfterMs: 60_000 } });

  return { log, events, processes, sawAbort, startBegan, fake, orchestrator };
}

describe('orderComponents', () => {
  const c = (name: string, dependsOn: string[] = []): Component<Ctx> => ({ name, dependsOn });

  it('puts every component after its dependencies and otherwise keeps the declaration order', () => {
    const ordered = orderComponents([c('legacy', ['seed']), c('seed', ['migrate']), c('tools'), c('migrate', ['mariadb']), c('mariadb')]);
    expect(ordered.map((x) => x.name)).toEqual(['mariadb', 'migrate', 'seed', 'legacy', 'tools']);
  });

  it('names an unknown dependency', () => {
    expect(() => orderComponents([c('legacy', ['mariadbx'])])).toThrow(new StackDefinitionError('component "legacy" depends on "mariadbx", which is not declared'));
  });

  it('names the cycle', () => {
    expect(() => orderComponents([c('a', ['c']), c('b', ['a']), c('c', ['b']), c('d')])).toThrow(/dependency cycle: a → c → b → a/);
    expect(() => orderComponents([c('self', ['self'])])).toThrow(/dependency cycle: self → self/);
  });

  it('rejects a name declared twice', () => {
    expect(() => orderComponents([c('a'), c('a')])).toThrow(/"a" is declared twice/);
  });
});

describe('Orchestrator', () => {
  it('starts each component only once its dependencies are up, and stops in reverse order', async () => {
    const w = world();
    const o = w.orchestrator([
      w.fake('legacy', { dependsOn: ['seed'] }),
      w.fake('seed', { dependsOn: ['migrate'], step: true }),
      w.fake('migrate', { dependsOn: ['mariadb'], step: true }),
      w.fake('mariadb'),
    ]);
    const started = await o.start();
    expect(w.log).toEqual(['start mariadb', 'ready mariadb', 'start migrate', 'done migrate', 'start seed', 'done seed', 'start legacy', 'ready legacy']);
    expect(started.map((s) => [s.name, s.outcome])).toEqual([
      ['mariadb', 'ready'],
      ['migrate', 'done'],
      ['seed', 'done'],
      ['legacy', 'ready'],
    ]);
    expect(started.filter((s) => s.process).map((s) => s.process?.pid)).toHaveLength(2);

    w.log.length = 0;
    await o.stop();
    expect(w.log).toEqual(['stop legacy', 'stop mariadb']);
    await o.stop(); // idempotent
    expect(w.log).toEqual(['stop legacy', 'stop mariadb']);
  });

  it('starts independent components side by side', async () => {
    const w = world();
    // slow's start finishes only once fast's has begun: started one after the other, this could not finish.
    const o = w.orchestrator([w.fake('db'), w.fake('slow', { dependsOn: ['db'], startAfter: () => w.startBegan('fast') }), w.fake('fast', { dependsOn: ['db'] })]);
    await o.start();
    // fast starts while slow is still starting; both only after db.
    expect(w.log.slice(0, 4)).toEqual(['start db', 'ready db', 'start slow', 'start fast']);
    w.log.length = 0;
    await o.stop();
    expect(w.log.indexOf('stop db')).toBe(2);
  });

  it('reports a step that had nothing to do as skipped', async () => {
    const w = world();
    await w.orchestrator([w.fake('seed', { step: true, skipped: true })]).start();
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'skipped', name: 'seed', detail: 'nothing to do' }));
  });

  it('when a health check never passes, stops what was already started (reverse order) and names the component', async () => {
    const w = world();
    const o = w.orchestrator(
      [w.fake('mariadb'), w.fake('migrate', { dependsOn: ['mariadb'], step: true }), w.fake('kafka', { dependsOn: ['mariadb'] }), w.fake('legacy', { dependsOn: ['migrate', 'kafka'], healthy: () => false }), w.fake('edge', { dependsOn: ['legacy'] })],
      100,
    );
    const error = await o.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentFailedError);
    expect((error as ComponentFailedError).component).toBe('legacy');
    expect((error as ComponentFailedError).reason).toMatch(/not healthy after 100 ms/);
    expect(w.log).not.toContain('start edge');
    // legacy's own process too, then the rest in reverse order of starting.
    const stops = w.log.filter((line) => line.startsWith('stop'));
    expect(stops[0]).toBe('stop legacy');
    expect(stops.at(-1)).toBe('stop mariadb');
    expect(new Set(stops)).toEqual(new Set(['stop legacy', 'stop kafka', 'stop mariadb']));
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'failed', name: 'legacy' }));
  });

  it('when a start throws, stops what was already started and interrupts steps in flight', async () => {
    const w = world();
    const o = w.orchestrator([
      w.fake('mariadb'),
      w.fake('seed', { dependsOn: ['mariadb'], step: true, hangUntilAborted: true }),
      // Fails only once seed is under way, so there is a step in flight to interrupt.
      w.fake('broken', { dependsOn: ['mariadb'], startAfter: () => w.startBegan('seed'), startError: 'config file missing' }),
    ]);
    const error = (await o.start().catch((e: unknown) => e)) as ComponentFailedError;
    expect(error).toBeInstanceOf(ComponentFailedError);
    expect(error.message).toBe('broken: config file missing');
    expect(w.sawAbort).toEqual(['seed']);
    expect(w.log.filter((line) => line.startsWith('stop'))).toEqual(['stop mariadb']);
  });

  it('fails the start when a process dies before its health check passes', async () => {
    const w = world();
    let checks = 0;
    const o = w.orchestrator([w.fake('legacy', { healthy: () => (checks++, false) })], 30_000);
    const starting = o.start().catch((e: unknown) => e);
    // Started, and its health check is being polled (and failing): now it dies.
    await until(() => checks > 0, 'the first health check');
    w.processes.get('legacy')?.exit(1);
    const error = (await starting) as ComponentFailedError;
    expect(error).toBeInstanceOf(ComponentFailedError);
    expect(error.reason).toBe('exited (1) before becoming healthy');
  });

  it('restarts a process that dies after start, leaves its dependants alone and keeps the stop order', async () => {
    const w = world();
    const o = w.orchestrator([w.fake('mariadb'), w.fake('legacy', { dependsOn: ['mariadb'] })]);
    await o.start();
    const before = o.processOf('mariadb')?.pid;
    const legacyPid = o.processOf('legacy')?.pid;
    w.log.length = 0;
    w.processes.get('mariadb')?.exit(137);
    await until(() => w.log.includes('restarted mariadb'), 'mariadb restarted');
    expect(w.log).toEqual(['start mariadb', 'restarted mariadb']);
    expect(w.events).toContainEqual(expect.objectContaining({ type: 'exited', name: 'mariadb', code: 137, pid: before, logFile: '/nonexistent/mariadb.log', restart: { attempt: 1, inMs: 5 } }));
    expect(o.processOf('mariadb')?.pid).not.toBe(before);
    expect(o.restartsOf('mariadb')).toBe(1);
    expect(o.processOf('legacy')?.pid).toBe(legacyPid);

    w.log.length = 0;
    await o.stop();
    expect(w.log).toEqual(['stop legacy', 'stop mariadb']);
  });

  it('does not restart a process that exits while the stack stops', async () => {
    const w = world();
    const o = w.orchestrator([w.fake('mariadb'), w.fake('legacy', { dependsOn: ['mariadb'] })]);
    await o.start();
    const stopping = o.stop();
    w.processes.get('mariadb')?.exit(1);
    await stopping;
    expect(w.log.filter((line) => line.startsWith('start'))).toEqual(['start mariadb', 'start legacy']);
    expect(w.events.some((e) => e.type === 'exited')).toBe(false);
  });

  it('stop() during start interrupts it and stops what had started', async () => {
    const w = world();
    const o = w.orchestrator([w.fake('mariadb'), w.fake('seed', { dependsOn: ['mariadb'], step: true, hangUntilAborted: true }), w.fake('legacy', { dependsOn: ['seed'] })]);
    const starting = o.start().catch((e: unknown) => e);
    await w.startBegan('seed');
    await o.stop();
    expect(await starting).toBeInstanceOf(StartInterruptedError);
    expect(w.sawAbort).toEqual(['seed']);
    expect(w.log).not.toContain('start legacy');
    expect(w.log.filter((line) => line.startsWith('stop'))).toEqual(['stop mariadb']);
    expect(w.events.some((e) => e.type === 'failed')).toBe(false);
  });
});
