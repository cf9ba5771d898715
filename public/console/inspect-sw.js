// The inspector's service worker (ADR 012), registered by the inspector's pages with scope
// /console/inspect: it keeps those pages and the scripts and styles they load, so that a round
// opened once with a connection opens again with none (in a market, in an alley). Pages are
// network-first (a fresh sheet when there is signal; the kept copy after 4 s without an answer, or
// at once when offline); Astro's hashed assets (/_astro/) never change and are served from the
// cache. Nothing else is touched: the API, uploads and every other console page go to the network
// as if there were no worker. What the inspector enters is not kept here but in IndexedDB
// (src/components/inspect/inspect-store.ts). Plain JavaScript: public/ is copied as it is.
'use strict';

const CACHE = 'cc-inspect-v1';
const PAGE = /^\/console\/inspect(\/\d+)?$/;
const ASSET = /^\/_astro\//;
const NETWORK_WAIT_MS = 4000;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('cc-inspect-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** Keeps a good answer for a page or an asset (never a redirect to the sign-in page, never an error). */
async function keep(request, response) {
  if (response.ok && !response.redirected && response.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function page(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => keep(new URL(request.url).pathname, response));
  const kept = await cache.match(new URL(request.url).pathname);
  if (!kept) return network;
  const late = new Promise((resolve) => setTimeout(() => resolve(kept), NETWORK_WAIT_MS));
  return Promise.race([network.catch(() => kept), late]);
}

async function asset(request) {
  const kept = await caches.match(request);
  return kept ?? fetch(request).then((response) => keep(request, response));
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && PAGE.test(url.pathname)) event.respondWith(page(request));
  else if (ASSET.test(url.pathname)) event.respondWith(asset(request));
});

// From the pages: keep these URLs (a page opened before the worker controlled it, and the
// assets it loaded); forget the round pages no longer open for this inspector.
self.addEventListener('message', (event) => {
  const message = event.data ?? {};
  if (message.type === 'keep' && Array.isArray(message.urls)) {
    event.waitUntil(
      caches.open(CACHE).then((cache) =>
        Promise.all(
          message.urls
            .filter((u) => typeof u === 'string' && u.startsWith('/') && (PAGE.test(u) || ASSET.test(u)))
            .map((u) => cache.match(u).then((hit) => hit ?? fetch(u, { credentials: 'same-origin' }).then((r) => keep(u, r)))),
        ).catch(() => undefined),
      ),
    );
  }
  if (message.type === 'forget' && Array.isArray(message.openRounds)) {
    const open = new Set(message.openRounds.map(String));
    event.waitUntil(
      caches.open(CACHE).then(async (cache) => {
        for (const request of await cache.keys()) {
          const round = /^\/console\/inspect\/(\d+)$/.exec(new URL(request.url).pathname);
          if (round && !open.has(round[1])) await cache.delete(request);
        }
      }),
    );
  }
});
