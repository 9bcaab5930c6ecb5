// Type-to-search person pickers ([data-picker], see _forms.html): matches from the server as one
// types, from the people kept on this phone when offline; arrows, Enter and Escape as in any
// combobox. The chosen id goes in the hidden field; typing again clears it.
import { rememberedPeople } from "./outbox.js";
import { fill } from "./markup.js";

const fold = (text) =>
  (text || "").replace(/[œŒ]/g, "oe").replace(/[æÆ]/g, "ae").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
const words = (text) => fold(text).match(/[\p{L}\p{N}_]+/gu) || [];

async function keptChoices(q, exclude) {
  const wanted = words(q);
  const people = (await rememberedPeople().catch(() => [])).filter((p) => p.id !== exclude);
  return people
    .filter((p) => {
      const theirs = words(`${p.full_name} ${p.company || ""} ${p.email || ""}`);
      return wanted.every((word) => theirs.some((their) => their.startsWith(word)));
    })
    .slice(0, 8)
    .map((p) => ({ id: p.id, label: p.full_name || p.company || p.email || "", full_name: p.full_name, company: p.company }));
}

async function choicesFor(q, exclude) {
  if (!navigator.onLine) return keptChoices(q, exclude);
  try {
    const query = new URLSearchParams({ q, limit: "8" });
    if (exclude) query.set("exclude", exclude);
    const response = await fetch(`/api/v1/contacts/choices?${query}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    return await response.json();
  } catch (error) {
    return keptChoices(q, exclude);
  }
}

function option(box, list, choice, index) {
  const item = document.createElement("li");
  item.id = `${list.id}-${index}`;
  item.setAttribute("role", "option");
  item.setAttribute("aria-selected", "false");
  if (choice.photo_url) {
    const photo = document.createElement("img");
    photo.src = choice.photo_url;
    photo.alt = "";
    item.append(photo);
  }
  const text = document.createElement("span");
  const name = document.createElement("span");
  name.textContent = choice.label || box.dataset.unnamed;
  const detail = document.createElement("small");
  const parts = [];
  if (choice.company && choice.full_name) parts.push(choice.company);
  if (choice.met_at_event) parts.push(fill(box.dataset.metAt, { event: choice.met_at_event }));
  detail.textContent = parts.join(" · ");
  text.append(name, document.createElement("br"), detail);
  item.append(text);
  return item;
}

function enhance(box) {
  const id = box.querySelector("[data-picker-id]");
  const input = box.querySelector("[role=combobox]");
  const list = box.querySelector("[role=listbox]");
  if (!id || !input || !list) return; // the "which one?" step of a form sent without JavaScript
  let found = [];
  let active = -1;
  let asked = 0;
  let debounce = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    active = index;
    for (const [i, item] of [...list.children].entries()) item.setAttribute("aria-selected", String(i === index));
    if (index >= 0 && list.children[index]) {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const choose = (choice) => {
    id.value = choice.id;
    input.value = choice.label || box.dataset.unnamed;
    input.setCustomValidity("");
    close();
    box.dispatchEvent(new CustomEvent("picker-change", { bubbles: true, detail: choice }));
  };
  const search = async () => {
    const mine = ++asked;
    const answer = await choicesFor(input.value.trim(), box.dataset.exclude || "");
    if (mine !== asked || document.activeElement !== input) return; // a newer search, or left
    found = answer;
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "muted";
      none.textContent = box.dataset.nobody;
      list.replaceChildren(none);
    } else list.replaceChildren(...found.map((choice, index) => option(box, list, choice, index)));
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(found.length ? 0 : -1);
  };

  input.addEventListener("input", () => {
    id.value = "";
    clearTimeout(debounce);
    debounce = setTimeout(search, 200);
  });
  input.addEventListener("focus", () => {
    if (!input.value.trim()) search();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) return void search();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight(Math.max(0, Math.min(found.length - 1, active + step)));
    } else if (event.key === "Enter" && !list.hidden && active >= 0 && found[active]) {
      event.preventDefault();
      choose(found[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  // pointerdown, not click: it comes before the field loses focus.
  list.addEventListener("pointerdown", (event) => {
    const item = event.target.closest("[role=option]");
    if (!item) return;
    event.preventDefault();
    choose(found[[...list.children].indexOf(item)]);
  });
  input.addEventListener("blur", close);
}

for (const box of document.querySelectorAll("[data-picker]")) enhance(box);
