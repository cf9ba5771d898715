// Registers the inspector's service worker (public/console/inspect-sw.js, ADR 012) and asks it to
// keep this page and the scripts and styles it loaded, so that the page opens again with no
// network; the list of rounds also tells it (and IndexedDB) which rounds are no longer open.
import { forgetRoundsExcept } from './inspect-store.ts';

const SCRIPT = '/console/inspect-sw.js';
const SCOPE = '/console/inspect';

async function worker(): Promise<ServiceWorker | null> {
  if (!('serviceWorker' in navigator)) return null;
  await navigator.serviceWorker.register(SCRIPT, { scope: SCOPE });
  const registration = await navigator.serviceWorker.ready;
  return registration.active;
}

/** The same-origin assets this page loaded (Astro's hashed scripts, chunks and styles). */
function loadedAssets(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name, location.href))
    .filter((url) => url.origin === location.origin && url.pathname.startsWith('/_astro/'))
    .map((url) => url.pathname);
}

export function keepForOffline(): void {
  worker().then(
    (active) => active?.postMessage({ type: 'keep', urls: [location.pathname, ...loadedAssets()] }),
    (error: unknown) => console.warn('[inspect] service worker', error),
  );
}

/** On the list of open rounds: forget on the device what belongs to rounds no longer listed. */
export function forgetClosedRounds(openRounds: readonly number[]): void {
  worker().then(
    (active) => active?.postMessage({ type: 'forget', openRounds }),
    (error: unknown) => console.warn('[inspect] service worker', error),
  );
  forgetRoundsExcept(openRounds).catch((error: unknown) => console.warn('[inspect] IndexedDB', error));
}
