// The give form: kept in the outbox first (offline too), sent with PUT /api/v1/gives/{id}.
import { enqueue, available, flush } from "./outbox.js";

const form = document.getElementById("give-form");

function showKindFields() {
  const kind = form.querySelector("input[name=kind]:checked")?.value;
  for (const field of form.querySelectorAll("[data-for-kind]")) field.hidden = field.dataset.forKind !== kind;
}

form.addEventListener("change", (event) => {
  if (event.target.name === "kind") showKindFields();
});
showKindFields();

// Only a new give goes through the outbox; an edit is a plain form post (online).
if (available() && form.action.endsWith("/gives")) {
  // Each new give has its own id: offline this page is the service worker's copy, and
  // back/forward restores a page whose id was already used.
  form.elements.id.value = crypto.randomUUID();
  addEventListener("pageshow", (event) => {
    if (event.persisted) form.elements.id.value = crypto.randomUUID();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (name) => String(data.get(name) || "").trim();
    const body = {
      contact_id: value("contact_id"),
      kind: value("kind") || "resource",
      status: value("status") || "planned",
      details: value("details") || null,
      other_contact_id: value("other_contact_id") || null,
      intro_why: value("intro_why") || null,
    };
    if (value("title")) body.title = value("title");
    if (value("due_on")) body.due_on = value("due_on");
    if (value("event_id")) body.event_id = value("event_id");
    if (body.kind !== "introduction") body.other_contact_id = null;
    await enqueue({ method: "PUT", url: `/api/v1/gives/${value("id")}`, body, label: body.title || "" });
    const status = document.getElementById("status");
    status.hidden = false;
    status.textContent = form.dataset.saved;
    // Online, the next page should already show the give; offline, it is on its way.
    if (navigator.onLine) await flush({ force: true });
    location.href = value("next") || "/gives";
  });
}
