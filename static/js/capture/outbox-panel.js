// The capture screen's view of the outbox: how many captures wait, which need attention, "Sync now".
import { counts, discard, flush } from "../outbox.js";
import { fill, fromTemplate } from "../markup.js";

const panel = document.getElementById("outbox");
const attentionList = document.getElementById("attention-list");

function attentionItem(entry, onFix) {
  const item = fromTemplate("tpl-attention-item", { label: entry.label || panel.dataset.unnamed, error: entry.error });
  item.querySelector("[data-action=fix]").addEventListener("click", () => onFix(entry));
  item.querySelector("[data-action=discard]").addEventListener("click", async () => {
    if (confirm(attentionList.dataset.confirm)) await discard(entry.key);
  });
  return item;
}

/** Follow the outbox as it changes; `onFix(entry)` puts a refused capture back in the form. Returns the refresh. */
export function watchOutbox({ onFix }) {
  const refresh = async () => {
    const { waiting, attention, signInNeeded } = await counts();
    const sentences = panel.dataset;
    panel.hidden = false;
    document.getElementById("outbox-count").textContent =
      waiting === 0 ? sentences.allSent : waiting === 1 ? sentences.waitingOne : fill(sentences.waitingMany, { n: waiting });
    document.getElementById("outbox-signin").hidden = !signInNeeded;
    document.getElementById("attention").hidden = attention.length === 0;
    attentionList.replaceChildren(...attention.map((entry) => attentionItem(entry, onFix)));
  };
  document.getElementById("sync-now").addEventListener("click", () => flush({ force: true }));
  document.addEventListener("outbox-change", refresh);
  return refresh;
}

/** What the status line says once a capture is kept on the phone. */
export const savedMessage = (label) => fill(panel.dataset.saved, { name: label || panel.dataset.unnamed });
