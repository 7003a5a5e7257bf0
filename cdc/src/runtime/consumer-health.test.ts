import { describe, expect, it } from 'vitest';
import { ConsumerHealth, type HealthNotice } from './consumer-health.js';

function clock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const loud = (notices: HealthNotice[]) => notices.filter((notice) => notice.level !== 'debug');

describe('ConsumerHealth', () => {
  it('consumes once positioned; a plain rebalance is not an outage and logs nothing', () => {
    const health = new ConsumerHealth();
    expect(health.isConsuming()).toBe(false);
    expect(health.positioned()).toEqual([]);
    expect(health.isConsuming()).toBe(true);
    expect(health.joining()).toEqual([]);
    expect(health.isConsuming()).toBe(false);
    expect(health.positioned()).toEqual([]);
    expect(health.snapshot()).toMatchObject({ consuming: true, outages: 0, restarts: 0 });
  });

  it('a broker outage: one warning when it begins, one info when consuming again, debug in between', () => {
    const time = clock();
    const health = new ConsumerHealth(time.now);
    health.probed(true);
    health.positioned();

    const began = health.probed(false, 'KafkaJSConnectionError: connect ECONNREFUSED 127.0.0.1:9092');
    expect(began).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('kafka unreachable: KafkaJSConnectionError') })]);
    expect(health.snapshot()).toMatchObject({ consuming: false, kafka: 'unreachable', reason: expect.stringContaining('ECONNREFUSED') });

    time.advance(1_000);
    const during = [...health.probed(false, 'again'), ...health.crashed('KafkaJSNumberOfRetriesExceeded', 500), ...health.joining(), ...health.crashed('coordinator', 1_000)];
    expect(loud(during)).toEqual([]);
    expect(health.snapshot()).toMatchObject({ consumer: 'restarting', restarts: 2 });

    time.advance(2_000);
    // The broker answers, but the consumer is not back in its group yet: still an outage.
    expect(loud(health.probed(true))).toEqual([]);
    expect(health.isConsuming()).toBe(false);
    health.joining();
    time.advance(500);
    const ended = health.positioned();
    expect(ended).toEqual([expect.objectContaining({ level: 'info', msg: 'consuming again after 3.5 s', fields: expect.objectContaining({ outageMs: 3_500, consumerRestarts: 2 }) })]);
    expect(health.snapshot()).toEqual({ consuming: true, kafka: 'reachable', consumer: 'consuming', restarts: 2, outages: 1, lastOutageMs: 3_500 });
  });

  it('a crash with the broker reachable is an outage too, that ends when the restarted consumer is positioned', () => {
    const health = new ConsumerHealth();
    health.probed(true);
    health.positioned();
    expect(loud(health.crashed('KafkaJSGroupCoordinatorNotFound: Failed to find group coordinator', 300))).toEqual([
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('consumer crashed: KafkaJSGroupCoordinatorNotFound'), fields: expect.objectContaining({ restartInMs: 300 }) }),
    ]);
    health.joining();
    expect(loud(health.positioned())).toEqual([expect.objectContaining({ level: 'info' })]);
    expect(health.snapshot().outages).toBe(1);
  });

  it('unreachable from the start: one warning, ended by the first positioned join', () => {
    const health = new ConsumerHealth();
    expect(loud(health.unavailable('cannot connect to Kafka: ECONNREFUSED'))).toHaveLength(1);
    expect(loud(health.unavailable('cannot connect to Kafka: ECONNREFUSED'))).toEqual([]);
    expect(loud(health.probed(false, 'ECONNREFUSED'))).toEqual([]);
    health.probed(true);
    expect(loud(health.positioned())).toHaveLength(1);
    expect(health.isConsuming()).toBe(true);
  });

  it('stopped or failed: never consuming again, and quiet', () => {
    const health = new ConsumerHealth();
    health.positioned();
    health.stopped();
    expect([...health.probed(false, 'x'), ...health.positioned(), ...health.crashed('x', 1)]).toEqual([]);
    expect(health.snapshot()).toMatchObject({ consuming: false, consumer: 'stopped', restarts: 0 });
    const failed = new ConsumerHealth();
    failed.failed();
    expect(failed.positioned()).toEqual([]);
    expect(failed.isConsuming()).toBe(false);
  });
});
