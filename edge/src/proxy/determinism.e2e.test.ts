import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@strangler/platform';
import type { FlagProvider } from '../flags/flag-evaluator.js';
import { snapshotFileFor } from '../flags/snapshot-storage.js';
import { createUnleashFlagEvaluator } from '../flags/unleash-flag-evaluator.js';
import { refusedUrl, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { issueToken, send, startTestEdge, type TestEdge } from '../testing/test-edge.js';

/** Two edge replicas with the same flag state (a 50 % rollout) must agree on every user's backend. */
describe('two edge instances, one flag state', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let dir: string;
  const flags: FlagProvider[] = [];
  const edges: TestEdge[] = [];

  beforeAll(async () => {
    [legacy, users] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users')]);
    dir = mkdtempSync(join(tmpdir(), 'edge-determinism-'));
    const rollout = {
      name: 'users.reads',
      enabled: true,
      strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'default', groupId: 'users.reads' } }],
    };
    for (const replica of ['a', 'b']) {
      // Each replica has its own snapshot file with the same content, as two hosts would.
      mkdirSync(join(dir, replica));
      const file = snapshotFileFor(join(dir, replica), 'strangler-edge');
      writeFileSync(file, JSON.stringify({ version: 2, features: [rollout], segments: [] }));
      const provider = createUnleashFlagEvaluator({
        url: `${await refusedUrl()}/api`,
        appName: 'strangler-edge',
        instanceId: `edge-${replica}`,
        refreshIntervalMs: 1000,
        snapshotFile: file,
        logger: createLogger({ name: 'edge-test', level: 'silent' }),
      });
      await provider.ready;
      flags.push(provider);
      edges.push(await startTestEdge({ legacy: legacy.url, users: users.url, catalog: users.url, flags: provider }));
    }
  });

  afterAll(async () => {
    await Promise.all(edges.map((edge) => edge.close()));
    await Promise.all(flags.map((provider) => provider.close()));
    await Promise.all([legacy.close(), users.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes every signed-in user and every anonymous visitor to the same backend on both', async () => {
    const backendsA: string[] = [];
    const backendsB: string[] = [];
    for (let id = 1; id <= 40; id++) {
      const headers = { authorization: `Bearer ${await issueToken(id)}` };
      backendsA.push(String((await send(edges[0]!.url, '/api/users/1', { headers })).headers['x-strangler-backend']));
      backendsB.push(String((await send(edges[1]!.url, '/api/users/1', { headers })).headers['x-strangler-backend']));
    }
    for (let i = 0; i < 20; i++) {
      const first = await send(edges[0]!.url, '/api/users/1');
      const sid = /sid=([^;]+)/.exec((first.headers['set-cookie'] ?? []).join(';'))?.[1];
      backendsA.push(String(first.headers['x-strangler-backend']));
      backendsB.push(String((await send(edges[1]!.url, '/api/users/1', { headers: { cookie: `sid=${sid}` } })).headers['x-strangler-backend']));
    }
    expect(backendsB).toEqual(backendsA);
    // A real split, not everyone on one side.
    expect(backendsA).toContain('users');
    expect(backendsA).toContain('legacy');
  });
});
