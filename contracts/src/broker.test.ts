import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { brokerAuthorization, brokerHoldsPact, brokerPactUrl, brokerSettings, publishPact } from './broker.js';
import { loadContractsConfig } from './config.js';
import { verifyProvider } from './provider/verify-provider.js';
import { pingApp, PING_PROVIDER, PING_STATE, writePingPact } from './testing/ping-pact.js';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/**
 * A small Pact Broker stand-in: stores what is PUT under /pacts/..., serves it back the way a broker does (with
 * `_links`, `createdAt` and interaction `_id`s), accepts verification results, and records every request.
 */
function fakeBroker() {
  const received: Received[] = [];
  const pacts = new Map<string, string>();
  let failWith: number | undefined;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ method: req.method ?? '', path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/hal+json' });
        res.end(JSON.stringify(json));
      };
      if (failWith) return send(failWith, { error: 'broker is unhappy' });
      if (path.startsWith('/pacts/') && req.method === 'PUT') {
        const created = !pacts.has(path);
        pacts.set(path, body);
        return send(created ? 201 : 200, JSON.parse(body));
      }
      if (path.startsWith('/pacts/') && req.method === 'GET') {
        const stored = pacts.get(path);
        if (!stored) return send(404, {});
        const pact = JSON.parse(stored) as { interactions: object[] };
        const { provider, consumer } = /^\/pacts\/provider\/(?<provider>[^/]+)\/consumer\/(?<consumer>[^/]+)\//.exec(path)!.groups!;
        return send(200, {
          ...pact,
          createdAt: '2025-01-01T00:00:00+00:00',
          interactions: pact.interactions.map((interaction, i) => ({ _id: `id-${i}`, ...interaction })),
          _links: {
            self: { href: `${url()}${path}` },
            'pb:publish-verification-results': {
              href: `${url()}/pacts/provider/${provider}/consumer/${consumer}/pact-version/cafe/verification-results`,
            },
          },
        });
      }
      if (path.endsWith('/verification-results') && req.method === 'POST') return send(201, {});
      return send(404, {});
    });
  });
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    received,
    pacts,
    url,
    failNextWith(status: number | undefined) {
      failWith = status;
    },
    reset() {
      received.length = 0;
      pacts.clear();
      failWith = undefined;
    },
  };
}

const broker = fakeBroker();
let pactFile: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => broker.server.listen(0, '127.0.0.1', resolve));
  pactFile = await writePingPact();
});
afterAll(async () => {
  await new Promise<void>((resolve) => broker.server.close(() => resolve()));
});
beforeEach(() => broker.reset());

const PACT_PATH = '/pacts/provider/ping-api/consumer/storefront/version/1.2.3';

describe('publishPact', () => {
  it('PUTs the pact file, unchanged, to /pacts/provider/{provider}/consumer/{consumer}/version/{version} with the token', async () => {
    const published = await publishPact({ baseUrl: broker.url(), token: 's3cret' }, pactFile, '1.2.3');
    expect(published).toEqual({ url: `${broker.url()}${PACT_PATH}`, status: 201 });
    expect(broker.received).toEqual([
      { method: 'PUT', path: PACT_PATH, authorization: 'Bearer s3cret', contentType: 'application/json', body: readFileSync(pactFile, 'utf8') },
    ]);
  });

  it('authenticates with basic auth when a username is configured, and escapes the version', async () => {
    await publishPact({ baseUrl: `${broker.url()}/`, username: 'ci', password: 'p@ss' }, pactFile, '1.0.0+build/7');
    expect(broker.received[0]).toMatchObject({
      method: 'PUT',
      path: '/pacts/provider/ping-api/consumer/storefront/version/1.0.0%2Bbuild%2F7',
      authorization: `Basic ${Buffer.from('ci:p@ss').toString('base64')}`,
    });
  });

  it('fails loudly when the broker refuses', async () => {
    broker.failNextWith(401);
    await expect(publishPact({ baseUrl: broker.url(), token: 'wrong' }, pactFile, '1.2.3')).rejects.toThrow(/HTTP 401/);
  });
});

describe('brokerHoldsPact', () => {
  it("recognises the committed pact in the broker's copy (links and interaction ids aside)", async () => {
    await publishPact({ baseUrl: broker.url() }, pactFile, '1.2.3');
    await expect(brokerHoldsPact({ baseUrl: broker.url() }, pactFile, '1.2.3')).resolves.toMatchObject({ same: true });
  });

  it('tells a different pact, and a missing one, apart', async () => {
    const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: Array<{ description: string }> };
    pact.interactions[0]!.description = 'a different ping';
    broker.pacts.set(PACT_PATH, JSON.stringify(pact));
    await expect(brokerHoldsPact({ baseUrl: broker.url() }, pactFile, '1.2.3')).resolves.toMatchObject({ same: false });
    await expect(brokerHoldsPact({ baseUrl: broker.url() }, pactFile, '9.9.9')).resolves.toMatchObject({
      same: false,
      detail: expect.stringContaining('HTTP 404'),
    });
  });
});

describe('verification with a broker', () => {
  const verify = (app = pingApp()) =>
    verifyProvider({
      provider: PING_PROVIDER,
      implementation: 'ping',
      app,
      stateHandlers: { [PING_STATE]: async () => undefined },
      pactFile,
      resultsDir: mkdtempSync(join(tmpdir(), 'strangler-results-')),
      broker: { broker: { baseUrl: broker.url(), token: 's3cret' }, consumerVersion: '1.2.3', providerVersion: '4.5.6' },
    });
  const resultPosts = () => broker.received.filter((r) => r.method === 'POST');

  it('verifies the published pact and publishes a passing result under the provider version', async () => {
    await publishPact({ baseUrl: broker.url(), token: 's3cret' }, pactFile, '1.2.3');
    const outcome = await verify();
    expect(outcome.passed, outcome.output).toBe(true);
    expect(broker.received.filter((r) => r.method === 'GET').map((r) => [r.path, r.authorization])).toContainEqual([PACT_PATH, 'Bearer s3cret']);
    const posts = resultPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      path: '/pacts/provider/ping-api/consumer/storefront/pact-version/cafe/verification-results',
      authorization: 'Bearer s3cret',
      contentType: expect.stringMatching(/^application\/(hal\+)?json/),
    });
    expect(JSON.parse(posts[0]!.body)).toMatchObject({ success: true, providerApplicationVersion: '4.5.6' });
  });

  it('publishes a failing result for a provider that breaks the pact', async () => {
    await publishPact({ baseUrl: broker.url(), token: 's3cret' }, pactFile, '1.2.3');
    const outcome = await verify(pingApp({ broken: true }));
    expect(outcome.passed).toBe(false);
    expect(JSON.parse(resultPosts()[0]!.body)).toMatchObject({ success: false, providerApplicationVersion: '4.5.6' });
  });

  it('does not verify (or publish) when the broker holds another pact for that version', async () => {
    const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: Array<{ description: string }> };
    pact.interactions[0]!.description = 'a different ping';
    broker.pacts.set(PACT_PATH, JSON.stringify(pact));
    const outcome = await verify();
    expect(outcome.passed).toBe(false);
    expect(outcome.problems).toEqual([expect.stringContaining('differs from')]);
    expect(resultPosts()).toEqual([]);
  });
});

describe('broker settings', () => {
  it('come from config: none without PACT_BROKER_BASE_URL; the token wins over basic auth', () => {
    expect(brokerSettings(loadContractsConfig({}))).toBeUndefined();
    const settings = brokerSettings(
      loadContractsConfig({ PACT_BROKER_BASE_URL: 'https://broker.example/', PACT_BROKER_TOKEN: 't', PACT_BROKER_USERNAME: 'u', PACT_BROKER_PASSWORD: 'p' }),
    );
    expect(settings).toEqual({ baseUrl: 'https://broker.example', token: 't', username: 'u', password: 'p' });
    expect(brokerAuthorization(settings!)).toBe('Bearer t');
    expect(brokerAuthorization({ baseUrl: 'x', username: 'u', password: 'p' })).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(brokerAuthorization({ baseUrl: 'x' })).toBeUndefined();
    expect(brokerPactUrl({ baseUrl: 'https://b/' }, { consumer: 'storefront', provider: 'users-api' }, 'abc')).toBe(
      'https://b/pacts/provider/users-api/consumer/storefront/version/abc',
    );
  });
});
