import { mkdtempSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PactV4 } from '@pact-foundation/pact';
import { pactFileName } from '../paths.js';

export const PING_PROVIDER = 'ping-api';
export const PING_STATE = 'ping is up';

/**
 * A one-interaction pact (storefront → ping-api: GET /ping → 200 {"ok":true}, given "ping is up"), written to a fresh
 * temp dir: exercises the verification machinery in milliseconds, without a database.
 */
export async function writePingPact(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-ping-pact-'));
  const pact = new PactV4({ consumer: 'storefront', provider: PING_PROVIDER, dir, logLevel: 'error' });
  await pact
    .addInteraction()
    .given(PING_STATE)
    .uponReceiving('a ping')
    .withRequest('GET', '/ping')
    .willRespondWith(200, (res) => res.jsonBody({ ok: true }))
    .executeTest(async (server) => {
      const response = await fetch(`${server.url}/ping`);
      if (response.status !== 200) throw new Error(`mock answered ${response.status}`);
    });
  return join(dir, pactFileName('storefront', PING_PROVIDER));
}

/** A ping provider: honours the pact, or answers `{"ok":"yes"}` when broken. */
export function pingApp(options: { broken?: boolean } = {}): RequestListener {
  return (req, res) => {
    if (req.method === 'GET' && req.url === '/ping') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: options.broken ? 'yes' : true }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"ROUTE_NOT_FOUND","message":"no route"}}');
  };
}
