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

/** Offer the people already met who look like the one typed in `form`; one may be chosen instead. */
export function offerMatches(form) {
  const box = document.getElementById("matches");
  let chosen = null;

  async function find() {
    const name = form.elements.full_name.value.trim();
    const email = form.elements.email.value.trim();
    const company = form.elements.company.value.trim();
    if (chosen || (words(name).length < 2 && !email.includes("@"))) {
      if (!chosen) box.hidden = true;
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
    show(found);
  }

  function show(found) {
    const offer = (person) => {
      const button = fromTemplate("tpl-match", {
        person: person.company ? `${person.full_name} · ${person.company}` : person.full_name,
      });
      button.querySelector("button").addEventListener("click", () => choose(person));
      return button;
    };
    box.replaceChildren(...(found.length ? [fromTemplate("tpl-matches-title"), ...found.map(offer)] : []));
    box.hidden = found.length === 0;
  }

  function choose(person) {
    chosen = person;
    const message = fill(form.dataset.matchesChosen, { name: person.full_name });
    const status = fromTemplate("tpl-match-chosen", { message });
    status.querySelector("[data-action=undo]").addEventListener("click", () => {
      chosen = null;
      box.hidden = true;
      find();
    });
    box.replaceChildren(status);
    box.hidden = false;
  }

  let debounce = null;
  for (const name of ["full_name", "email", "company"]) {
    form.elements[name].addEventListener("input", () => {
      clearTimeout(debounce);
      debounce = setTimeout(find, 300);
    });
  }
  return {
    find,
    chosen: () => chosen,
    forget() {
      chosen = null;
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
