import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 15_000;
const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (where `listen(0)` and every client socket's source port come from). */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && Number.isInteger(low) && low > LOWEST + 1_000) return low;
  } catch {
    // not Linux: the IANA dynamic range
  }
  return 49_152;
}

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free loopback port for a server a test starts, often in another process that binds it a while later.
 *
 * Not the kernel's pick (`listen(0)`): that comes from the ephemeral range, the same range every outgoing connection
 * takes its source port from, so on a busy machine a client socket (a Kafka client, a DB pool) can take the port
 * before the server binds it. A random port below that range is never handed to a client socket; it is checked free
 * by binding it, and this process never hands out the same port twice.
 */
export async function freePort(): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
    if (handedOut.has(port)) continue;
    if ((await bindable(port)) === port) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port found in ${LOWEST}-${high}`);
}
