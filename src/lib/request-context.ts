import type { AstroGlobal } from 'astro';
import type { RequestContext } from '../../server/app-services.ts';

/** Who is asking, for throttling and the private record: the host's answer when it gives one. */
export function requestContext(astro: AstroGlobal): RequestContext {
  if (astro.locals.request) return astro.locals.request;
  let ip = 'unknown';
  try {
    ip = astro.clientAddress;
  } catch {
    // The adapter did not tell Astro the client address; throttling then shares one bucket.
  }
  const userAgent = astro.request.headers.get('user-agent');
  return userAgent ? { ip, userAgent: userAgent.slice(0, 300) } : { ip };
}
