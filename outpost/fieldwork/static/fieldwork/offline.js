// The offline page (离线外勤): shows the field copy kept on this phone, records visits,
// contacts and check-ins into the outbox (each with its own key and the time it was
// recorded, China time), and sends the outbox in order when the signal returns. Every
// word comes from the page (#field-strings), in the user's language.
(function () {
  "use strict";
  const F = window.OutpostField;
  const T = JSON.parse(document.getElementById("field-strings").textContent);
  let copy = null;

  function el(tagName, attrs, ...children) {
    const node = document.createElement(tagName);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function status(text) {
    document.getElementById("field-status").textContent = text;
  }

  // ------------------------------------------------------------------ the outbox

  async function outboxShow() {
    const rows = (await F.outboxAll()).filter((r) => r.recorded_by === F.userId());
    const list = document.getElementById("outbox-list");
    list.replaceChildren();
    const waiting = rows.filter((r) => r.state === "waiting").length;
    const badge = document.querySelector("[data-testid=outbox-badge]");
    badge.textContent = String(waiting);
    badge.hidden = waiting === 0;
    if (rows.length === 0) list.append(el("li", { class: "muted", text: T.nothing_waiting }));
    for (const record of rows) {
      const state = record.state === "waiting" ? T.waiting
        : record.state === "stored" ? T[record.status] || T.stored
          : T[record.status] || T.refused;
      const item = el(
        "li",
        { class: `outbox-item is-${record.state}`, "data-testid": "outbox-item", "data-state": record.state },
        el("strong", { text: record.label }),
        el("span", { class: "muted", text: ` · ${T.recorded_at} ${F.chinaText(record.recorded_at)} · ` }),
        el("span", { class: `tag${record.state === "refused" ? " tag-overdue" : record.state === "stored" ? " tag-done" : ""}`, text: state }),
      );
      if (record.state === "refused") {
        item.append(el("p", { class: "field-error", role: "alert", "data-testid": "refusal", text: record.detail || "" }));
        const actions = el("div", { class: "outbox-actions" });
        if (record.status === "conflict") {
          actions.append(el("button", { type: "button", text: T.send_new, onclick: () => resendAsNew(record) }));
        } else {
          actions.append(el("button", { type: "button", text: T.correct, onclick: () => formOpen(record.kind, record.target, record) }));
        }
        actions.append(el("button", { type: "button", "data-testid": "discard", text: T.discard, onclick: () => discard(record) }));
        item.append(actions);
      }
      list.append(item);
    }
  }

  async function discard(record) {
    await F.outboxDelete(record.key);
    await outboxShow();
  }

  async function resendAsNew(record) {
    await F.outboxDelete(record.key);
    Object.assign(record, { key: newKey(), state: "waiting", status: "", detail: "" });
    await F.outboxPut(record);
    await outboxShow();
    send();
  }

  async function send() {
    if (!navigator.onLine) return;
    const result = await F.outboxSend();
    if (result.error) status(T[result.error]);
    const note = document.getElementById("clock-note");
    if (result.clockNote) {
      note.textContent = result.clockNote;
      note.hidden = false;
    }
    await outboxShow();
  }

  async function queue(kind, target, label, body, previous) {
    const now = new Date();
    const record = previous
      ? Object.assign(previous, { body, state: "waiting", status: "", detail: "" })
      : {
        key: newKey(), kind, target, label, body,
        recorded_at: F.chinaIso(now), recorded_by: F.userId(), seq: now.getTime() * 1000 + (queue.n = (queue.n || 0) + 1) % 1000,
        state: "waiting",
      };
    await F.outboxPut(record);
    status(T.saved.replace("{time}", F.chinaText(record.recorded_at)));
    formClose();
    await outboxShow();
    send();
  }

  // ------------------------------------------------------------------ forms

  function radios(name, choices, chosen) {
    return el("div", { class: "choice-row", role: "radiogroup" }, ...choices.map((c) =>
      el("label", { class: "check" },
        el("input", { type: "radio", name, value: c.value, checked: c.value === chosen }),
        el("span", { text: c.label }))));
  }

  function select(name, choices, chosen) {
    return el("select", { name }, el("option", { value: "", text: "—" }), ...choices.map((c) =>
      el("option", { value: c.value, text: c.label, selected: c.value === chosen })));
  }

  function formClose() {
    const area = document.getElementById("form-area");
    area.replaceChildren();
    area.hidden = true;
  }

  function formShell(title, onsave) {
    const area = document.getElementById("form-area");
    const error = el("p", { class: "field-error", role: "alert", hidden: true });
    const form = el("form", { class: "stack", novalidate: true });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const problem = onsave(new FormData(form), form);
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
      }
    });
    area.replaceChildren(el("h2", { text: title }), error, form);
    area.hidden = false;
    area.scrollIntoView();
    return form;
  }

  function formButtons(form) {
    form.append(el("div", { class: "savebar" },
      el("button", { type: "submit", class: "primary big block", "data-testid": "save-offline", text: T.save }),
      el("button", { type: "button", text: T.cancel, onclick: formClose })));
  }

  function visitForm(household, previous) {
    const body = previous ? previous.body : null;
    const title = `${T.visit} ${household.household_number}`;
    const form = formShell(title, (data) => {
      const outcome = data.get("outcome");
      if (!outcome) return T.choose_outcome;
      const members = [];
      if (outcome === "completed") {
        for (const member of household.members) {
          // As on the online form, nothing is chosen beforehand: each answer is given.
          const presence = data.get(`presence-${member.id}`);
          const travel = data.get(`travelled-${member.id}`);
          const health = data.get(`health-${member.id}`);
          if (!presence || !travel || !health) return T.choose_presence;
          const travelled = travel === "yes";
          members.push({
            resident_id: member.id, presence, travelled,
            origin_place: travelled ? data.get(`origin-${member.id}`) || "" : "",
            health_status: health,
          });
        }
      }
      queue("visit", household.id, title, {
        household_id: household.id, campaign_id: copy.campaign.id, outcome,
        phone_confirmed: data.get("phone_confirmed") === "on", note: data.get("note") || "",
        members,
      }, previous);
      return null;
    });
    form.append(el("p", { class: "muted", text: `${household.address} · ${copy.campaign.name}` }));
    form.append(el("fieldset", {}, el("legend", { text: T.outcome }),
      radios("outcome", copy.choices.visit_outcome, body && body.outcome)));
    form.append(el("label", { class: "check big-check" },
      el("input", { type: "checkbox", name: "phone_confirmed", checked: body && body.phone_confirmed }),
      el("span", { text: `${T.phone_confirmed} ${household.phone_masked || ""}` })));
    if (household.members.length) form.append(el("h3", { text: T.members }));
    for (const member of household.members) {
      const was = body ? (body.members || []).find((m) => m.resident_id === member.id) || {} : {};
      form.append(el("fieldset", { class: "card member" },
        el("legend", { text: `${member.name} ${member.id_number_masked || ""}` }),
        el("label", { text: T.presence }, select(`presence-${member.id}`, copy.choices.presence, was.presence)),
        el("fieldset", {}, el("legend", { text: T.travelled }),
          radios(`travelled-${member.id}`, [{ value: "no", label: T.no }, { value: "yes", label: T.yes }],
            was.travelled === undefined ? null : (was.travelled ? "yes" : "no"))),
        el("label", { text: T.origin_place }, el("input", { type: "text", name: `origin-${member.id}`, value: was.origin_place || "" })),
        el("label", { text: T.health }, select(`health-${member.id}`, copy.choices.health, was.health_status))));
    }
    form.append(el("label", { text: T.note }, el("textarea", { name: "note", rows: 2, text: body ? body.note : "" })));
    formButtons(form);
  }

  function contactForm(person, previous) {
    const body = previous ? previous.body : null;
    const title = `${T.contact} ${person.name}`;
    const form = formShell(title, (data) => {
      const channel = data.get("channel");
      const outcome = data.get("contact_outcome");
      if (!channel || !outcome) return T.choose_channel;
      queue("contact", person.id, title, {
        key_person_id: person.id, channel, outcome, note: data.get("note") || "",
      }, previous);
      return null;
    });
    form.append(el("fieldset", {}, el("legend", { text: T.channel }),
      radios("channel", copy.choices.contact_channel, body && body.channel)));
    form.append(el("fieldset", {}, el("legend", { text: T.outcome }),
      radios("contact_outcome", copy.choices.contact_outcome, body && body.outcome)));
    form.append(el("label", { text: T.note }, el("textarea", { name: "note", rows: 2, text: body ? body.note : "" })));
    formButtons(form);
  }

  function checkInForm(episode, previous) {
    const body = previous ? previous.body : null;
    const title = `${T.check_in} ${episode.name}`;
    const form = formShell(title, (data) => {
      const temperature = (data.get("temperature") || "").trim();
      if (!temperature) return T.enter_temperature;
      queue("check_in", episode.id, title, {
        episode_id: episode.id, temperature, symptoms: data.getAll("symptoms"),
        note: data.get("note") || "",
      }, previous);
      return null;
    });
    form.append(el("p", { class: "muted", text: `${episode.site} · ${episode.room}` }));
    form.append(el("label", { text: T.temperature },
      el("input", { type: "text", name: "temperature", inputmode: "decimal", value: body ? body.temperature : "" })));
    form.append(el("fieldset", {}, el("legend", { text: T.symptoms }), ...copy.choices.symptom.map((c) =>
      el("label", { class: "check" },
        el("input", { type: "checkbox", name: "symptoms", value: c.value, checked: body && body.symptoms.includes(c.value) }),
        el("span", { text: c.label })))));
    form.append(el("label", { text: T.note }, el("textarea", { name: "note", rows: 2, text: body ? body.note : "" })));
    formButtons(form);
  }

  function formOpen(kind, target, previous) {
    if (!copy) return;
    if (kind === "visit") {
      const household = copy.households.find((h) => h.id === target);
      if (household) visitForm(household, previous);
    } else if (kind === "contact") {
      const person = copy.key_persons.find((p) => p.id === target);
      if (person) contactForm(person, previous);
    } else {
      const episode = copy.episodes.find((e) => e.id === target);
      if (episode) checkInForm(episode, previous);
    }
  }

  // ------------------------------------------------------------------ the lists

  function listShow(id, rows, empty, line) {
    const list = document.getElementById(id);
    list.replaceChildren();
    if (!rows.length) list.append(el("li", { class: "muted", text: empty }));
    for (const row of rows) list.append(el("li", {}, line(row)));
  }

  function copyShow() {
    document.getElementById("grid-name").textContent = copy && copy.grid ? copy.grid.name : "";
    const households = copy && copy.campaign ? copy.households : [];
    listShow("household-list", households, T.no_households, (h) => el("button", {
      type: "button", class: `work-item block${h.visited ? " is-done" : ""}`, "data-testid": "household",
      "data-number": h.household_number, onclick: () => formOpen("visit", h.id),
    }, el("span", { class: "work-number", text: h.household_number }),
    el("span", { class: "work-address", text: ` ${h.address} ` }),
    el("span", { class: `tag${h.visited ? " tag-done" : " tag-todo"}`, text: h.visited ? T.visited : T.to_visit })));
    listShow("keyperson-list", copy ? copy.key_persons : [], T.no_key_persons, (p) => el("button", {
      type: "button", class: "work-item block", "data-testid": "key-person", onclick: () => formOpen("contact", p.id),
    }, el("strong", { text: p.name }),
    el("span", { class: "muted", text: ` ${p.phone_masked || ""} · ${p.category} ` }),
    p.is_overdue ? el("span", { class: "tag tag-overdue", text: T.overdue }) : null));
    listShow("episode-list", copy ? copy.episodes : [], T.no_episodes, (e) => el("button", {
      type: "button", class: "work-item block", "data-testid": "episode", onclick: () => formOpen("check_in", e.id),
    }, el("strong", { text: e.name }), el("span", { class: "muted", text: ` ${e.site} · ${e.room}` })));
  }

  async function load() {
    let state;
    if (navigator.onLine) {
      const fresh = await F.copyRefresh(true);
      state = fresh ? { copy: fresh, fetched: Date.now() } : await F.copyRead();
    } else {
      state = await F.copyRead();
    }
    copy = state.copy;
    const copyState = document.getElementById("field-copy-state");
    if (copy) {
      copyState.textContent = T.copy_taken
        .replace("{grid}", copy.grid ? copy.grid.name : "")
        .replace("{time}", F.chinaText(copy.taken_at));
    } else {
      copyState.textContent = state.expired ? T.copy_expired : T.copy_none;
    }
    status(navigator.onLine ? T.online : T.offline);
    copyShow();
    await outboxShow();
    document.body.dataset.fieldReady = "1";
    send();
  }

  document.getElementById("send-now").addEventListener("click", send);
  window.addEventListener("online", () => { status(T.online); send(); });
  window.addEventListener("offline", () => status(T.offline));
  document.addEventListener("outpost:outbox", outboxShow);
  load();
})();
