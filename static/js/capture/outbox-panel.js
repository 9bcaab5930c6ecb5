// The capture screen's view of the outbox: what waits, by name and state, what needs attention,
// people and gives counted apart, "Sync now".
import { discard, flush, snapshot } from "../outbox.js";
import { fill, fromTemplate } from "../markup.js";

const panel = document.getElementById("outbox");
const sentences = panel.dataset;
const attentionList = document.getElementById("attention-list");

function attentionItem(entry, onFix) {
  const item = fromTemplate("tpl-attention-item", { label: entry.label || sentences.unnamed, error: entry.error });
  item.querySelector("[data-action=fix]").addEventListener("click", () => onFix(entry.entry));
  item.querySelector("[data-action=discard]").addEventListener("click", async () => {
    if (confirm(attentionList.dataset.confirm)) await discard(entry.key);
  });
  return item;
}

function outboxItem(entry) {
  const item = fromTemplate("tpl-outbox-item", {
    label: entry.label || sentences.unnamed,
    kind: entry.kind === "person" ? sentences.kindPerson : sentences.kindGive,
    state: sentences[`state${entry.state[0].toUpperCase()}${entry.state.slice(1)}`],
  });
  item.querySelector("li").dataset.state = entry.state;
  return item;
}

const counted = (n, one, many) => (n === 1 ? one : fill(many, { n }));

/** "To send: 2 people and 1 give", or "Everything is sent." */
function summary(items) {
  const waiting = items.filter((item) => item.state !== "attention");
  const people = waiting.filter((item) => item.kind === "person").length;
  const gives = waiting.length - people;
  const parts = [];
  if (people) parts.push(counted(people, sentences.peopleOne, sentences.peopleMany));
  if (gives) parts.push(counted(gives, sentences.givesOne, sentences.givesMany));
  if (!parts.length) return sentences.allSent;
  const what = parts.length === 2 ? fill(sentences.both, { a: parts[0], b: parts[1] }) : parts[0];
  return fill(sentences.waiting, { what });
}

/** Follow the outbox as it changes; `onFix(entry)` puts a refused capture back in the form. Returns the refresh. */
export function watchOutbox({ onFix }) {
  const refresh = async () => {
    const { items, sent, signInNeeded } = await snapshot();
    const attention = items.filter((item) => item.state === "attention");
    panel.hidden = false;
    document.getElementById("outbox-count").textContent = summary(items);
    const shown = [...items.filter((item) => item.state !== "attention"), ...sent];
    const list = document.getElementById("outbox-list");
    list.replaceChildren(...shown.map(outboxItem));
    list.hidden = shown.length === 0;
    document.getElementById("outbox-signin").hidden = !signInNeeded;
    document.getElementById("attention").hidden = attention.length === 0;
    attentionList.replaceChildren(...attention.map((entry) => attentionItem(entry, onFix)));
  };
  document.getElementById("sync-now").addEventListener("click", () => flush({ force: true }));
  document.addEventListener("outbox-change", refresh);
  return refresh;
}

/** What the toast says once a capture is kept on the phone. */
export const savedMessage = (label) => fill(sentences.saved, { name: label || sentences.unnamed });

let hideToast = null;

/** A short success message over the page, which moves nothing under the finger. */
export function toast(message) {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.hidden = false;
  clearTimeout(hideToast);
  hideToast = setTimeout(() => {
    element.hidden = true;
  }, 5000);
}
