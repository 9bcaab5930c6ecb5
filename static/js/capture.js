// The capture screen: saved to the phone first (outbox), sent when the network allows.
import { enqueue, flush, discard, available } from "./outbox.js";
import { keepPeople, offerMatches } from "./capture/matching.js";
import { savedMessage, toast, watchOutbox } from "./capture/outbox-panel.js";
import { rememberMore } from "./capture/more.js";
import { previewPhoto, shrink } from "./capture/photo.js";
import { offerScanner, readPhotos } from "./capture/scanner.js";
import { parseScan } from "./scan.js";

const form = document.getElementById("capture-form");
const FIELDS = ["full_name", "company", "role", "email", "phone", "url", "hook", "needs"];
const matches = offerMatches(form);
const hidePreview = previewPhoto(form.elements.photo);
const showMore = rememberMore(form);
let refilledPhoto = null; // the photo of a refused capture put back in the form

// Put a refused capture back in the form; it leaves the outbox when saved again.
function refill(entry) {
  for (const name of FIELDS) form.elements[name].value = entry.body[name] || "";
  form.elements.tags.value = (entry.body.tags || []).join(", ");
  form.elements.id.value = entry.url.split("/").pop();
  if (entry.body.event_id) form.elements.event_id.value = entry.body.event_id;
  form.dataset.replaces = entry.key;
  refilledPhoto = entry.photo;
  showMore();
  form.elements.full_name.focus();
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
  const chosen = matches.chosen();
  if (!body.full_name && !file && !refilledPhoto && !chosen) {
    markInvalid("full_name", form.dataset.nameOrPhoto);
    return;
  }
  const photo = file ? await shrink(file) : refilledPhoto;
  const target = chosen ? chosen.id : form.elements.id.value;
  const label = chosen ? chosen.full_name : body.full_name || "";
  const sent = chosen ? bodyForKnown(body) : body;
  const wish = matches.wish();
  if (wish) sent.want_to_meet_id = wish.id;
  if (form.dataset.replaces) await discard(form.dataset.replaces);
  await enqueue({
    method: "PUT",
    url: `/api/v1/contacts/${target}`,
    body: sent,
    photo,
    label,
  });
  // A give planned on the spot follows the person through the same outbox (FIFO: after them).
  const giveTitle = String(form.elements.give_title.value || "").trim();
  if (giveTitle) {
    const give = { contact_id: target, kind: "resource", title: giveTitle };
    if (body.event_id) give.event_id = body.event_id;
    await enqueue({ method: "PUT", url: `/api/v1/gives/${crypto.randomUUID()}`, body: give, label: giveTitle });
  }
  toast(savedMessage(label));
  const open = next === "person" && navigator.onLine;
  if (open) await flush({ force: true });
  // Emptied before leaving too: the page kept for "back" must not hold this person's fields.
  startFresh();
  if (open) location.href = `/people/${target}`;
});

// An empty form for the next person, at the same event, with a new id; the name first.
function startFresh() {
  const eventId = form.elements.event_id.value;
  form.reset();
  form.elements.event_id.value = eventId;
  form.elements.id.value = crypto.randomUUID();
  delete form.dataset.replaces;
  refilledPhoto = null;
  matches.forget();
  hidePreview();
  showMore();
  form.elements.full_name.focus();
}

// What a QR code (scanned, in a badge photo, or a vCard pasted as the name) says fills the form:
// a scan fills every field it has; a photo's code fills only the fields still empty.
function fillFrom(fields, { keepTyped = false } = {}) {
  for (const [name, value] of Object.entries(fields)) {
    const input = form.elements[name];
    if (input && !(keepTyped && input.value.trim())) input.value = value;
  }
  matches.find();
  showMore();
  form.elements.full_name.focus();
}
offerScanner(form, (fields) => fillFrom(fields));
readPhotos(form, form.elements.photo, (fields) => {
  fillFrom(fields, { keepTyped: true });
  toast(form.dataset.readFromPhoto);
});
form.elements.full_name.addEventListener("paste", (event) => {
  const text = (event.clipboardData?.getData("text") || "").trim();
  if (!/^(BEGIN:VCARD|MECARD:)/i.test(text)) return;
  event.preventDefault();
  fillFrom(parseScan(text));
});

// Every capture has its own id. The server wrote one into the form, but offline the page comes
// from the service worker's copy, and back/forward restores a page whose id was already used: a
// new one here, or two captures would land on the same person.
const freshId = () => {
  if (!form.dataset.replaces) form.elements.id.value = crypto.randomUUID();
};
freshId();
addEventListener("pageshow", (event) => {
  // Back/forward restores the page as it was left: never with someone else's fields in it.
  if (event.persisted && !form.dataset.replaces) startFresh();
});
if (!document.activeElement || document.activeElement === document.body) form.elements.full_name.focus();

const refreshOutbox = watchOutbox({ onFix: refill });
if (available()) {
  refreshOutbox();
  keepPeople();
}
