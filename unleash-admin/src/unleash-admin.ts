import { randomBytes } from 'node:crypto';

/**
 * The Unleash Admin API as the strangler uses it: one flag per slice and purpose (`users.reads`) in the `default`
 * project, whose `development` environment has exactly one `flexibleRollout` strategy (stickiness userId, groupId =
 * the flag name, so a user stays on the same side while the percentage only grows). The launcher ensures that shape
 * on every start; the `strangler` CLI changes the percentage and the environment's on/off switch.
 */
export const DEFAULT_PROJECT = 'default';
export const DEFAULT_ENVIRONMENT = 'development';
export const ROLLOUT_STRATEGY = 'flexibleRollout';
export const ROLLOUT_STICKINESS = 'userId';

/** Keys of the stack's secrets file (<STACK_DIR>/secrets.json) holding the tokens the launcher created Unleash with. */

/** An admin token in the format Unleash accepts for initial tokens: `*:*.<secret>` (all projects, all environments). */
export function generateAdminToken(): string {
  return `*:*.${randomBytes(32).toString('hex')}`;
}

/** A backend (server SDK) token for one project and environment: `<project>:<environment>.<secret>`. */
export function generateClientToken(project = DEFAULT_PROJECT, environment = DEFAULT_ENVIRONMENT): string {
  return `${project}:${environment}.${randomBytes(32).toString('hex')}`;
}

/** Enough of a token to tell which one it is, never enough to use it: `*:*.1a2b…`. */
export function maskToken(token: string): string {
  const dot = token.indexOf('.');
  const scope = dot >= 0 ? token.slice(0, dot + 1) : '';
  return `${scope}${token.slice(scope.length, scope.length + 4)}…`;
}

/** Unleash did not answer (not running, wrong URL, timed out). */
export class UnleashUnreachableError extends Error {
  readonly code = 'UNLEASH_UNREACHABLE';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`Unleash is not reachable at ${url} (${describeCause(cause)}). Is the stack running? Start it with \`npm start\`, or set UNLEASH_URL.`, {
      cause,
    });
    this.name = 'UnleashUnreachableError';
  }
}

/** Unleash refused the token (401/403). */
export class UnleashAuthError extends Error {
  readonly code = 'UNLEASH_TOKEN_REJECTED';
  constructor(
    readonly url: string,
    readonly status: number,
    /** Where the caller's admin token comes from, so the message can say what to fix. */
    tokenHint = 'Check the admin token.',
  ) {
    super(`Unleash at ${url} rejected the admin token (HTTP ${status}). ${tokenHint}`);
    this.name = 'UnleashAuthError';
  }
}

/** Any other unexpected answer from the Admin API. */
export class UnleashApiError extends Error {
  readonly code = 'UNLEASH_API_ERROR';
  constructor(
    readonly status: number,
    readonly what: string,
    detail: string,
  ) {
    super(`Unleash: ${what} failed (HTTP ${status})${detail ? `: ${detail}` : ''}`);
    this.name = 'UnleashApiError';
  }
}

/** The flag is not there, or not in the shape the launcher gives it. */
export class FlagShapeError extends Error {
  readonly code: 'FLAG_MISSING' | 'FLAG_NOT_ROLLOUT' | 'FLAG_ARCHIVED' | 'ENVIRONMENT_MISSING';
  constructor(code: FlagShapeError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'FlagShapeError';
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return 'timed out';
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    return inner?.code ?? inner?.message ?? cause.message;
  }
  return String(cause);
}

export interface FlagStrategy {
  id: string;
  name: string;
  parameters: Record<string, string>;
  constraints: unknown[];
  disabled?: boolean;
}

/** One flag as seen in one environment. */
export interface FlagState {
  name: string;
  project: string;
  environment: string;
  enabled: boolean;
  /** The flexibleRollout percentage (0..100); undefined when the environment has no such strategy. */
  rollout?: number;
  stickiness?: string;
  groupId?: string;
  strategies: FlagStrategy[];
}

export interface EnsureFlagResult {
  created: boolean;
  /** What was changed to reach the declared shape (empty: it already had it). */
  changes: string[];
  state: FlagState;
}

/** The operations the CLI and the launcher need; the CLI's unit tests use an in-memory fake of it. */
export interface FlagAdmin {
  readonly url: string;
  getFlag(name: string): Promise<FlagState | undefined>;
  /**
   * Makes the flag exist with exactly one flexibleRollout strategy (stickiness userId, groupId = name) in the
   * environment. A new flag starts enabled at 0%; an existing flag keeps its percentage and its on/off state.
   */
  ensureFlag(name: string, options?: { description?: string }): Promise<EnsureFlagResult>;
  /** Sets the flexibleRollout percentage, keeping its other parameters. */
  setRollout(name: string, percent: number): Promise<FlagState>;
  /** Turns the flag's environment on or off. */
  setEnabled(name: string, enabled: boolean): Promise<FlagState>;
}

export interface UnleashAdminOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:4242 (a trailing /api is tolerated). */
  url: string;
  token: string;
  project?: string;
  environment?: string;
  /** Per request. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Said when Unleash rejects the token: where a valid one is found. */
  tokenHint?: string;
}

/** http://127.0.0.1:4242/api/ → http://127.0.0.1:4242 (the edge's UNLEASH_URL points at the client API base). */
export function normalizeUnleashUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api$/, '');
}

interface RawStrategy {
  id: string;
  name: string;
  parameters?: Record<string, string | number>;
  constraints?: unknown[];
  disabled?: boolean | null;
}

interface RawFeature {
  name: string;
  project: string;
  archived?: boolean;
  environments?: Array<{ name: string; enabled: boolean; strategies?: RawStrategy[] }>;
}

function toStrategy(raw: RawStrategy): FlagStrategy {
  return {
    id: raw.id,
    name: raw.name,
    parameters: Object.fromEntries(Object.entries(raw.parameters ?? {}).map(([key, value]) => [key, String(value)])),
    constraints: raw.constraints ?? [],
    disabled: raw.disabled ?? false,
  };
}

/** The strategy the strangler controls: the first flexibleRollout of the environment. */
export function rolloutStrategy(state: Pick<FlagState, 'strategies'>): FlagStrategy | undefined {
  return state.strategies.find((strategy) => strategy.name === ROLLOUT_STRATEGY);
}

function parseRollout(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,3}$/.test(value)) return undefined;
  const percent = Number(value);
  return percent <= 100 ? percent : undefined;
}

export class UnleashAdminClient implements FlagAdmin {
  readonly url: string;
  private readonly project: string;
  private readonly environment: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: UnleashAdminOptions) {
    this.url = normalizeUnleashUrl(options.url);
    this.project = options.project ?? DEFAULT_PROJECT;
    this.environment = options.environment ?? DEFAULT_ENVIRONMENT;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** GET /health answers 200 once Unleash serves requests (no token needed). */
  async isHealthy(): Promise<boolean> {
    const response = await this.send('GET', '/health', undefined, 'health check', { auth: false, allow: [200, 500, 503] });
    return response.status === 200;
  }

  async getFlag(name: string): Promise<FlagState | undefined> {
    const response = await this.send('GET', this.featurePath(name), undefined, `reading flag ${name}`, { allow: [404] });
    if (response.status === 404) return undefined;
    const feature = (await response.json()) as RawFeature;
    if (feature.archived) throw new FlagShapeError('FLAG_ARCHIVED', `flag ${name} is archived in Unleash; revive it (or delete it from the archive) first`);
    const environment = feature.environments?.find((env) => env.name === this.environment);
    if (!environment) {
      throw new FlagShapeError('ENVIRONMENT_MISSING', `flag ${name}: environment "${this.environment}" is not enabled for project "${feature.project}" in Unleash`);
    }
    const strategies = (environment.strategies ?? []).map(toStrategy);
    const rollout = strategies.find((s) => s.name === ROLLOUT_STRATEGY);
    return {
      name: feature.name,
      project: feature.project,
      environment: environment.name,
      enabled: environment.enabled,
      rollout: parseRollout(rollout?.parameters.rollout),
      stickiness: rollout?.parameters.stickiness,
      groupId: rollout?.parameters.groupId,
      strategies,
    };
  }

  async ensureFlag(name: string, options: { description?: string } = {}): Promise<EnsureFlagResult> {
    const changes: string[] = [];
    let state = await this.getFlag(name);
    const created = state === undefined;
    if (!state) {
      await this.send('POST', `/api/admin/projects/${this.project}/features`, { name, type: 'release', description: options.description ?? '' }, `creating flag ${name}`);
      state = await this.requireFlag(name);
    }
    const keep = rolloutStrategy(state);
    const declared = { stickiness: ROLLOUT_STICKINESS, groupId: name };
    if (!keep) {
      // Created before anything else is removed: an enabled environment without strategies is on for everyone.
      await this.send('POST', `${this.environmentPath(name)}/strategies`, this.strategyBody({ rollout: '0', ...declared }, []), `adding the rollout strategy to ${name}`);
      changes.push('added a flexibleRollout strategy at 0%');
    } else {
      const rollout = parseRollout(keep.parameters.rollout);
      const drifted =
        rollout === undefined ||
        keep.parameters.stickiness !== declared.stickiness ||
        keep.parameters.groupId !== declared.groupId ||
        keep.disabled === true ||
        keep.constraints.length > 0;
      if (drifted) {
        // The percentage is the operator's decision: keep it; only the shape around it is restored.
        await this.send('PUT', `${this.environmentPath(name)}/strategies/${keep.id}`, this.strategyBody({ rollout: String(rollout ?? 0), ...declared }, []), `updating the rollout strategy of ${name}`);
        changes.push('restored stickiness/groupId of the rollout strategy');
      }
    }
    for (const extra of state.strategies.filter((strategy) => strategy !== keep)) {
      await this.send('DELETE', `${this.environmentPath(name)}/strategies/${extra.id}`, undefined, `removing strategy ${extra.name} from ${name}`);
      changes.push(`removed extra strategy ${extra.name}`);
    }
    // Only a new flag is switched on (at 0% nobody moves). An existing flag keeps its on/off state: a
    // `strangler kill` must survive a restart of the stack.
    if (created && !state.enabled) {
      await this.send('POST', `${this.environmentPath(name)}/on`, undefined, `enabling ${name}`);
    }
    return { created, changes: created ? [] : changes, state: await this.requireFlag(name) };
  }

  async setRollout(name: string, percent: number): Promise<FlagState> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`rollout must be an integer from 0 to 100, got ${percent}`);
    const state = await this.requireFlag(name);
    const strategy = this.requireRolloutStrategy(state);
    await this.send(
      'PUT',
      `${this.environmentPath(name)}/strategies/${strategy.id}`,
      this.strategyBody({ ...strategy.parameters, rollout: String(percent) }, strategy.constraints, strategy.disabled),
      `setting the rollout of ${name}`,
    );
    return this.requireFlag(name);
  }

  async setEnabled(name: string, enabled: boolean): Promise<FlagState> {
    const state = await this.requireFlag(name);
    // Unleash gives an environment switched on without strategies a default 100% strategy: never let that happen.
    if (enabled) this.requireRolloutStrategy(state);
    if (state.enabled !== enabled) await this.send('POST', `${this.environmentPath(name)}/${enabled ? 'on' : 'off'}`, undefined, `${enabled ? 'enabling' : 'disabling'} ${name}`);
    return this.requireFlag(name);
  }

  /** Archives the flag and deletes it from the archive (test clean-up). */
  async deleteFlag(name: string): Promise<void> {
    await this.send('DELETE', this.featurePath(name), undefined, `archiving ${name}`, { allow: [404] });
    await this.send('DELETE', `/api/admin/archive/${encodeURIComponent(name)}`, undefined, `deleting ${name}`, { allow: [404] });
  }

  private async requireFlag(name: string): Promise<FlagState> {
    const state = await this.getFlag(name);
    if (!state) {
      throw new FlagShapeError('FLAG_MISSING', `flag ${name} does not exist in Unleash at ${this.url}; \`npm start\` creates it (or, for an Unleash the launcher does not run, \`strangler init\`)`);
    }
    return state;
  }

  private requireRolloutStrategy(state: FlagState): FlagStrategy {
    const strategy = rolloutStrategy(state);
    if (!strategy) {
      throw new FlagShapeError(
        'FLAG_NOT_ROLLOUT',
        `flag ${state.name} has no ${ROLLOUT_STRATEGY} strategy in ${state.environment}; restarting the stack (\`npm start\`) restores it at 0%`,
      );
    }
    return strategy;
  }

  private strategyBody(parameters: Record<string, string>, constraints: unknown[], disabled = false) {
    return { name: ROLLOUT_STRATEGY, parameters, constraints, disabled, segments: [] };
  }

  private featurePath(name: string): string {
    return `/api/admin/projects/${this.project}/features/${encodeURIComponent(name)}`;
  }

  private environmentPath(name: string): string {
    return `${this.featurePath(name)}/environments/${this.environment}`;
  }

  private async send(
    method: string,
    path: string,
    body: unknown,
    what: string,
    options: { auth?: boolean; allow?: number[] } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.url}${path}`, {
        method,
        headers: {
          ...(options.auth === false ? {} : { authorization: this.options.token }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          accept: 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UnleashUnreachableError(this.url, error);
    }
    if (response.ok || options.allow?.includes(response.status)) return response;
    const text = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) throw new UnleashAuthError(this.url, response.status, this.options.tokenHint);
    throw new UnleashApiError(response.status, what, errorDetail(text));
  }
}

/** The message of an Unleash error body ({message} or {details:[{message}]}), or the start of the text. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: string; details?: Array<{ message?: string; description?: string }> };
    return body.details?.[0]?.message ?? body.details?.[0]?.description ?? body.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
