/* HeartNet Notebook service worker. Generated at build time by scripts/service-worker.ts from
 * scripts/sw-template.js: edit the template, not dist/sw.js.
 *
 * - Install: precaches the pages, their scripts and styles, the TF.js runtime and WASM binaries, the demo's
 *   model and the sample records the pages open with (PRECACHE, written at build time), in one cache named
 *   after a hash of those files (VERSION), so every deploy with changed files gets a fresh cache.
 * - Activate: deletes the caches of older builds and takes control of open pages.
 * - Fetch (GET, this origin, under BASE only; nothing else is touched):
 *     page navigations: network first (fresh when online; refreshes the cached copy), the cached copy offline;
 *     everything else:  cache first, then the network; a 200 for a build file (_assets/, models/, samples/) is
 *                       added to the cache, e.g. a sample record opened for the first time. Nothing else is
 *                       cached at run time (so a dev server on the same origin never fills this cache).
 * Uploaded images never reach this worker: the classifier decodes them in the page and sends nothing.
 */
const VERSION = '__VERSION__';
const BASE = '__BASE__';
const PRECACHE = __PRECACHE__;
const CACHE = `heartnet-${VERSION}`;
/** Build files that may be cached when first fetched (paths relative to BASE). */
const RUNTIME = /^(?:_assets|models|samples)\//;

/** Cache key: no query or fragment; directory pages end in "/" (".../index.html" is the same page). */
function keyOf(request) {
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (url.pathname.endsWith('/index.html')) url.pathname = url.pathname.slice(0, -'index.html'.length);
  else if (request.mode === 'navigate' && !url.pathname.endsWith('/') && !/\.[a-z0-9]+$/i.test(url.pathname))
    url.pathname += '/';
  return url.href;
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((path) => new Request(BASE + path, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('heartnet-') && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

/** Lets a page (and the tests) ask which build is cached and how complete the cache is. */
self.addEventListener('message', (event) => {
  if (!event.data || event.data.type !== 'heartnet:sw-status') return;
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.keys())
      .then((keys) =>
        event.source?.postMessage({
          type: 'heartnet:sw-status',
          version: VERSION,
          cached: keys.length,
          precache: PRECACHE.length,
        }),
      ),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const key = keyOf(request);
  try {
    const response = await fetch(request);
    // Refresh the copy of a page this build precached; other pages are not kept.
    if (response.status === 200 && response.type === 'basic' && (await cache.match(key)))
      await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    return new Response(
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>Offline · HeartNet Notebook</title>' +
        `<h1>You are offline</h1><p>This page was not saved for offline reading. <a href="${BASE}">Contents</a></p></html>`,
      { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
    );
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const key = keyOf(request);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  const path = new URL(key).pathname.slice(BASE.length);
  if (response.status === 200 && response.type === 'basic' && RUNTIME.test(path))
    await cache.put(key, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || request.headers.has('range')) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(BASE) || url.pathname === `${BASE}sw.js`) return;
  event.respondWith(request.mode === 'navigate' ? networkFirst(request) : cacheFirst(request));
});
