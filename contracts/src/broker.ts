import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { ContractsConfig } from './config.js';
import { comparablePact, readPactFile, type PactFile } from './pact-file.js';

/** Where the Pact Broker is and how to authenticate: a token, or basic auth. */
export interface BrokerSettings {
  baseUrl: string;
  token?: string;
  username?: string;
  password?: string;
}

/** The broker settings from config, or undefined when no broker is configured (the usual local case). */
export function brokerSettings(config: ContractsConfig): BrokerSettings | undefined {
  if (!config.brokerBaseUrl) return undefined;
  return {
    baseUrl: config.brokerBaseUrl,
    ...(config.brokerToken ? { token: config.brokerToken } : {}),
    ...(config.brokerUsername ? { username: config.brokerUsername, password: config.brokerPassword } : {}),
  };
}

export function brokerAuthorization(broker: BrokerSettings): string | undefined {
  if (broker.token) return `Bearer ${broker.token}`;
  if (broker.username) return `Basic ${Buffer.from(`${broker.username}:${broker.password ?? ''}`).toString('base64')}`;
  return undefined;
}

/** The broker resource of one consumer version's pact with one provider (publish with PUT, fetch with GET). */
export function brokerPactUrl(broker: BrokerSettings, pair: { consumer: string; provider: string }, consumerVersion: string): string {
  const segment = encodeURIComponent;
  return `${broker.baseUrl.replace(/\/+$/, '')}/pacts/provider/${segment(pair.provider)}/consumer/${segment(pair.consumer)}/version/${segment(consumerVersion)}`;
}

function headers(broker: BrokerSettings, extra: Record<string, string> = {}): Record<string, string> {
  const authorization = brokerAuthorization(broker);
  return { accept: 'application/hal+json, application/json', ...extra, ...(authorization ? { authorization } : {}) };
}

/**
 * Publishes a pact file under a consumer version with the broker's HTTP API (pact-js 16 has no publisher without the
 * Ruby CLI): PUT /pacts/provider/{provider}/consumer/{consumer}/version/{consumerVersion} with the pact as the body.
 */
export async function publishPact(
  broker: BrokerSettings,
  pactFile: string,
  consumerVersion: string,
  doFetch: typeof fetch = fetch,
): Promise<{ url: string; status: number }> {
  const content = readFileSync(pactFile, 'utf8');
  const pact = readPactFile(pactFile);
  const url = brokerPactUrl(broker, { consumer: pact.consumer.name, provider: pact.provider.name }, consumerVersion);
  const response = await doFetch(url, { method: 'PUT', headers: headers(broker, { 'content-type': 'application/json' }), body: content });
  if (!response.ok) {
    throw new Error(`publishing ${pactFile} to ${url} failed: HTTP ${response.status} ${(await response.text()).slice(0, 500)}`);
  }
  return { url, status: response.status };
}

/**
 * The contract part of a pact as a broker serves it: consumer, provider, interactions (without the `_id` the broker
 * adds to each) and the spec version; not the broker's own additions (`_links`, `createdAt`, ...).
 */
function contractOf(pact: PactFile): PactFile {
  return comparablePact({
    consumer: pact.consumer,
    provider: pact.provider,
    interactions: pact.interactions.map((interaction) => {
      const { _id: _ignored, ...kept } = interaction as typeof interaction & { _id?: unknown };
      return kept;
    }),
    ...(pact.metadata ? { metadata: pact.metadata } : {}),
  });
}

/**
 * Fetches the pact the broker holds for this consumer version and tells whether it is the committed one, so results
 * verified from the broker can be recorded against the committed pact's hash.
 */
export async function brokerHoldsPact(
  broker: BrokerSettings,
  pactFile: string,
  consumerVersion: string,
  doFetch: typeof fetch = fetch,
): Promise<{ same: boolean; url: string; detail: string }> {
  const committed = readPactFile(pactFile);
  const url = brokerPactUrl(broker, { consumer: committed.consumer.name, provider: committed.provider.name }, consumerVersion);
  const response = await doFetch(url, { headers: headers(broker) });
  if (!response.ok) return { same: false, url, detail: `GET ${url}: HTTP ${response.status} (publish the pacts first: npm run contracts)` };
  const served = (await response.json()) as PactFile;
  const same = isDeepStrictEqual(contractOf(served), contractOf(committed));
  return { same, url, detail: same ? 'same pact' : `the broker's pact at ${url} differs from ${pactFile}; publish it again (npm run contracts)` };
}
