// The outbox: captures and gives wait in IndexedDB until the server has them (a 2xx), FIFO.
// Network errors and 5xx retry with back-off; 401 waits for a new sign-in; any other 4xx moves
// the entry to "needs attention". Nothing leaves the outbox silently.
const VERSION = 1;
const MAX_DELAY = 5 * 60 * 1000;
let database = null;
let flushing = null;
let timer = null;
let signInNeeded = false;

function account() {
  return document.body.dataset.account || "";
}

export function available() {
  return Boolean(account()) && "indexedDB" in self;
}

function open() {
  database ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(`givefirst-${account()}`, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "key" });
      if (!db.objectStoreNames.contains("people")) db.createObjectStore("people", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return database;
}

// One short transaction per call: never a network call while a transaction is open.
async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

const entries = () => run("outbox", "readonly", (store) => store.getAll());
const save = (entry) => run("outbox", "readwrite", (store) => store.put(entry));
export const discard = async (key) => {
  await run("outbox", "readwrite", (store) => store.delete(key));
  changed();
};

let sequence = 0;
/** Keep a request in the outbox (first), then try to send it. */
export async function enqueue({ method, url, body, photo = null, label = "" }) {
  const entry = {
    key: crypto.randomUUID(),
    seq: Date.now() * 1000 + (sequence++ % 1000),
    method, url, body, photo, label: label || body?.full_name || body?.title || "",
    state: "waiting", attempts: 0, nextAt: 0, error: "",
    createdAt: new Date().toISOString(),
  };
  await save(entry);
  changed();
  flush();
}

export async function counts() {
  const all = available() ? await entries() : [];
  return {
    waiting: all.filter((entry) => entry.state === "waiting").length,
    attention: all.filter((entry) => entry.state === "attention"),
    signInNeeded,
  };
}

const sending = new Set(); // keys of the entries on their way to the server now
const sent = []; // what this page sent, newest first, to show it as sent for a while
const SENT_SHOWN = 5;
const kindOf = (entry) => (entry.url.startsWith(PEOPLE_URL) ? "person" : "give");

/** Everything in the outbox with its state (waiting, sending, attention, signin), oldest first,
 * then what was sent from this page (sent): for the list of what waits. */
export async function snapshot() {
  const all = available() ? await entries() : [];
  all.sort((a, b) => a.seq - b.seq);
  const items = all.map((entry) => ({
    key: entry.key,
    entry,
    label: entry.label,
    kind: kindOf(entry),
    error: entry.error,
    state:
      entry.state === "attention" ? "attention" : sending.has(entry.key) ? "sending" : signInNeeded ? "signin" : "waiting",
  }));
  return { items, sent: [...sent], signInNeeded };
}

function changed() {
  document.dispatchEvent(new CustomEvent("outbox-change"));
}

function toDataUrl(photo) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(new Blob([photo.buffer], { type: photo.type }));
  });
}

async function payload(entry) {
  const body = { ...entry.body };
  if (entry.photo) body.photo = await toDataUrl(entry.photo);
  return JSON.stringify(body);
}

async function later(entry) {
  entry.attempts += 1;
  const delay = Math.min(MAX_DELAY, 2000 * 2 ** (entry.attempts - 1));
  entry.nextAt = Date.now() + delay * (0.75 + Math.random() / 2);
  await save(entry);
}

const IN_FLIGHT = 4;
const PEOPLE_URL = "/api/v1/contacts/";

// One entry to the server, and what its answer means for it. Answers "sent", "later",
// "signin" or "attention"; the entry shows as "sending" meanwhile.
async function deliver(entry) {
  sending.add(entry.key);
  changed();
  try {
    return await answerOf(entry);
  } finally {
    sending.delete(entry.key);
  }
}

async function answerOf(entry) {
  let response;
  try {
    response = await fetch(entry.url, {
      method: entry.method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: await payload(entry),
      credentials: "same-origin",
    });
  } catch (error) {
    await later(entry); // offline, or the server is unreachable
    return "later";
  }
  if (response.ok) {
    sent.unshift({ key: entry.key, label: entry.label, kind: kindOf(entry), state: "sent" });
    sent.length = Math.min(sent.length, SENT_SHOWN);
    await discard(entry.key);
    return "sent";
  }
  if (response.status === 401) return "signin"; // kept: sent again after the next sign-in
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    await later(entry);
    return "later";
  }
  let detail = "";
  try {
    const answer = await response.json();
    detail = answer.detail || "";
    if (answer.field) detail = `${detail} (${answer.field})`;
  } catch (error) {
    detail = "";
  }
  entry.state = "attention";
  entry.error = detail || `HTTP ${response.status}`;
  await save(entry);
  return "attention";
}

// A give for a person still waiting in the outbox goes after that person, never before.
function waitsFor(entry, people) {
  const body = entry.body || {};
  return [body.contact_id, body.other_contact_id].some((id) => id && people.has(id));
}

// Everything due, several at a time, in order; when something got through, what was backing off
// is tried again at once (the network is back).
async function send(force) {
  let due = force;
  for (let pass = 0; pass < 5; pass += 1) {
    const all = (await entries()).filter((entry) => entry.state === "waiting");
    all.sort((a, b) => a.seq - b.seq);
    const people = new Set(
      all.filter((e) => e.url.startsWith(PEOPLE_URL)).map((e) => e.url.slice(PEOPLE_URL.length)),
    );
    const ready = all.filter((entry) => due || entry.nextAt <= Date.now());
    const outcomes = [];
    const queue = [...ready];
    async function worker() {
      while (queue.length && !signInNeeded) {
        const index = queue.findIndex((entry) => !waitsFor(entry, people));
        if (index === -1) return; // the rest waits for people sent by other workers
        const [entry] = queue.splice(index, 1);
        const outcome = await deliver(entry);
        outcomes.push(outcome);
        if (outcome === "sent") {
          signInNeeded = false;
          if (entry.url.startsWith(PEOPLE_URL)) people.delete(entry.url.slice(PEOPLE_URL.length));
        }
        if (outcome === "signin") signInNeeded = true;
        changed();
      }
    }
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const stillWaiting = ready.length - outcomes.filter((o) => o !== "later").length;
    const progress = outcomes.includes("sent");
    if (signInNeeded || !progress || stillWaiting === 0) break;
    due = true; // something went through: the others need not wait out their back-off
  }
  changed();
  schedule();
}

function schedule() {
  clearTimeout(timer);
  entries().then((all) => {
    const next = Math.min(...all.filter((e) => e.state === "waiting").map((e) => e.nextAt));
    if (Number.isFinite(next)) timer = setTimeout(() => flush(), Math.max(500, next - Date.now()));
  });
}

let again = null; // a flush asked for while one runs: it runs right after, never dropped

/** Send what waits; `force` ignores the back-off (the "Sync now" button). One flush at a time. */
export function flush({ force = false } = {}) {
  if (!available()) return Promise.resolve();
  if (force) signInNeeded = false; // "Sync now": perhaps signed in again in another tab
  if (flushing) {
    again = { force: force || Boolean(again?.force) };
    return flushing;
  }
  flushing = send(force).finally(() => {
    flushing = null;
    if (again) {
      const next = again;
      again = null;
      flush(next);
    }
  });
  return flushing;
}

// People kept on the phone so that likely matches are offered offline too.
// `replace`: the whole list (a full sync); otherwise the people given are added or updated.
export async function rememberPeople(people, { replace = true } = {}) {
  await run("people", "readwrite", (store) => {
    if (replace) store.clear();
    for (const person of people) store.put(person);
    return null;
  });
}

export const rememberedPeople = () => run("people", "readonly", (store) => store.getAll());

/** Flush on load, when the network comes back and when the page becomes visible. */
export function start() {
  if (!available()) return;
  flush();
  addEventListener("online", () => flush({ force: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") flush();
  });
}
