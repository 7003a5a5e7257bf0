/**
 * The address a client is rate-limited by. Without trusted proxies it is the socket's peer: x-forwarded-for is
 * whatever the client typed. With `trustedHops` proxies in front (each appending its peer), the client is the
 * entry `trustedHops` from the right; entries further left were written by the client and are ignored.
 */
export function clientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  const peer = remoteAddress ?? 'unknown';
  if (trustedHops <= 0 || forwardedFor === undefined) return peer;
  const list = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (list.length === 0) return peer;
  return list[Math.max(0, list.length - trustedHops)] ?? peer;
}
