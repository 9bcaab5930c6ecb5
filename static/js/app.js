// Givefirst's enhancements: service worker registration, the update prompt, and small helpers.
const banner = document.getElementById("update");
const statusBar = document.getElementById("status");

function showStatus(message) {
  statusBar.textContent = message;
  statusBar.hidden = !message;
}

function offerUpdate(worker) {
  banner.hidden = false;
  banner.querySelector("[data-action=update]").addEventListener("click", () => {
    worker.postMessage({ type: "skip-waiting" });
  });
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
      });
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (!reloading && !banner.hidden) {
      reloading = true;
      location.reload();
    }
  });
}

// Pages kept for offline use belong to one account: forget them on sign-out, on the sign-in
// page (the session may have ended elsewhere) and whenever another account shows up.
function forgetPages() {
  for (const key of ["gf-recent-kept", "gf-people-synced"]) localStorage.removeItem(key);
  navigator.serviceWorker?.controller?.postMessage({ type: "signed-out" });
}
for (const form of document.querySelectorAll('form[action="/signout"], form[action="/settings/signout-everywhere"]')) {
  form.addEventListener("submit", forgetPages);
}
const account = document.body.dataset.account || "";
if (["signin", "signup"].includes(document.body.dataset.page)) forgetPages();
if (account && localStorage.getItem("gf-account") !== account) {
  if (localStorage.getItem("gf-account")) forgetPages();
  localStorage.setItem("gf-account", account);
}

for (const input of document.querySelectorAll("[data-select-on-focus]")) {
  input.addEventListener("focus", () => input.select());
}

function reflectNetwork() {
  showStatus(navigator.onLine ? "" : statusBar.dataset.offline);
}
addEventListener("online", reflectNetwork);
addEventListener("offline", reflectNetwork);
reflectNetwork();

// Kiosk mode locks the app on this phone: offline too, every other page goes back to the form.
if (account && /(?:^|; )gf_kiosk=1/.test(document.cookie) && location.pathname !== "/card/kiosk") {
  location.replace("/card/kiosk");
}

// Captures waiting on this phone: flushed from every page, counted on the Capture tab.
if (account) {
  import("./outbox.js").then(async (outbox) => {
    if (!outbox.available()) return;
    outbox.start();
    const badge = document.querySelector("[data-outbox-badge]");
    const update = async () => {
      const { waiting, attention } = await outbox.counts();
      const count = waiting + attention.length;
      badge.dataset.count = String(count);
      badge.textContent = String(count);
      badge.hidden = count === 0;
    };
    document.addEventListener("outbox-change", update);
    update();
  });
  // Keep the pages needed at a venue available offline: the main screens, the current event,
  // and the pages (with photos) of the people met most recently.
  const keep = ["/", "/capture", "/people", "/events", "/gives", "/card/show"];
  for (const link of document.querySelectorAll("[data-keep-offline]")) keep.push(link.getAttribute("href"));
  navigator.serviceWorker?.ready.then(async (registration) => {
    if (!navigator.onLine) return;
    registration.active?.postMessage({ type: "keep", urls: keep.concat(await recentPeople()) });
  });
}

async function recentPeople() {
  // Only people new or changed since they were last kept: one small request per page.
  try {
    const response = await fetch("/api/v1/contacts?limit=20&sort=recent", { headers: { Accept: "application/json" } });
    if (!response.ok) return [];
    const { items } = await response.json();
    const kept = new Set(JSON.parse(localStorage.getItem("gf-recent-kept") || "[]"));
    const stamp = (person) => `${person.id}@${person.updated_at}`;
    localStorage.setItem("gf-recent-kept", JSON.stringify(items.map(stamp)));
    return items
      .filter((person) => !kept.has(stamp(person)))
      .flatMap((person) => [`/people/${person.id}`].concat(person.photo_url ? [person.photo_url] : []));
  } catch (error) {
    return [];
  }
}

// Person pickers: type to search instead of a list of everyone.
if (document.querySelector("[data-picker]")) import("./picker.js");

// Copy buttons (the calendar link): shown only when the browser can copy.
for (const button of document.querySelectorAll("[data-copy]")) {
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const status = button.closest("[data-message], section")?.querySelector("[data-copy-status]");
    try {
      await navigator.clipboard.writeText(source.value);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      source.focus();
      source.select();
    }
  });
}

// Share a prepared message with the phone's own apps (Web Share API), where there is one.
for (const button of document.querySelectorAll("[data-share]")) {
  const source = document.querySelector(button.dataset.share);
  if (!source || !navigator.share) continue;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.share({ title: source.dataset.subject || "", text: source.value }).catch(() => {});
  });
}

// The data page while an archive is prepared: look again every two seconds (without
// JavaScript, the page offers a link to look again).
if (document.querySelector("[data-export-progress]")) setTimeout(() => location.reload(), 2000);

// People import: the preview and the import run on the server as a job, and the page says how
// far it is ("1 200 sur 10 000") in a live region. Without JavaScript, or when the job cannot
// start, the form is sent as is and answered when done.
for (const form of document.querySelectorAll("form[data-import-progress]")) {
  const status = document.getElementById(form.dataset.importProgress);
  if (!status || !window.fetch) continue;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData(form);
    body.set("background", "1");
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    status.hidden = false;
    let started;
    try {
      started = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    } catch {
      started = null;
    }
    if (!started || started.status !== 202) {
      form.submit();
      return;
    }
    const { progress } = await started.json();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      let state;
      try {
        state = await (await fetch(progress, { credentials: "same-origin" })).json();
      } catch {
        continue;
      }
      if (state.text && status.textContent !== state.text) status.textContent = state.text;
      if (state.state !== "running") {
        location.assign(state.next);
        return;
      }
    }
  });
}
