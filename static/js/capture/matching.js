// Likely matches for the person being typed: the server's when online, the people kept on the phone otherwise.
import { rememberPeople, rememberedPeople } from "../outbox.js";
import { fill, fromTemplate } from "../markup.js";

// Accents and ligatures folded, so that "helene" finds "Hélène" offline too.
const fold = (text) =>
  (text || "").replace(/[œŒ]/g, "oe").replace(/[æÆ]/g, "ae").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
const words = (text) => fold(text).match(/[\p{L}\p{N}_]+/gu) || [];

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

// The want-to-meet entries of the events one may capture at, written into the page (so known offline).
const wishes = JSON.parse(document.getElementById("wishes")?.textContent || "[]");
const sameWords = (a, b) => {
  const left = words(a);
  const right = new Set(words(b));
  return left.length > 0 && left.length === right.size && left.every((word) => right.has(word));
};

/** The want-to-meet entries of `eventId` that the typed name or company designates. */
function wishesFor(eventId, name, company) {
  const folded = fold(company).trim();
  return wishes.filter(
    (wish) =>
      wish.event_id === eventId &&
      (sameWords(name, wish.name) || (folded && (folded === fold(wish.name).trim() || folded === fold(wish.company).trim()))),
  );
}

/** Offer the people already met who look like the one typed in `form`; one may be chosen instead. */
export function offerMatches(form) {
  const box = document.getElementById("matches");
  let chosen = null;
  let wish = null;

  async function find() {
    const name = form.elements.full_name.value.trim();
    const email = form.elements.email.value.trim();
    const company = form.elements.company.value.trim();
    if (chosen || wish) return;
    const wanted = wishesFor(form.elements.event_id.value, name, company);
    if (words(name).length < 2 && !email.includes("@")) {
      show([], wanted);
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
    const known = new Set(wanted.map((entry) => entry.contact_id).filter(Boolean));
    show(found.filter((person) => !known.has(person.id)), wanted);
  }

  function show(found, wanted) {
    const offer = (person) => {
      const button = fromTemplate("tpl-match", {
        person: person.company ? `${person.full_name} · ${person.company}` : person.full_name,
      });
      button.querySelector("button").addEventListener("click", () => choose(person));
      return button;
    };
    const offerWish = (entry) => {
      const button = fromTemplate("tpl-wish", { person: fill(form.dataset.wished, { name: entry.name }), why: entry.why || "" });
      button.querySelector("button").addEventListener("click", () => chooseWish(entry));
      return button;
    };
    const people = found.length ? [fromTemplate("tpl-matches-title"), ...found.map(offer)] : [];
    box.replaceChildren(...wanted.map(offerWish), ...people);
    box.hidden = wanted.length + found.length === 0;
  }

  function confirmChoice(message) {
    const status = fromTemplate("tpl-match-chosen", { message });
    status.querySelector("[data-action=undo]").addEventListener("click", () => {
      chosen = null;
      wish = null;
      box.hidden = true;
      find();
    });
    box.replaceChildren(status);
    box.hidden = false;
  }

  function choose(person) {
    chosen = person;
    confirmChoice(fill(form.dataset.matchesChosen, { name: person.full_name }));
  }

  // "This is X I wanted to meet": a known person gets the meeting; a free name becomes this person.
  function chooseWish(entry) {
    wish = entry;
    if (entry.contact_id) chosen = { id: entry.contact_id, full_name: entry.name, company: entry.company };
    confirmChoice(fill(form.dataset.wishChosen, { name: entry.name }));
  }

  let debounce = null;
  for (const name of ["full_name", "email", "company", "event_id"]) {
    form.elements[name].addEventListener("input", () => {
      clearTimeout(debounce);
      debounce = setTimeout(find, 300);
    });
  }
  return {
    find,
    chosen: () => chosen,
    wish: () => wish,
    forget() {
      chosen = null;
      wish = null;
      box.hidden = true;
    },
  };
}

const FULL_SYNC_EVERY = 24 * 60 * 60 * 1000;
const SYNCED = "gf-people-synced";

/** Keep recent people on the phone, so that matches are offered offline too: the 1,000 most
 * recent once a day, and otherwise only those new or changed since the last visit (the list
 * comes most recent first, so it stops at the first person already kept as they are). */
export async function keepPeople() {
  if (!navigator.onLine) return;
  const synced = JSON.parse(localStorage.getItem(SYNCED) || "null");
  const full = !synced || Date.now() - synced.at > FULL_SYNC_EVERY;
  const known = full ? new Map() : new Map((await rememberedPeople()).map((p) => [p.id, p.updated_at]));
  try {
    const kept = [];
    let cursor = "";
    let done = false;
    for (let page = 0; page < 5 && !done; page++) {
      const limit = full ? 200 : 50;
      const response = await fetch(`/api/v1/contacts?limit=${limit}&sort=recent${cursor ? "&cursor=" + cursor : ""}`, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const answer = await response.json();
      for (const p of answer.items) {
        if (!full && known.get(p.id) === p.updated_at) {
          done = true;
          break;
        }
        kept.push({ id: p.id, full_name: p.full_name, company: p.company, email: p.email, updated_at: p.updated_at });
      }
      if (!answer.next_cursor) break;
      cursor = answer.next_cursor;
    }
    await rememberPeople(kept, { replace: full });
    localStorage.setItem(SYNCED, JSON.stringify({ at: full ? Date.now() : synced.at }));
  } catch (error) {
    // offline or signed out: keep what the phone already has
  }
}
