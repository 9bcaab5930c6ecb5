"""Load test on loopback: 50 connections of mixed traffic against the real server, with wrk.

A script, not a test: `python bench/load.py` (SQLite, one process), or with
`--database-url postgresql+psycopg://...` (PostgreSQL, two processes; a fresh database is created
next to the one named and dropped at the end). Needs `wrk` (Debian: apt-get install wrk).

In one run, on the same machine, it measures:
- a bare FastAPI endpoint served the same way (the ceiling), then `/healthz`, then capture `PUT`s
  alone (requests a second, as ratios: healthz / bare and capture / healthz), and the capture's
  request sent to a bare FastAPI `PUT` that validates it and stores nothing (the floor of any
  capture in FastAPI);
- 60 s of mixed traffic (captures, searches, the people list, Today, the calendar feed, healthz):
  requests a second, errors (non-2xx/3xx, timeouts), latency p50/p90/p99;
- the same mixed traffic again while a 20,000-card vCard is imported through the API (issue #15),
  with the import's answer and time;
- that the people on the server are exactly those there before plus every capture acknowledged
  plus the people imported.

Every request goes to 127.0.0.1; each run is bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts import service as accounts
from app.calendar import service as calendar
from app.contacts import service as contacts
from app.contacts.models import Contact, ContactWrite
from app.db import make_engine, migrate

CONNECTIONS = 50
PEOPLE = 2_000

# The ceiling: FastAPI alone, served the same way. Its PUT takes a capture's request (path, token,
# body) and validates it, on a worker thread, without storing anything: what any capture costs
# in FastAPI before its own work.
BARE_APP = """
import uuid
from typing import Annotated
from fastapi import FastAPI, Header
from pydantic import BaseModel

app = FastAPI()

@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}

class Capture(BaseModel):
    full_name: str | None = None
    company: str | None = None
    role: str | None = None
    email: str | None = None
    hook: str | None = None
    tags: list[str] | None = None

@app.put("/api/v1/contacts/{contact_id}", status_code=201)
def capture(
    contact_id: uuid.UUID, body: Capture, authorization: Annotated[str, Header()]
) -> dict[str, object]:
    return {"id": str(contact_id), **body.model_dump()}
"""

# One Lua script for every run: the mix is chosen by the MIX variable; counters per kind of
# request; the 201s of captures are counted so the server's count can be checked.
LUA = """
local token = os.getenv("GF_TOKEN")
local feed = os.getenv("GF_FEED")
local mix = os.getenv("GF_MIX")

local threads = {}
local kinds = {"capture", "search", "list", "today", "feed", "healthz", "all"}
local weights = {capture = 30, search = 25, list = 15, today = 15, feed = 5, healthz = 10}
local fields = {"sent", "ok", "created", "bad"}

local function count(kind, field)
  _G[kind .. "_" .. field] = _G[kind .. "_" .. field] + 1
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  for _, k in ipairs(kinds) do
    for _, f in ipairs(fields) do _G[k .. "_" .. f] = 0 end
  end
  last = nil
end

local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

local function pick()
  if mix ~= "mixed" then return mix end
  local r = math.random(1, 100)
  for _, k in ipairs(kinds) do
    r = r - weights[k]
    if r <= 0 then return k end
  end
  return "healthz"
end

local words = {"marie", "jean", "dupont", "lyon", "salon", "helene", "conseil", "martin"}

function request()
  last = pick()
  count(last, "sent")
  local headers = {["Authorization"] = "Bearer " .. token}
  if last == "capture" then
    headers["Content-Type"] = "application/json"
    local body = '{"full_name": "Charge ' .. uuid4():sub(1, 8) .. '", "hook": "wrk"}'
    return wrk.format("PUT", "/api/v1/contacts/" .. uuid4(), headers, body)
  elseif last == "search" then
    return wrk.format("GET", "/api/v1/contacts?q=" .. words[math.random(1, #words)], headers)
  elseif last == "list" then
    return wrk.format("GET", "/api/v1/contacts", headers)
  elseif last == "today" then
    return wrk.format("GET", "/", headers)
  elseif last == "feed" then
    return wrk.format("GET", feed, {})
  end
  return wrk.format("GET", "/healthz", {})
end

function response(status, headers, body)
  -- A response does not say which request it answers (a thread runs many connections), but
  -- only a capture answers 201: that is what the server's count of people is checked against.
  if status >= 200 and status < 400 then count("all", "ok") else count("all", "bad") end
  if status == 201 then count("all", "created") end
end

function done(summary, latency, requests)
  local parts = {}
  for _, k in ipairs(kinds) do
    local sums = {}
    for _, f in ipairs(fields) do
      sums[f] = 0
      for _, thread in ipairs(threads) do sums[f] = sums[f] + thread:get(k .. "_" .. f) end
    end
    table.insert(parts, string.format('"%s": {"sent": %d, "ok": %d, "created": %d, "bad": %d}',
      k, sums.sent, sums.ok, sums.created, sums.bad))
  end
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "timeouts": %d, "connect_errors": %d, '
    .. '"read_errors": %d, "status_errors": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d, '
    .. '"kinds": {%s}}\\n',
    summary.requests, summary.duration, summary.errors.timeout, summary.errors.connect,
    summary.errors.read, summary.errors.status, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, table.concat(parts, ", ")))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _wrk(url: str, *, seconds: int, mix: str, env: dict[str, str], script: Path) -> dict[str, Any]:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    result = subprocess.run(
        command, env={**env, "GF_MIX": mix}, capture_output=True, text=True, timeout=seconds + 60,
        check=True,
    )  # fmt: skip
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    found: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    found["rate"] = found["requests"] / (found["duration_us"] / 1e6)
    # wrk's own status_errors count every non-2xx/3xx answer, as the script does.
    found["errors"] = found["timeouts"] + found["connect_errors"] + found["read_errors"]
    found["errors"] += found["kinds"]["all"]["bad"]
    return found


def _fill(url: str) -> tuple[str, str, int]:
    """An account with people, its token and its feed's path."""
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        user = accounts.create_user(session, email="load@example.org", password="x" * 16)
        _token, secret = accounts.create_token(session, user=user, name="load")
        _feed, feed_token = calendar.ensure_feed(session, user=user, secret="load-" + "s" * 40)
        names = [
            (f, lst) for f in ("Marie", "Jean", "Hélène", "Paul") for lst in ("Dupont", "Martin")
        ]
        for n in range(PEOPLE):
            first, last = names[n % len(names)]
            body = ContactWrite(
                full_name=f"{first} {last} {n}", company="Conseil Lyon" if n % 7 == 0 else None
            )
            contacts.put_contact(session, owner=user, contact_id=uuid.uuid4(), data=body)
        session.commit()
    engine.dispose()
    return secret, calendar.feed_path(feed_token), PEOPLE


def _cards(count: int) -> bytes:
    """A vCard file of `count` people nobody has yet, as a phone's export would give them."""
    cards = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Importé {n}\r\nN:{n};Importé;;;\r\n"
        f"EMAIL:importe{n}@example.org\r\nORG:Maison {n % 97}\r\nEND:VCARD\r\n"
        for n in range(count)
    )
    return "".join(cards).encode()


class _Import(threading.Thread):
    """A contacts import through the API, running while the load test does."""

    def __init__(self, base: str, token: str, cards: int) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.data = base, token, _cards(cards)
        self.status: int | None = None
        self.created = 0
        self.seconds = 0.0
        self.error = ""

    def run(self) -> None:
        started = time.monotonic()
        try:
            answer = httpx.post(
                f"{self.base}/api/v1/contacts/import",
                headers={"Authorization": f"Bearer {self.token}"},
                files={"file": ("people.vcf", self.data, "text/vcard")},
                timeout=900,
            )
            self.status = answer.status_code
            if answer.status_code == 200:
                self.created = int(answer.json().get("created", 0))
            else:
                self.error = answer.text[:300]
        except httpx.HTTPError as error:
            self.error = repr(error)
        self.seconds = time.monotonic() - started


def _people(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        table = Contact.__table__  # type: ignore[attr-defined]
        count: int = connection.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return count


def run(
    database_url: str | None, *, seconds: int, short: int, workers: int, import_cards: int = 0
) -> dict[str, Any]:
    """One full run on one backend; the figures as a dict."""
    folder = Path(tempfile.mkdtemp(prefix="givefirst-load-"))
    admin = None
    if database_url:
        name = f"givefirst_load_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{folder / 'givefirst.db'}"
    secret, feed, before = _fill(url)
    (folder / "bare.py").write_text(textwrap.dedent(BARE_APP))
    script = folder / "mix.lua"
    script.write_text(LUA)
    env = {**os.environ, "GF_TOKEN": secret, "GF_FEED": feed, "GIVEFIRST_DATA_DIR": str(folder),
           "GIVEFIRST_DATABASE_URL": url, "GIVEFIRST_SECRET_KEY": "load-" + "s" * 40}  # fmt: skip
    results: dict[str, Any] = {"backend": "postgresql" if database_url else "sqlite",
                               "workers": workers, "people_before": before}  # fmt: skip
    port = _free_port()
    bare = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare:app", "--port", str(port), "--log-level", "warning",
         "--workers", str(workers)],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(f"http://127.0.0.1:{port}", bare)
        for key, mix in (("bare", "healthz"), ("bare_put", "capture")):
            results[key] = _wrk(
                f"http://127.0.0.1:{port}", seconds=short, mix=mix, env=env, script=script
            )
    finally:
        bare.terminate()
        bare.wait(timeout=30)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "wb"),  # noqa: SIM115
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, server)
        for kind in ("healthz", "capture"):
            results[kind] = _wrk(base, seconds=short, mix=kind, env=env, script=script)
        results["mixed"] = _wrk(base, seconds=seconds, mix="mixed", env=env, script=script)
        if import_cards:
            # The same mixed load again, while a large import runs from the start.
            running = _Import(base, secret, import_cards)
            running.start()
            results["mixed_import"] = _wrk(
                base, seconds=seconds, mix="mixed", env=env, script=script
            )
            running.join(timeout=900)
            results["import"] = {
                "cards": import_cards, "status": running.status, "created": running.created,
                "seconds": running.seconds, "error": running.error,
            }  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    created = sum(
        r["kinds"]["all"]["created"]
        for key, r in results.items()
        if isinstance(r, dict) and "kinds" in r and not key.startswith("bare")
    )
    results["people_after"] = _people(url)
    results["acknowledged_captures"] = created
    results["imported"] = results.get("import", {}).get("created", 0)
    log = (folder / "server.log").read_text(errors="replace")
    results["log_errors"] = log.count("Traceback")
    # The last line of each traceback names the error: the distinct ones, to be told apart.
    results["log_kinds"] = sorted(
        {
            block.strip().splitlines()[-1][:200]
            for block in log.split("Traceback (most recent call last):")[1:]
            if block.strip()
        }
    )
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    return results


def report(results: dict[str, Any]) -> None:
    bare, health, capture, mixed = (results[k] for k in ("bare", "healthz", "capture", "mixed"))
    print(f"\n{results['backend']}, {results['workers']} process(es), {CONNECTIONS} connections")
    print(f"  bare FastAPI       {bare['rate']:8.0f} req/s")
    print(
        f"  /healthz           {health['rate']:8.0f} req/s   = {health['rate'] / bare['rate']:.2f} of bare (goal ≥ 0.5)"
    )
    print(
        f"  capture PUT        {capture['rate']:8.0f} req/s   = {capture['rate'] / health['rate']:.2f} of healthz (goal ≥ 0.4), errors {capture['errors']}"
    )
    bare_put = results["bare_put"]
    print(
        f"  bare FastAPI PUT   {bare_put['rate']:8.0f} req/s   = {bare_put['rate'] / health['rate']:.2f} of healthz: "
        f"the same request validated, nothing stored; a capture is {capture['rate'] / bare_put['rate']:.2f} of it"
    )
    _mixed_line("mixed", mixed)
    if "mixed_import" in results:
        _mixed_line(
            f"mixed during a {results['import']['cards']:,}-card import", results["mixed_import"]
        )
        done = results["import"]
        print(
            f"  the import: HTTP {done['status']}, {done['created']:,} people created in "
            f"{done['seconds']:.1f} s {done['error']}"
        )
    # A capture still in flight when wrk stops is stored but never acknowledged: at most one per
    # connection and run with captures. None acknowledged may be missing.
    expected = results["people_before"] + results["acknowledged_captures"] + results["imported"]
    extra = results["people_after"] - expected
    runs = sum(1 for key in ("capture", "mixed", "mixed_import") if key in results)
    print(
        f"  people on the server {results['people_after']} = {results['people_before']} before + "
        f"{results['acknowledged_captures']} acknowledged + {results['imported']} imported + "
        f"{extra} in flight when wrk stopped "
        f"(at most {runs * CONNECTIONS}): {'yes' if 0 <= extra <= runs * CONNECTIONS else 'NO'}"
    )
    print(f"  tracebacks in the server log: {results['log_errors']}")  # fmt: skip
    for kind in results["log_kinds"]:
        print(f"    {kind}")


def _mixed_line(label: str, mixed: dict[str, Any]) -> None:
    print(
        f"  {label}: {mixed['rate']:.0f} req/s, errors {mixed['errors']} (goal 0), "
        f"p50 {mixed['p50'] / 1000:.0f} ms, p90 {mixed['p90'] / 1000:.0f} ms, "
        f"p99 {mixed['p99'] / 1000:.0f} ms (goal < 1000)"
    )
    sent = ", ".join(f"{k} {c['sent']}" for k, c in mixed["kinds"].items() if k != "all")
    answered = mixed["kinds"]["all"]
    print(f"    sent: {sent}; answered 2xx/3xx {answered['ok']}, other {answered['bad']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a database on")
    parser.add_argument("--seconds", type=int, default=60, help="length of the mixed run")
    parser.add_argument("--short", type=int, default=10, help="length of each single-kind run")
    parser.add_argument(
        "--import-cards", type=int, default=20_000,
        help="then the mixed run again while a vCard of this many people is imported (0: skip)",
    )  # fmt: skip
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    workers = 2 if args.database_url else 1
    results = run(
        args.database_url, seconds=args.seconds, short=args.short, workers=workers,
        import_cards=args.import_cards,
    )  # fmt: skip
    report(results)


if __name__ == "__main__":
    main()
