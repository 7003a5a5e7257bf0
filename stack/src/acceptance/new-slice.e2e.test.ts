import { mkdtempSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runScript, startScript, type RunningScript } from '@strangler/testkit/processes';
import { repoSliceManifests, testSliceManifest, writeSliceManifests } from '@strangler/testkit/slices';
import { createTestFlag, type TestFlag } from '@strangler/testkit/unleash';

/**
 * Issue acceptance for the slice manifest: a third slice, declared by a manifest in a folder of its own and served
 * by a fake service, is picked up with no code change by the edge (routes its reads by its flag), `strangler
 * status` (lists it), the launcher (plans its service, migrations and projector) and the rollout gate (asks for its
 * pact). Real processes throughout, on the test run's Unleash.
 */
const SLICE = 'gift-cards';

function answering(name: string): Promise<{ server: Server; url: string }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ servedBy: name, path: req.url }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('a third slice, declared by its manifest alone', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'strangler-new-slice-'));
  let flag: TestFlag;
  let legacy: { server: Server; url: string };
  let service: { server: Server; url: string };
  let edge: RunningScript;
  let edgeUrl: string;
  let slicesDir: string;
  let cliEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [flag, legacy, service] = await Promise.all([createTestFlag('gift-cards-reads'), answering('legacy'), answering('gift-cards-service')]);
    const giftCards = testSliceManifest({ name: SLICE, flag: flag.name, legacy: legacy.url, service: service.url, servicePort: 3903, projectorPort: 3953 });
    // Next to the repository's own slices, which keep their manifests.
    slicesDir = writeSliceManifests(join(scratch, 'slices'), [...repoSliceManifests().map((slice) => ({ ...slice, urls: { legacy: legacy.url, service: legacy.url } })), giftCards]);
    const unleash = inject('unleash');
    edge = startScript('edge/src/server.ts', {
      SLICES_DIR: slicesDir,
      EDGE_PORT: '0',
      EDGE_ADMIN_PORT: '0',
      EDGE_WORKERS: '1',
      UNLEASH_URL: `${unleash.unleashUrl}/api`,
      UNLEASH_CLIENT_TOKEN: unleash.clientToken,
      UNLEASH_REFRESH_MS: '200',
      FLAG_SNAPSHOT_DIR: join(scratch, 'flags'),
      JWT_SECRET: 'a-test-secret-of-at-least-32-characters',
      RATE_LIMIT_RPS: '0',
      ACCESS_LOG: 'false',
    });
    const port = await edge.waitFor((output) => /^.*"port":(\d+).*"msg":"listening".*$/m.exec(output)?.[1]);
    edgeUrl = `http://127.0.0.1:${port}`;
    cliEnv = {
      SLICES_DIR: slicesDir,
      UNLEASH_URL: unleash.unleashUrl,
      UNLEASH_ADMIN_TOKEN: unleash.adminToken,
      STACK_DIR: join(scratch, 'no-stack'),
      CONTRACTS_RESULTS_DIR: join(scratch, 'no-results'),
      STRANGLER_HEALTH_TIMEOUT_MS: '1000',
    };
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await flag?.remove();
    legacy?.server.close();
    service?.server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Who answered a read of the new slice through the edge. */
  async function servedBy(): Promise<{ header: string | null; body: string }> {
    const response = await fetch(`${edgeUrl}/api/${SLICE}/7`, { headers: { cookie: 'sid=visitor-1' } });
    const body = (await response.json()) as { servedBy: string };
    return { header: response.headers.get('x-strangler-backend'), body: body.servedBy };
  }

  async function until(expected: string, timeoutMs = 20_000): Promise<{ header: string | null; body: string }> {
    const deadline = Date.now() + timeoutMs;
    let last = await servedBy();
    while (last.body !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await servedBy();
    }
    return last;
  }

  it('the edge routes its reads by its flag: legacy at 0 %, its service at 100 %, legacy again at 0 %', async () => {
    expect(await servedBy()).toEqual({ header: 'legacy', body: 'legacy' });
    await flag.admin.setRollout(flag.name, 100);
    expect(await until('gift-cards-service')).toEqual({ header: SLICE, body: 'gift-cards-service' });
    // Writes are not split: they stay on legacy whatever the flag says.
    const write = await fetch(`${edgeUrl}/api/${SLICE}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(((await write.json()) as { servedBy: string }).servedBy).toBe('legacy');
    await flag.admin.setRollout(flag.name, 0);
    expect(await until('legacy')).toEqual({ header: 'legacy', body: 'legacy' });
  });

  it('`strangler status` lists it with its flag and backends', async () => {
    const status = await runScript('cli/src/main.ts', ['status', '--json'], cliEnv);
    expect(status.code, status.stderr).toBe(0);
    const slices = (JSON.parse(status.stdout) as { slices: Array<{ slice: string; flag: string; state: string; service: { url: string } }> }).slices;
    expect(slices.map((slice) => slice.slice)).toEqual(['catalog', SLICE, 'users']);
    expect(slices.find((slice) => slice.slice === SLICE)).toMatchObject({ flag: flag.name, state: 'enabled', service: { url: service.url } });
  });

  it('the rollout gate asks for its pact', async () => {
    const refused = await runScript('cli/src/main.ts', ['rollout', SLICE, '10'], cliEnv);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`refusing to send 10% of ${SLICE} to the new service: ${SLICE}-api on ${SLICE}-service has no passing verification`);
  });

  it("the launcher's plan runs its migrations, its service and its projector, and the edge after its service", async () => {
    const plan = await runScript('stack/src/cli.ts', ['plan'], { SLICES_DIR: slicesDir, STACK_DIR: join(scratch, 'stack') });
    expect(plan.code, plan.stderr).toBe(0);
    const rows = new Map(
      plan.stdout
        .split('\n')
        .slice(2)
        .map((line) => line.trim().split(/\s{2,}/))
        .filter((cells) => cells.length === 3)
        .map(([index, name, after]) => [name!, { index: Number(index), after: after!.split(', ') }]),
    );
    expect(rows.get(`${SLICE}-migrate`)?.after).toEqual(['mariadb']);
    expect(rows.get(SLICE)?.after).toEqual([`${SLICE}-migrate`]);
    expect(rows.get(`${SLICE}-projector`)?.after).toEqual(['cdc-connector', `${SLICE}-migrate`]);
    expect(rows.get('edge')?.after).toContain(SLICE);
    expect(rows.get('edge')!.index).toBeGreaterThan(rows.get(SLICE)!.index);
    const config = await runScript('stack/src/cli.ts', ['config'], { SLICES_DIR: slicesDir });
    expect(config.stdout).toMatch(/GIFT_CARDS_PORT\s+3903/);
    expect(config.stdout).toMatch(/GIFT_CARDS_PROJECTOR_PORT\s+3953/);
  });
});
