import { describe, expect, it } from 'vitest';
import { decideRestart, NO_FAILURES, recordFailure, recordRestart, type Failure, type RestartDecision, type RestartHistory, type RestartPolicy } from './restart-policy.js';

const POLICY: RestartPolicy = { burst: 5, windowMs: 60_000, initialDelayMs: 250, maxDelayMs: 10_000, resetAfterMs: 10_000 };

/**
 * Plays failures through the policy as the supervisor does: each failure is recorded, a decision taken at its time,
 * and a restart recorded when the decision is to restart. Returns every decision.
 */
function play(failures: Failure[], policy = POLICY): RestartDecision[] {
  let history: RestartHistory = NO_FAILURES;
  return failures.map((failure) => {
    history = recordFailure(history, failure, policy);
    const decision = decideRestart(history, failure.at, policy);
    if (decision.action === 'restart') history = recordRestart(history);
    return decision;
  });
}

const delays = (decisions: RestartDecision[]) => decisions.map((d) => (d.action === 'restart' ? d.delayMs : 'give-up'));

/** A crash `healthyForMs` after the restart before it became healthy: n failures, 1 s apart. */
const crashes = (n: number, healthyForMs?: number, everyMs = 1_000): Failure[] => Array.from({ length: n }, (_, i) => ({ at: 1_000_000 + i * everyMs, healthyForMs }));

describe('restart policy', () => {
  it.each<[string, Failure[], RestartPolicy, Array<number | 'give-up'>]>([
    ['doubles the back-off from the initial delay', crashes(5, 100), POLICY, [250, 500, 1_000, 2_000, 4_000]],
    ['caps the back-off', crashes(8, 100, 20_000), { ...POLICY, burst: 100 }, [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]],
    ['counts a restart that never got healthy like a crash', crashes(4, undefined), POLICY, [250, 500, 1_000, 2_000]],
    [
      'starts the back-off over after the process stayed healthy for resetAfterMs',
      [
        { at: 1_000_000, healthyForMs: 50_000 },
        { at: 1_001_000, healthyForMs: 100 },
        { at: 1_002_000, healthyForMs: 100 },
        { at: 1_040_000, healthyForMs: 10_000 },
        { at: 1_041_000, healthyForMs: 100 },
      ],
      POLICY,
      [250, 500, 1_000, 250, 500],
    ],
    ['gives up on the failure after `burst` restarts within the window', crashes(7, 100), POLICY, [250, 500, 1_000, 2_000, 4_000, 'give-up', 'give-up']],
    ['keeps restarting when failures are spread wider than the window', crashes(12, 100, 15_000), POLICY, [250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000]],
    ['never restarts with a burst of 0', crashes(1, 100_000), { ...POLICY, burst: 0 }, ['give-up']],
    ['a zero delay stays zero (tests, or a deliberate choice)', crashes(3, 100), { ...POLICY, initialDelayMs: 0 }, [0, 0, 0]],
  ])('%s', (_name, failures, policy, expected) => {
    expect(delays(play(failures, policy))).toEqual(expected);
  });

  it('numbers the attempts across streaks', () => {
    const decisions = play([...crashes(2, 100), { at: 1_100_000, healthyForMs: 60_000 }]);
    expect(decisions.map((d) => (d.action === 'restart' ? d.attempt : 0))).toEqual([1, 2, 3]);
  });

  it('says how many failures in which window, after how many restarts, and the limit', () => {
    const decision = play(crashes(6, 100)).at(-1);
    expect(decision).toEqual({ action: 'give-up', failuresInWindow: 6, reason: '6 failures within 60 s after 5 restarts (limit: 5 restarts per 60 s)' });
    const one = play(crashes(2, 100), { ...POLICY, burst: 1, windowMs: 1_500 }).at(-1);
    expect(one).toMatchObject({ action: 'give-up', reason: '2 failures within 1.5 s after 1 restart (limit: 1 restart per 1.5 s)' });
  });

  it('forgets failures that left the window', () => {
    let history = NO_FAILURES;
    for (const at of [0, 10_000, 20_000, 70_001]) history = recordFailure(history, { at, healthyForMs: 100 }, POLICY);
    expect(history.failures).toEqual([20_000, 70_001]);
  });
});
