// The follow-up session: one tap sends a person's message (copy, share, e-mail, LinkedIn,
// WhatsApp), marks it sent through the outbox (offline too) and shows the next person, with no
// page load. Without JavaScript the same page works with forms and links (POST-redirect-GET).
import { enqueue, available, flush } from "./outbox.js";

const session = document.querySelector("[data-follow-up-session]");
const cards = [...session.querySelectorAll("[data-session-person]")];
const finished = session.querySelector("[data-session-done]");
const progress = document.querySelector("[data-progress]");
const progressTitle = document.querySelector("[data-progress-title]");
const statusBar = document.getElementById("status");
const eventId = session.dataset.eventId;

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");

function announce(message) {
  statusBar.textContent = message;
  statusBar.hidden = !message;
}

function show(card, { focus = true } = {}) {
  for (const other of cards) other.hidden = other !== card;
  finished.hidden = Boolean(card);
  const query = card ? `?person=${card.dataset.personId}` : "";
  history.replaceState(null, "", `${location.pathname}${query}#session`);
  if (focus) (card ? card.querySelector("h3") : finished).focus();
}

function following(card) {
  const start = cards.indexOf(card) + 1;
  return cards.slice(start).concat(cards.slice(0, start)).find((other) => other !== card && other.dataset.followedUp !== "true");
}

function markShown(personId) {
  for (const badge of document.querySelectorAll(`#send-${personId} [data-sent-badge], #person-${personId} [data-sent-badge]`)) badge.hidden = false;
  const item = document.getElementById(`person-${personId}`);
  if (item) item.dataset.followedUp = "true";
}

async function mark(card, channel) {
  const personId = card.dataset.personId;
  const already = card.dataset.followedUp === "true";
  card.dataset.followedUp = "true";
  markShown(personId);
  if (!already && progress) {
    progress.value = Number(progress.value) + 1;
    progressTitle.textContent = fill(progressTitle.dataset.template, { done: progress.value, total: progress.max });
  }
  announce(fill(session.dataset.doneText, { name: card.dataset.name }));
  show(following(card) || null);
  const url = `/api/v1/events/${eventId}/follow-up/${personId}/sent`;
  const body = { channel, contact_id: personId };
  if (available()) {
    await enqueue({ method: "POST", url, body, label: card.dataset.name });
    if (navigator.onLine) flush({ force: true });
    return;
  }
  try {
    const response = await fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
  } catch {
    announce(fill(session.dataset.failedText, { name: card.dataset.name }));
  }
}

// Links carry the text as the user may have edited it.
function refreshLink(link, text) {
  const href = link.getAttribute("href");
  if (link.dataset.send === "email") {
    const [address, query] = href.split("?");
    const subject = new URLSearchParams(query).get("subject") || "";
    link.href = `${address}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(text)}`;
  } else if (link.dataset.send === "whatsapp") {
    link.href = `${href.split("?")[0]}?text=${encodeURIComponent(text)}`;
  }
}

for (const card of cards) {
  const text = card.querySelector("[data-message-text]");
  const copy = card.querySelector("[data-send=copy]");
  const share = card.querySelector("[data-send=share]");
  if (navigator.clipboard) copy.hidden = false;
  if (navigator.share) share.hidden = false;
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text.value);
    } catch {
      text.focus();
      text.select();
      return;
    }
    mark(card, "copy");
  });
  share.addEventListener("click", async () => {
    try {
      await navigator.share({ title: text.dataset.subject || "", text: text.value });
    } catch (error) {
      return; // cancelled: nothing was sent
    }
    mark(card, "share");
  });
  for (const link of card.querySelectorAll("a[data-send]")) {
    link.addEventListener("click", () => {
      refreshLink(link, text.value);
      // LinkedIn cannot take a text in a link: it is on the clipboard, ready to paste.
      if (link.dataset.send === "linkedin") navigator.clipboard?.writeText(text.value).catch(() => {});
      // The mail or chat app opens on its own; the session moves on here.
      setTimeout(() => mark(card, link.dataset.send), 0);
    });
  }
  card.querySelector("form").addEventListener("submit", (event) => {
    event.preventDefault();
    mark(card, "other");
  });
  card.querySelector("[data-later]").addEventListener("click", (event) => {
    event.preventDefault();
    show(following(card) || card);
  });
}

for (const link of document.querySelectorAll("[data-open-person]")) {
  link.addEventListener("click", (event) => {
    const card = document.getElementById(`send-${link.dataset.openPerson}`);
    if (!card) return;
    event.preventDefault();
    show(card);
    session.scrollIntoView({ block: "start" });
  });
}
