// Who may read /metrics (issue 18, item 3): a client address in METRICS_ALLOW (by default this
// machine only) or a request carrying METRICS_TOKEN as a bearer token. The address is the one
// TRUST_PROXY resolves, so a scrape relayed by the portal's own nginx from outside is refused
// like any outside client.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface MetricsAccess {
  token: string | null;
  allow: readonly string[];
}

export function mayReadMetrics(req: IncomingMessage, clientIp: string | null, access: MetricsAccess): boolean {
  if (clientIp && access.allow.includes(normalize(clientIp))) return true;
  const header = String(req.headers['authorization'] ?? '');
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
  if (!access.token || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(access.token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1. */
function normalize(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
