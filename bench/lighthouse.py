"""Benchmark: Lighthouse's mobile performance score of the capture page (issue #12).

Run with `.venv/bin/python bench/lighthouse.py --lighthouse DIR` where DIR holds an
`npm install lighthouse@12` (Lighthouse is not a dependency of the app: it is fetched from the
npm registry only to measure). It starts the real server on SQLite in a temporary folder, signs in
with Chromium (Debian's package), and runs Lighthouse's default mobile audit (a slowed-down CPU,
a throttled network) on the capture page with the session cookie, then on Today, and prints the
performance score, the total blocking time and the largest contentful paint.

The goal in the issue: a performance score of at least 95 on capture, total blocking time under
200 ms.
"""

import argparse
import json
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

FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def session_cookie(url: str, password: str) -> str:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="fr-FR")
        page = context.new_page()
        page.goto(f"{url}/signin")
        page.fill("input[name=email]", "bench@example.org")
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        expect(page.locator("h1")).to_contain_text("Bonjour")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        browser.close()
        return cookies


def audit(lighthouse: Path, url: str, cookie: str, folder: Path) -> dict[str, float]:
    report = folder / "report.json"
    subprocess.run(
        [str(lighthouse / "node_modules" / ".bin" / "lighthouse"), url,
         "--only-categories=performance", "--output=json", f"--output-path={report}",
         f"--chrome-flags={FLAGS}", f"--extra-headers={json.dumps({'Cookie': cookie})}",
         "--quiet"],
        env={**os.environ, "CHROME_PATH": CHROMIUM or ""}, check=True, timeout=180,
    )  # fmt: skip
    found = json.loads(report.read_text())
    audits = found["audits"]
    return {
        "score": found["categories"]["performance"]["score"] * 100,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "final_url": found.get("finalDisplayedUrl") or found.get("finalUrl"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lighthouse", type=Path, required=True, help="an npm install lighthouse")
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
        cli(env, "demo", "bench@example.org")
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
            cookie = session_cookie(url, password)
            for path in ("/capture", "/"):
                result = audit(args.lighthouse, url + path, cookie, Path(folder))
                print(
                    f"{path:10} performance {result['score']:.0f} (goal ≥ 95 on capture), total "
                    f"blocking time {result['tbt_ms']:.0f} ms (goal < 200), LCP "
                    f"{result['lcp_ms']:.0f} ms, FCP {result['fcp_ms']:.0f} ms "
                    f"[{result['final_url']}]"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
