import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BreakerStateName } from '../metrics.js';
import { CircuitOpenError, createBackendBreaker } from './breaker.js';

const ok = () => Promise.resolve();
const fail = () => Promise.reject(new Error('service answered 500'));

function breaker(failures = 3, halfOpenAfterMs = 100) {
  const transitions: BreakerStateName[] = [];
  const b = createBackendBreaker({ backend: 'users', failures, halfOpenAfterMs, onStateChange: (_backend, state) => transitions.push(state) });
  return { b, transitions };
}

describe('createBackendBreaker', () => {
  // cockatiel times the open circuit with Date.now(): a fake Date moves only when a test says so, so "the delay has
  // passed" and "not yet" are exact, whatever the machine's load (timers and promises stay real).
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens after N consecutive failures and then refuses without calling the backend', async () => {
    const { b, transitions } = breaker(3);
    for (let i = 0; i < 3; i++) await expect(b.run(fail)).rejects.toThrow('service answered 500');
    expect(b.state()).toBe('open');
    expect(transitions).toEqual(['open']);
    let called = false;
    await expect(
      b.run(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
  });

  it('counts consecutive failures only: a success in between resets the count', async () => {
    const { b } = breaker(3);
    await expect(b.run(fail)).rejects.toThrow();
    await expect(b.run(fail)).rejects.toThrow();
    await b.run(ok);
    await expect(b.run(fail)).rejects.toThrow();
    await expect(b.run(fail)).rejects.toThrow();
    expect(b.state()).toBe('closed');
  });

  it('stays open until the delay has passed, then lets one trial through: success closes the circuit', async () => {
    const { b, transitions } = breaker(1, 50);
    await expect(b.run(fail)).rejects.toThrow();
    vi.advanceTimersByTime(49);
    await expect(b.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(b.state()).toBe('open');
    vi.advanceTimersByTime(1);
    await b.run(ok);
    expect(b.state()).toBe('closed');
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the trial fails, for another full delay', async () => {
    const { b, transitions } = breaker(1, 50);
    await expect(b.run(fail)).rejects.toThrow();
    vi.advanceTimersByTime(50);
    await expect(b.run(fail)).rejects.toThrow('service answered 500');
    expect(b.state()).toBe('open');
    expect(transitions).toEqual(['open', 'half-open', 'open']);
    vi.advanceTimersByTime(49);
    await expect(b.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    vi.advanceTimersByTime(1);
    await b.run(ok);
    expect(b.state()).toBe('closed');
  });

  it('does not queue reads behind a trial in flight: they are refused at once', async () => {
    const { b } = breaker(1, 20);
    await expect(b.run(fail)).rejects.toThrow();
    vi.advanceTimersByTime(20);
    let finishTrial!: () => void;
    const trial = b.run(() => new Promise<void>((resolve) => (finishTrial = resolve)));
    expect(b.state()).toBe('half-open');
    await expect(b.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    finishTrial();
    await trial;
    expect(b.state()).toBe('closed');
  });
});
