// Markup from the page's <template> elements, and messages from its data-* sentences: text only.

/** A copy of <template id=…>'s content, each [data-slot] set (as text, never HTML) from `slots`. */
export function fromTemplate(id, slots = {}) {
  const copy = document.getElementById(id).content.cloneNode(true);
  for (const slot of copy.querySelectorAll("[data-slot]")) slot.textContent = slots[slot.dataset.slot] ?? "";
  return copy;
}

/** A translated sentence with its {placeholders} replaced, e.g. fill("{n} waiting", { n: 3 }). */
export const fill = (sentence, values) => sentence.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
