// The load: GET /api/users/:id from N distinct visitors, half signed in (bearer JWT as the monolith issues them),
// half anonymous (a well-formed sid cookie), cycled request by request across all connections.
import { randomBytes } from 'node:crypto';
import autocannon, { type Instance } from 'autocannon';
import { SignJWT } from 'jose';

export interface Identity {
  userId: number;
  headers: Record<string, string>;
}

export async function makeIdentities(count: number, secret: string, issuer: string): Promise<Identity[]> {
  const key = new TextEncoder().encode(secret);
  const identities: Identity[] = [];
  for (let userId = 1; userId <= count; userId++) {
    if (userId % 2 === 0) {
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(String(userId)).setIssuer(issuer).setIssuedAt().setExpirationTime('2h').sign(key);
      identities.push({ userId, headers: { authorization: `Bearer ${token}` } });
    } else {
      identities.push({ userId, headers: { cookie: `sid=${randomBytes(16).toString('base64url')}` } });
    }
  }
  return identities;
}

export interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  requests: number;
}

export interface LoadOptions {
  connections: number;
  durationS: number;
}

let currentRun: Instance | undefined;

/** Ends the run in progress early (Ctrl-C). */
export function stopLoad(): void {
  currentRun?.stop();
}

export async function load(url: string, identities: Identity[], options: LoadOptions): Promise<Figures> {
  let next = 0;
  currentRun = autocannon({
    url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationS,
    requests: [
      {
        method: 'GET',
        setupRequest(request) {
          const identity = identities[next++ % identities.length] as Identity;
          return { ...request, path: `/api/users/${identity.userId}`, headers: { accept: 'application/json', ...identity.headers } };
        },
      },
    ],
  });
  const result = await currentRun;
  currentRun = undefined;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

/** One request before the load: a misconfigured target must fail loudly, not look fast. */
export async function expectOk(url: string, identity: Identity): Promise<void> {
  const response = await fetch(`${url}/api/users/${identity.userId}`, { headers: identity.headers });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
}
