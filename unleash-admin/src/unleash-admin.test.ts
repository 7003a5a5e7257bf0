import { describe, expect, it } from 'vitest';
import {
  generateAdminToken,
  generateClientToken,
  maskToken,
  normalizeUnleashUrl,
  UnleashAdminClient,
  UnleashAuthError,
  UnleashUnreachableError,
} from './unleash-admin.js';

interface Strategy {
  id: string;
  name: string;
  parameters: Record<string, string>;
  constraints: unknown[];
  disabled?: boolean;
}

/** Just enough of the Admin API (one project, one feature) to see which requests the client sends, in which order. */
function fakeUnleash(initial?: { enabled: boolean; strategies: Strategy[] }) {
  let feature = initial ? { ...initial } : undefined;
  let nextId = 1;
  const calls: string[] = [];
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const path = url.pathname.replace('/api/admin/projects/default/features', '');
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : undefined;
    if (method !== 'GET') calls.push(`${method} ${path}${body?.parameters ? ` ${JSON.stringify(body.parameters)}` : ''}`);
    if ((init?.headers as Record<string, string>).authorization !== 'token') return json(401, { message: 'no' });
    if (method === 'GET' && path === '/f.reads') {
      return feature ? json(200, { name: 'f.reads', project: 'default', environments: [{ name: 'development', enabled: feature.enabled, strategies: feature.strategies }] }) : json(404, {});
    }
    if (method === 'POST' && path === '') {
      feature = { enabled: false, strategies: [] };
      return json(201, {});
    }
    const strategies = feature?.strategies ?? [];
    if (method === 'POST' && path.endsWith('/strategies')) {
      strategies.push({ id: `s${nextId++}`, ...(body as Omit<Strategy, 'id'>) });
      return json(200, {});
    }
    const id = path.split('/').pop();
    if (method === 'PUT') {
      const index = strategies.findIndex((s) => s.id === id);
      strategies[index] = { id: id as string, ...(body as Omit<Strategy, 'id'>) };
      return json(200, {});
    }
    if (method === 'DELETE') {
      strategies.splice(
        strategies.findIndex((s) => s.id === id),
        1,
      );
      return json(200, {});
    }
    if (method === 'POST' && (path.endsWith('/on') || path.endsWith('/off'))) {
      if (feature) feature.enabled = path.endsWith('/on');
      return json(200, {});
    }
    return json(500, { message: `unexpected ${method} ${path}` });
  }) as typeof fetch;
  return { fetch: fetchImpl, calls, feature: () => feature };
}

const ROLLOUT = (rollout: string, extra: Partial<Strategy> = {}): Strategy => ({
  id: 'r1',
  name: 'flexibleRollout',
  parameters: { rollout, stickiness: 'userId', groupId: 'f.reads' },
  constraints: [],
  ...extra,
});

describe('UnleashAdminClient.ensureFlag', () => {
  it('creates a missing flag with one flexibleRollout at 0%, then enables it (strategy first)', async () => {
    const unleash = fakeUnleash();
    const admin = new UnleashAdminClient({ url: 'http://u.test/', token: 'token', fetch: unleash.fetch });
    const result = await admin.ensureFlag('f.reads');
    expect(result.created).toBe(true);
    expect(unleash.calls).toEqual([
      'POST ',
      'POST /f.reads/environments/development/strategies {"rollout":"0","stickiness":"userId","groupId":"f.reads"}',
      'POST /f.reads/environments/development/on',
    ]);
    expect(result.state).toMatchObject({ enabled: true, rollout: 0, stickiness: 'userId', groupId: 'f.reads' });
  });

  it('changes nothing on a flag already in shape', async () => {
    const unleash = fakeUnleash({ enabled: true, strategies: [ROLLOUT('40')] });
    const result = await new UnleashAdminClient({ url: 'http://u.test', token: 'token', fetch: unleash.fetch }).ensureFlag('f.reads');
    expect(result).toMatchObject({ created: false, changes: [], state: { rollout: 40 } });
    expect(unleash.calls).toEqual([]);
  });

  it('restores the shape but keeps the percentage and the off switch; extra strategies go only after the rollout strategy is right', async () => {
    const unleash = fakeUnleash({
      enabled: false,
      strategies: [{ id: 'd1', name: 'default', parameters: {}, constraints: [] }, ROLLOUT('35', { parameters: { rollout: '35', stickiness: 'random', groupId: 'x' }, constraints: [{}] })],
    });
    const result = await new UnleashAdminClient({ url: 'http://u.test', token: 'token', fetch: unleash.fetch }).ensureFlag('f.reads');
    expect(unleash.calls).toEqual([
      'PUT /f.reads/environments/development/strategies/r1 {"rollout":"35","stickiness":"userId","groupId":"f.reads"}',
      'DELETE /f.reads/environments/development/strategies/d1',
    ]);
    expect(result.state.strategies).toHaveLength(1);
    // A killed flag stays killed: ensuring (every `npm start`) never switches it back on.
    expect(result.state).toMatchObject({ enabled: false, rollout: 35 });
    expect(result.changes).toEqual(['restored stickiness/groupId of the rollout strategy', 'removed extra strategy default']);
  });
});

describe('UnleashAdminClient.setRollout / setEnabled', () => {
  it('changes only the percentage, keeping stickiness and groupId', async () => {
    const unleash = fakeUnleash({ enabled: true, strategies: [ROLLOUT('0')] });
    const admin = new UnleashAdminClient({ url: 'http://u.test', token: 'token', fetch: unleash.fetch });
    expect((await admin.setRollout('f.reads', 25)).rollout).toBe(25);
    expect(unleash.calls).toEqual(['PUT /f.reads/environments/development/strategies/r1 {"rollout":"25","stickiness":"userId","groupId":"f.reads"}']);
    await expect(admin.setRollout('f.reads', 101)).rejects.toThrow(RangeError);
  });

  it('never switches on an environment without its rollout strategy (Unleash would add a 100% default)', async () => {
    const unleash = fakeUnleash({ enabled: false, strategies: [] });
    const admin = new UnleashAdminClient({ url: 'http://u.test', token: 'token', fetch: unleash.fetch });
    await expect(admin.setEnabled('f.reads', true)).rejects.toThrow(/has no flexibleRollout strategy in development/);
    expect(unleash.calls).toEqual([]);
  });

  it('reports a missing flag', async () => {
    const admin = new UnleashAdminClient({ url: 'http://u.test', token: 'token', fetch: fakeUnleash().fetch });
    await expect(admin.setRollout('f.reads', 5)).rejects.toThrow(/flag f\.reads does not exist in Unleash at http:\/\/u\.test/);
  });
});

describe('UnleashAdminClient errors', () => {
  it('unreachable: names the URL and `npm start`', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;
    const admin = new UnleashAdminClient({ url: 'http://127.0.0.1:4242', token: 'token', fetch: refused });
    const error = await admin.getFlag('f.reads').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnleashUnreachableError);
    expect((error as Error).message).toBe(
      'Unleash is not reachable at http://127.0.0.1:4242 (ECONNREFUSED). Is the stack running? Start it with `npm start`, or set UNLEASH_URL.',
    );
  });

  it('a rejected token is an auth error', async () => {
    const admin = new UnleashAdminClient({ url: 'http://u.test', token: 'wrong', fetch: fakeUnleash().fetch });
    await expect(admin.getFlag('f.reads')).rejects.toBeInstanceOf(UnleashAuthError);
  });
});

describe('tokens', () => {
  it('have the formats Unleash accepts for initial tokens', () => {
    expect(generateAdminToken()).toMatch(/^\*:\*\.[0-9a-f]{64}$/);
    expect(generateClientToken()).toMatch(/^default:development\.[0-9a-f]{64}$/);
    expect(generateAdminToken()).not.toBe(generateAdminToken());
  });

  it('are masked to their scope and 4 characters', () => {
    expect(maskToken('*:*.0123456789abcdef')).toBe('*:*.0123…');
    expect(maskToken('default:development.abcdef')).toBe('default:development.abcd…');
  });

  it('URLs lose a trailing slash and /api', () => {
    expect(normalizeUnleashUrl('http://127.0.0.1:4242/api/')).toBe('http://127.0.0.1:4242');
    expect(normalizeUnleashUrl('http://127.0.0.1:4242')).toBe('http://127.0.0.1:4242');
  });
});
