// Outpost's service worker (served at /sw.js). It keeps the offline page and the static
// files it needs, and only those: no page with personal data is cached (the field copy
// lives in IndexedDB, wiped at log-out and after 12 hours). Without a signal, opening a
// field page shows the offline page; every other request goes to the network untouched.
"use strict";
const CACHE = "outpost-field-v1";
const OFFLINE_PAGE = "/fieldwork/";
const FIELD_PAGES = [
  /^\/fieldwork\/$/,
  /^\/registry\/my-grid\/$/,
  /^\/registry\/households\/$/,
  /^\/registry\/visits\/new\/\d+\/$/,
  /^\/keypersons\/mine\/$/,
  /^\/keypersons\/\d+\/contacts\/new\/$/,
  /^\/observation\/episodes\/\d+\/check-ins\/new\/$/,
];

async function offlinePageKeep(response) {
  // The page's own static files (their names may carry a hash) are kept with it.
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  await cache.put(OFFLINE_PAGE, response);
  const assets = [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
  await Promise.all(assets.map((url) => cache.add(url).catch(() => null)));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    fetch(OFFLINE_PAGE, { credentials: "same-origin", redirect: "manual" })
      .then((response) => (response.ok ? offlinePageKeep(response) : null))
      .catch(() => null)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// A field copy not refreshed for 12 hours leaves the phone at the first page of this site
// opened after that, whichever it is (the offline page also refuses to show it).
const COPY_HOURS = 12;
function copyExpire() {
  return new Promise((resolve) => {
    const request = indexedDB.open("outpost-field", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("copy");
      request.result.createObjectStore("outbox", { keyPath: "key" });
    };
    request.onerror = () => resolve();
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction("copy", "readwrite");
      const store = transaction.objectStore("copy");
      const read = store.get("current");
      read.onsuccess = () => {
        const entry = read.result;
        if (entry && Date.now() - entry.fetched > COPY_HOURS * 3600 * 1000) store.delete("current");
      };
      transaction.oncomplete = () => { db.close(); resolve(); };
      transaction.onerror = () => { db.close(); resolve(); };
    };
  });
}

function isFieldPage(url) {
  return url.origin === self.location.origin && FIELD_PAGES.some((p) => p.test(url.pathname));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate") event.waitUntil(copyExpire());
  if (request.mode === "navigate" && isFieldPage(url)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (url.pathname === OFFLINE_PAGE && response.ok && !response.redirected) {
            offlinePageKeep(response.clone());
          }
          return response;
        })
        .catch(async () => (await caches.match(OFFLINE_PAGE)) || Response.error()),
    );
    return;
  }
  if (url.origin === self.location.origin && url.pathname.startsWith("/static/")) {
    // Static files: the network first (so a new version shows at once), the cache offline.
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
          return response;
        })
        .catch(async () => (await caches.match(request)) || Response.error()),
    );
  }
});
