// Field pages (My grid, households, the visit form, My key persons, the contact form, the
// check-in form): the installable web app. Registers the service worker, keeps the field
// copy fresh while there is a signal, shows how many records wait in the outbox, and asks
// before a log-out wipes records not sent yet. Plain script, no build step.
(function () {
  "use strict";
  const DB_NAME = "outpost-field";
  const COPY_HOURS = 12;
  const REFRESH_MINUTES = 15;
  const tag = document.getElementById("field-app");
  const config = tag ? tag.dataset : {};

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("copy");
        db.createObjectStore("outbox", { keyPath: "key" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(storeName, mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(storeName, mode);
      const store = transaction.objectStore(storeName);
      let result;
      Promise.resolve(work(store)).then((value) => { result = value; });
      transaction.oncomplete = () => { db.close(); resolve(result); };
      transaction.onerror = () => { db.close(); reject(transaction.error); };
    });
  }

  function requested(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  // China time: every time recorded and shown is Asia/Shanghai (UTC+8, no summer time).
  function chinaIso(date) {
    const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
    return shifted.toISOString().replace("Z", "+08:00");
  }
  function chinaText(iso) {
    if (!iso) return "";
    const shifted = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return shifted.toISOString().slice(0, 16).replace("T", " ");
  }

  function userId() {
    return Number(config.user || 0);
  }

  async function copyRead() {
    const entry = await run("copy", "readonly", (store) => requested(store.get("current")));
    if (!entry) return { copy: null, expired: false };
    const tooOld = Date.now() - entry.fetched > COPY_HOURS * 3600 * 1000;
    if (tooOld || entry.copy.user_id !== userId()) {
      await run("copy", "readwrite", (store) => store.delete("current"));
      return { copy: null, expired: tooOld };
    }
    return { copy: entry.copy, fetched: entry.fetched, expired: false };
  }

  async function copyRefresh(force) {
    if (!navigator.onLine || !config.copyUrl) return null;
    const entry = await run("copy", "readonly", (store) => requested(store.get("current")));
    const fresh = entry && entry.copy.user_id === userId() &&
      Date.now() - entry.fetched < REFRESH_MINUTES * 60 * 1000;
    if (fresh && !force) return entry.copy;
    try {
      const response = await fetch(config.copyUrl, { credentials: "same-origin" });
      if (!response.ok) return null;
      const copy = await response.json();
      await run("copy", "readwrite", (store) => store.put({ copy, fetched: Date.now() }, "current"));
      return copy;
    } catch (error) {
      return null;
    }
  }

  async function outboxAll() {
    const rows = await run("outbox", "readonly", (store) => requested(store.getAll()));
    return rows.sort((a, b) => a.seq - b.seq);
  }
  function outboxPut(record) {
    return run("outbox", "readwrite", (store) => requested(store.put(record)));
  }
  function outboxDelete(key) {
    return run("outbox", "readwrite", (store) => requested(store.delete(key)));
  }
  async function waitingCount() {
    const rows = await outboxAll();
    return rows.filter((r) => r.state === "waiting" && r.recorded_by === userId()).length;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  const CHUNK = 100;
  let sending = false;
  // Send the user's waiting records in the order they were recorded, a chunk a request;
  // each answer says per record stored, stored before, or refused and why.
  async function outboxSend() {
    if (sending || !navigator.onLine || !config.sendUrl) return { sent: 0 };
    sending = true;
    let result = { sent: 0 };
    try {
      const waiting = (await outboxAll()).filter(
        (r) => r.state === "waiting" && r.recorded_by === userId(),
      );
      for (let start = 0; start < waiting.length; start += CHUNK) {
        const chunk = waiting.slice(start, start + CHUNK);
        let response;
        try {
          response = await fetch(config.sendUrl, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify({
              sent_at: chinaIso(new Date()),
              records: chunk.map((r) => ({
                key: r.key, kind: r.kind, recorded_at: r.recorded_at,
                recorded_by: r.recorded_by, body: r.body,
              })),
            }),
          });
        } catch (error) {
          result = { error: "send_failed" };
          break;
        }
        if (response.status === 401 || response.status === 403) {
          result = { error: "session_ended" };
          break;
        }
        if (!response.ok) {
          result = { error: "send_failed" };
          break;
        }
        const answer = await response.json();
        result.clockNote = answer.clock_note;
        const byKey = new Map(chunk.map((r) => [r.key, r]));
        for (const outcome of answer.outcomes) {
          const record = byKey.get(outcome.key);
          if (!record) continue;
          record.state = outcome.status === "stored" || outcome.status === "replayed"
            ? "stored" : "refused";
          record.status = outcome.status;
          record.detail = outcome.detail;
          record.record_id = outcome.record_id;
          record.sent = Date.now();
          await outboxPut(record);
          result.sent += 1;
        }
      }
    } finally {
      sending = false;
    }
    document.dispatchEvent(new CustomEvent("outpost:outbox"));
    return result;
  }

  async function badgeShow() {
    const actions = document.querySelector(".topbar-actions");
    // Not on the offline page itself: it shows its own outbox.
    if (!actions || !config.offlineUrl || document.getElementById("field-strings")) return;
    let link = document.querySelector("a.field-outbox");
    if (!link) {
      link = document.createElement("a");
      link.className = "field-outbox inbox-link";
      link.href = config.offlineUrl;
      link.textContent = config.offlineLink || "";
      const badge = document.createElement("span");
      badge.className = "inbox-badge";
      badge.dataset.testid = "outbox-count";
      link.appendChild(badge);
      actions.prepend(link);
    }
    const count = await waitingCount();
    const badge = link.querySelector(".inbox-badge");
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form[action$='/accounts/logout/']") || form.dataset.confirmed) return;
    event.preventDefault();
    const count = await waitingCount();
    if (count === 0 || window.confirm(config.confirmLogout)) {
      form.dataset.confirmed = "1";
      form.submit();
    }
  });

  window.OutpostField = {
    copyRead, copyRefresh, outboxAll, outboxPut, outboxDelete, outboxSend, waitingCount,
    chinaIso, chinaText, userId, badgeShow,
  };

  if ("serviceWorker" in navigator && config.sw) {
    navigator.serviceWorker.register(config.sw, { scope: "/" }).catch(() => {});
  }
  document.addEventListener("outpost:outbox", badgeShow);
  window.addEventListener("online", () => { copyRefresh(false); outboxSend(); });
  if (!document.getElementById("field-strings")) {
    // A field page: refresh the copy, send what waits (the offline page does both itself).
    badgeShow();
    if (navigator.onLine) copyRefresh(false).then(() => outboxSend());
  }
})();
