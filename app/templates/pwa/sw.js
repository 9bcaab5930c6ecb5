// Givefirst service worker: a thin router over a few named strategies.
// Shell version {{ version }}; a new version waits until the user accepts the update.
// The values below come through tojson, which writes JavaScript literals with <, >, & and '
// escaped: nothing rendered here can end the literal or the script.
const VERSION = {{ version|tojson }};
const SHELL = `shell-${VERSION}`;
const PAGES = "pages";
const PRECACHE = {{ precache|tojson }};

// Revalidated, not taken from the browser's HTTP cache: imported modules have no fingerprint in
// their URL, and a new shell must not keep the previous version of one.
self.addEventListener("install", (event) => {
  const requests = PRECACHE.map((url) => new Request(url, { cache: "no-cache" }));
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(requests)));
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
  if (event.data?.type === "keep") event.waitUntil(keep(event.data.urls || []));
});

// Pages the user will want at the venue (capture, the current event, people), fetched ahead.
// A page kept less than this long ago is not fetched again when a page asks to keep it: every
// page view asks, and a visit refreshes the kept copy of the page visited anyway.
const KEPT_FRESH_MS = 15 * 60 * 1000;

async function keptRecently(cache, url) {
  const kept = await cache.match(url);
  const date = kept && Date.parse(kept.headers.get("date") || "");
  return Boolean(date) && Date.now() - date < KEPT_FRESH_MS;
}

async function keep(urls) {
  const cache = await caches.open(PAGES);
  await Promise.all(
    urls.map(async (url) => {
      try {
        if (await keptRecently(cache, url)) return;
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(url, response);
      } catch (error) {
        // offline: what was kept before stays
      }
    }),
  );
}

// Static files answer "Vary: Accept-Language, Cookie" like every response, but are the same in every
// language and account: a page's request (which carries Accept-Language) must find the copy that
// install kept (which carries none), or nothing precached is ever found offline.
async function staticFirst(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

// Pages: the network when it answers, else the copy kept from the last visit, else /offline.
// A server error also falls back to the kept copy: it is better than an error page at a venue.
// A network that neither answers nor fails (a crowded hall) gets a few seconds, then the kept
// copy is shown while the answer, when it comes, refreshes the cache for next time.
const PATIENCE = 3000;

async function pageNetworkFirst(event) {
  const request = event.request;
  // Kept pages vary on language and cookie, which a kept copy may not match exactly: offline, the
  // account's own copy is what counts. The same page with other parameters beats nothing, but
  // only offline: on a slow network it would pass off other results as the ones asked for.
  const same = () => caches.match(request, { cacheName: PAGES, ignoreVary: true });
  const fallback = async () =>
    (await same()) ||
    (await caches.match(request, { cacheName: PAGES, ignoreVary: true, ignoreSearch: true })) ||
    (await caches.match("/offline"));
  const network = fetch(request).then(async (response) => {
    if (response.ok && !response.redirected) await (await caches.open(PAGES)).put(request, response.clone());
    return response;
  });
  event.waitUntil(network.catch(() => null)); // the late answer still refreshes the kept copy
  const slow = new Promise((resolve) => setTimeout(resolve, PATIENCE)).then(same);
  try {
    const response = await Promise.race([network, slow.then((copy) => copy || network)]);
    if (response.status >= 500) return (await fallback()) || response;
    return response;
  } catch (error) {
    return fallback();
  }
}

// People's photos: kept beside their pages, so a kept person page shows its photo offline.
async function photoNetworkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok) (await caches.open(PAGES)).put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName: PAGES, ignoreSearch: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(event));
  } else if (/^\/api\/v1\/contacts\/[^/]+\/photo$/.test(url.pathname)) {
    event.respondWith(photoNetworkFirst(request));
  }
});
