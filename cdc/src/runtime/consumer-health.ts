/** What the broker probe last saw. */
export type KafkaState = 'unknown' | 'reachable' | 'unreachable';

/**
 * Where the consumer is: starting (connecting, first join), joining (a rebalance or a restart joining the group),
 * consuming (a positioned member), restarting (crashed, a restart is scheduled), stopped, failed (fatal).
 */
export type ConsumerState = 'starting' | 'joining' | 'consuming' | 'restarting' | 'stopped' | 'failed';

export interface HealthSnapshot {
  /** A positioned member of the group and the broker answers: changes are being applied. */
  consuming: boolean;
  kafka: KafkaState;
  consumer: ConsumerState;
  /** Why it is not consuming (the first failure of the current outage), while it is not. */
  reason?: string;
  /** Since when (epoch ms) the current outage has lasted. */
  outageSince?: number;
  /** Consumer restarts after a crash, since the process started. */
  restarts: number;
  /** Outages that ended (consuming again), and how long the last one lasted. */
  outages: number;
  lastOutageMs?: number;
}

/** A line the runtime logs. One `warn` when an outage begins and one `info` when it ends; the rest is debug. */
export interface HealthNotice {
  level: 'debug' | 'info' | 'warn';
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * The projector's consumer health as a pure state machine: inputs are the broker probe's answers and the consumer's
 * life events, outputs are the snapshot (for /ready, /status and the metrics) and the notices to log.
 *
 * An outage begins at the first failure (the probe cannot reach the broker, or the consumer crashed) and ends when
 * the consumer is a positioned member again with the broker reachable. A plain rebalance is not an outage.
 */
export class ConsumerHealth {
  private kafka: KafkaState = 'unknown';
  private consumer: ConsumerState = 'starting';
  private outage: { since: number; reason: string; restarts: number } | undefined;
  private restarts = 0;
  private outages = 0;
  private lastOutageMs: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  snapshot(): HealthSnapshot {
    return {
      consuming: this.isConsuming(),
      kafka: this.kafka,
      consumer: this.consumer,
      reason: this.isConsuming() ? undefined : this.outage?.reason,
      outageSince: this.outage?.since,
      restarts: this.restarts,
      outages: this.outages,
      lastOutageMs: this.lastOutageMs,
    };
  }

  isConsuming(): boolean {
    return this.consumer === 'consuming' && this.kafka !== 'unreachable';
  }

  inOutage(): boolean {
    return this.outage !== undefined;
  }

  probed(reachable: boolean, reason?: string): HealthNotice[] {
    if (this.consumer === 'stopped' || this.consumer === 'failed') return [];
    const was = this.kafka;
    this.kafka = reachable ? 'reachable' : 'unreachable';
    if (!reachable) return this.begin(`kafka unreachable: ${reason ?? 'no answer'}`);
    const notices: HealthNotice[] = [];
    if (was === 'unreachable' && this.outage) notices.push(this.debug('kafka answers again; waiting for the consumer to rejoin its group'));
    return [...notices, ...this.maybeEnd()];
  }

  /** A rebalance began, or a (re)started consumer is joining the group. */
  joining(): HealthNotice[] {
    if (this.consumer === 'stopped' || this.consumer === 'failed') return [];
    this.consumer = 'joining';
    return [];
  }

  /** Joined the group and every assigned partition is at its stored position. */
  positioned(): HealthNotice[] {
    if (this.consumer === 'stopped' || this.consumer === 'failed') return [];
    this.consumer = 'consuming';
    return this.maybeEnd();
  }

  /** kafkajs gave up on the consumer; the runtime restarts it in `restartInMs`. */
  crashed(reason: string, restartInMs: number): HealthNotice[] {
    if (this.consumer === 'stopped' || this.consumer === 'failed') return [];
    this.consumer = 'restarting';
    this.restarts++;
    if (this.outage) {
      this.outage.restarts++;
      return [this.debug('consumer still cannot reach its group; restarting it again', { reason, restartInMs, attempt: this.outage.restarts })];
    }
    return this.begin(`consumer crashed: ${reason}`, 1).map((notice) => ({ ...notice, fields: { ...notice.fields, restartInMs } }));
  }

  /** Something the consumer needs (connecting, subscribing) failed for a reason that waiting can fix. */
  unavailable(reason: string): HealthNotice[] {
    if (this.consumer === 'stopped' || this.consumer === 'failed') return [];
    return this.outage ? [this.debug('still failing', { reason })] : this.begin(reason);
  }

  failed(): void {
    this.consumer = 'failed';
  }

  stopped(): void {
    this.consumer = 'stopped';
  }

  private begin(reason: string, restarts = 0): HealthNotice[] {
    if (this.outage) return [];
    this.outage = { since: this.now(), reason, restarts };
    return [{ level: 'warn', msg: `not consuming: ${reason}; retrying until it is back`, fields: { kafka: this.kafka, consumer: this.consumer } }];
  }

  private maybeEnd(): HealthNotice[] {
    if (!this.outage || !this.isConsuming()) return [];
    const outageMs = this.now() - this.outage.since;
    const { reason, restarts } = this.outage;
    this.outage = undefined;
    this.outages++;
    this.lastOutageMs = outageMs;
    return [{ level: 'info', msg: `consuming again after ${Math.round(outageMs / 100) / 10} s`, fields: { outageMs, reason, consumerRestarts: restarts } }];
  }

  private debug(msg: string, fields: Record<string, unknown> = {}): HealthNotice {
    return { level: 'debug', msg, fields: { kafka: this.kafka, consumer: this.consumer, ...fields } };
  }
}
