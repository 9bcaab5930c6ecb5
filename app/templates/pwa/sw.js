// Givefirst service worker: a thin router over a few named strategies.
// Shell version {{ version }}; a new version waits until the user accepts the update.
const VERSION = "{{ version }}";
const SHELL = `shell-${VERSION}`;
const PAGES = "pages";
const PRECACHE = {{ precache|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith("shell-") && n !== SHELL).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
  if (event.data?.type === "signed-out") event.waitUntil(caches.delete(PAGES));
});

async function staticFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

// Pages: the network when it answers, else the copy kept from the last visit, else /offline.
// A server error also falls back to the kept copy: it is better than an error page at a venue.
async function pageNetworkFirst(request) {
  const fallback = async () =>
    (await caches.match(request, { cacheName: PAGES })) || (await caches.match("/offline"));
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) (await caches.open(PAGES)).put(request, response.clone());
    if (response.status >= 500) return (await fallback()) || response;
    return response;
  } catch (error) {
    return fallback();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(request));
  }
});
