// Kiosk mode: a visitor types their details on the owner's phone; each one goes to the outbox
// first (so it survives no network), with the consent texts as shown, then to the server.
import * as outbox from "./outbox.js";

const root = document.querySelector("[data-kiosk]");
const form = document.getElementById("kiosk-form");
const status = document.getElementById("kiosk-status");
const error = document.getElementById("kiosk-error");

function say(element, text) {
  for (const other of [status, error]) other.hidden = other !== element;
  element.textContent = text;
  element.hidden = !text;
}

form?.addEventListener("submit", async (submit) => {
  submit.preventDefault();
  const data = new FormData(form);
  const value = (name) => String(data.get(name) || "").trim();
  const consents = [...form.querySelectorAll("input[type=checkbox][name^=consent_]")]
    .filter((box) => box.checked)
    .map((box) => box.name.slice("consent_".length));
  if (!consents.includes("follow_up")) return say(error, root.dataset.needConsent);
  if (!value("email") && !value("phone")) return say(error, root.dataset.needContact);
  const body = {
    full_name: value("full_name"), company: value("company"), email: value("email"),
    phone: value("phone"), needs: value("needs"), message: value("message"),
    event_id: form.dataset.eventId || null, consents, language: form.dataset.language,
    consented_at: new Date().toISOString(),
  };
  const id = crypto.randomUUID();
  await outbox.enqueue({ method: "PUT", url: `/api/v1/card/kiosk/${id}`, body, label: body.full_name });
  form.reset();
  say(status, root.dataset.thanks);
  form.querySelector("input")?.focus();
});

