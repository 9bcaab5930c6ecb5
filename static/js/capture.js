// The capture screen: saved to the phone first (outbox), sent when the network allows.
import { enqueue, flush, counts, entries, discard, rememberPeople, rememberedPeople, available } from "./outbox.js";
import { parseScan } from "./scan.js";

const form = document.getElementById("capture-form");
const panel = document.getElementById("outbox");
const matchesBox = document.getElementById("matches");
const preview = document.getElementById("photo-preview");
const FIELDS = ["full_name", "company", "role", "email", "phone", "url", "hook", "needs"];
const MAX_SIDE = 1280;
let chosen = null; // a person already known, chosen as the one being captured

const fold = (text) =>
  (text || "").replace(/[œŒ]/g, "oe").replace(/[æÆ]/g, "ae").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
const words = (text) => fold(text).match(/[\p{L}\p{N}_]+/gu) || [];
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

function say(message) {
  document.getElementById("outbox-count").textContent = message;
}

async function refresh() {
  const { waiting, attention, signInNeeded } = await counts();
  panel.hidden = false;
  const data = panel.dataset;
  say(waiting === 0 ? data.allSent : waiting === 1 ? data.waitingOne : fill(data.waitingMany, { n: waiting }));
  document.getElementById("outbox-signin").hidden = !signInNeeded;
  const list = document.getElementById("attention-list");
  document.getElementById("attention").hidden = attention.length === 0;
  list.replaceChildren(
    ...attention.map((entry) => {
      const item = document.createElement("li");
      item.className = "row";
      const text = document.createElement("span");
      const strong = document.createElement("strong");
      strong.textContent = entry.label || panel.dataset.unnamed;
      const reason = document.createElement("small");
      reason.textContent = entry.error;
      text.append(strong, document.createElement("br"), reason);
      const fix = document.createElement("button");
      fix.type = "button";
      fix.textContent = list.dataset.fix;
      fix.addEventListener("click", () => refill(entry));
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "danger";
      drop.textContent = list.dataset.discard;
      drop.addEventListener("click", async () => {
        if (confirm(list.dataset.confirm)) await discard(entry.key);
      });
      const actions = document.createElement("span");
      actions.className = "actions";
      actions.append(fix, drop);
      item.append(text, actions);
      return item;
    }),
  );
}

// Put a refused capture back in the form; it leaves the outbox when saved again.
async function refill(entry) {
  for (const name of FIELDS) form.elements[name].value = entry.body[name] || "";
  form.elements.tags.value = (entry.body.tags || []).join(", ");
  form.elements.id.value = entry.url.split("/").pop();
  if (entry.body.event_id) form.elements.event_id.value = entry.body.event_id;
  form.dataset.replaces = entry.key;
  form.dataset.photo = entry.photo ? "kept" : "";
  refilledPhoto = entry.photo;
  form.elements.full_name.focus();
}
let refilledPhoto = null;

async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.82));
    return { buffer: await blob.arrayBuffer(), type: "image/jpeg" };
  } catch (error) {
    return { buffer: await file.arrayBuffer(), type: file.type || "application/octet-stream" };
  }
}

function bodyFromForm() {
  const data = new FormData(form);
  const body = {};
  for (const name of FIELDS) {
    const value = String(data.get(name) || "").trim();
    if (value) body[name] = value;
  }
  const tags = String(data.get("tags") || "").split(",").map((tag) => tag.trim()).filter(Boolean);
  if (tags.length) body.tags = tags;
  if (data.get("met_through_id")) body.met_through_id = data.get("met_through_id");
  if (data.get("event_id")) body.event_id = data.get("event_id");
  body.met_at = new Date().toISOString();
  return body;
}

// Met again: the known person gets a meeting; what was typed about today goes on the meeting.
function bodyForKnown(body) {
  const known = { met_at: body.met_at };
  if (body.event_id) known.event_id = body.event_id;
  for (const name of ["company", "role", "email", "phone", "url"]) if (body[name]) known[name] = body[name];
  const note = [body.hook, body.needs].filter(Boolean).join("\n");
  if (note) known.meeting_note = note;
  return known;
}

function markInvalid(name, message) {
  const input = form.elements[name];
  input.setAttribute("aria-invalid", "true");
  input.setCustomValidity(message);
  input.reportValidity();
  input.addEventListener("input", () => {
    input.removeAttribute("aria-invalid");
    input.setCustomValidity("");
  }, { once: true });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const next = event.submitter?.value || "capture";
  const body = bodyFromForm();
  const file = form.elements.photo.files[0];
  if (!body.full_name && !file && !refilledPhoto && !chosen) {
    markInvalid("full_name", form.dataset.nameOrPhoto);
    return;
  }
  const photo = file ? await shrink(file) : refilledPhoto;
  const target = chosen ? chosen.id : form.elements.id.value;
  const label = chosen ? chosen.full_name : body.full_name || "";
  if (form.dataset.replaces) await discard(form.dataset.replaces);
  await enqueue({
    method: "PUT",
    url: `/api/v1/contacts/${target}`,
    body: chosen ? bodyForKnown(body) : body,
    photo,
    label,
  });
  // A give planned on the spot follows the person through the same outbox (FIFO: after them).
  const giveTitle = String(form.elements.give_title.value || "").trim();
  if (giveTitle) {
    const give = { contact_id: target, kind: "resource", title: giveTitle };
    if (body.event_id) give.event_id = body.event_id;
    await enqueue({ kind: "give", method: "PUT", url: `/api/v1/gives/${crypto.randomUUID()}`, body: give, label: giveTitle });
  }
  document.getElementById("status").hidden = false;
  document.getElementById("status").textContent = fill(panel.dataset.saved, { name: label || panel.dataset.unnamed });
  if (next === "person" && navigator.onLine) {
    await flush({ force: true });
    location.href = `/people/${target}`;
    return;
  }
  const eventId = form.elements.event_id.value;
  form.reset();
  form.elements.event_id.value = eventId;
  form.elements.id.value = crypto.randomUUID();
  delete form.dataset.replaces;
  refilledPhoto = null;
  chosen = null;
  preview.hidden = true;
  matchesBox.hidden = true;
  form.elements.full_name.focus();
});

// Likely matches: the server when online, the people kept on the phone otherwise.
async function localMatches(name, email, company) {
  const people = await rememberedPeople();
  const wanted = words(name);
  const wantedCompany = fold(company).trim();
  return people
    .filter((person) => {
      if (email && person.email && person.email.toLowerCase() === email.toLowerCase()) return true;
      if (!wanted.length) return false;
      const theirs = new Set(words(person.full_name));
      if (!wanted.every((word) => theirs.has(word))) return false;
      const theirCompany = fold(person.company).trim();
      if (wantedCompany && theirCompany && wantedCompany !== theirCompany) return false;
      return theirs.size === wanted.length || (wantedCompany && wantedCompany === theirCompany);
    })
    .slice(0, 5);
}

async function findMatches() {
  const name = form.elements.full_name.value.trim();
  const email = form.elements.email.value.trim();
  const company = form.elements.company.value.trim();
  if (chosen || (words(name).length < 2 && !email.includes("@"))) {
    if (!chosen) matchesBox.hidden = true;
    return;
  }
  let found = [];
  try {
    if (!navigator.onLine) throw new Error("offline");
    const query = new URLSearchParams({ full_name: name, email, company });
    const response = await fetch(`/api/v1/contacts/matches?${query}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    found = await response.json();
  } catch (error) {
    found = await localMatches(name, email, company);
  }
  showMatches(found);
}

function showMatches(found) {
  const data = form.dataset;
  matchesBox.replaceChildren();
  matchesBox.hidden = found.length === 0;
  if (!found.length) return;
  const title = document.createElement("p");
  title.className = "title";
  title.textContent = data.matchesTitle;
  matchesBox.append(title);
  for (const person of found) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "match";
    button.textContent = `${person.full_name}${person.company ? " · " + person.company : ""} — ${data.matchesUse}`;
    button.addEventListener("click", () => choose(person));
    matchesBox.append(button);
  }
}

function choose(person) {
  chosen = person;
  matchesBox.replaceChildren();
  const text = document.createElement("p");
  text.setAttribute("role", "status");
  text.textContent = fill(form.dataset.matchesChosen, { name: person.full_name });
  const undo = document.createElement("button");
  undo.type = "button";
  undo.textContent = form.dataset.matchesUndo;
  undo.addEventListener("click", () => {
    chosen = null;
    matchesBox.hidden = true;
    findMatches();
  });
  matchesBox.append(text, undo);
  matchesBox.hidden = false;
}

let debounce = null;
for (const name of ["full_name", "email", "company"]) {
  form.elements[name].addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(findMatches, 300);
  });
}

form.elements.photo.addEventListener("change", () => {
  const file = form.elements.photo.files[0];
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.hidden = !file;
  if (file) preview.src = URL.createObjectURL(file);
});

// Keep recent people on the phone for offline matches.
async function keepPeople() {
  if (!navigator.onLine) return;
  try {
    const kept = [];
    let cursor = "";
    for (let page = 0; page < 5; page++) {
      const response = await fetch(`/api/v1/contacts?limit=200&sort=recent${cursor ? "&cursor=" + cursor : ""}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const answer = await response.json();
      for (const p of answer.items) kept.push({ id: p.id, full_name: p.full_name, company: p.company, email: p.email });
      if (!answer.next_cursor) break;
      cursor = answer.next_cursor;
    }
    await rememberPeople(kept);
  } catch (error) {
    // offline or signed out: keep what the phone already has
  }
}

// QR codes, where the browser can read them (no library is downloaded from elsewhere).
const scanButton = document.getElementById("scan");
const dialog = document.getElementById("scanner");
let stream = null;
if ("BarcodeDetector" in self && navigator.mediaDevices?.getUserMedia) {
  scanButton.hidden = false;
  scanButton.addEventListener("click", startScan);
  dialog.querySelector("[data-action=close-scan]").addEventListener("click", stopScan);
  dialog.addEventListener("close", stopScan);
}

async function startScan() {
  dialog.showModal();
  const video = document.getElementById("scanner-video");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (error) {
    document.getElementById("scanner-status").textContent = dialog.dataset.none;
    return;
  }
  video.srcObject = stream;
  await video.play();
  const detector = new BarcodeDetector({ formats: ["qr_code"] });
  const tick = async () => {
    if (!stream) return;
    const codes = await detector.detect(video).catch(() => []);
    const fields = codes.length ? parseScan(codes[0].rawValue) : null;
    if (fields) {
      for (const [name, value] of Object.entries(fields)) if (form.elements[name]) form.elements[name].value = value;
      dialog.close();
      findMatches();
      return;
    }
    setTimeout(tick, 300);
  };
  tick();
}

function stopScan() {
  for (const track of stream?.getTracks() || []) track.stop();
  stream = null;
  if (dialog.open) dialog.close();
}

// Every capture has its own id. The server wrote one into the form, but offline the page comes
// from the service worker's copy, and back/forward restores a page whose id was already used: a
// new one here, or two captures would land on the same person.
const freshId = () => {
  if (!form.dataset.replaces) form.elements.id.value = crypto.randomUUID();
};
freshId();
addEventListener("pageshow", (event) => {
  if (event.persisted) freshId();
});

document.getElementById("sync-now").addEventListener("click", () => flush({ force: true }));
document.addEventListener("outbox-change", refresh);
if (available()) {
  refresh();
  keepPeople();
}
