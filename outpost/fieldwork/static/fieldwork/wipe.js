// The log-in page: no one is logged in, so the field copy and the offline page's cache
// leave this phone (the header of the log-out did it already where the browser obeys it).
// The outbox stays: its records are sent when their user logs in again.
(function () {
  "use strict";
  if (window.indexedDB) {
    const request = indexedDB.open("outpost-field", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("copy");
      request.result.createObjectStore("outbox", { keyPath: "key" });
    };
    request.onsuccess = () => {
      const db = request.result;
      const transaction = db.transaction("copy", "readwrite");
      transaction.objectStore("copy").clear();
      transaction.oncomplete = () => db.close();
    };
  }
  if (window.caches) {
    caches.keys().then((names) => names.forEach((name) => caches.delete(name)));
  }
})();
