import {
  FlagShapeError,
  ROLLOUT_STICKINESS,
  ROLLOUT_STRATEGY,
  UnleashUnreachableError,
  type EnsureFlagResult,
  type FlagAdmin,
  type FlagState,
} from '@strangler/unleash-admin';

/** In-memory Unleash for unit tests: flags in the launcher's shape, plus a switch to be unreachable. */
export class FakeFlagAdmin implements FlagAdmin {
  readonly url = 'http://unleash.test';
  private readonly flags = new Map<string, { enabled: boolean; rollout: number }>();
  /** Every change, in order: `rollout users.reads 10`, `off users.reads`. */
  readonly calls: string[] = [];
  unreachable = false;

  constructor(initial: Record<string, { enabled?: boolean; rollout?: number }> = {}) {
    for (const [name, flag] of Object.entries(initial)) this.flags.set(name, { enabled: flag.enabled ?? true, rollout: flag.rollout ?? 0 });
  }

  private check(): void {
    if (this.unreachable) throw new UnleashUnreachableError(this.url, new Error('ECONNREFUSED'));
  }

  private state(name: string): FlagState {
    const flag = this.flags.get(name);
    if (!flag) throw new FlagShapeError('FLAG_MISSING', `flag ${name} does not exist`);
    const parameters = { rollout: String(flag.rollout), stickiness: ROLLOUT_STICKINESS, groupId: name };
    return {
      name,
      project: 'default',
      environment: 'development',
      enabled: flag.enabled,
      rollout: flag.rollout,
      stickiness: ROLLOUT_STICKINESS,
      groupId: name,
      strategies: [{ id: `${name}-strategy`, name: ROLLOUT_STRATEGY, parameters, constraints: [] }],
    };
  }

  async getFlag(name: string): Promise<FlagState | undefined> {
    this.check();
    return this.flags.has(name) ? this.state(name) : undefined;
  }

  async ensureFlag(name: string): Promise<EnsureFlagResult> {
    this.check();
    const created = !this.flags.has(name);
    if (created) this.flags.set(name, { enabled: true, rollout: 0 });
    // Like the real client: a new flag is on at 0%; an existing one keeps its on/off state (a kill survives).
    return { created, changes: [], state: this.state(name) };
  }

  async setRollout(name: string, percent: number): Promise<FlagState> {
    this.check();
    this.state(name);
    (this.flags.get(name) as { rollout: number }).rollout = percent;
    this.calls.push(`rollout ${name} ${percent}`);
    return this.state(name);
  }

  async setEnabled(name: string, enabled: boolean): Promise<FlagState> {
    this.check();
    this.state(name);
    (this.flags.get(name) as { enabled: boolean }).enabled = enabled;
    this.calls.push(`${enabled ? 'on' : 'off'} ${name}`);
    return this.state(name);
  }
}
