"""Benchmark: captures queued offline, then the network returns (issue #12).

Run with `.venv/bin/python bench/outbox.py [--captures 200]`. It starts the real server on SQLite
in a temporary folder, signs in with Chromium (Debian's package) at 360 × 740, goes offline,
queues `--captures` people in the outbox exactly as the capture form does (IndexedDB, a client id
per person), then comes back online and times how long it takes until the phone shows that
everything was sent, and checks that the server holds every one of them, once.

The goal in the issue: 200 captures on the server within 10 s after the network returns.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.capture import CHROMIUM, cli, free_port

QUEUE = """async (count) => {
  const outbox = await import("/static/js/outbox.js");
  for (let index = 0; index < count; index++) {
    const id = crypto.randomUUID();
    await outbox.enqueue({ method: "PUT", url: `/api/v1/contacts/${id}`,
                           body: { full_name: `Personne hors ligne ${index}`, hook: "salon" } });
  }
  return (await outbox.counts()).waiting;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=200)
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("no Chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        env = {**os.environ, "GIVEFIRST_DATA_DIR": str(data)}
        env.pop("GIVEFIRST_DATABASE_URL", None)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        password = secrets.token_urlsafe(16)
        cli(env, "users", "create", "bench@example.org", stdin=password + "\n")
        token = cli(env, "tokens", "create", "bench@example.org").strip().split()[-1]
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            seconds = run(url, password, args.captures)
            client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})
            names: set[str] = set()
            cursor = None
            while True:
                page = client.get("/api/v1/contacts", params={"limit": 200, "cursor": cursor})
                body = page.json()
                names.update(item["full_name"] for item in body["items"])
                cursor = body["next_cursor"]
                if not cursor:
                    break
            expected = {f"Personne hors ligne {index}" for index in range(args.captures)}
            print(
                f"{args.captures} captures queued offline: all sent {seconds:.1f} s after the "
                f"network returned (goal < 10 s); on the server: {len(names & expected)} of "
                f"{args.captures}, {len(names) - len(names & expected)} others"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


def run(url: str, password: str, captures: int) -> float:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/signin")
        page.fill("input[name=email]", "bench@example.org")
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        expect(page.locator("h1")).to_have_text("Bonjour")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.goto(f"{url}/capture")
        context.set_offline(True)
        waiting = page.evaluate(QUEUE, captures)
        assert waiting == captures, waiting
        started = time.perf_counter()
        context.set_offline(False)
        page.evaluate("dispatchEvent(new Event('online'))")
        expect(page.locator("#outbox-count")).to_have_text("Tout est envoyé.", timeout=120_000)
        seconds = time.perf_counter() - started
        browser.close()
        return seconds


if __name__ == "__main__":
    main()
